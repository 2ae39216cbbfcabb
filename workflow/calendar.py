"""The national working-day calendar: official data where known, a provisional rule where not.

Official data come from the chinese-calendar package and from years an administrator loaded (which take
precedence, so a correction of a published year is possible). For a year without data the calendar
counts Monday to Friday minus the fixed statutory dates and marks the result provisional; it never
raises for a missing year (processes.md, "Calendar years without official data").
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import chinese_calendar

HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}

# Dates fixed by the 全国年节及纪念日放假办法 regardless of the lunar calendar: the only holidays
# that can be assumed for a year before the State Council publishes its arrangement.
FIXED_HOLIDAYS = {(1, 1): "元旦", (5, 1): "劳动节", (5, 2): "劳动节", (10, 1): "国庆节", (10, 2): "国庆节",
                  (10, 3): "国庆节"}

SOURCE_PACKAGE = "chinese-calendar"
SOURCE_LOADED = "loaded"
SOURCE_PROVISIONAL = "provisional"


@dataclass(frozen=True)
class YearData:
    """One year's official arrangement: rest days that would otherwise be working days, and make-up
    working days (调休上班日) that would otherwise be rest days, each with the holiday's name."""

    year: int
    holidays: Mapping[dt.date, str] = field(default_factory=dict)
    workdays: Mapping[dt.date, str] = field(default_factory=dict)
    source: str = SOURCE_LOADED

    def __post_init__(self):
        for day in [*self.holidays, *self.workdays]:
            if day.year != self.year:
                raise ValueError(f"{day.isoformat()} is not in {self.year}")
        both = set(self.holidays) & set(self.workdays)
        if both:
            raise ValueError(f"{min(both).isoformat()} is listed both as a holiday and as a working day")


@dataclass(frozen=True)
class Day:
    """What the calendar says of one date, and why."""

    date: dt.date
    is_workday: bool
    provisional: bool
    label: str  # 工作日 / 周末 / holiday name / 调休上班日（…）


def _package_year(year: int) -> YearData | None:
    if not _package_supports(year):
        return None
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    holidays = {d: HOLIDAY_NAMES_ZH.get(n, n) for d, n in chinese_calendar.holidays.items() if start <= d <= end}
    workdays = {d: HOLIDAY_NAMES_ZH.get(n, n) for d, n in chinese_calendar.workdays.items() if start <= d <= end}
    return YearData(year, holidays, workdays, source=SOURCE_PACKAGE)


def _package_supports(year: int) -> bool:
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


_PACKAGE_CACHE: dict[int, YearData | None] = {}


def package_year(year: int) -> YearData | None:
    """The chinese-calendar package's data for a year, or None when it has none."""
    if year not in _PACKAGE_CACHE:
        _PACKAGE_CACHE[year] = _package_year(year)
    return _PACKAGE_CACHE[year]


class WorkCalendar:
    """Working days by the national calendar, with loaded years overriding the package's data."""

    def __init__(self, loaded: Iterable[YearData] = ()):
        self._loaded = {y.year: y for y in loaded}
        self._years: dict[int, YearData | None] = {}

    def year_data(self, year: int) -> YearData | None:
        if year not in self._years:
            self._years[year] = self._loaded.get(year) or package_year(year)
        return self._years[year]

    def source(self, year: int) -> str:
        data = self.year_data(year)
        return data.source if data else SOURCE_PROVISIONAL

    def is_provisional(self, year: int) -> bool:
        return self.year_data(year) is None

    def day(self, date: dt.date) -> Day:
        data = self.year_data(date.year)
        weekend = date.weekday() >= 5
        if data is None:
            name = FIXED_HOLIDAYS.get((date.month, date.day))
            if name and not weekend:
                return Day(date, False, True, name)
            return Day(date, not weekend, True, "周末" if weekend else "工作日")
        if date in data.workdays:
            return Day(date, True, False, f"调休上班日（{data.workdays[date]}）")
        if date in data.holidays:
            return Day(date, False, False, data.holidays[date])
        return Day(date, not weekend, False, "周末" if weekend else "工作日")

    def is_workday(self, date: dt.date) -> bool:
        return self.day(date).is_workday

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """The n-th working day after ``start`` (start itself not counted; CPL Art. 85)."""
        day = start
        while n > 0:
            day += dt.timedelta(days=1)
            if self.is_workday(day):
                n -= 1
        return day

    def working_days_between(self, after: dt.date, until: dt.date) -> int:
        """Working days in the interval (after, until]."""
        count, day = 0, after
        while day < until:
            day += dt.timedelta(days=1)
            count += self.is_workday(day)
        return count

    def provisional_years(self, start: dt.date, end: dt.date) -> list[int]:
        return [y for y in range(start.year, end.year + 1) if self.is_provisional(y)]


def parse_year_file(text: str) -> YearData:
    """Parse an administrator's calendar file.

    Format (UTF-8 text, one entry per line, ``#`` starts a comment)::

        year: 2027
        holiday 2027-01-01 元旦
        holiday 2027-02-05..2027-02-13 春节
        workday 2027-02-14 春节

    ``holiday`` lists rest days that fall on what would be a working day or a weekend; ``workday`` lists
    make-up working days. A range ``A..B`` is inclusive. Raises ValueError with the line number.
    """
    year = None
    holidays: dict[dt.date, str] = {}
    workdays: dict[dt.date, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        try:
            if line.lower().startswith("year:"):
                year = int(line.split(":", 1)[1])
                continue
            kind, _, rest = line.partition(" ")
            span, _, name = rest.strip().partition(" ")
            if kind not in ("holiday", "workday") or not span:
                raise ValueError("expected 'holiday DATE NAME' or 'workday DATE NAME'")
            first, _, last = span.partition("..")
            first_day = dt.date.fromisoformat(first)
            last_day = dt.date.fromisoformat(last) if last else first_day
            if last_day < first_day:
                raise ValueError("range ends before it starts")
            target = holidays if kind == "holiday" else workdays
            day = first_day
            while day <= last_day:
                target[day] = name.strip() or ("节假日" if kind == "holiday" else "调休")
                day += dt.timedelta(days=1)
        except ValueError as exc:
            raise ValueError(f"line {number}: {exc}") from None
    if year is None:
        raise ValueError("missing 'year: YYYY' line")
    if not 1900 < year < 2200:
        raise ValueError(f"year {year} out of range")
    return YearData(year, holidays, workdays)
