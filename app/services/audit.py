"""The auditor's questions, answered from the events: who did what and when (events filtered by case,
process, actor, role, trigger, state and time); what a case looked like on a given date; every change of a
due date and why; replies approved by the person who proposed them; and the records of sign-ins and refused
attempts (audit_log). Each list is a query, paginated by the pages and the API and streamed by the exports."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from workflow.engine import ADMIN, AUDITOR, ROLE_TITLES
from workflow.errors import InvalidData, NotPermitted
from workflow.fields import unstorable
from workflow.processes import PROCESSES, get_process

from ..extensions import db
from ..models import Case, Event, User
from . import timesource
from .audit_log import KIND_TITLES, RecordFilter, records_query
from .scope import may_see

AUDIT_ROLES = (AUDITOR, ADMIN)
CODE = re.compile(r"[a-z0-9_]+")
# The events a case records besides its process's steps, by what they say.
SYSTEM_EVENTS = {"register": "登记", "calendar_redated": "日历重算期限", "letter_served": "文书送达",
                 "scan_attached": "附加扫描件", "proceeding_filed": "登记复议或诉讼",
                 "proceeding_decided": "登记复议或诉讼结果"}
BATCH = 1000


def _streamed(stmt, *, scalars: bool = False) -> Iterator:
    """A query's rows in batches (a server-side cursor on PostgreSQL), the cursor closed as soon as the
    reader stops, early (one page of a table) or not."""
    result = db.session.execute(stmt.execution_options(yield_per=BATCH))
    try:
        yield from (result.scalars() if scalars else result)
    finally:
        result.close()


def check_auditor(actor: User) -> None:
    if actor.role not in AUDIT_ROLES:
        raise NotPermitted("审计查询需要角色：" + "、".join(ROLE_TITLES[r] for r in AUDIT_ROLES), roles=list(AUDIT_ROLES))


# -- events ----------------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class EventFilter:
    case: str | None = None  # a case's reference, or its id
    process: str | None = None
    actor: str | None = None  # a username
    role: str | None = None
    trigger: str | None = None
    state: str | None = None  # the state the event led to
    since: dt.date | None = None  # business-independent: the recorded time, local dates, both included
    until: dt.date | None = None


def events_query(actor: User, f: EventFilter):
    """The events of the actor's agency a filter selects, with their case, oldest first."""
    check_auditor(actor)
    _check_event_filter(f)
    stmt = (sa.select(Event, Case.reference, Case.process).join(Case, Case.id == Event.case_id)
            .where(Case.agency_code == actor.agency_code))
    if f.case:
        stmt = stmt.where(Case.id == int(f.case) if f.case.isdigit() and len(f.case) < 10
                          else Case.reference == f.case)
    if f.process:
        stmt = stmt.where(Case.process == f.process)
    if f.actor:
        stmt = stmt.where(Event.actor_name == f.actor)
    if f.role:
        stmt = stmt.where(Event.role == f.role)
    if f.trigger:
        stmt = stmt.where(Event.trigger == f.trigger)
    if f.state:
        stmt = stmt.where(Event.to_state == f.state)
    zone = timesource.local_zone()
    if f.since:
        stmt = stmt.where(Event.recorded_at >= dt.datetime.combine(f.since, dt.time(), zone))
    if f.until:
        stmt = stmt.where(Event.recorded_at < dt.datetime.combine(f.until + dt.timedelta(days=1), dt.time(), zone))
    return stmt.order_by(Event.id)


def _check_event_filter(f: EventFilter) -> None:
    errors = {}
    for name in ("case", "actor", "trigger", "state"):
        value = getattr(f, name)
        if value and (problem := unstorable(value) or (len(value) > 80 and "不能超过 80 个字符")):
            errors[name] = [problem]
    if f.process and f.process not in PROCESSES:
        errors["process"] = [f"未知流程：{f.process}；可用：{', '.join(PROCESSES)}"]
    if f.role and f.role not in ROLE_TITLES:
        errors["role"] = [f"未知角色：{f.role}；可用：{', '.join(ROLE_TITLES)}"]
    _check_dates(f.since, f.until, errors)
    if errors:
        raise InvalidData("查询参数有误", errors)


FIRST_DAY, LAST_DAY = dt.date(2000, 1, 1), dt.date(2100, 12, 31)


def _check_dates(since: dt.date | None, until: dt.date | None, errors: dict) -> None:
    for name, day in (("since", since), ("until", until)):
        if day is not None and not FIRST_DAY <= day <= LAST_DAY:
            errors[name] = [f"日期应在 {FIRST_DAY.isoformat()} 至 {LAST_DAY.isoformat()} 之间"]
    if since and until and since > until and "until" not in errors:
        errors["until"] = ["结束日期不能早于开始日期"]


