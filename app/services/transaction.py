"""One command, one transaction: the work, its Idempotency-Key record and the commit together, or a
rollback of all of it. A retry with the same key gets the first response back — a refusal too: a request
refused now (409 in this state, 403, 422) is not carried out by a retry later, when it might pass."""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from workflow.errors import WorkflowError

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
    """A request's Idempotency-Key, its fingerprint, and how to turn a result, or a refusal, into the stored
    response."""

    key: str
    fingerprint: str
    render: Callable[[Result], tuple[int, dict]]
    render_refusal: Callable[[WorkflowError], tuple[int, dict]] | None = None


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


def refused(user: User, idem: Idempotency | None, exc: WorkflowError) -> WorkflowError:
    """Remember a refusal under the request's key (in a transaction of its own, after the work's rollback), so
    that a retry replays it; return the error to raise. A key already used, or a reused key's mismatch, is not
    a refusal of the request and is not stored."""
    if idem is None or idem.render_refusal is None or isinstance(exc, IdempotencyMismatch):
        return exc
    status, body = idem.render_refusal(exc)
    body = json.loads(json.dumps(body, ensure_ascii=False, default=str))  # as the JSON column will keep it
    db.session.add(IdempotencyRecord(user_id=user.id, key=idem.key, fingerprint=idem.fingerprint,
                                     status_code=status, body=body, created_at=timesource.now()))
    try:
        db.session.commit()
    except IntegrityError:  # the same request, under the same key, was answered meanwhile
        db.session.rollback()
    return exc


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
        raise refused(actor, idempotency, ConcurrentUpdate("案件已被其他操作修改，请刷新后重试")) from None
    except WorkflowError as exc:
        db.session.rollback()
        raise refused(actor, idempotency, exc) from None
    except BaseException:
        db.session.rollback()
        raise
