"""What changes nothing but must leave a trace for an auditor: sign-ins and failed sign-ins, sign-outs,
refused requests (401, 403, 409, 422, 429) and attempts to open a case out of the user's scope. The API's
error boundary, the pages' after-request hook and the sign-in views call ``record``; the request's own work
was refused, so its transaction is rolled back first and the record committed alone."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from ..extensions import db
from ..models import AuditRecord, User
from . import timesource

SIGN_IN, SIGN_IN_FAILED, SIGN_OUT, REFUSED, DENIED = "sign_in", "sign_in_failed", "sign_out", "refused", "denied"
KIND_TITLES = {SIGN_IN: "登录", SIGN_IN_FAILED: "登录失败", SIGN_OUT: "退出登录", REFUSED: "操作被拒绝",
               DENIED: "访问范围外的案件"}
RECORDED_STATUSES = {401, 403, 409, 422, 429}


def storable(text: str | None, limit: int) -> str:
    """Text as typed, cut to ``limit`` characters, with what a database cannot store (NUL, other control
    characters, unpaired surrogates) written as escapes, so that a hostile attempt is recorded too."""
    out = []
    for ch in (text or "")[:limit]:
        code = ord(ch)
        if (code < 32 and ch not in "\t") or code == 127 or 0xD800 <= code <= 0xDFFF:
            out.append(f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)[:limit]


@dataclass(frozen=True, kw_only=True)
class Attempt:
    """Where an attempt came from: the channel (api or web), the request and the client's address."""

    channel: str
    method: str = ""
    path: str = ""
    address: str = ""


def record(kind: str, attempt: Attempt, *, user: User | None = None, username: str | None = None,
           status: int | None = None, code: str = "", message: str = "", case_id: int | None = None,
           trigger: str | None = None) -> None:
    """Commit one record (rolling back whatever the refused request had begun)."""
    db.session.rollback()
    db.session.add(AuditRecord(
        agency_code=user.agency_code if user is not None else None, recorded_at=timesource.now(), kind=kind,
        channel=attempt.channel, user_id=user.id if user is not None else None,
        username=storable(username if username is not None else (user.username if user else ""), 80),
        role=user.role if user is not None else "", address=storable(attempt.address, 64),
        method=storable(attempt.method, 10), path=storable(attempt.path, 300), status=status,
        code=storable(code, 60), message=storable(message, 500), case_id=case_id,
        trigger=storable(trigger, 40) if trigger else None))
    db.session.commit()


@dataclass(frozen=True, kw_only=True)
class RecordFilter:
    kind: str | None = None
    username: str | None = None
    status: int | None = None
    case_id: int | None = None
    since: dt.date | None = None  # local dates, both included
    until: dt.date | None = None


def records_query(actor: User, f: RecordFilter):
    """The records an auditor of the actor's agency may read (a failed sign-in of an unknown name belongs to
    no agency: every auditor sees those), newest first."""
    stmt = sa.select(AuditRecord).where(sa.or_(AuditRecord.agency_code == actor.agency_code,
                                               AuditRecord.agency_code.is_(None)))
    if f.kind is not None:
        stmt = stmt.where(AuditRecord.kind == f.kind)
    if f.username is not None:
        stmt = stmt.where(AuditRecord.username == f.username)
    if f.status is not None:
        stmt = stmt.where(AuditRecord.status == f.status)
    if f.case_id is not None:
        stmt = stmt.where(AuditRecord.case_id == f.case_id)
    zone = timesource.local_zone()
    if f.since is not None:
        stmt = stmt.where(AuditRecord.recorded_at >= dt.datetime.combine(f.since, dt.time(), zone))
    if f.until is not None:
        stmt = stmt.where(AuditRecord.recorded_at < dt.datetime.combine(f.until + dt.timedelta(days=1), dt.time(),
                                                                        zone))
    return stmt.order_by(AuditRecord.id.desc())
