"""Tamper evidence (issue 9.1): someone who can write to the database, but holds neither the event keys nor
the checkpoint key, alters the record directly in the database; verification names the case and its first
broken link. On PostgreSQL the application's own connection cannot update or delete an event or a letter at
all: the intruder here is a superuser who switched the triggers off for the session."""
from __future__ import annotations

import hashlib
import json

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from app.keys import EventKeys
from app.models import Case, CaseClock, Document, Event
from app.services.checkpoints import BadCheckpoint, read_checkpoint, write_checkpoint
from app.services.events import GENESIS, event_mac
from app.services.integrity import check_case, verify
from tests import factories as f
from tests.tampering import intruder

FORGED_KEYS = EventKeys("test-1", {"test-1": b"a guessed key, not the real one!"})


@pytest.fixture
def history(app, db, clock):
    """Two cases: one received, accepted and answered with a reply letter; one only registered."""
    registrar = f.user("registrar", role="registrar")
    handler = f.user("handler", role="handler")
    approver = f.user("approver", role="approver")
    answered = f.open_case(registrar)
    f.fire(answered, "accept", handler)
    f.fire(answered, "propose_reply", handler, outcome="disclosed", reason="disclose", provided="考核结果（电子文本）",
           obtain="通过电子邮件发送")
    f.fire(answered, "approve", approver)
    waiting = f.open_case(registrar, applicant_name="李四")
    f.fire(waiting, "accept", handler)
    db.session.commit()
    assert [p for p in verify()] == []
    return answered, waiting


def problems(**kw) -> list[tuple[int, int | None, str]]:
    return [(p.case_id, p.seq, p.what) for p in verify(**kw)]


def events_of(db, case) -> list[Event]:
    return list(db.session.scalars(sa.select(Event).where(Event.case_id == case.id).order_by(Event.seq)))


# -- the six tamperings ------------------------------------------------------------------------------------
def test_an_edited_event_with_the_chain_recomputed_is_named(db, history):
    answered, waiting = history
    events = events_of(db, answered)
    kinds = {e.id: sorted(d.kind for d in db.session.scalars(sa.select(Document).where(Document.event_id == e.id)))
             for e in events}
    # The intruder changes the registration's data and recomputes every MAC after it and the case's head, with
    # the algorithm (it is public) but a key of their own.
    with intruder(db) as conn:
        prev = GENESIS
        for event in events:
            if event.seq == 1:
                event.data = {**event.data, "applicant_name": "改过的名字"}
            event.prev_hash = prev
            event.hash = event_mac(event, kinds[event.id], FORGED_KEYS)
            conn.execute(sa.update(Event).where(Event.id == event.id).values(
                data=event.data, prev_hash=event.prev_hash, hash=event.hash))
            prev = event.hash
        conn.execute(sa.update(Case).where(Case.id == answered.id).values(last_hash=prev))
    assert problems() == [(answered.id, 1, "内容与其校验码不符（事件的某一字段或其文书被改动、删除）")]


@pytest.mark.parametrize("column, value", [("actor_id", None), ("definition_version", 99)])
def test_a_changed_actor_or_definition_version_is_named(db, history, column, value):
    answered, _ = history
    with intruder(db) as conn:
        conn.execute(sa.update(Event).where(Event.case_id == answered.id, Event.seq == 2).values({column: value}))
    assert problems() == [(answered.id, 2, "内容与其校验码不符（事件的某一字段或其文书被改动、删除）")]


def test_a_deleted_last_event_with_the_head_rolled_back_is_named_against_a_checkpoint(app, db, history, tmp_path):
    answered, waiting = history
    app.config["CHECKPOINT_KEY_FILE"] = str(tmp_path / "checkpoint_key.pem")
    checkpoint = write_checkpoint(tmp_path / "checkpoint.txt")
    first, accepted = events_of(db, waiting)
    # The intruder deletes the acceptance and rolls the case back to what it was before, head and state alike:
    # the database alone is consistent again.
    with intruder(db) as conn:
        conn.execute(sa.delete(Event).where(Event.id == accepted.id))
        conn.execute(sa.update(Case).where(Case.id == waiting.id).values(
            last_seq=first.seq, last_hash=first.hash, state=first.to_state, reason=first.reason))
    assert problems() == []
    kept = read_checkpoint(checkpoint.path)
    assert problems(checkpoint=kept) == [(waiting.id, 2, "缺失：检查点记录的最后事件是 #2，数据库中只到 #1（事件在检查点之后被删除）")]


