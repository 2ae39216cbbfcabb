"""One command, one transaction: the work, its Idempotency-Key record and the commit together, or a
rollback of all of it. A retry with the same key gets the first response back."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from ..extensions import db
from ..models import Case, Document, Event, IdempotencyRecord, User
from . import timesource
from .errors import ConcurrentUpdate, IdempotencyMismatch


@dataclass
class Result:
    """What a command on a case produced, or the stored response of an earlier identical request."""

    case: Case | None
    event: Event | None
    documents: list[Document] = field(default_factory=list)
    replay: tuple[int, dict] | None = None


@dataclass
class Idempotency:
    """A request's Idempotency-Key, its fingerprint, and how to turn a result into the stored response."""

    key: str
    fingerprint: str
    render: Callable[[Result], tuple[int, dict]]


def replay(user: User, idem: Idempotency | None) -> tuple[int, dict] | None:
    """The stored response of an earlier request with this key, if any; a different request with the
    same key is refused."""
    if idem is None:
        return None
    record = db.session.scalar(sa.select(IdempotencyRecord).where(IdempotencyRecord.user_id == user.id,
                                                                 IdempotencyRecord.key == idem.key))
    if record is None:
        return None
    if record.fingerprint != idem.fingerprint:
        raise IdempotencyMismatch("Idempotency-Key 已用于另一个不同的请求", key=idem.key)
    return record.status_code, record.body


def _remember(user: User, idem: Idempotency | None, result: Result) -> None:
    if idem is None:
        return
    status, body = idem.render(result)
    db.session.add(IdempotencyRecord(user_id=user.id, key=idem.key, fingerprint=idem.fingerprint,
                                     status_code=status, body=body, created_at=timesource.now()))
    result.replay = (status, body)


T = TypeVar("T")


def run(work: Callable[[], T], *, actor: User, idempotency: Idempotency | None) -> T:
    """Run ``work`` and commit it with its idempotency record, or roll everything back. A lost race
    (the version check at flush or commit, a duplicate event sequence or key) replays the winner's
    response when it was the same request, else becomes ConcurrentUpdate; any other error re-raises
    after the rollback, so a refused request never leaves a half-written transition in the session."""
    try:
        result = work()
        _remember(actor, idempotency, result)
        db.session.commit()
        return result
    except (StaleDataError, IntegrityError):
        db.session.rollback()
        stored = replay(actor, idempotency)
        if stored is not None:
            return Result(None, None, replay=stored)
        raise ConcurrentUpdate("案件已被其他操作修改，请刷新后重试") from None
    except BaseException:
        db.session.rollback()
        raise
