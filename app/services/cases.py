"""Cases: open one, fire a trigger, re-date open cases. Each call is one transaction: the state change,
the event, the clocks and any letter are written together or not at all."""
from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Callable

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from workflow.clock import Clock as DomainClock
from workflow.engine import AGENCY, Context, Engine, as_json, load
from workflow.errors import InvalidData, WorkflowError
from workflow.letters import LetterInput
from workflow.processes import get_engine, get_process

from ..extensions import db
from ..models import Case, Clock, Document, Event, IdempotencyRecord, User
from . import documents, timesource
from .calendar import current_calendar

GENESIS = "0" * 64


class ConcurrentUpdate(WorkflowError):
    """Another request changed the case first (optimistic locking)."""

    code = "concurrent_update"


class NotFound(WorkflowError):
    code = "not_found"


class IdempotencyMismatch(WorkflowError):
    code = "idempotency_key_reused"


@dataclass
class Idempotency:
    """A request's Idempotency-Key, its fingerprint, and how to turn a result into the stored response."""

    key: str
    fingerprint: str
    render: Callable[["Result"], tuple[int, dict]]


@dataclass
class Result:
    case: Case
    event: Event
    documents: list[Document] = field(default_factory=list)
    replay: tuple[int, dict] | None = None  # the stored response of an earlier identical request


# -- helpers ---------------------------------------------------------------------------------------
def agency_settings(code: str) -> dict:
    return current_app.config["AGENCIES"][code]


def rules_for(agency: dict, process: str) -> dict:
    return get_process(process).rules_with(agency.get("rules", {}).get(process, {}))


def _hash(prev: str, payload: dict) -> str:
    body = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256((prev + body).encode()).hexdigest()


def event_payload(event: Event) -> dict:
    """The fields an event's hash covers."""
    return {"case_id": event.case_id, "seq": event.seq, "trigger": event.trigger, "from": event.from_state,
            "to": event.to_state, "reason": event.reason, "actor": event.actor_name, "role": event.role,
            "effective_on": event.effective_on.isoformat(), "recorded_at": event.recorded_at.isoformat(),
            "data": event.data, "clocks": event.clocks}


def verify_chain(case: Case) -> list[int]:
    """Sequence numbers of events whose hash does not match their content and predecessor; a history
    whose last event is not the head recorded on the case (an event deleted at the end) reports the
    recorded head's sequence number."""
    prev, broken, last_seq = GENESIS, [], 0
    for event in db.session.scalars(sa.select(Event).where(Event.case_id == case.id).order_by(Event.seq)):
        if event.prev_hash != prev or event.hash != _hash(prev, event_payload(event)):
            broken.append(event.seq)
        prev, last_seq = event.hash, event.seq
    if (last_seq, prev) != (case.last_seq, case.last_hash) and case.last_seq not in broken:
        broken.append(case.last_seq)
    return broken


class _History(Sequence):
    """A case's earlier events, read from the database only if a guard or a letter looks at them."""

    def __init__(self, case_id: int):
        self.case_id, self._rows = case_id, None

    def _load(self) -> list[dict]:
        if self._rows is None:
            rows = db.session.execute(sa.select(Event.trigger, Event.effective_on, Event.data)
                                      .where(Event.case_id == self.case_id).order_by(Event.seq)).all()
            self._rows = [{"trigger": r.trigger, "effective_on": r.effective_on, "data": r.data} for r in rows]
        return self._rows

    def __getitem__(self, index):
        return self._load()[index]

    def __len__(self) -> int:
        return len(self._load())


def _domain_clocks(engine: Engine, case: Case | None) -> dict[str, DomainClock]:
    stored = {c.name: c for c in case.clocks} if case else {}
    return {spec.name: DomainClock(spec.name, spec.kind, spec.title, list(stored[spec.name].ops) if spec.name in stored else [])
            for spec in engine.process.clocks}


