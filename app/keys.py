"""The secrets that make the history tamper-evident, kept outside the database.

- The event keys: each event's MAC (and each letter's) is an HMAC-SHA256 under a key named by its id, which
  the event records; so keys rotate (a new current key for new events, the old ones kept to verify). A JSON
  file named by ``EVENT_KEYS_FILE``: ``{"current": "2026-12", "keys": {"2026-12": "<64 hex digits>"}}``.
- The checkpoint key: an Ed25519 private key (PEM, ``CHECKPOINT_KEY_FILE``) that signs the chain heads an
  auditor keeps; whoever holds the checkpoint checks it with the public key printed in it.

Someone who can write to the database but has neither file cannot forge an event, a letter or a checkpoint.
Development and the tests create missing files in the instance folder (``CREATE_MISSING_KEYS``); production
refuses to start without them (config.ProductionConfig.check).
"""
from __future__ import annotations

import datetime as dt
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import current_app

MIN_KEY_BYTES = 32


class KeyProblem(RuntimeError):
    """A key file is missing, unreadable or too weak, or names no such key."""


@dataclass(frozen=True)
class EventKeys:
    current: str
    keys: dict[str, bytes]

    def key(self, key_id: str) -> bytes:
        try:
            return self.keys[key_id]
        except KeyError:
            raise KeyProblem(f"no event key {key_id!r} in the key file (keys: {', '.join(sorted(self.keys))})") \
                from None


def parse_event_keys(data: dict, *, source: str) -> EventKeys:
    """The keys of a key file's JSON, checked: a current key that exists, every key at least 32 bytes."""
    try:
        keys = {str(k): bytes.fromhex(v) for k, v in data["keys"].items()}
        current = str(data["current"])
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise KeyProblem(f"{source}: expected {{\"current\": ID, \"keys\": {{ID: HEX}}}} ({exc})") from None
    weak = sorted(k for k, v in keys.items() if len(v) < MIN_KEY_BYTES)
    if weak:
        raise KeyProblem(f"{source}: keys {', '.join(weak)} are shorter than {MIN_KEY_BYTES} bytes")
    if current not in keys:
        raise KeyProblem(f"{source}: the current key {current!r} is not among the keys")
    return EventKeys(current, keys)


def event_keys() -> EventKeys:
    """The application's event keys, read once per process (a rotation takes effect when workers restart)."""
    cached = current_app.extensions.get("event_keys")
    if cached is None:
        configured = current_app.config.get("EVENT_KEYS")
        if configured:
            cached = parse_event_keys(configured, source="EVENT_KEYS")
        else:
            path = _path("EVENT_KEYS_FILE", "event_keys.json")
            if not path.exists() and current_app.config.get("CREATE_MISSING_KEYS"):
                write_event_keys(path, add_event_key({"keys": {}}))
            cached = read_event_keys(path)
        current_app.extensions["event_keys"] = cached
    return cached


def read_event_keys(path: Path) -> EventKeys:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KeyProblem(f"event key file {path} does not exist: create it with `flask --app wsgi event-keys "
                         "rotate` (docs/audit.md)") from None
    except (OSError, ValueError) as exc:
        raise KeyProblem(f"event key file {path}: {exc}") from None
    return parse_event_keys(data, source=str(path))


def add_event_key(data: dict, *, today: dt.date | None = None) -> dict:
    """The key file's content with a new random key, made current; the old keys stay for verification."""
    stem = (today or dt.date.today()).strftime("%Y%m%d")
    key_id, n = stem, 1
    while key_id in data.get("keys", {}):
        n += 1
        key_id = f"{stem}-{n}"
    return {"current": key_id, "keys": {**data.get("keys", {}), key_id: secrets.token_hex(MIN_KEY_BYTES)}}


def write_event_keys(path: Path, data: dict) -> None:
    """Write a key file readable by its owner only (replacing any earlier one in one step)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(data, out, indent=2)
    os.replace(tmp, path)


def checkpoint_key() -> Ed25519PrivateKey:
    """The private key that signs checkpoints (created in development when missing)."""
    path = _path("CHECKPOINT_KEY_FILE", "checkpoint_key.pem")
    if not path.exists() and current_app.config.get("CREATE_MISSING_KEYS"):
        pem = Ed25519PrivateKey.generate().private_bytes(serialization.Encoding.PEM,
                                                         serialization.PrivateFormat.PKCS8,
                                                         serialization.NoEncryption())
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(pem)
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except FileNotFoundError:
        raise KeyProblem(f"checkpoint key file {path} does not exist (docs/audit.md)") from None
    except ValueError as exc:
        raise KeyProblem(f"checkpoint key file {path}: {exc}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyProblem(f"checkpoint key file {path}: not an Ed25519 private key")
    return key


def _path(setting: str, default_name: str) -> Path:
    configured = current_app.config.get(setting)
    return Path(configured) if configured else Path(current_app.instance_path) / default_name
