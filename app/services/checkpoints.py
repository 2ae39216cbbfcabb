"""Checkpoints: the head of every case's event chain at one moment, signed with the checkpoint key (Ed25519),
written to a file that an auditor keeps outside the database. Rewriting history after a checkpoint (an event
deleted at the end and the case's head rolled back with it) then shows against the file, and the file itself
cannot be altered without the private key.

The file is text, one line each, written and read in constant memory:

    disclosure-checkpoint 1
    written_at 2026-12-01T03:30:00+00:00
    public_key <the Ed25519 public key, base64>
    <case id> <sequence number of its last event> <that event's MAC>      (one line per case, by id)
    cases <how many>
    signature <base64 Ed25519 signature of b"disclosure-checkpoint 1" + SHA-512 of every line above>
"""
from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ..extensions import db
from ..keys import checkpoint_key
from ..models import Case
from . import timesource

MAGIC = "disclosure-checkpoint 1"
BATCH = 5000


class BadCheckpoint(ValueError):
    """The file is not a checkpoint, is truncated, or its signature does not hold."""


@dataclass(frozen=True)
class Head:
    case_id: int
    seq: int
    mac: str


@dataclass(frozen=True)
class Checkpoint:
    path: Path
    written_at: str
    public_key: str
    cases: int

    @property
    def fingerprint(self) -> str:
        """The public key's SHA-256, short: what an auditor notes to recognise the signer."""
        return hashlib.sha256(base64.b64decode(self.public_key)).hexdigest()[:16]

    def heads(self) -> Iterator[Head]:
        """Every case's head, by case id (the file was checked when it was opened)."""
        with self.path.open(encoding="utf-8") as lines:
            for line in lines:
                parts = line.split()
                if len(parts) == 3 and parts[0].isdigit():
                    yield Head(int(parts[0]), int(parts[1]), parts[2])


def write_checkpoint(path: Path, *, progress: Callable[[int], None] | None = None) -> Checkpoint:
    """Write the heads of every case's chain to ``path``, signed; returns what was written."""
    key = checkpoint_key()
    public = base64.b64encode(key.public_key().public_bytes_raw()).decode()
    written_at = timesource.now().isoformat()
    digest, count = hashlib.sha512(), 0
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as out:
        def emit(line: str) -> None:
            digest.update(line.encode())
            out.write(line)

        emit(f"{MAGIC}\n")
        emit(f"written_at {written_at}\n")
        emit(f"public_key {public}\n")
        last = 0
        while True:
            rows = db.session.execute(sa.select(Case.id, Case.last_seq, Case.last_hash).where(Case.id > last)
                                      .order_by(Case.id).limit(BATCH)).all()
            if not rows:
                break
            for row in rows:
                emit(f"{row.id} {row.last_seq} {row.last_hash}\n")
            count, last = count + len(rows), rows[-1].id
            if progress:
                progress(len(rows))
        emit(f"cases {count}\n")
        signature = key.sign(MAGIC.encode() + digest.digest())
        out.write(f"signature {base64.b64encode(signature).decode()}\n")
    tmp.replace(path)
    return Checkpoint(path, written_at, public, count)


def read_checkpoint(path: Path, *, public_key: str | None = None) -> Checkpoint:
    """Open a checkpoint and check its signature (with the key it names, or the one given, which it must
    then carry). Raises BadCheckpoint saying what is wrong."""
    digest, header, count, signature, lines = hashlib.sha512(), {}, None, None, 0
    try:
        with path.open(encoding="utf-8") as source:
            for number, line in enumerate(source, 1):
                if signature is not None:
                    raise BadCheckpoint(f"{path}: line {number} follows the signature")
                if line.startswith("signature "):
                    signature = line.split(" ", 1)[1].strip()
                    continue
                digest.update(line.encode())
                parts = line.split()
                if number == 1:
                    if line.rstrip("\n") != MAGIC:
                        raise BadCheckpoint(f"{path}: not a checkpoint (first line {line[:40]!r})")
                elif parts and parts[0] in ("written_at", "public_key") and len(parts) == 2:
                    header[parts[0]] = parts[1]
                elif parts and parts[0] == "cases" and len(parts) == 2:
                    count = int(parts[1])
                elif len(parts) == 3 and all(p.isdigit() for p in parts[:2]):
                    lines += 1
                else:
                    raise BadCheckpoint(f"{path}: line {number} is not part of a checkpoint: {line[:60]!r}")
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        if isinstance(exc, BadCheckpoint):
            raise
        raise BadCheckpoint(f"{path}: {exc}") from None
    if signature is None or count is None or set(header) != {"written_at", "public_key"}:
        raise BadCheckpoint(f"{path}: incomplete (no signature, count or header): truncated?")
    if count != lines:
        raise BadCheckpoint(f"{path}: says {count} cases but lists {lines}")
    if public_key is not None and public_key != header["public_key"]:
        raise BadCheckpoint(f"{path}: signed with another key than the one given")
    try:
        Ed25519PublicKey.from_public_bytes(base64.b64decode(header["public_key"])).verify(
            base64.b64decode(signature), MAGIC.encode() + digest.digest())
    except (InvalidSignature, ValueError):
        raise BadCheckpoint(f"{path}: the signature does not match the content: the file was altered") from None
    return Checkpoint(path, header["written_at"], header["public_key"], count)
