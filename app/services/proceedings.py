"""Reconsiderations and lawsuits about a reply (行政复议、行政诉讼): recorded when the agency learns of them and
decided when their result is known; each is an event of the case, so the history says who recorded what, and
each is what table 四 of the annual report counts. Approvers and administrators (the legal work of the office)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from workflow import annual_report as layout
from workflow.engine import ADMIN, APPROVER, ROLE_TITLES
from workflow.errors import InvalidData, NotPermitted
from workflow.fields import unstorable
from workflow.processes import get_process

from ..extensions import db
from ..models import Case, Event, Proceeding, User
from . import annual_report, timesource
from .calendar import current_calendar
from .cases import get_case
from .clocks import load_clocks, save_clocks
from .errors import NotFound
from .events import append_event
from .transaction import run

PROCEEDING_ROLES = (APPROVER, ADMIN)


@dataclass
class Recorded:
    proceeding: Proceeding
    event: Event


def case_proceedings(case: Case) -> list[Proceeding]:
    return list(db.session.scalars(sa.select(Proceeding).where(Proceeding.case_id == case.id)
                                   .order_by(Proceeding.id)))


def record_proceeding(case_id: int, *, actor: User, kind: str, filed_on: dt.date, body: str) -> Recorded:
    """Record a reconsideration or lawsuit about the case's reply (the case must have been replied to)."""
    _check_role(actor)
    return run(lambda: _record(case_id, actor=actor, kind=kind, filed_on=filed_on, body=body), actor=actor,
               idempotency=None)


def decide_proceeding(proceeding_id: int, *, actor: User, result: str, decided_on: dt.date,
                      note: str = "") -> Recorded:
    """Record a proceeding's result: 维持, 纠正 (the reply revoked, changed or declared unlawful) or 其他."""
    _check_role(actor)
    return run(lambda: _decide(proceeding_id, actor=actor, result=result, decided_on=decided_on, note=note),
               actor=actor, idempotency=None)


def case_of(proceeding_id: int, *, actor: User) -> int:
    """The case a proceeding of the actor's agency belongs to."""
    proceeding = db.session.get(Proceeding, proceeding_id)
    if proceeding is None or proceeding.agency_code != actor.agency_code:
        raise NotFound(f"复议或诉讼 {proceeding_id} 不存在")
    return proceeding.case_id


def _check_role(actor: User) -> None:
    if actor.role not in PROCEEDING_ROLES:
        raise NotPermitted("登记复议、诉讼需要角色：" + "、".join(ROLE_TITLES[r] for r in PROCEEDING_ROLES),
                           roles=list(PROCEEDING_ROLES))


def _record(case_id: int, *, actor: User, kind: str, filed_on: dt.date, body: str) -> Recorded:
    case = get_case(case_id, actor=actor)
    errors = {}
    if case.process != annual_report.PROCESS or not get_process(case.process).state(case.state).terminal:
        errors["_schema"] = ["只能就已答复（已办结）的政府信息公开申请登记复议或诉讼"]
    if kind not in layout.PROCEEDING_KINDS:
        errors["kind"] = [f"应为：{'、'.join(f'{k}（{t}）' for k, t in layout.PROCEEDING_KINDS.items())}"]
    today = timesource.today()
    if case.closed_on and not case.closed_on <= filed_on <= today:
        errors["filed_on"] = [f"提起日期应在答复日期（{case.closed_on.isoformat()}）与今天（{today.isoformat()}）之间"]
    problem = unstorable(body) if body else "必填"
    if problem or len(body) > 200:
        errors["body"] = [problem or "不能超过 200 个字符"]
    if errors:
        raise InvalidData("提交的数据有误", errors)
    _check_unlocked(case, None, (kind, filed_on, None, None), field="filed_on")
    proceeding = Proceeding(case_id=case.id, agency_code=case.agency_code, kind=kind, body=body, filed_on=filed_on,
                            recorded_by_id=actor.id, recorded_at=timesource.now())
    db.session.add(proceeding)
    db.session.flush()
    event = _event(case, actor, "proceeding_filed", filed_on,
                   {"proceeding": proceeding.id, "kind": kind, "filed_on": filed_on, "body": body})
    return Recorded(proceeding, event)


def _decide(proceeding_id: int, *, actor: User, result: str, decided_on: dt.date, note: str) -> Recorded:
    proceeding = db.session.get(Proceeding, proceeding_id)
    if proceeding is None or proceeding.agency_code != actor.agency_code:
        raise NotFound(f"复议或诉讼 {proceeding_id} 不存在")
    case = get_case(proceeding.case_id, actor=actor)
    errors = {}
    if proceeding.result is not None:
        errors["_schema"] = [f"此{layout.PROCEEDING_KINDS[proceeding.kind]}的结果已于 "
                             f"{proceeding.decided_on.isoformat()} 登记"]
    if result not in layout.RESULTS:
        errors["result"] = [f"应为：{'、'.join(f'{k}（{t}）' for k, t in layout.RESULTS.items())}"]
    today = timesource.today()
    if not proceeding.filed_on <= decided_on <= today:
        errors["decided_on"] = [f"结果日期应在提起日期（{proceeding.filed_on.isoformat()}）与今天（{today.isoformat()}）之间"]
    if note and (problem := unstorable(note) or (len(note) > 2000 and "不能超过 2000 个字符")):
        errors["note"] = [problem]
    if errors:
        raise InvalidData("提交的数据有误", errors)
    before = (proceeding.kind, proceeding.filed_on, None, None)
    _check_unlocked(case, before, (proceeding.kind, proceeding.filed_on, result, decided_on), field="decided_on")
    proceeding.result, proceeding.decided_on = result, decided_on
    event = _event(case, actor, "proceeding_decided", decided_on,
                   {"proceeding": proceeding.id, "result": result, "decided_on": decided_on, "note": note})
    return Recorded(proceeding, event)


def _event(case: Case, actor: User, trigger: str, effective_on: dt.date, data: dict) -> Event:
    process = get_process(case.process)
    snapshot = save_clocks(case, process, load_clocks(process, case), current_calendar())
    case.updated_at = timesource.now()
    event = append_event(case, trigger=trigger, from_state=case.state, actor=actor, actor_name=actor.username,
                         role=actor.role, effective_on=effective_on, data=data, clocks=snapshot)
    db.session.flush()
    return event


def _check_unlocked(case: Case, before: tuple | None, after: tuple, *, field: str) -> None:
    """A proceeding that would change a locked year's table 四 is refused, naming the year and the cell."""
    def cells(year, key):
        return set(layout.proceeding_cells(year, key[0], key[1], key[2], key[3])) if key else set()

    for year, when in annual_report.locked_years(case.agency_code):
        changed = cells(year, before) ^ cells(year, after)
        if changed:
            kind, column = min(changed, key=lambda c: list(layout.FOUR_COLUMNS).index(c[1]))
            raise InvalidData("年度报告已锁定", {field: [
                f"{year} 年度政府信息公开工作年度报告已于 {when} 锁定，此操作将改变表四“{layout.GROUPS[kind]}”"
                f"·“{layout.FOUR_COLUMNS[column]}”一格的数字，不能办理"]})
