"""Commands of the audit: verify the history (against a checkpoint an auditor keeps), write a checkpoint,
rotate the event keys. See docs/audit.md."""
from __future__ import annotations

import sys
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext
from tqdm import tqdm


@click.command("verify-events")
@click.option("--checkpoint", "checkpoint_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="a checkpoint file written by `checkpoint`: history rewritten since it is found too")
@click.option("--public-key", default=None,
              help="the checkpoint signer's public key (base64) the auditor noted: the file must be signed by it")
@click.option("--skip-letter-bytes", is_flag=True, help="do not re-hash every letter's bytes (faster)")
@with_appcontext
def verify_events_command(checkpoint_path, public_key, skip_letter_bytes):
    """Verify every case's event chain (MACs under the event keys), its letters and the case row against
    its last event; exit 1 and name each case's first broken link."""
    from .extensions import db
    from .keys import KeyProblem
    from .models import Case
    from .services.checkpoints import BadCheckpoint, read_checkpoint
    from .services.integrity import verify

    checkpoint = None
    if checkpoint_path is not None:
        try:
            checkpoint = read_checkpoint(checkpoint_path, public_key=public_key)
        except BadCheckpoint as exc:
            click.echo(f"检查点无效：{exc}", err=True)
            sys.exit(2)
        click.echo(f"检查点 {checkpoint_path}：{checkpoint.written_at}，{checkpoint.cases} 件，签名公钥指纹 "
                   f"{checkpoint.fingerprint}")
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Case))
    problems = 0
    try:
        with tqdm(total=total, desc="verifying", unit="case", file=sys.stderr) as bar:
            for problem in verify(checkpoint=checkpoint, letters=not skip_letter_bytes, progress=bar.update):
                problems += 1
                click.echo(str(problem))
    except KeyProblem as exc:
        click.echo(f"无法验证：{exc}", err=True)
        sys.exit(2)
    click.echo(f"{total} case(s) verified, {problems} altered")
    sys.exit(1 if problems else 0)


@click.command("checkpoint")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def checkpoint_command(path):
    """Write the head of every case's event chain to PATH, signed with the checkpoint key: give the file to
    the auditor (or an append-only store) and keep each one."""
    from .extensions import db
    from .models import Case
    from .services.checkpoints import write_checkpoint

    total = db.session.scalar(sa.select(sa.func.count()).select_from(Case))
    with tqdm(total=total, desc="checkpoint", unit="case", file=sys.stderr) as bar:
        written = write_checkpoint(path, progress=bar.update)
    click.echo(f"{path}: {written.cases} case(s) at {written.written_at}; public key {written.public_key} "
               f"(fingerprint {written.fingerprint})")


@click.group("event-keys")
def event_keys_command():
    """The keys of the event chain's MACs (EVENT_KEYS_FILE)."""


@event_keys_command.command("rotate")
@with_appcontext
def rotate_command():
    """Add a new random key and make it current (creating the file if it does not exist); the old keys stay
    to verify the events made with them. Restart the workers afterwards."""
    import json

    from .keys import add_event_key, write_event_keys

    path = Path(current_app.config.get("EVENT_KEYS_FILE") or Path(current_app.instance_path) / "event_keys.json")
    data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {"keys": {}}
    data = add_event_key(data)
    write_event_keys(path, data)
    click.echo(f"{path}: current key {data['current']} ({len(data['keys'])} key(s)); restart the workers")


@event_keys_command.command("list")
@with_appcontext
def list_command():
    """The key ids, the current one marked, and how many events and letters each made."""
    from .extensions import db
    from .keys import event_keys
    from .models import Document, Event

    keys = event_keys()
    events = dict(db.session.execute(sa.select(Event.key_id, sa.func.count()).group_by(Event.key_id)).all())
    letters = dict(db.session.execute(sa.select(Document.key_id, sa.func.count()).group_by(Document.key_id)).all())
    for key_id in sorted(set(keys.keys) | set(events) | set(letters)):
        mark = "*" if key_id == keys.current else " "
        known = "" if key_id in keys.keys else "  (NOT IN THE KEY FILE: these cannot be verified)"
        click.echo(f"{mark} {key_id}\t{events.get(key_id, 0)} event(s)\t{letters.get(key_id, 0)} letter(s){known}")
