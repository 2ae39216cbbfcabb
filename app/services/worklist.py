"""Due work, derived from the stored clocks: what is overdue, what falls due soon, and which applicant or
third-party windows have lapsed so that a caseworker may act (correction_lapsed, consultation_lapsed,
fee_lapsed). Read-only: lapsing a window is a legal act with a letter, so it is left to a person."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from workflow.clock import is_late
from workflow.engine import AGENCY, HANDLER
from workflow.processes import PROCESSES

from ..extensions import db
from ..models import Case, CaseClock, User
from . import timesource
from .calendar import current_calendar
from .cases import Page, list_cases

OVERDUE, DUE_SOON, WINDOW_LAPSED = "overdue", "due_soon", "window_lapsed"


def due_work(*, agency_code: str, within_working_days: int = 3) -> list[dict]:
    """Every running clock of the agency's open cases that needs attention, most urgent first."""
    today, now = timesource.today(), timesource.now()
    horizon = current_calendar().add_working_days(today, within_working_days)
    rows = db.session.execute(
        sa.select(Case.id, Case.reference, Case.process, Case.state, Case.department, CaseClock.name,
                  CaseClock.title, CaseClock.party, CaseClock.due_on, CaseClock.due_at, CaseClock.provisional)
        .join(CaseClock, CaseClock.case_id == Case.id)
        .where(Case.agency_code == agency_code, CaseClock.status == "running",
               sa.or_(CaseClock.due_on <= horizon, CaseClock.due_at <= now + dt.timedelta(hours=24)))
    ).all()
    items = []
    for r in rows:
        late = is_late(r.due_on, r.due_at, today=today, now=now)
        kind = (OVERDUE if late else DUE_SOON) if r.party == AGENCY else (WINDOW_LAPSED if late else None)
        if kind is None:
            continue  # a counterpart's window still open: nothing to do yet
        items.append({"kind": kind, "case_id": r.id, "reference": r.reference, "process": r.process,
                      "state": r.state, "department": r.department, "clock": r.name, "title": r.title,
                      "due_on": r.due_on.isoformat() if r.due_on else None,
                      "due_at": r.due_at.isoformat() if r.due_at else None, "provisional": r.provisional})
    order = {OVERDUE: 0, WINDOW_LAPSED: 1, DUE_SOON: 2}
    return sorted(items, key=lambda i: (order[i["kind"]], i["due_on"] or i["due_at"][:10], i["case_id"]))


# -- a user's home page ------------------------------------------------------------------------------
APPROVAL_TRIGGER = "approve"


def awaiting_approval_states(role: str) -> dict[str, list[str]]:
    """Per process, the states in which a user of this role may approve (a proposal waits for them)."""
    out: dict[str, list[str]] = {}
    for process in PROCESSES.values():
        for t in process.transitions:
            if t.trigger == APPROVAL_TRIGGER and role in t.roles:
                out.setdefault(process.name, []).extend(t.sources)
    return out


@dataclass
class HomeLists:
    mine: Page
    due_soon: Page
    overdue: Page
    awaiting_approval: Page | None
    horizon: dt.date


def home_lists(*, actor: User, within_working_days: int = 3, per_page: int = 10) -> HomeLists:
    """What a user's home page shows, each list with its count: open cases that are theirs (assigned to
    them; for a handler also those of their department), due within the next working days, overdue, and
    for an approver the proposals awaiting approval."""
    today = timesource.today()
    horizon = current_calendar().add_working_days(today, within_working_days)
    # A handler sees only their department's cases and their own (scope): all of those are theirs.
    mine = list_cases(actor=actor, open_only=True, assignee=None if actor.role == HANDLER else actor.username,
                      per_page=per_page, sort="due")
    due_soon = list_cases(actor=actor, open_only=True, overdue=False, due_before=horizon + dt.timedelta(days=1),
                          per_page=per_page, sort="due")
    overdue = list_cases(actor=actor, open_only=True, overdue=True, per_page=per_page, sort="due")
    states = awaiting_approval_states(actor.role)
    awaiting = None
    if states:
        awaiting = list_cases(actor=actor, open_only=True, states_by_process=states, per_page=per_page, sort="due")
    return HomeLists(mine, due_soon, overdue, awaiting, horizon)
