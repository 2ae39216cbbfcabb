"""Scans of letters issued outside the service: kept with the 补录 event that recorded the step, the file's
kind read from its bytes (PDF, JPEG or PNG), its SHA-256 written into a ``scan_attached`` event so the
case's hash chain covers it."""
from __future__ import annotations

import hashlib

import sqlalchemy as sa
from sqlalchemy.orm import undefer

from workflow.engine import ROLE_TITLES
from workflow.errors import InvalidData, NotPermitted

from ..extensions import db
from ..models import Attachment, Event, User
from . import timesource
from .cases import BACKFILL_ROLES, get_case
from .errors import NotFound
from .events import append_event
from .transaction import run

MAX_BYTES = 20 * 1024 * 1024
# Read from the first bytes, never from the client's word for it.
SIGNATURES = {b"%PDF-": "application/pdf", b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}


def attach_scan(case_id: int, seq: int, *, actor: User, filename: str, content: bytes) -> Attachment:
    """Keep the scan of a letter issued outside the service with the 补录 event ``seq`` of the case."""
    if actor.role not in BACKFILL_ROLES:
        raise NotPermitted("上传补录文书扫描件需要角色：" + "、".join(ROLE_TITLES[r] for r in BACKFILL_ROLES),
                           roles=list(BACKFILL_ROLES))
    return run(lambda: _attach(case_id, seq, actor=actor, filename=filename, content=content), actor=actor,
               idempotency=None)


def _attach(case_id: int, seq: int, *, actor: User, filename: str, content: bytes) -> Attachment:
    case = get_case(case_id, actor=actor)
    event = db.session.scalar(sa.select(Event).where(Event.case_id == case.id, Event.seq == seq))
    if event is None:
        raise NotFound(f"案件 {case.reference} 没有第 {seq} 个事件")
    media_type = next((kind for magic, kind in SIGNATURES.items() if content.startswith(magic)), None)
    errors = {}
    if not event.backfilled:
        errors["seq"] = ["只有补录的事件可以上传线下文书的扫描件"]
    if media_type is None:
        errors["file"] = ["扫描件应为 PDF、JPEG 或 PNG 文件"]
    elif len(content) > MAX_BYTES:
        errors["file"] = [f"扫描件不能超过 {MAX_BYTES // (1024 * 1024)} MB"]
    if not filename or len(filename) > 300:
        errors.setdefault("file", []).append("文件名应为 1 到 300 个字符")
    if errors:
        raise InvalidData("提交的数据有误", errors)
    digest = hashlib.sha256(content).hexdigest()
    attachment = Attachment(case_id=case.id, event_id=event.id, filename=filename, media_type=media_type,
                            content=content, size=len(content), sha256=digest, uploaded_by_id=actor.id,
                            uploaded_by=actor.username, uploaded_at=timesource.now())
    db.session.add(attachment)
    case.updated_at = timesource.now()
    append_event(case, trigger="scan_attached", from_state=case.state, actor=actor, actor_name=actor.username,
                 role=actor.role, effective_on=timesource.today(),
                 data={"for_seq": seq, "filename": filename, "media_type": media_type, "sha256": digest},
                 clocks={})
    db.session.flush()
    return attachment


def get_attachment(attachment_id: int, *, actor: User) -> Attachment:
    """An attachment of a case of the actor's agency, content included."""
    attachment = db.session.get(Attachment, attachment_id, options=[undefer(Attachment.content)])
    if attachment is None:
        raise NotFound(f"附件 {attachment_id} 不存在")
    get_case(attachment.case_id, actor=actor)  # another agency's: not found either
    return attachment