def _save_clocks(case: Case, engine: Engine, ctx: Context) -> dict:
    """Write every clock row and the case's listing due date; return the snapshot for the event."""
    stored = {c.name: c for c in case.clocks}
    specs = {spec.name: spec for spec in engine.process.clocks}
    snapshot, agency_running = {}, []
    for name, clock in ctx.clocks.items():
        if not clock.started:
            continue
        reading = clock.evaluate(ctx.calendar)
        row = stored.get(name)
        if row is None:
            row = Clock(case=case, name=name, kind=clock.kind, title=clock.title, party=specs[name].party)
            db.session.add(row)
        row.ops, row.status = list(clock.ops), reading.status
        row.due_on, row.due_at, row.provisional = reading.due_on, reading.due_at, reading.provisional
        snapshot[name] = reading.to_dict() | {"party": specs[name].party}
        if specs[name].party == AGENCY and reading.status == "running":
            agency_running.append(reading)
    day_clocks = sorted((r for r in agency_running if r.due_on), key=lambda r: r.due_on)
    hour_clocks = sorted((r for r in agency_running if r.due_at), key=lambda r: r.due_at)
    case.due_on = day_clocks[0].due_on if day_clocks else None
    case.due_at = hour_clocks[0].due_at if hour_clocks else None
    case.due_provisional = bool(day_clocks and day_clocks[0].provisional)
    return snapshot


def _check_effective_on(value, case: Case | None, today: dt.date) -> dt.date:
    if value is None:
        return today
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            raise InvalidData("提交的数据有误", {"effective_on": ["应为日期，格式 YYYY-MM-DD"]}) from None
    if value > today:
        raise InvalidData("提交的数据有误", {"effective_on": [f"业务日期不能晚于今天（{today.isoformat()}）"]})
    if case is not None and value < case.last_effective_on:
        raise InvalidData("提交的数据有误", {"effective_on": [
            f"业务日期不能早于本案上一事件的业务日期（{case.last_effective_on.isoformat()}）"]})
    return value


def _append_event(case: Case, *, trigger: str, from_state: str | None, actor: User | None, actor_name: str,
                  role: str, effective_on: dt.date, data: dict, clocks: dict) -> Event:
    """Append the next event of the case's chain: its sequence and predecessor's hash come from the
    case row (the version check on that row serialises appends)."""
    prev_hash, seq = case.last_hash or GENESIS, (case.last_seq or 0) + 1
    event = Event(case_id=case.id, seq=seq, trigger=trigger, from_state=from_state, to_state=case.state,
                  reason=case.reason, definition_version=case.definition_version,
                  actor_id=actor.id if actor else None, actor_name=actor_name, role=role, effective_on=effective_on,
                  recorded_at=timesource.now(), data=as_json(data), clocks=clocks, prev_hash=prev_hash, hash="")
    event.hash = _hash(prev_hash, event_payload(event))
    case.last_seq, case.last_hash = seq, event.hash
    db.session.add(event)
    return event


def _replay(user: User, idem: Idempotency | None) -> tuple[int, dict] | None:
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


def _letter_input(case: Case, ctx: Context, agency: dict, history: list[dict]):
    def make(kind: str, number: str, issued_on: dt.date) -> LetterInput:
        readings = {name: clock.evaluate(ctx.calendar) for name, clock in ctx.clocks.items() if clock.started}
        return LetterInput(kind=kind, number=number, issued_on=issued_on, agency=agency,
                           case={"reference": case.reference, "process": case.process, "state": case.state,
                                 "reason": case.reason, "received_on": case.received_on.isoformat(),
                                 "data": case.data},
                           params=ctx.params, readings=readings, notes=ctx.notes, history=history,
                           calendar=ctx.calendar, rules=ctx.rules)
    return make


def _transaction(actor: User, idem: Idempotency | None, work: Callable[[], Result]) -> Result:
    """Run ``work`` and commit it with its idempotency record, or roll everything back. A lost race
    (the version check at flush or commit, a duplicate event sequence or key) replays the winner's
    response when it was the same request, else becomes ConcurrentUpdate; any other error re-raises
    after the rollback, so a refused request never leaves a half-written transition in the session."""
    try:
        result = work()
        _remember(actor, idem, result)
        db.session.commit()
        return result
    except (StaleDataError, IntegrityError):
        db.session.rollback()
        replay = _replay(actor, idem)
        if replay is not None:
            return Result(None, None, replay=replay)
        raise ConcurrentUpdate("案件已被其他操作修改，请刷新后重试") from None
    except BaseException:
        db.session.rollback()
        raise


