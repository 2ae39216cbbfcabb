"""The calendar in force: the package's data plus the official years an administrator loaded. Loading a
year re-dates every open case whose due dates change, each with an event."""
from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from workflow.calendar import WorkCalendar, YearData, parse_year_file
from workflow.errors import InvalidData
from workflow.processes import get_process

from ..extensions import db
from ..models import CalendarYear, Case, CaseClock
from . import timesource
from .clocks import load_clocks, save_clocks
from .events import append_event

log = logging.getLogger(__name__)

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


def load_year(text: str, *, loaded_by: str, progress: Callable[[int], None] | None = None) -> dict:
    """Store an official year (replacing an earlier load), then re-date the open cases in batches, each
    committed: any number of open cases in constant memory. Interrupted, it is simply run again: the cases
    already re-dated have nothing left to change and get no second event."""
    data = parse_year_file(text)
    row = db.session.get(CalendarYear, data.year) or CalendarYear(year=data.year)
    row.holidays = {d.isoformat(): n for d, n in sorted(data.holidays.items())}
    row.workdays = {d.isoformat(): n for d, n in sorted(data.workdays.items())}
    row.source_text, row.loaded_by, row.loaded_at = text, loaded_by, timesource.now()
    db.session.add(row)
    db.session.commit()
    changed = redate_open_cases(reason=f"载入{data.year}年官方节假日安排", actor_name=loaded_by, progress=progress)
    log.info("calendar year %s loaded by %s: %d holidays, %d make-up working days, %d open case(s) re-dated",
             data.year, loaded_by, len(data.holidays), len(data.workdays), changed,
             extra={"event": "calendar_loaded", "actor": loaded_by, "year": data.year, "cases_redated": changed})
    return {"year": data.year, "holidays": len(data.holidays), "workdays": len(data.workdays),
            "cases_redated": changed}


REDATE_BATCH = 500


def redate_open_cases(*, reason: str, actor_name: str, batch: int | None = None,
                      progress: Callable[[int], None] | None = None) -> int:
    """Recompute the clocks of every open case with the calendar in force, a batch of cases at a time (read
    in id order, locked while re-dated, committed together); append a ``calendar_redated`` event (old and new
    due date of each clock that moved) to each case whose due dates changed. The number of those cases."""
    calendar, batch = current_calendar(), batch or REDATE_BATCH
    changed, after = 0, 0
    running = sa.select(CaseClock.case_id).where(CaseClock.status.in_(("running", "paused")))
    while True:
        cases = db.session.scalars(
            sa.select(Case).options(selectinload(Case.clocks))
            .where(Case.closed_on.is_(None), Case.id.in_(running), Case.id > after).order_by(Case.id).limit(batch)
            .with_for_update(of=Case)).all()
        if not cases:
            db.session.rollback()
            return changed
        for case in cases:
            changed += _redate(case, calendar, reason=reason, actor_name=actor_name)
        after = cases[-1].id
        db.session.commit()  # the session keeps no strong reference: this batch's cases are freed with the list
        if progress:
            progress(len(cases))


def _redate(case: Case, calendar: WorkCalendar, *, reason: str, actor_name: str) -> bool:
    """Re-date one case's clocks; True (and an event) when a due date moved."""
    process = get_process(case.process)
    before = {c.name: (c.due_on, c.provisional) for c in case.clocks}
    snapshot = save_clocks(case, process, load_clocks(process, case), calendar)
    after = {c.name: (c.due_on, c.provisional) for c in case.clocks}
    diffs = {name: {"old_due_on": _iso(before[name][0]), "new_due_on": _iso(after[name][0]),
                    "old_provisional": before[name][1], "new_provisional": after[name][1]}
             for name in after if name in before and before[name] != after[name]}
    if not diffs:
        return False
    case.updated_at = timesource.now()
    append_event(case, trigger="calendar_redated", from_state=case.state, actor=None, actor_name=actor_name,
                 role="system", effective_on=case.last_effective_on, data={"reason": reason, "changes": diffs},
                 clocks=snapshot)
    return True


def _iso(value):
    return value.isoformat() if value else None


def year_summary(calendar: WorkCalendar, year: int) -> dict:
    """A year's holidays and make-up working days as the calendar in force has them, and their source."""
    data = calendar.year_data(year)
    return {"year": year, "source": calendar.source(year), "provisional": data is None,
            "holidays": {d.isoformat(): n for d, n in sorted(data.holidays.items())} if data else {},
            "workdays": {d.isoformat(): n for d, n in sorted(data.workdays.items())} if data else {}}


# -- the administration pages: which years are in force, and what loading one would change ------------
MAX_FILE_CHARS = 20000  # as the API's calendar load


def loaded_years() -> dict[int, dict]:
    """The years an administrator loaded: who loaded each and when, and how many days it lists."""
    return {row.year: {"year": row.year, "loaded_by": row.loaded_by, "loaded_at": row.loaded_at,
                       "holidays": len(row.holidays), "workdays": len(row.workdays)}
            for row in db.session.scalars(sa.select(CalendarYear).order_by(CalendarYear.year))}


