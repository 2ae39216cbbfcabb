"""The calendar in force: the package's data plus the official years an administrator loaded. Loading a
year re-dates every open case whose due dates change, each with an event."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from workflow.calendar import WorkCalendar, YearData, parse_year_file

from ..extensions import db
from ..models import CalendarYear
from . import timesource


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
    from .cases import redate_open_cases  # cases imports this module

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


def year_summary(calendar: WorkCalendar, year: int) -> dict:
    data = calendar.year_data(year)
    return {"year": year, "source": calendar.source(year), "provisional": data is None,
            "holidays": {d.isoformat(): n for d, n in sorted(data.holidays.items())} if data else {},
            "workdays": {d.isoformat(): n for d, n in sorted(data.workdays.items())} if data else {}}
