"""Checking a username and password, the same way for the API's tokens and the pages' sessions."""
from __future__ import annotations

import hashlib
import secrets
import unicodedata

import sqlalchemy as sa

from workflow.fields import unstorable

from ..extensions import db
from ..models import User


def normalized_username(username: str) -> str:
    """A username as it is stored and compared: NFKC (full-width letters and digits become the usual ones,
    ligatures split), case-folded, without surrounding spaces; so "Ａｄｍｉｎ", "ADMIN" and "admin" are one name."""
    return unicodedata.normalize("NFKC", username).casefold().strip()


def sign_in_key(username: str) -> str:
    """The key under which the failed sign-ins of a name are counted (Flask-Limiter): the normalised name,
    hashed, so any text sent as a name (a NUL, an unpaired surrogate) makes a key every store accepts."""
    name = normalized_username(username).encode("utf-8", "surrogatepass")
    return "user:" + hashlib.sha256(name).hexdigest()[:32]


def authenticate(username: str, password: str) -> User | None:
    """The active user these credentials name, else None. An unknown name (or one no user could have, such
    as one with a NUL byte) costs the same password check as a known one, so the time taken does not tell
    which names exist."""
    name = normalized_username(username)
    # A lone surrogate cannot be hashed (nor typed): it becomes U+FFFD, and the check fails in the usual time.
    password = password.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    # A name stored before names were normalised is found as typed.
    user = None if unstorable(username) else db.session.scalar(
        sa.select(User).where(sa.or_(User.username == name, User.username == username)).order_by(User.id).limit(1))
    valid = user.check_password(password) if user is not None else _dummy_check(password)
    # No password holds a control character; without this check "secret\0" would pass for "secret" (the
    # key of HMAC, inside PBKDF2 and scrypt, is padded with zero bytes).
    valid = valid and unstorable(password) is None
    return user if user is not None and valid and user.active else None


_DUMMY: User | None = None


def _dummy_check(password: str) -> bool:
    global _DUMMY
    if _DUMMY is None:
        _DUMMY = User(password_hash="")
        _DUMMY.set_password(secrets.token_urlsafe(16))
    _DUMMY.check_password(password)
    return False
