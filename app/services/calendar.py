"""The calendar in force: the package's data plus the official years an administrator loaded. Loading a
year re-dates every open case whose due dates change, each with an event."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from workflow.calendar import WorkCalendar, YearData, parse_year_file
from workflow.processes import get_process

from ..extensions import db
from ..models import CalendarYear, Case, CaseClock
from . import timesource
from .clocks import load_clocks, save_clocks
from .events import append_event

_CACHE: dict[tuple, WorkCalendar] = {}


def current_calendar() -> WorkCalendar:
    """The calendar in force. Built once per set of loaded years and reused while the stamp (count and
    latest load instant) is unchanged, so a year loaded by another worker is seen at the next request."""
    count, latest = db.session.execute(sa.select(sa.func.count(), sa.func.max(CalendarYear.loaded_at))).one()
    key = (str(db.engine.url), count, latest)
    calendar = _CACHE.get(key)
    if calendar is None:
        rows = db.session.scalars(sa.select(CalendarYear)).all()
        calendar = _CACHE[key] = WorkCalendar([_year_data(r) for r in rows])
        if len(_CACHE) > 32:
            _CACHE.pop(next(iter(_CACHE)))
    return calendar


def _year_data(row: CalendarYear) -> YearData:
    return YearData(row.year, {dt.date.fromisoformat(k): v for k, v in row.holidays.items()},
                    {dt.date.fromisoformat(k): v for k, v in row.workdays.items()})


def load_year(text: str, *, loaded_by: str) -> dict:
    """Store an official year (replacing an earlier load) and re-date open cases. One transaction."""
    data = parse_year_file(text)
    row = db.session.get(CalendarYear, data.year) or CalendarYear(year=data.year)
    row.holidays = {d.isoformat(): n for d, n in sorted(data.holidays.items())}
    row.workdays = {d.isoformat(): n for d, n in sorted(data.workdays.items())}
    row.source_text, row.loaded_by, row.loaded_at = text, loaded_by, timesource.now()
    db.session.add(row)
    db.session.flush()
    changed = redate_open_cases(reason=f"载入{data.year}年官方节假日安排", actor_name=loaded_by)
    db.session.commit()
    return {"year": data.year, "holidays": len(data.holidays), "workdays": len(data.workdays),
            "cases_redated": changed}


def redate_open_cases(*, reason: str, actor_name: str) -> int:
    """Recompute the clocks of every open case with the calendar in force; append a ``calendar_redated``
    event (old and new due date of each clock that moved) to each case whose due dates changed."""
    calendar = current_calendar()
    changed = 0
    case_ids = db.session.scalars(sa.select(CaseClock.case_id).where(CaseClock.status.in_(("running", "paused")))
                                  .distinct()).all()
    for case in db.session.scalars(sa.select(Case).where(Case.id.in_(case_ids)).order_by(Case.id)):
        process = get_process(case.process)
        before = {c.name: (c.due_on, c.provisional) for c in case.clocks}
        snapshot = save_clocks(case, process, load_clocks(process, case), calendar)
        after = {c.name: (c.due_on, c.provisional) for c in case.clocks}
        diffs = {name: {"old_due_on": _iso(before[name][0]), "new_due_on": _iso(after[name][0]),
                        "old_provisional": before[name][1], "new_provisional": after[name][1]}
                 for name in after if name in before and before[name] != after[name]}
        if not diffs:
            continue
        changed += 1
        case.updated_at = timesource.now()
        append_event(case, trigger="calendar_redated", from_state=case.state, actor=None, actor_name=actor_name,
                     role="system", effective_on=case.last_effective_on, data={"reason": reason, "changes": diffs},
                     clocks=snapshot)
    db.session.flush()
    return changed


def _iso(value):
    return value.isoformat() if value else None


def year_summary(calendar: WorkCalendar, year: int) -> dict:
    """A year's holidays and make-up working days as the calendar in force has them, and their source."""
    data = calendar.year_data(year)
    return {"year": year, "source": calendar.source(year), "provisional": data is None,
            "holidays": {d.isoformat(): n for d, n in sorted(data.holidays.items())} if data else {},
            "workdays": {d.isoformat(): n for d, n in sorted(data.workdays.items())} if data else {}}