def test_a_deleted_last_event_whose_case_row_was_left_as_it_was_is_named_without_a_checkpoint(db, history):
    _, waiting = history
    with intruder(db) as conn:
        conn.execute(sa.delete(Event).where(Event.case_id == waiting.id, Event.seq == 2))
    [(case_id, seq, what)] = problems()
    assert (case_id, seq) == (waiting.id, None)
    assert what.startswith("与最后事件不符：最后事件序号为 2，最后事件为 1；链头校验码为 ")
    assert "状态为 in_progress，最后事件为 received" in what


def test_a_state_changed_with_no_event_is_named(db, history):
    _, waiting = history
    with intruder(db) as conn:
        conn.execute(sa.update(Case).where(Case.id == waiting.id).values(state="disclosed", reason="disclose"))
    assert problems() == [(waiting.id, None, "与最后事件不符：状态为 disclosed，最后事件为 in_progress；"
                                             "办结原因为 disclose，最后事件为 None")]


def test_a_letter_replaced_with_its_sha256_updated_is_named(db, history):
    answered, _ = history
    letter = db.session.scalars(sa.select(Document).where(Document.case_id == answered.id)).one()
    forged = b"PK\x03\x04 another letter"
    with intruder(db) as conn:
        conn.execute(sa.update(Document).where(Document.id == letter.id).values(
            content=forged, size=len(forged), sha256=hashlib.sha256(forged).hexdigest()))
    assert problems() == [(answered.id, 4, f"文书 {letter.number} 的记录与其校验码不符（字段或 SHA-256 被改动）")]


def test_a_letter_whose_bytes_alone_were_replaced_is_named(db, history):
    answered, _ = history
    letter = db.session.scalars(sa.select(Document).where(Document.case_id == answered.id)).one()
    with intruder(db) as conn:
        conn.execute(sa.update(Document).where(Document.id == letter.id).values(content=b"PK\x03\x04 other"))
    assert problems() == [(answered.id, 4, f"文书 {letter.number} 的内容与其 SHA-256 不符（文件被替换）")]
    assert problems(letters=False) == []  # the quick check trusts the recorded SHA-256


def test_a_deleted_letter_is_named_at_its_event(db, history):
    answered, _ = history
    with intruder(db) as conn:
        conn.execute(sa.delete(Document).where(Document.case_id == answered.id))
    assert problems() == [(answered.id, 4, "内容与其校验码不符（事件的某一字段或其文书被改动、删除）")]


def test_the_command_names_each_altered_case_and_exits_1(app, db, history):
    answered, waiting = history
    runner = app.test_cli_runner()
    result = runner.invoke(args=["verify-events"])
    assert result.exit_code == 0 and "2 case(s) verified, 0 altered" in result.output, result.output
    with intruder(db) as conn:
        conn.execute(sa.update(Event).where(Event.case_id == answered.id, Event.seq == 3).values(role="approver"))
        conn.execute(sa.update(Case).where(Case.id == waiting.id).values(state="received"))
    result = runner.invoke(args=["verify-events"])
    assert result.exit_code == 1
    assert f"{answered.reference}（案件 {answered.id}）事件 #3：内容与其校验码不符" in result.output
    assert f"{waiting.reference}（案件 {waiting.id}）案件记录：与最后事件不符：状态为 received，最后事件为 in_progress" \
        in result.output
    assert "2 case(s) verified, 2 altered" in result.output


# -- the database refuses the application's own changes (PostgreSQL) -------------------------------------
def test_the_application_cannot_update_or_delete_an_event_or_a_letter_on_postgresql(db, history):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the triggers are PostgreSQL's (SQLite is the embedded single-user default)")
    answered, _ = history
    letter = db.session.scalars(sa.select(Document).where(Document.case_id == answered.id)).one()
    for statement in (sa.update(Event).where(Event.case_id == answered.id).values(role="x"),
                      sa.delete(Event).where(Event.case_id == answered.id),
                      sa.update(Document).where(Document.id == letter.id).values(sha256="0" * 64),
                      sa.delete(Document).where(Document.id == letter.id)):
        with pytest.raises(DBAPIError, match="the event history and issued letters are never changed"):
            with db.engine.begin() as conn:
                conn.execute(statement)
    # The one change allowed: the PDF copy, added once after the letter was issued ...
    with db.engine.begin() as conn:
        conn.execute(sa.update(Document).where(Document.id == letter.id).values(pdf=b"%PDF", pdf_sha256="1" * 64))
    # ... and never replaced.
    with pytest.raises(DBAPIError, match="never changed"), db.engine.begin() as conn:
        conn.execute(sa.update(Document).where(Document.id == letter.id).values(pdf=b"%PDF2", pdf_sha256="2" * 64))
    assert problems() == []


