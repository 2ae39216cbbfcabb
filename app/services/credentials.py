"""Checking a username and password, the same way for the API's tokens and the pages' sessions."""
from __future__ import annotations

import secrets

import sqlalchemy as sa

from workflow.fields import unstorable

from ..extensions import db
from ..models import User


def authenticate(username: str, password: str) -> User | None:
    """The active user these credentials name, else None. An unknown name (or one no user could have, such
    as one with a NUL byte) costs the same password check as a known one, so the time taken does not tell
    which names exist."""
    user = None if unstorable(username) else db.session.scalar(sa.select(User).where(User.username == username))
    valid = user.check_password(password) if user is not None else _dummy_check(password)
    return user if user is not None and valid and user.active else None


_DUMMY: User | None = None


def _dummy_check(password: str) -> bool:
    global _DUMMY
    if _DUMMY is None:
        _DUMMY = User(password_hash="")
        _DUMMY.set_password(secrets.token_urlsafe(16))
    _DUMMY.check_password(password)
    return False
