"""A case's clocks: rebuilt from their stored operations for the engine, written back with their due dates
after every change, read with their explanations, and the one definition of when a time limit is late."""
from __future__ import annotations

import sqlalchemy as sa

from workflow.calendar import WorkCalendar
from workflow.clock import Clock, Reading, is_late, last_instant_in_time
from workflow.engine import AGENCY, Process

from ..extensions import db
from ..models import Case, CaseClock
from . import timesource


# -- late (workflow.clock.is_late) for the case list, the case dump and the due report ---------------
def case_is_overdue(case: Case) -> bool:
    """Overdue is derived, never stored: the case's earliest running agency limit is late."""
    return is_late(case.due_on, case.due_at, today=timesource.today(), now=timesource.now())


def overdue_cases(*, overdue: bool = True, has_due: bool = False):
    """The SQL condition selecting overdue cases (or, with ``overdue=False``, the others; ``has_due``: among
    cases that have a running limit, so that "not yet late" is a range the index serves)."""
    # workflow.clock.is_late as a range on one indexed column: late once its last instant in time has passed.
    # Only open cases have a running limit; saying so lets the database use the index of the open cases.
    now = timesource.now()
    return sa.and_(Case.closed_on.is_(None), Case.due_by < now) if overdue else \
        (Case.due_by >= now if has_due else sa.or_(Case.due_by.is_(None), Case.due_by >= now))


# -- the engine's clocks ----------------------------------------------------------------------------
def load_clocks(process: Process, case: Case | None) -> dict[str, Clock]:
    """Every clock of the process, with the operations stored for the case (none for a new case)."""
    stored = {c.name: c for c in case.clocks} if case else {}
    return {spec.name: Clock(spec.name, spec.kind, spec.title,
                             list(stored[spec.name].ops) if spec.name in stored else [])
            for spec in process.clocks}


def save_clocks(case: Case, process: Process, clocks: dict[str, Clock], calendar: WorkCalendar) -> dict:
    """Write every started clock's row and the case's listing due date (the earliest running agency
    limit); return the readings snapshot the event records."""
    stored = {c.name: c for c in case.clocks}
    specs = {spec.name: spec for spec in process.clocks}
    snapshot, agency_running = {}, []
    for name, clock in clocks.items():
        if not clock.started:
            continue
        reading = clock.evaluate(calendar)
        row = stored.get(name)
        if row is None:
            row = CaseClock(case=case, name=name, kind=clock.kind, title=clock.title, party=specs[name].party)
            db.session.add(row)
        row.ops, row.status = list(clock.ops), reading.status
        row.due_on, row.due_at, row.provisional = reading.due_on, reading.due_at, reading.provisional
        row.met, row.time_used = reading.met(), reading.time_used()
        row.extended = reading.extension > 0 if row.met is not None else None
        snapshot[name] = reading.to_dict() | {"party": specs[name].party}
        if specs[name].party == AGENCY and reading.status == "running":
            agency_running.append(reading)
    day_clocks = sorted((r for r in agency_running if r.due_on), key=lambda r: r.due_on)
    hour_clocks = sorted((r for r in agency_running if r.due_at), key=lambda r: r.due_at)
    case.due_on = day_clocks[0].due_on if day_clocks else None
    case.due_at = hour_clocks[0].due_at if hour_clocks else None
    case.due_by = last_instant_in_time(case.due_on, case.due_at, timesource.local_zone())
    case.due_provisional = bool(day_clocks and day_clocks[0].provisional)
    return snapshot


def evaluate_clocks(case: Case, process: Process, calendar: WorkCalendar) -> dict[str, Reading]:
    """The current reading of every started clock of a case."""
    return {name: clock.evaluate(calendar) for name, clock in load_clocks(process, case).items() if clock.started}