# -- checkpoints -----------------------------------------------------------------------------------------
def test_a_checkpoint_is_signed_and_any_change_to_it_is_refused(app, db, history, tmp_path):
    app.config["CHECKPOINT_KEY_FILE"] = str(tmp_path / "checkpoint_key.pem")
    written = write_checkpoint(tmp_path / "checkpoint.txt")
    assert written.cases == 2
    read = read_checkpoint(written.path, public_key=written.public_key)
    assert (read.cases, read.fingerprint) == (2, written.fingerprint)
    assert problems(checkpoint=read) == []
    lines = written.path.read_text().splitlines(keepends=True)
    altered = tmp_path / "altered.txt"
    altered.write_text("".join(line.replace(" 4 ", " 3 ") for line in lines))
    with pytest.raises(BadCheckpoint, match="the signature does not match the content"):
        read_checkpoint(altered)
    altered.write_text("".join(lines[:-2]))
    with pytest.raises(BadCheckpoint, match="incomplete"):
        read_checkpoint(altered)
    with pytest.raises(BadCheckpoint, match="signed with another key"):
        read_checkpoint(written.path, public_key="AAAA" + written.public_key[4:])


def test_a_case_deleted_after_a_checkpoint_is_named(app, db, history, tmp_path):
    answered, waiting = history
    app.config["CHECKPOINT_KEY_FILE"] = str(tmp_path / "checkpoint_key.pem")
    written = write_checkpoint(tmp_path / "checkpoint.txt")
    with intruder(db) as conn:
        for table in (Event, CaseClock):
            conn.execute(sa.delete(table).where(table.case_id == waiting.id))
        conn.execute(sa.delete(Case).where(Case.id == waiting.id))
    assert problems(checkpoint=read_checkpoint(written.path)) == [
        (waiting.id, None, "检查点中有此案件（最后事件 #2），数据库中已不存在")]


def test_the_checkpoint_commands_write_and_check_a_file(app, db, history, tmp_path):
    answered, _ = history
    app.config["CHECKPOINT_KEY_FILE"] = str(tmp_path / "checkpoint_key.pem")
    runner = app.test_cli_runner()
    path = tmp_path / "2026-11-27.checkpoint"
    result = runner.invoke(args=["checkpoint", str(path)])
    assert result.exit_code == 0 and "2 case(s)" in result.output, result.output
    public = result.output.split("public key ", 1)[1].split()[0]
    result = runner.invoke(args=["verify-events", "--checkpoint", str(path), "--public-key", public])
    assert result.exit_code == 0 and "2 case(s) verified, 0 altered" in result.output, result.output
    result = runner.invoke(args=["verify-events", "--checkpoint", str(path), "--public-key", "x" + public[1:]])
    assert result.exit_code == 2 and "检查点无效" in result.output


# -- keys ------------------------------------------------------------------------------------------------
def test_events_made_under_a_rotated_key_verify_with_the_old_key_kept(app, db, history, tmp_path):
    answered, _ = history
    keys_file = tmp_path / "event_keys.json"
    keys_file.write_text(json.dumps(app.config["EVENT_KEYS"]))
    app.config.update(EVENT_KEYS=None, EVENT_KEYS_FILE=str(keys_file))
    app.extensions.pop("event_keys", None)
    result = app.test_cli_runner().invoke(args=["event-keys", "rotate"])
    assert result.exit_code == 0, result.output
    app.extensions.pop("event_keys", None)  # as a restarted worker
    new = json.loads(keys_file.read_text())
    assert new["current"] != "test-1" and set(new["keys"]) == {"test-1", new["current"]}
    assert oct(keys_file.stat().st_mode & 0o777) == "0o600"
    later = f.open_case(f.user("registrar3", role="registrar"))
    assert db.session.scalars(sa.select(Event.key_id).where(Event.case_id == later.id)).all() == [new["current"]]
    assert problems() == []
    listing = app.test_cli_runner().invoke(args=["event-keys", "list"])
    assert f"* {new['current']}\t1 event(s)" in listing.output and "  test-1\t" in listing.output
    # Without the old key, the old events cannot be verified, and it is said.
    keys_file.write_text(json.dumps({"current": new["current"], "keys": {new["current"]: new["keys"][new["current"]]}}))
    app.extensions.pop("event_keys", None)
    assert problems()[0][2] == f"无法验证：no event key 'test-1' in the key file (keys: {new['current']})"


def test_a_letter_issued_now_carries_its_mac(db, history):
    answered, _ = history
    letter = db.session.scalars(sa.select(Document).where(Document.case_id == answered.id)).one()
    assert (letter.key_id, len(letter.mac)) == ("test-1", 64)
    assert check_case(answered) is None
