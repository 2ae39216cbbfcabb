"""Sign-in for the caseworker pages: server-side sessions that end at sign-out, after a time without
activity, or when their user is deactivated. The browser's cookie holds only a random key; the server keeps
its SHA-256, when it was last used, and why it ended."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import User, WebSession
from . import timesource
from .credentials import authenticate

SIGNED_OUT, IDLE, DEACTIVATED = "signed_out", "idle", "deactivated"
# A session's last use is written at most this often, so reading pages does not write on every request.
TOUCH_EVERY = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class SignedIn:
    """A user signed in through a session: what the pages need to know about who is there."""

    key: str
    user: User


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _idle_limit() -> dt.timedelta:
    return dt.timedelta(minutes=current_app.config["WEB_SESSION_IDLE_MINUTES"])


def sign_in(username: str, password: str, *, address: str = "", user_agent: str = "") -> SignedIn | None:
    """A new session for valid credentials of an active user, else None. An unknown username costs the same
    password check as a known one, so the time taken does not tell which names exist."""
    user = authenticate(username, password)
    if user is None:
        return None
    key = secrets.token_urlsafe(32)
    now = timesource.now()
    db.session.add(WebSession(key_hash=_hash(key), user_id=user.id, address=address[:64],
                              user_agent=user_agent[:300], created_at=now, last_seen_at=now, end_reason=""))
    db.session.commit()
    return SignedIn(key, user)


def resume(key: str) -> SignedIn | None:
    """The session a cookie names, if it is still open; one left idle too long is ended here."""
    row = db.session.scalar(sa.select(WebSession).options(joinedload(WebSession.user))
                            .where(WebSession.key_hash == _hash(key)))
    if row is None or row.ended_at is not None:
        return None
    now = timesource.now()
    if not row.user.active:
        _end(row, now, DEACTIVATED)
        return None
    if now - row.last_seen_at > _idle_limit():
        _end(row, now, IDLE)
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
        db.session.commit()
    return SignedIn(key, row.user)


def sign_out(key: str) -> None:
    row = db.session.scalar(sa.select(WebSession).where(WebSession.key_hash == _hash(key)))
    if row is not None and row.ended_at is None:
        _end(row, timesource.now(), SIGNED_OUT)


def _end(row: WebSession, now: dt.datetime, reason: str) -> None:
    row.ended_at, row.end_reason = now, reason
    db.session.commit()