# -- use cases -------------------------------------------------------------------------------------
def open_case(process: str, data: dict, *, actor: User, department: str | None = None,
              assignee: User | None = None, idempotency: Idempotency | None = None) -> Result:
    """Register a new case: validate its data, start its clocks, record the opening event."""
    replay = _replay(actor, idempotency)
    if replay:
        return Result(None, None, replay=replay)
    return _transaction(actor, idempotency, lambda: _open_case(process, data, actor=actor, department=department,
                                                               assignee=assignee))


def _open_case(process: str, data: dict, *, actor: User, department: str | None, assignee: User | None) -> Result:
    engine = get_engine(process)
    agency = agency_settings(actor.agency_code)
    engine.check_open_role(actor.role)  # 403 before any data are looked at
    params = load(engine.process.registration_schema, data)
    now = timesource.now()
    ctx, received_on = prepare_opening(engine, params, role=actor.role, agency=agency, calendar=current_calendar(),
                                       today=timesource.today(), now=now)
    serial = documents.next_number(agency["code"], received_on.year, f"case:{process}")
    case, snapshot = build_case(engine, ctx, received_on, actor=actor, agency=agency, serial=serial, now=now,
                                department=department or params.get("department"), assignee=assignee)
    db.session.add(case)
    db.session.flush()
    event = record_opening(case, actor=actor, params=params, received_on=received_on, snapshot=snapshot)
    db.session.flush()
    return Result(case, event)


# -- the building blocks of registration, shared with the bulk import ---------------------------------
def prepare_opening(engine: Engine, params: dict, *, role: str, agency: dict, calendar, today: dt.date,
                    now: dt.datetime) -> tuple[Context, dt.date]:
    """Run a process's opening effects on validated registration data; return the context and the
    receipt date. Raises InvalidData for a receipt date after today."""
    ctx = Context(engine.process, engine.process.initial, as_json(params), params, today, now, calendar,
                  rules_for(agency, engine.process.name), role, [], _domain_clocks(engine, None))
    engine.open(ctx)
    received_on = dt.date.fromisoformat(ctx.data.get("received_on", today.isoformat()))
    if received_on > today:
        raise InvalidData("提交的数据有误", {"received_on": [f"收到之日不能晚于今天（{today.isoformat()}）"]})
    return ctx, received_on


def build_case(engine: Engine, ctx: Context, received_on: dt.date, *, actor: User, agency: dict, serial: int,
               now: dt.datetime, department: str | None = None, assignee: User | None = None) -> tuple[Case, dict]:
    """A new case row with its clock rows and listing due date, not yet added to the session (clocks need no
    case id, so one INSERT writes the case); returns it with the clock snapshot for its opening event."""
    definition = engine.process
    case = Case(agency_code=agency["code"], process=definition.name, definition_version=definition.version,
                reference=documents.format_number(agency, definition.reference_code, received_on.year, serial),
                state=definition.initial, data=ctx.data, received_on=received_on,
                department=department or actor.department, assignee_id=assignee.id if assignee else None,
                last_effective_on=received_on, created_by_id=actor.id, created_at=now, updated_at=now, clocks=[])
    return case, _save_clocks(case, engine, ctx)


def record_opening(case: Case, *, actor: User, params: dict, received_on: dt.date, snapshot: dict) -> Event:
    """The case's first event (it needs the case id: call after the flush)."""
    return _append_event(case, trigger="register", from_state=None, actor=actor, actor_name=actor.username,
                         role=actor.role, effective_on=received_on, data=params, clocks=snapshot)


def fire(case: Case, trigger: str, *, actor: User, params: dict | None = None,
         effective_on: dt.date | str | None = None, expected_version: int | None = None,
         idempotency: Idempotency | None = None) -> Result:
    """Fire one trigger on a case: guards, state, clocks, event and letter in one transaction."""
    replay = _replay(actor, idempotency)
    if replay:
        return Result(case, None, replay=replay)
    if expected_version is not None and expected_version != case.version:
        raise ConcurrentUpdate(f"案件版本已变化（当前 {case.version}，请求 {expected_version}），请刷新后重试",
                               current_version=case.version)
    return _transaction(actor, idempotency, lambda: _fire(case, trigger, actor=actor, params=params,
                                                          effective_on=effective_on))