def _check_record_filter(f: RecordFilter) -> None:
    errors = {}
    if f.kind is not None and f.kind not in KIND_TITLES:
        errors["kind"] = [f"未知类别：{f.kind}；可用：{', '.join(KIND_TITLES)}"]
    if f.username and (problem := unstorable(f.username) or (len(f.username) > 80 and "不能超过 80 个字符")):
        errors["username"] = [problem]
    _check_dates(f.since, f.until, errors)
    if errors:
        raise InvalidData("查询参数有误", errors)


EVENT_HEADER = ["案件编号", "流程", "序号", "操作", "原状态", "新状态", "操作人", "角色", "业务日期", "记录时间", "补录", "说明"]


def event_rows(actor: User, f: EventFilter) -> Iterator[list]:
    """The header, then one row per event (streamed); the role and the filter are checked at the call."""
    return _event_rows(events_query(actor, f))


def _event_rows(stmt) -> Iterator[list]:
    zone = timesource.local_zone()
    yield EVENT_HEADER
    for event, reference, process_name in _streamed(stmt):
        process = PROCESSES.get(process_name)
        yield [reference, process.title if process else process_name, event.seq, trigger_title(process, event.trigger),
               state_title(process, event.from_state), state_title(process, event.to_state), event.actor_name,
               ROLE_TITLES.get(event.role, event.role), event.effective_on.isoformat(),
               event.recorded_at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"), "是" if event.backfilled else "",
               why(event)]


def trigger_title(process, trigger: str) -> str:
    if process is not None:
        for t in process.transitions:
            if t.trigger == trigger:
                return t.title
    return SYSTEM_EVENTS.get(trigger, trigger)


def state_title(process, state: str | None) -> str:
    if state is None:
        return ""
    if process is not None:
        return next((s.title for s in process.states if s.name == state), state)
    return state


def why(event: Event) -> str:
    """The reason the actor gave, where the trigger asks for one."""
    data = event.data or {}
    for key in ("reason", "comment", "explanation", "statement"):
        value = data.get(key)
        if isinstance(value, str) and value and not CODE.fullmatch(value):  # a choice's code is no reason given
            return value
    backfill = data.get("backfill")
    return backfill.get("reason", "") if isinstance(backfill, dict) else ""


def page_of(stmt, page: int, per_page: int) -> tuple[list, bool]:
    """One page of a query's rows, and whether there are more (no count: it would cost more than the page)."""
    rows = db.session.execute(stmt.limit(per_page + 1).offset((page - 1) * per_page)).all()
    return rows[:per_page], len(rows) > per_page


# -- a case as of a date ---------------------------------------------------------------------------------
@dataclass
class AsOf:
    case: Case
    at: dt.datetime
    event: Event | None  # the last event recorded at or before ``at`` (None: the case did not exist yet)
    data: dict | None  # the case's data then (None: not recorded before the audit upgrade)
    events: list[Event]  # every event up to then, oldest first


def case_as_of(actor: User, case: Case, day: dt.date) -> AsOf:
    """The case as it stood at the end of ``day`` (Asia/Shanghai): state, reason, clocks and data after the
    last event recorded by then, and who did what up to then."""
    check_auditor(actor)
    if not may_see(actor, case):
        raise NotPermitted("无权查看此案件")
    at = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), timesource.local_zone())
    events = list(db.session.scalars(sa.select(Event).where(Event.case_id == case.id, Event.recorded_at < at)
                                     .order_by(Event.seq)))
    data = next((e.data_after for e in reversed(events) if e.data_after is not None), None)
    return AsOf(case, at, events[-1] if events else None, data, events)


# -- due-date changes --------------------------------------------------------------------------------------
DUE_HEADER = ["案件编号", "序号", "操作", "记录时间", "操作人", "时限", "原期限", "新期限", "原因", "说明"]
CAUSES = {"extend": "延长答复期限", "calendar_redated": "日历调整重算", "receive_correction": "补正后重新计算",
          "consult_third_party": "征求第三方意见（暂停）", "consult_agency": "征求机关意见（暂停）",
          "third_party_replied": "恢复计时", "agency_replied": "恢复计时", "consultation_lapsed": "恢复计时",
          "issue_fee_notice": "通知缴费（暂停）", "fee_paid": "缴费后恢复计时", "request_reasons": "要求说明理由（暂停）",
          "accept_reasons": "恢复计时"}


