"""Service of letters: how and when each letter reached its addressee, recorded once with who recorded it, an
event in the case's history, and the deadline that runs from service re-dated to the day it was served; and
the letters sent out that nobody has recorded as served yet."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from workflow.engine import ADMIN, APPROVER, HANDLER, REGISTRAR, ROLE_TITLES
from workflow.errors import InvalidData, NotPermitted, WorkflowError
from workflow.letters import DELIVERY_METHODS
from workflow.processes import PROCESSES, get_process

from ..extensions import db
from ..models import Case, Delivery, Document, Event, User
from . import timesource
from .calendar import current_calendar
from .clocks import load_clocks, save_clocks
from .documents import get_document
from .events import append_event
from .transaction import run

DELIVERY_ROLES = (REGISTRAR, HANDLER, APPROVER, ADMIN)


class AlreadyServed(WorkflowError):
    """The letter's service is already on record (a record is never overwritten)."""

    code = "already_served"


@dataclass
class Served:
    delivery: Delivery
    event: Event


def record_delivery(document_id: int, *, actor: User, method: str, served_on: dt.date, tracking_number: str = "",
                    note: str = "") -> Served:
    """Record that a letter was served: one transaction writes the record, the case's event and, for a letter
    whose deadline runs from service, its clock re-dated to the day it was served."""
    if actor.role not in DELIVERY_ROLES:
        raise NotPermitted("登记送达需要角色：" + "、".join(ROLE_TITLES[r] for r in DELIVERY_ROLES),
                           roles=list(DELIVERY_ROLES))
    return run(lambda: _record(document_id, actor=actor, method=method, served_on=served_on,
                               tracking_number=tracking_number, note=note), actor=actor, idempotency=None)


def _record(document_id: int, *, actor: User, method: str, served_on: dt.date, tracking_number: str,
            note: str) -> Served:
    document = get_document(document_id, actor=actor)
    errors = {}
    if method not in DELIVERY_METHODS:
        errors["method"] = [f"送达方式应为：{', '.join(DELIVERY_METHODS)}"]
    if method == "post" and not tracking_number.strip():
        errors["tracking_number"] = ["邮寄送达应填写邮件单号"]
    today = timesource.today()
    if served_on < document.issued_on or served_on > today:
        errors["served_on"] = [f"送达日期应在文书成文日期（{document.issued_on.isoformat()}）与今天"
                               f"（{today.isoformat()}）之间"]
    if errors:
        raise InvalidData("提交的数据有误", errors)
    if db.session.scalar(sa.select(Delivery.id).where(Delivery.document_id == document.id)):
        raise AlreadyServed(f"文书 {document.number} 的送达情况已登记", document=document.number)
    case = db.session.get(Case, document.case_id, options=[joinedload(Case.clocks)])
    process = get_process(case.process)
    clocks = load_clocks(process, case)
    letter = process.letters.get(document.kind)
    clock = clocks.get(letter.served_clock) if letter and letter.served_clock else None
    redated = clock is not None and clock.started and clock.evaluate(current_calendar()).status == "running"
    if redated:
        # The same limit, counted again from the day the letter was received (rule values as recorded at start).
        started = next(op for op in reversed(clock.ops) if op["op"] in ("start", "restart"))
        clock.restart(served_on, started["limit"], note=f"{document.title}送达之日（{DELIVERY_METHODS[method]}）",
                      rules=started.get("rules") or {})
    snapshot = save_clocks(case, process, clocks, current_calendar())
    delivery = Delivery(document_id=document.id, method=method, tracking_number=tracking_number, served_on=served_on,
                        note=note, recorded_by_id=actor.id, recorded_by=actor.username, recorded_at=timesource.now())
    db.session.add(delivery)
    case.updated_at = timesource.now()
    event = append_event(case, trigger="letter_served", from_state=case.state, actor=actor,
                         actor_name=actor.username, role=actor.role, effective_on=served_on,
                         data={"document": document.number, "method": method, "tracking_number": tracking_number,
                               "served_on": served_on, "note": note, "clock_redated": clock.name if redated else None},
                         clocks=snapshot)
    db.session.flush()
    return Served(delivery, event)


def unserved_letters(*, actor: User, limit: int = 500) -> list[Document]:
    """The agency's letters sent outside (not its internal records) that nobody has recorded as served yet,
    oldest first."""
    outgoing = sorted({kind for process in PROCESSES.values() for kind, letter in process.letters.items()
                       if letter.outgoing})
    return list(db.session.scalars(
        sa.select(Document).outerjoin(Delivery, Delivery.document_id == Document.id)
        .where(Document.agency_code == actor.agency_code, Document.kind.in_(outgoing), Delivery.id.is_(None))
        .order_by(Document.issued_on, Document.id).limit(limit)))
