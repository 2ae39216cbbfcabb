"""Cases: find and list them, fire a trigger, say which triggers are allowed now, and read a case's
clocks, events and letters. A command is one transaction: the state change, the event, the clocks and
any letter are written together or not at all."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import joinedload, selectinload

from workflow.clock import Reading
from workflow.engine import ADMIN, APPROVER, ROLE_TITLES, Context, TriggerStatus
from workflow.errors import InvalidData, NotPermitted, WorkflowError
from workflow.fields import unstorable
from workflow.letters import LetterInput
from workflow.processes import PROCESSES, get_engine, get_process

from ..extensions import db
from ..models import Case, Document, Event, User, bigrams, folded
from . import annual_report, documents, integrity, letter_templates, timesource
from .agencies import agency_settings, rules_for
from .calendar import current_calendar
from .clocks import evaluate_clocks, overdue_cases, save_clocks
from .context import context_for
from .errors import ConcurrentUpdate, NotFound, OutOfScope
from .events import append_event, events_of
from .paging import Page
from .scope import may_see, visible_cases
from .transaction import Idempotency, Result, refused, replay, run


# -- reading ---------------------------------------------------------------------------------------
def get_case(case_id: int, *, actor: User) -> Case:
    """A case the actor may see (``scope``), with its clocks in the same query (every use reads them)."""
    case = db.session.get(Case, case_id, options=[joinedload(Case.clocks)])
    if case is None:
        raise NotFound(f"案件 {case_id} 不存在")
    if not may_see(actor, case):
        raise OutOfScope(f"案件 {case_id} 不存在", case_id=case_id)
    return case


# The orders a list may take: a key, "-key" for descending; the case id breaks ties so pages are stable.
SORTS = {
    "id": (Case.id,),
    "received_on": (Case.received_on, Case.id),
    "due": (Case.due_by, Case.id),
    "reference": (Case.reference,),
    "state": (Case.state, Case.id),
    "updated_at": (Case.updated_at, Case.id),
}
DEFAULT_SORT = "-id"
MAX_TEXT_QUERY = 100
# A text search counts its cases up to this many ("1,000+"): a word found in most cases would otherwise cost
# a count of all of them, and a person refines the search long before.
TEXT_COUNT_LIMIT = 1000


@dataclass(frozen=True, kw_only=True)
class CaseFilter:
    """What a case list asks for; the pages, the API and the exports build the same query from it."""

    process: str | None = None
    state: str | None = None
    department: str | None = None
    assignee: str | None = None
    due_before: dt.date | None = None
    overdue: bool | None = None
    received_from: dt.date | None = None
    received_to: dt.date | None = None
    text: str | None = None
    open_only: bool = False
    states_by_process: dict[str, list[str]] | None = None  # any of these (process, state) pairs
    sort: str = DEFAULT_SORT


def list_cases(*, actor: User, page: int = 1, per_page: int = 50, **filters) -> Page:
    """One page of the cases the actor may see (``CaseFilter``), newest first unless sorted otherwise. A
    filter naming an unknown process, state or sort is refused (an empty list would read as "none")."""
    f = CaseFilter(**filters)
    stmt = cases_query(actor, f)
    counted = stmt.order_by(None).limit(TEXT_COUNT_LIMIT + 1) if f.text else stmt.order_by(None)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(counted.subquery()))
    exact = total <= TEXT_COUNT_LIMIT or not f.text
    total = total if exact else TEXT_COUNT_LIMIT
    # The page's ids first, then their rows: an OFFSET walks every row it skips, so it skips index entries
    # (ids) rather than whole rows; and a page past the middle is read from the other end.
    offset = (page - 1) * per_page
    if offset <= total // 2:
        ids = db.session.scalars(stmt.with_only_columns(Case.id).limit(per_page).offset(offset)).all()
    else:
        size = max(0, min(per_page, total - offset))
        backwards = cases_query(actor, f, reverse=True).with_only_columns(Case.id)
        ids = db.session.scalars(backwards.limit(size).offset(max(0, total - offset - per_page))).all()[::-1]
    rows = {c.id: c for c in db.session.scalars(
        sa.select(Case).where(Case.id.in_(ids)).options(selectinload(Case.clocks), selectinload(Case.assignee)))}
    return Page([rows[i] for i in ids], total, page, per_page, exact)


def cases_query(actor: User, f: CaseFilter, *, reverse: bool = False):
    """The ordered SELECT of the cases a filter names, among those the actor may see (``reverse``: in the
    opposite order, the last case first)."""
    _check_filter(f)
    stmt = sa.select(Case).where(visible_cases(actor))
    if f.process is not None:
        stmt = stmt.where(Case.process == f.process)
    if f.state is not None:
        stmt = stmt.where(Case.state == f.state)
    if f.open_only:
        stmt = stmt.where(Case.closed_on.is_(None))
    if f.states_by_process is not None:
        stmt = stmt.where(sa.or_(sa.false(), *[sa.and_(Case.process == p, Case.state.in_(states))
                                               for p, states in f.states_by_process.items()]))
    if f.department is not None:
        stmt = stmt.where(Case.department == f.department)
    if f.assignee is not None:
        # The id first, so that the planner sees the value (a join hid it and walked every open case).
        assignee_id = db.session.scalar(sa.select(User.id).where(User.username == f.assignee))
        stmt = stmt.where(Case.assignee_id == assignee_id if assignee_id is not None else sa.false())
    if f.due_before is not None:
        stmt = stmt.where(Case.closed_on.is_(None),  # implied (a closed case has no limit): for the index
                          Case.due_by < dt.datetime.combine(f.due_before, dt.time(), timesource.local_zone()))
    if f.overdue is not None:
        stmt = stmt.where(overdue_cases(overdue=f.overdue, has_due=f.due_before is not None))
    if f.received_from is not None:
        stmt = stmt.where(Case.received_on >= f.received_from)
    if f.received_to is not None:
        stmt = stmt.where(Case.received_on <= f.received_to)
    if f.text:
        stmt = stmt.where(_text_matches(f.text))
    descending = f.sort.startswith("-")
    columns = SORTS[f.sort.lstrip("-")]
    # NULLS LAST only where a column can be null (the due dates): on a NOT NULL column it would keep the
    # database from reading the order off its index (PostgreSQL sorts every row for "id DESC NULLS LAST").
    return stmt.order_by(*[_ordered(c, descending, reverse) for c in columns])


def _text_matches(text: str):
    """Cases whose reference or summary contains the text, case-folded. On PostgreSQL the trigram index of
    search_text serves three characters and more; two characters (a Chinese name) have no trigram, so the index
    of character pairs finds them (models.bigrams)."""
    text = folded(text)
    clause = Case.search_text.like("%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%",
                                   escape="\\")
    if len(text) == 2 and db.session.get_bind().dialect.name == "postgresql":
        clause = sa.and_(sa.type_coerce(Case.search_grams, ARRAY(sa.Text)).contains(bigrams(text)), clause)
    return clause


def _ordered(column, descending: bool, reverse: bool = False):
    ordered = column.desc() if descending != reverse else column.asc()
    if not column.nullable:
        return ordered
    return ordered.nulls_first() if reverse else ordered.nulls_last()


def _check_filter(f: CaseFilter) -> None:
    _check_process_and_state(f.process, f.state)
    errors = {}
    if f.sort.lstrip("-") not in SORTS:
        errors["sort"] = [f"未知排序：{f.sort}；可用：{', '.join(SORTS)}（前加 - 为倒序）"]
    if f.text is not None and len(f.text) > MAX_TEXT_QUERY:
        errors["q"] = [f"检索词不能超过 {MAX_TEXT_QUERY} 个字符"]
    for name, value in (("q", f.text), ("department", f.department), ("assignee", f.assignee)):
        problem = unstorable(value) if value else None
        if problem and name not in errors:
            errors[name] = [problem]
    if errors:
        raise InvalidData("查询参数有误", errors)


def _check_process_and_state(process: str | None, state: str | None) -> None:
    if process is not None:
        get_process(process)  # UnknownProcess names the field and the allowed values
    if state is None:
        return
    scope = [get_process(process)] if process is not None else list(PROCESSES.values())
    names = list(dict.fromkeys(s.name for p in scope for s in p.states))
    if state not in names:
        raise InvalidData("查询参数有误", {"state": [f"未知状态：{state}；可用状态：{', '.join(names)}"]})


def readings_of(case: Case) -> dict[str, Reading]:
    """The current reading of every started clock of a case, with the calendar in force."""
    return evaluate_clocks(case, get_process(case.process), current_calendar())


def case_clocks(case: Case) -> list[dict]:
    """Every started clock of a case: its reading, whose limit it is, and the day-by-day explanation."""
    parties = {spec.name: spec.party for spec in get_process(case.process).clocks}
    return [reading.to_dict(explain=True) | {"party": parties[name]} for name, reading in readings_of(case).items()]


def case_events(case: Case) -> tuple[list[Event], bool]:
    """A case's events, oldest first, and whether their chain, the letters' records and the case row hold
    (the letters' bytes are checked by ``verify-events``)."""
    return events_of(case), integrity.check_case(case, letters=False) is None


def case_documents(case: Case) -> list[Document]:
    """The letters issued for a case, in the order they were issued, each with its service record (read
    afresh: a letter served since it was last loaded shows as served)."""
    return list(db.session.scalars(sa.select(Document).options(selectinload(Document.delivery))
                                   .where(Document.case_id == case.id).order_by(Document.id)
                                   .execution_options(populate_existing=True)))


def triggers_of(case: Case, *, actor: User) -> list[TriggerStatus]:
    """Every trigger of the case's process, allowed or not, and why."""
    engine = get_engine(case.process)
    ctx = context_for(engine.process, case, role=actor.role, effective_on=timesource.today(), now=timesource.now(),
                      calendar=current_calendar(), rules=rules_for(agency_settings(case.agency_code), case.process))
    statuses = engine.statuses(ctx)
    if any(s.trigger in REVIEWS and s.allowed for s in statuses) and _own_proposal(case, actor):
        statuses = [TriggerStatus(s.trigger, s.title, False, [FOUR_EYES]) if s.trigger in REVIEWS and s.allowed else s
                    for s in statuses]
    return statuses


# -- separation of duties (四眼原则) ----------------------------------------------------------------------
REVIEWS = {"approve"}  # a decision on what someone proposed: not taken by the person who proposed it
FOUR_EYES = {"name": "four_eyes", "message": "审核人不能审核通过自己提出的意见，请由另一位审核人审核",
             "basis": "四眼原则（本机关配置 four_eyes，默认开启）"}


def _own_proposal(case: Case, actor: User) -> bool:
    """Whether the actor's event put the case in the state it is reviewed in (the proposal a review decides),
    where the agency keeps the four-eyes principle (``four_eyes``, on unless set to false)."""
    if not agency_settings(case.agency_code).get("four_eyes", True):
        return False
    proposer = db.session.scalar(
        sa.select(Event.actor_id).where(Event.case_id == case.id, Event.to_state == case.state,
                                        sa.or_(Event.from_state.is_(None), Event.from_state != case.state))
        .order_by(Event.seq.desc()).limit(1))
    return proposer is not None and proposer == actor.id


# -- the one command on a case ---------------------------------------------------------------------
@dataclass(frozen=True)
class Backfill:
    """补录: a step already done outside the service (a paper notice sent last week) recorded afterwards by an
    approver with its original business date and a reason. No letter is generated; the event says 补录 and
    names the letters that were issued outside the service (letters.md "Dates on letters")."""

    reason: str
    letter_number: str = ""


BACKFILL_ROLES = (APPROVER, ADMIN)


def fire(case: Case, trigger: str, *, actor: User, params: dict | None = None,
         effective_on: dt.date | str | None = None, expected_version: int | None = None,
         idempotency: Idempotency | None = None, backfill: Backfill | None = None) -> Result:
    """Fire one trigger on a case: guards, state, clocks, event and letter in one transaction."""
    stored = replay(actor, idempotency)
    if stored:
        return Result(case, None, replay=stored)
    try:
        if expected_version is not None and expected_version != case.version:
            raise ConcurrentUpdate(f"案件版本已变化（当前 {case.version}，请求 {expected_version}），请刷新后重试",
                                   current_version=case.version)
        if backfill is not None:
            _check_backfill(backfill, actor=actor, effective_on=effective_on)
        if trigger in REVIEWS and get_engine(case.process).step(trigger, case.state) and _own_proposal(case, actor):
            raise NotPermitted(FOUR_EYES["message"], guards=[FOUR_EYES])
    except WorkflowError as exc:
        raise refused(actor, idempotency, exc) from None
    result = run(lambda: _fire(case, trigger, actor=actor, params=params, effective_on=effective_on,
                               backfill=backfill), actor=actor, idempotency=idempotency)
    documents.add_pdfs(result.documents)  # after the commit: the letters are issued whether or not it works
    return result


@dataclass(frozen=True)
class Draft:
    """A letter as a trigger would issue it now: rendered, never issued or stored."""

    title: str
    number: str
    content: bytes
    paragraphs: list[str]


def preview_letters(case: Case, trigger: str, *, actor: User, params: dict | None = None) -> list[Draft]:
    """The letters firing a trigger now would issue, for an approver to read before approving: the fire
    runs to the rendering and is rolled back, so no state, event, number or letter is kept."""
    try:
        result = _fire(case, trigger, actor=actor, params=params, effective_on=None, backfill=None)
        return [Draft(d.title, d.number, d.content, documents.paragraphs(d.content)) for d in result.documents]
    finally:
        db.session.rollback()


def _check_backfill(backfill: Backfill, *, actor: User, effective_on) -> None:
    if actor.role not in BACKFILL_ROLES:
        raise NotPermitted("补录需要角色：" + "、".join(ROLE_TITLES[r] for r in BACKFILL_ROLES),
                           roles=list(BACKFILL_ROLES))
    errors = {}
    if not backfill.reason.strip():
        errors["backfill"] = {"reason": ["补录应说明理由"]}
    if effective_on is None:
        errors["effective_on"] = ["补录应填写线下实际办理的业务日期"]
    if errors:
        raise InvalidData("提交的数据有误", errors)


def _fire(case: Case, trigger: str, *, actor: User, params: dict | None, effective_on,
          backfill: Backfill | None) -> Result:
    engine = get_engine(case.process)
    agency = agency_settings(case.agency_code)
    today = timesource.today()
    counted = annual_report.report_key(case)  # what a locked year's report counts of this case, before
    effective = _check_effective_on(effective_on, case, today)
    ctx = context_for(engine.process, case, role=actor.role, effective_on=effective, now=timesource.now(),
                      calendar=current_calendar(), rules=rules_for(agency, case.process), params=params)
    outcome = engine.fire(trigger, ctx)
    letters = [engine.process.letters[kind] for kind in outcome.letters]
    if backfill is None and effective < today and any(letter.outgoing for letter in letters):
        # A letter is dated the day it is generated: a step that sends one cannot claim an earlier day, or a
        # clock would be met by a date the letter did not exist on.
        raise InvalidData("提交的数据有误", {"effective_on": [
            f"此操作将生成并发出{'、'.join(letter.title for letter in letters if letter.outgoing)}，"
            f"文书的成文日期为生成之日（{today.isoformat()}），业务日期不能早于今天；线下已办理并发出文书的，"
            "请由审核人以“补录”方式登记"]})

    data_changed = ctx.data != case.data
    case.state, case.reason, case.data = ctx.state, ctx.reason, ctx.data
    case.summary = engine.process.summary(ctx.data)
    case.last_effective_on, case.updated_at = effective, ctx.now
    if engine.process.state(ctx.state).terminal:
        case.closed_on = effective
    annual_report.check_unlocked(case.agency_code, counted, annual_report.report_key(case), field="effective_on")
    snapshot = save_clocks(case, engine.process, ctx.clocks, ctx.calendar)
    data = outcome.params
    if backfill is not None:
        data = {**data, "backfill": {"reason": backfill.reason, "letter_number": backfill.letter_number,
                                     "letters_outside": [letter.title for letter in letters]}}
        letters = []  # issued outside the service: nothing is generated
    event = append_event(case, trigger=trigger, from_state=outcome.from_state, actor=actor,
                         actor_name=actor.username, role=actor.role, effective_on=effective,
                         data=data, clocks=snapshot, backfilled=backfill is not None,
                         letters=[letter.name for letter in letters], data_after=ctx.data if data_changed else None)
    db.session.flush()  # the version check happens here: a concurrent winner makes this raise
    result = Result(case, event)
    for letter in letters:
        result.documents.append(documents.issue(letter, case=case, event=event, agency=agency,
                                                make_input=_letter_input(case, ctx, agency)))
    if letters:
        db.session.flush()
    return result


def _check_effective_on(value, case: Case, today: dt.date) -> dt.date:
    if value is None:
        return today
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            raise InvalidData("提交的数据有误", {"effective_on": ["应为日期，格式 YYYY-MM-DD"]}) from None
    if value > today:
        raise InvalidData("提交的数据有误", {"effective_on": [f"业务日期不能晚于今天（{today.isoformat()}）"]})
    if value < case.last_effective_on:
        raise InvalidData("提交的数据有误", {"effective_on": [
            f"业务日期不能早于本案上一事件的业务日期（{case.last_effective_on.isoformat()}）"]})
    return value


def _letter_input(case: Case, ctx: Context, agency: dict):
    def make(kind: str, number: str, issued_on: dt.date) -> LetterInput:
        readings = {name: clock.evaluate(ctx.calendar) for name, clock in ctx.clocks.items() if clock.started}
        return LetterInput(kind=kind, number=number, issued_on=issued_on, agency=agency,
                           case={"reference": case.reference, "process": case.process, "state": case.state,
                                 "reason": case.reason, "received_on": case.received_on.isoformat(),
                                 "data": case.data},
                           params=ctx.params, readings=readings, notes=ctx.notes, history=ctx.history,
                           calendar=ctx.calendar, rules=ctx.rules, articles=letter_templates.article_table(agency))
    return make