def calendar_years(years) -> list[dict]:
    """Each year with where its data come from now (loaded, the package's, or none: provisional), its
    counts, and who loaded it; the given years and every loaded one, in order."""
    calendar, loaded = current_calendar(), loaded_years()
    out = []
    for year in sorted(set(years) | set(loaded)):
        summary = year_summary(calendar, year)
        out.append(summary | {"holidays": len(summary["holidays"]), "workdays": len(summary["workdays"]),
                              "loaded": loaded.get(year)})
    return out


def provisional_open_cases() -> int:
    """How many cases have a provisional listing due date (counted through a year without official data)."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(Case).where(Case.due_provisional.is_(True)))


@dataclass(frozen=True)
class DueChange:
    """One clock of an open case whose due date (or provisional flag) loading a year would change."""

    case_id: int
    reference: str
    process: str
    agency_code: str
    clock: str
    clock_title: str
    old_due_on: dt.date | None
    new_due_on: dt.date | None
    old_provisional: bool
    new_provisional: bool


def check_year_file(text: str) -> YearData:
    """A calendar file parsed, or InvalidData under ``content`` with the problem in Chinese and its line."""
    if not text.strip():
        raise InvalidData("日历文件有误", {"content": ["请粘贴或上传日历文件的内容"]})
    if len(text) > MAX_FILE_CHARS:
        raise InvalidData("日历文件有误", {"content": [f"日历文件最多 {MAX_FILE_CHARS} 个字符"]})
    try:
        return parse_year_file(text)
    except ValueError as exc:
        raise InvalidData("日历文件有误", {"content": [year_file_error(str(exc), text)]}) from None


_ERRORS = (
    (r"expected 'holiday DATE NAME' or 'workday DATE NAME'", "应为“holiday 日期 名称”或“workday 日期 名称”"),
    (r"range ends before it starts", "日期范围的结束日早于开始日"),
    (r"Invalid isoformat string: '(.*)'", r"日期“\1”的格式不正确，应为 YYYY-MM-DD"),
    (r"invalid literal for int\(\) with base 10: '\s*(.*?)\s*'", r"年份“\1”应为四位数字，如“year: 2027”"),
    (r"(month must be in 1\.\.12|day is out of range for month|year .* is out of range)", "日期不存在"),
    (r"missing 'year: YYYY' line", "缺少年份行，如“year: 2027”"),
    (r"year (-?\d+) out of range", r"年份 \1 超出范围（应在 1901 到 2199 之间）"),
    (r"(\d{4}-\d{2}-\d{2}) is not in (\d+)", r"\1 不在 \2 年内"),
    (r"(\d{4}-\d{2}-\d{2}) is listed both as a holiday and as a working day", r"\1 同时列为节假日和调休上班日"),
)


def year_file_error(message: str, source: str = "") -> str:
    """parse_year_file's message in Chinese, with its line number and the line itself (from ``source``);
    an unforeseen message as it is."""
    line, text = None, message
    match = re.fullmatch(r"line (\d+): (.*)", message, flags=re.S)
    if match:
        line, text = int(match.group(1)), match.group(2)
    for pattern, chinese in _ERRORS:
        found = re.fullmatch(pattern, text, flags=re.S)
        if found:
            text = found.expand(chinese)
            break
    if line is None:
        return text
    lines = source.splitlines()
    quoted = lines[line - 1].strip() if 0 < line <= len(lines) else ""
    return f"第 {line} 行（{quoted[:80]}）：{text}" if quoted else f"第 {line} 行：{text}"


def candidate_calendar(data: YearData) -> WorkCalendar:
    """The calendar that would be in force with ``data`` loaded (an earlier load of its year replaced)."""
    rows = db.session.scalars(sa.select(CalendarYear).where(CalendarYear.year != data.year)).all()
    return WorkCalendar([*(_year_data(r) for r in rows), data])


def preview_year(text: str) -> dict:
    """What loading a calendar file would do, computed without writing anything: the year, its counts, the
    source it would replace, and every clock of an open case whose due date or provisional flag would
    change (the changes ``load_year`` re-dates and records), by case."""
    data = check_year_file(text)
    calendar = candidate_calendar(data)
    open_ids = sa.select(CaseClock.case_id).where(CaseClock.status.in_(("running", "paused"))).distinct()
    changes = []
    cases = db.session.scalars(sa.select(Case).where(Case.id.in_(open_ids)).options(selectinload(Case.clocks))
                               .order_by(Case.id))
    for case in cases:
        process = get_process(case.process)
        stored = {c.name: c for c in case.clocks}
        for name, clock in load_clocks(process, case).items():
            row = stored.get(name)
            if not clock.started or row is None:
                continue
            reading = clock.evaluate(calendar)
            if (row.due_on, row.provisional) != (reading.due_on, reading.provisional):
                changes.append(DueChange(case.id, case.reference, case.process, case.agency_code, name, row.title,
                                         row.due_on, reading.due_on, row.provisional, reading.provisional))
    return {"year": data.year, "holidays": dict(sorted(data.holidays.items())),
            "workdays": dict(sorted(data.workdays.items())), "source_now": current_calendar().source(data.year),
            "loaded": loaded_years().get(data.year), "changes": changes,
            "cases": len({c.case_id for c in changes}),
            "moved_cases": len({c.case_id for c in changes if c.old_due_on != c.new_due_on})}
