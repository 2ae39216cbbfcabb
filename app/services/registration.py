"""Registering a case: validate its data, run the process's opening effects (start clocks), number it and
record its first event. The building blocks are public because the bulk import registers many cases
through exactly the same steps."""
from __future__ import annotations

import datetime as dt

from workflow.engine import Context, Engine, load
from workflow.errors import InvalidData
from workflow.fields import unstorable
from workflow.processes import get_engine

from ..extensions import db
from ..models import Case, Event, User
from . import annual_report, documents, timesource
from .agencies import agency_settings, rules_for
from .calendar import current_calendar
from .clocks import save_clocks
from .context import context_for
from .events import append_event
from .transaction import Idempotency, Result, replay, run


def open_case(process: str, data: dict, *, actor: User, department: str | None = None,
              assignee: User | None = None, idempotency: Idempotency | None = None) -> Result:
    """Register a new case: validate its data, start its clocks, record the opening event."""
    stored = replay(actor, idempotency)
    if stored:
        return Result(None, None, replay=stored)
    return run(lambda: _open_case(process, data, actor=actor, department=department, assignee=assignee),
               actor=actor, idempotency=idempotency)


def _open_case(process: str, data: dict, *, actor: User, department: str | None, assignee: User | None) -> Result:
    engine = get_engine(process)
    agency = agency_settings(actor.agency_code)
    engine.check_open_role(actor.role)  # 403 before any data are looked at
    params = load(engine.process.registration_schema, data)
    problem = unstorable(department) if department else None
    if problem or (department and len(department) > 100):
        raise InvalidData("提交的数据有误", {"department": [problem or "不能超过 100 个字符"]})
    now = timesource.now()
    ctx, received_on = prepare_opening(engine, params, role=actor.role, agency=agency, calendar=current_calendar(),
                                       today=timesource.today(), now=now)
    serial = documents.next_number(agency["code"], received_on.year, f"case:{process}")
    case, snapshot = build_case(engine, ctx, received_on, actor=actor, agency=agency, serial=serial, now=now,
                                department=department or params.get("department"), assignee=assignee)
    annual_report.check_unlocked(case.agency_code, None, annual_report.report_key(case), field="arrived_on")
    db.session.add(case)
    db.session.flush()
    event = record_opening(case, actor=actor, params=params, received_on=received_on, snapshot=snapshot)
    db.session.flush()
    return Result(case, event)


def prepare_opening(engine: Engine, params: dict, *, role: str, agency: dict, calendar, today: dt.date,
                    now: dt.datetime) -> tuple[Context, dt.date]:
    """Run a process's opening effects on validated registration data; return the context and the
    receipt date. Raises InvalidData for a receipt date after today."""
    ctx = context_for(engine.process, None, role=role, effective_on=today, now=now, calendar=calendar,
                      rules=rules_for(agency, engine.process.name), params=params)
    engine.open(ctx)
    received_on = dt.date.fromisoformat(ctx.data.get("received_on", today.isoformat()))
    if received_on > today:
        raise InvalidData("提交的数据有误", {name: [f"不能晚于今天（{today.isoformat()}）"]
                                         for name in receipt_fields(params, received_on)})
    return ctx, received_on


def receipt_fields(params: dict, received_on: dt.date) -> list[str]:
    """The submitted fields the receipt date came from (a process derives received_on from its own
    fields: arrived_on / confirmed_on, decision_date, registered_on, a detection instant), so an error
    names the field the client sent; received_on itself when none matches."""
    def day(value):
        if isinstance(value, dt.datetime):
            return value.astimezone(timesource.local_zone()).date() if value.tzinfo else value.date()
        return value if isinstance(value, dt.date) else None
    return [k for k, v in params.items() if day(v) == received_on] or ["received_on"]


def build_case(engine: Engine, ctx: Context, received_on: dt.date, *, actor: User, agency: dict, serial: int,
               now: dt.datetime, department: str | None = None, assignee: User | None = None) -> tuple[Case, dict]:
    """A new case row with its clock rows and listing due date, not yet added to the session (clocks need no
    case id, so one INSERT writes the case); returns it with the clock snapshot for its opening event."""
    definition = engine.process
    case = Case(agency_code=agency["code"], process=definition.name, definition_version=definition.version,
                reference=documents.format_number(agency, definition.reference_code, received_on.year, serial),
                state=definition.initial, data=ctx.data, summary=definition.summary(ctx.data), received_on=received_on,
                department=department or actor.department, assignee_id=assignee.id if assignee else None,
                last_effective_on=received_on, created_by_id=actor.id, created_at=now, updated_at=now, clocks=[])
    return case, save_clocks(case, definition, ctx.clocks, ctx.calendar)


def record_opening(case: Case, *, actor: User, params: dict, received_on: dt.date, snapshot: dict) -> Event:
    """The case's first event (it needs the case id: call after the flush)."""
    return append_event(case, trigger="register", from_state=None, actor=actor, actor_name=actor.username,
                        role=actor.role, effective_on=received_on, data=params, clocks=snapshot, data_after=case.data)