def _fire(case: Case, trigger: str, *, actor: User, params: dict | None, effective_on) -> Result:
    engine = get_engine(case.process)
    agency = agency_settings(case.agency_code)
    today = timesource.today()
    effective = _check_effective_on(effective_on, case, today)
    history = _History(case.id)
    ctx = Context(engine.process, case.state, copy.deepcopy(case.data), params or {}, effective, timesource.now(),
                  current_calendar(), rules_for(agency, case.process), actor.role, history,
                  _domain_clocks(engine, case), reason=case.reason)
    outcome = engine.fire(trigger, ctx)

    case.state, case.reason, case.data = ctx.state, ctx.reason, ctx.data
    case.last_effective_on, case.updated_at = effective, ctx.now
    if engine.process.state(ctx.state).terminal:
        case.closed_on = effective
    snapshot = _save_clocks(case, engine, ctx)
    event = _append_event(case, trigger=trigger, from_state=outcome.from_state, actor=actor,
                          actor_name=actor.username, role=actor.role, effective_on=effective,
                          data=outcome.params, clocks=snapshot)
    db.session.flush()  # the version check happens here: a concurrent winner makes this raise
    result = Result(case, event)
    if outcome.letter:
        letter = engine.process.letters[outcome.letter]
        result.documents.append(documents.issue(letter, case=case, event=event, agency=agency,
                                                make_input=_letter_input(case, ctx, agency, history)))
        db.session.flush()
    return result


def triggers_of(case: Case, *, actor: User) -> list:
    """Every trigger of the case's process, allowed or not, and why."""
    engine = get_engine(case.process)
    agency = agency_settings(case.agency_code)
    ctx = Context(engine.process, case.state, copy.deepcopy(case.data), {}, timesource.today(), timesource.now(),
                  current_calendar(), rules_for(agency, case.process), actor.role, _History(case.id),
                  _domain_clocks(engine, case), reason=case.reason)
    return engine.statuses(ctx)


def readings_of(case: Case, calendar=None) -> dict:
    engine = get_engine(case.process)
    calendar = calendar or current_calendar()
    return {name: clock.evaluate(calendar) for name, clock in _domain_clocks(engine, case).items() if clock.started}


def redate_open_cases(*, reason: str, actor_name: str) -> int:
    """Recompute the clocks of every open case; append an event to each case whose due date changed."""
    calendar = current_calendar()
    changed = 0
    case_ids = db.session.scalars(sa.select(Clock.case_id).where(Clock.status.in_(("running", "paused")))
                                  .distinct()).all()
    for case in db.session.scalars(sa.select(Case).where(Case.id.in_(case_ids)).order_by(Case.id)):
        engine = get_engine(case.process)
        before = {c.name: (c.due_on, c.provisional) for c in case.clocks}
        ctx = Context(engine.process, case.state, case.data, {}, case.last_effective_on, timesource.now(), calendar,
                      {}, "admin", [], _domain_clocks(engine, case))
        snapshot = _save_clocks(case, engine, ctx)
        after = {c.name: (c.due_on, c.provisional) for c in case.clocks}
        diffs = {name: {"old_due_on": _iso(before[name][0]), "new_due_on": _iso(after[name][0]),
                        "old_provisional": before[name][1], "new_provisional": after[name][1]}
                 for name in after if name in before and before[name] != after[name]}
        if not diffs:
            continue
        changed += 1
        case.updated_at = timesource.now()
        _append_event(case, trigger="calendar_redated", from_state=case.state, actor=None, actor_name=actor_name,
                      role="system", effective_on=case.last_effective_on, data={"reason": reason, "changes": diffs},
                      clocks=snapshot)
    db.session.flush()
    return changed


def _iso(value):
    return value.isoformat() if value else None


def get_case(case_id: int, *, actor: User) -> Case:
    """A case of the actor's agency, with its clocks in the same query (every use reads them)."""
    case = db.session.get(Case, case_id, options=[joinedload(Case.clocks)])
    if case is None or case.agency_code != actor.agency_code:
        raise NotFound(f"案件 {case_id} 不存在")
    return case