def due_date_changes(actor: User, f: EventFilter) -> Iterator[list]:
    """The header, then one row per change of a clock's due date or status between an event and the one
    before it in the same case, with the trigger that caused it and the reason given (streamed; the role and
    the filter are checked at the call)."""
    previous = aliased(Event)
    prev_clocks = (sa.select(previous.clocks).where(previous.case_id == Event.case_id, previous.seq == Event.seq - 1)
                   .scalar_subquery())
    return _due_date_rows(events_query(actor, f).add_columns(prev_clocks.label("before")))


def _due_date_rows(stmt) -> Iterator[list]:
    zone = timesource.local_zone()
    yield DUE_HEADER
    for event, reference, process_name, before in _streamed(stmt):
        process = PROCESSES.get(process_name)
        for name, now in (event.clocks or {}).items():
            then = (before or {}).get(name) or {}
            old, new = _due(then), _due(now)
            if old == new and then.get("status") == now.get("status"):
                continue
            if not then and new is None:
                continue
            cause = CAUSES.get(event.trigger) or _status_change(then, now) or trigger_title(process, event.trigger)
            yield [reference, event.seq, trigger_title(process, event.trigger),
                   event.recorded_at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"), event.actor_name,
                   now.get("title") or name, _shown(then), _shown(now), cause, why(event)]


def _status_change(then: dict, now: dict) -> str | None:
    if not then:
        return "开始计时"
    if then.get("status") != now.get("status"):
        return {"paused": "暂停计时", "stopped": "停止计时", "running": "恢复计时"}.get(now.get("status"))
    return None


def _due(reading: dict) -> str | None:
    return reading.get("due_on") or reading.get("due_at")


def _shown(reading: dict) -> str:
    if not reading:
        return "（未开始）"
    due = _due(reading) or ""
    status = {"paused": "（暂停）", "stopped": "（已停止）"}.get(reading.get("status"), "")
    return f"{due}{status}{'（暂定）' if reading.get('provisional') else ''}"


# -- proposals approved by their proposer --------------------------------------------------------------------
SELF_HEADER = ["案件编号", "流程", "提出人", "提出时间", "批准人", "批准时间", "结果"]


def self_approved_query(actor: User):
    """Approvals whose approver is the person whose event put the case in the state approved from (the
    proposal): the four-eyes principle broken. Rows: the approval, the proposal, the case."""
    check_auditor(actor)
    approval, proposal = aliased(Event), aliased(Event)
    proposal_seq = (sa.select(sa.func.max(proposal.seq))
                    .where(proposal.case_id == approval.case_id, proposal.seq < approval.seq,
                           proposal.to_state == approval.from_state,
                           sa.or_(proposal.from_state.is_(None), proposal.from_state != approval.from_state))
                    .scalar_subquery())
    proposer = aliased(Event)
    return (sa.select(approval, proposer, Case)
            .join(Case, Case.id == approval.case_id)
            .join(proposer, sa.and_(proposer.case_id == approval.case_id, proposer.seq == proposal_seq))
            .where(Case.agency_code == actor.agency_code, approval.trigger == "approve",
                   approval.actor_id.is_not(None), proposer.actor_id == approval.actor_id)
            .order_by(approval.id))


def self_approved_rows(actor: User) -> Iterator[list]:
    return _self_approved_rows(self_approved_query(actor))


def _self_approved_rows(stmt) -> Iterator[list]:
    zone = timesource.local_zone()
    yield SELF_HEADER
    for approval, proposal, case in _streamed(stmt):
        process = get_process(case.process)
        yield [case.reference, process.title, proposal.actor_name,
               proposal.recorded_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"), approval.actor_name,
               approval.recorded_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"), state_title(process, approval.to_state)]


# -- sign-ins and refused attempts ----------------------------------------------------------------------------
RECORD_HEADER = ["时间", "类别", "渠道", "用户名", "角色", "地址", "请求", "状态码", "代码", "说明", "案件", "操作"]


def record_rows(actor: User, f: RecordFilter) -> Iterator[list]:
    return _record_rows(audit_records(actor, f))


def _record_rows(stmt) -> Iterator[list]:
    zone = timesource.local_zone()
    yield RECORD_HEADER
    for r in _streamed(stmt, scalars=True):
        yield [r.recorded_at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"), KIND_TITLES.get(r.kind, r.kind),
               {"api": "接口", "web": "网页"}.get(r.channel, r.channel), r.username, ROLE_TITLES.get(r.role, r.role),
               r.address, f"{r.method} {r.path}".strip(), r.status or "", r.code, r.message, r.case_id or "",
               r.trigger or ""]


def audit_records(actor: User, f: RecordFilter):
    check_auditor(actor)
    _check_record_filter(f)
    return records_query(actor, f)

