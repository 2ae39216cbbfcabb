"""The national working-day calendar (workflow/calendar.py) against hand counts.

Every golden date below was counted by hand from the State Council's holiday notices
(国办发明电〔2023〕7号 for 2024, 〔2024〕12号 for 2025, the 2026 notice content_7047090), summarised in
law.md §7.1, and a printed month calendar. The comment next to each case is that count: "9/16(1)" means
16 September is working day number 1; "skip" lists days that do not count; "Sun/Sat make-up" marks a
调休上班日 that counts although it falls on a weekend.
"""
from __future__ import annotations

import datetime as dt

import pytest

from workflow.calendar import (
    SOURCE_LOADED,
    SOURCE_PACKAGE,
    SOURCE_PROVISIONAL,
    WorkCalendar,
    YearData,
    parse_year_file,
)

D = dt.date.fromisoformat


@pytest.fixture
def calendar() -> WorkCalendar:
    return WorkCalendar()


# -- add_working_days: the n-th working day after the start (start not counted) ----------------------

GOLDEN = [
    # Spring Festival 2024: off Sat 2/10 .. Sat 2/17; make-up Sun 2/4 and Sun 2/18.
    pytest.param("2024-02-02", 5, "2024-02-08",
                 # Fri start; 2/3 Sat skip, 2/4 Sun make-up(1), 2/5(2) 2/6(3) 2/7(4) 2/8(5)
                 id="spring-festival-2024-make-up-sunday-before-counts"),
    pytest.param("2024-02-08", 3, "2024-02-19",
                 # 2/9 Fri(1, 除夕 is a working day in 2024), skip 2/10-2/17 春节, 2/18 Sun make-up(2), 2/19(3)
                 id="spring-festival-2024-is-skipped-and-make-up-sunday-after-counts"),
    pytest.param("2024-02-01", 20, "2024-03-05",
                 # 2/2(1), 2/3 Sat skip, 2/4 Sun(2), 2/5-2/9(3-7), skip 2/10-2/17, 2/18 Sun(8),
                 # 2/19-2/23(9-13), 2/26-3/1(14-18), 3/4(19), 3/5(20)
                 id="twenty-working-days-across-spring-festival-2024"),
    # Spring Festival 2025: off Tue 1/28 (除夕) .. Tue 2/4; make-up Sun 1/26 and Sat 2/8.
    pytest.param("2025-01-24", 3, "2025-02-05",
                 # Fri start; 1/25 Sat skip, 1/26 Sun make-up(1), 1/27(2), skip 1/28-2/4 春节, 2/5 Wed(3)
                 id="spring-festival-2025-is-skipped-and-make-up-sunday-counts"),
    pytest.param("2025-01-20", 20, "2025-02-21",
                 # 1/21-1/24(1-4), 1/25 Sat skip, 1/26 Sun(5), 1/27(6), skip 1/28-2/4, 2/5(7) 2/6(8) 2/7(9),
                 # 2/8 Sat make-up(10), 2/10-2/14(11-15), 2/17-2/21(16-20)
                 id="twenty-working-days-across-spring-festival-2025"),
    # Spring Festival 2026: off Sun 2/15 .. Mon 2/23; make-up Sat 2/14 and Sat 2/28.
    pytest.param("2026-02-12", 2, "2026-02-14",
                 # 2/13 Fri(1), 2/14 Sat make-up(2)
                 id="spring-festival-2026-make-up-saturday-before-can-be-the-due-date"),
    pytest.param("2026-02-13", 2, "2026-02-24",
                 # 2/14 Sat make-up(1), skip 2/15-2/23 春节 (nine days), 2/24 Tue(2)
                 id="spring-festival-2026-nine-days-are-skipped"),
    pytest.param("2026-02-09", 20, "2026-03-13",
                 # 2/10-2/13(1-4), 2/14 Sat(5), skip 2/15-2/23, 2/24-2/27(6-9), 2/28 Sat make-up(10),
                 # 3/2-3/6(11-15), 3/9-3/13(16-20)
                 id="twenty-working-days-across-spring-festival-2026"),
    # National Day 2024: off Tue 10/1 .. Mon 10/7, make-up Sun 9/29 and Sat 10/12;
    # 中秋 2024: off Sun 9/15 .. Tue 9/17, make-up Sat 9/14.
    pytest.param("2024-09-13", 20, "2024-10-17",
                 # 9/14 Sat make-up 中秋(1), skip 9/15-9/17 中秋, 9/18-9/20(2-4), 9/23-9/27(5-9),
                 # 9/28 Sat skip, 9/29 Sun make-up(10), 9/30(11), skip 10/1-10/7 国庆, 10/8-10/11(12-15),
                 # 10/12 Sat make-up(16), 10/14-10/17(17-20)
                 id="twenty-working-days-across-mid-autumn-and-national-day-2024"),
    pytest.param("2024-09-30", 1, "2024-10-08",
                 # skip 10/1-10/7 国庆, 10/8 Tue(1)
                 id="national-day-2024-is-skipped"),
    # National Day + 中秋 2025: off Wed 10/1 .. Wed 10/8, make-up Sun 9/28 and Sat 10/11.
    pytest.param("2025-09-15", 20, "2025-10-17",
                 # 9/16-9/19(1-4), 9/22-9/26(5-9), 9/27 Sat skip, 9/28 Sun make-up(10), 9/29(11) 9/30(12),
                 # skip 10/1-10/8 国庆+中秋, 10/9(13) 10/10(14), 10/11 Sat make-up(15), 10/13-10/17(16-20)
                 id="known-check-twenty-working-days-after-15-september-2025"),
    pytest.param("2025-09-30", 1, "2025-10-09",
                 # skip 10/1-10/8 (eight days), 10/9 Thu(1)
                 id="national-day-2025-eight-days-are-skipped"),
    pytest.param("2025-09-26", 1, "2025-09-28",
                 # 9/27 Sat skip, 9/28 Sun make-up(1)
                 id="national-day-2025-make-up-sunday-is-a-working-day"),
    pytest.param("2025-10-10", 1, "2025-10-11",
                 # 10/11 Sat make-up(1)
                 id="national-day-2025-make-up-saturday-is-a-working-day"),
    # National Day 2026: off Thu 10/1 .. Wed 10/7, make-up Sun 9/20 and Sat 10/10;
    # 中秋 2026: off Fri 9/25 .. Sun 9/27 (no make-up of its own).
    pytest.param("2026-09-15", 20, "2026-10-19",
                 # 9/16-9/18(1-3), 9/19 Sat skip, 9/20 Sun make-up(4), 9/21-9/24(5-8), skip 9/25-9/27 中秋,
                 # 9/28-9/30(9-11), skip 10/1-10/7 国庆, 10/8(12) 10/9(13), 10/10 Sat make-up(14),
                 # 10/12-10/16(15-19), 10/19 Mon(20)
                 id="twenty-working-days-across-mid-autumn-and-national-day-2026"),
    pytest.param("2026-09-24", 1, "2026-09-28",
                 # skip 9/25 Fri 中秋 and 9/26-9/27, 9/28 Mon(1)
                 id="mid-autumn-2026-friday-is-skipped"),
    pytest.param("2026-09-30", 3, "2026-10-10",
                 # skip 10/1-10/7, 10/8 Thu(1), 10/9 Fri(2), 10/10 Sat make-up(3)
                 id="national-day-2026-make-up-saturday-can-be-the-due-date"),
    # Labour Day 2025: off Thu 5/1 .. Mon 5/5, make-up Sun 4/27 only.
    pytest.param("2025-04-25", 3, "2025-04-29",
                 # 4/26 Sat skip, 4/27 Sun make-up(1), 4/28(2), 4/29(3)
                 id="labour-day-2025-make-up-sunday-counts"),
    pytest.param("2025-04-30", 1, "2025-05-06",
                 # skip 5/1-5/5 劳动节, 5/6 Tue(1)
                 id="labour-day-2025-five-days-are-skipped"),
    pytest.param("2025-04-21", 20, "2025-05-21",
                 # 4/22-4/25(1-4), 4/26 Sat skip, 4/27 Sun(5), 4/28-4/30(6-8), skip 5/1-5/5, 5/6-5/9(9-12),
                 # 5/10-5/11 weekend (no make-up in 2025), 5/12-5/16(13-17), 5/19-5/21(18-20)
                 id="twenty-working-days-across-labour-day-2025"),
    # New Year 2026: off Thu 1/1 .. Sat 1/3, make-up Sun 1/4.
    pytest.param("2025-12-31", 1, "2026-01-04",
                 # skip 1/1-1/3 元旦, 1/4 Sun make-up(1)
                 id="new-year-2026-make-up-sunday-is-the-first-working-day-of-the-year"),
    pytest.param("2025-12-30", 3, "2026-01-05",
                 # 12/31 Wed(1), skip 1/1-1/3, 1/4 Sun(2), 1/5 Mon(3)
                 id="new-year-2026-is-skipped-across-the-year-boundary"),
    # Starts on a weekend, on a holiday and on a make-up day: the start day is never counted.
    pytest.param("2025-03-08", 1, "2025-03-10",
                 # Sat start; 3/9 Sun skip, 3/10 Mon(1)
                 id="start-on-an-ordinary-saturday"),
    pytest.param("2025-10-04", 1, "2025-10-09",
                 # Sat start inside National Day; skip 10/5-10/8, 10/9 Thu(1)
                 id="start-on-a-national-day-holiday"),
    pytest.param("2026-02-17", 5, "2026-02-28",
                 # Tue start inside 春节; skip 2/18-2/23, 2/24(1) 2/25(2) 2/26(3) 2/27(4), 2/28 Sat make-up(5)
                 id="start-on-a-spring-festival-holiday"),
    pytest.param("2025-09-28", 1, "2025-09-29",
                 # Sun make-up start is itself not counted; 9/29 Mon(1)
                 id="start-on-a-make-up-sunday-is-not-counted"),
]


@pytest.mark.parametrize("start, n, expected", GOLDEN)
def test_the_nth_working_day_after_the_start_is_the_hand_counted_date(calendar, start, n, expected):
    assert calendar.add_working_days(D(start), n) == D(expected)


@pytest.mark.parametrize("start, n, expected", GOLDEN)
def test_there_are_exactly_n_working_days_between_the_start_and_the_hand_counted_date(calendar, start, n,
                                                                                       expected):
    assert calendar.working_days_between(D(start), D(expected)) == n
    assert calendar.is_workday(D(expected))


def test_zero_working_days_after_a_day_is_that_day(calendar):
    assert calendar.add_working_days(D("2025-10-04"), 0) == D("2025-10-04")


# -- working_days_between counts the half-open interval (a, b] ---------------------------------------

@pytest.mark.parametrize("after, until, expected", [
    pytest.param("2025-09-15", "2025-10-17", 20, id="the-known-twenty-day-period"),
    pytest.param("2025-09-30", "2025-10-08", 0,
                 # 10/1-10/8 all National Day
                 id="a-span-of-holidays-only-has-no-working-days"),
    pytest.param("2025-09-30", "2025-10-09", 1, id="the-end-day-is-included"),
    pytest.param("2025-09-29", "2025-09-30", 1,
                 # 9/29 Mon excluded (start), 9/30 Tue included
                 id="the-start-day-is-excluded"),
    pytest.param("2025-09-29", "2025-09-29", 0, id="an-empty-interval-has-none"),
    pytest.param("2025-10-17", "2025-09-15", 0, id="a-reversed-interval-has-none"),
    pytest.param("2026-02-13", "2026-02-14", 1, id="a-make-up-saturday-at-the-end-is-counted"),
    pytest.param("2026-02-14", "2026-02-24", 1,
                 # 2/14 make-up Sat excluded as start, skip 2/15-2/23, 2/24(1)
                 id="a-make-up-saturday-at-the-start-is-not-counted"),
    pytest.param("2024-12-31", "2025-12-31", 248,
                 # 261 Mon-Fri (2025 starts Wed, 52 weeks + 1 day) - 18 weekday holidays
                 # (1/1; 1/28-31, 2/3-4; 4/4; 5/1-2, 5/5; 6/2; 10/1-3, 10/6-8) + 5 make-up days
                 # (1/26, 2/8, 4/27, 9/28, 10/11) = 248
                 id="the-year-2025-has-248-working-days"),
    pytest.param("2025-12-31", "2026-12-31", 248,
                 # 261 Mon-Fri (2026 starts Thu) - 19 weekday holidays (1/1-2; 2/16-20, 2/23; 4/6;
                 # 5/1, 5/4-5; 6/19; 9/25; 10/1-2, 10/5-7) + 6 make-up days
                 # (1/4, 2/14, 2/28, 5/9, 9/20, 10/10) = 248
                 id="the-year-2026-has-248-working-days"),
])
def test_working_days_between_counts_the_days_after_the_first_up_to_and_including_the_second(
        calendar, after, until, expected):
    assert calendar.working_days_between(D(after), D(until)) == expected


# -- what the calendar says of a single day -----------------------------------------------------------

@pytest.mark.parametrize("date, is_workday, provisional, label", [
    pytest.param("2025-09-29", True, False, "工作日", id="an-ordinary-monday-is-a-working-day"),
    pytest.param("2025-09-27", False, False, "周末", id="an-ordinary-saturday-is-a-weekend"),
    pytest.param("2025-10-01", False, False, "国庆节", id="national-day-is-named"),
    pytest.param("2025-10-06", False, False, "中秋节", id="mid-autumn-inside-the-2025-national-day-break"),
    pytest.param("2026-09-25", False, False, "中秋节", id="mid-autumn-2026"),
    pytest.param("2026-02-15", False, False, "春节", id="spring-festival-on-a-sunday-is-named-not-weekend"),
    pytest.param("2025-09-28", True, False, "调休上班日（国庆节）", id="make-up-sunday-is-labelled-tiaoxiu"),
    pytest.param("2026-01-04", True, False, "调休上班日（元旦）", id="new-year-2026-make-up-sunday"),
    pytest.param("2025-04-27", True, False, "调休上班日（劳动节）", id="labour-day-2025-make-up-sunday"),
    pytest.param("2027-01-01", False, True, "元旦", id="new-year-2027-is-a-provisional-holiday"),
    pytest.param("2027-01-04", True, True, "工作日", id="a-2027-monday-is-a-provisional-working-day"),
    pytest.param("2027-01-02", False, True, "周末", id="a-2027-saturday-is-a-provisional-weekend"),
    pytest.param("2027-02-08", True, True, "工作日",
                 # Spring Festival 2027 (lunar new year 2/6) is unknown until the notice is published
                 id="lunar-holidays-are-unknown-in-a-provisional-year"),
    pytest.param("2027-05-01", False, True, "周末", id="a-fixed-holiday-on-a-saturday-stays-a-weekend"),
    pytest.param("2028-05-02", False, True, "劳动节", id="labour-day-second-day-tuesday-2028"),
    pytest.param("2028-10-03", False, True, "国庆节", id="national-day-third-day-tuesday-2028"),
    pytest.param("2028-10-04", True, True, "工作日", id="the-fourth-of-october-is-not-fixed"),
    pytest.param("2003-01-01", False, True, "元旦", id="a-year-before-the-package-data-is-provisional"),
])
def test_a_day_reports_whether_it_is_worked_whether_it_is_provisional_and_why(
        calendar, date, is_workday, provisional, label):
    day = calendar.day(D(date))
    assert (day.date, day.is_workday, day.provisional, day.label) == (D(date), is_workday, provisional, label)
    assert calendar.is_workday(D(date)) is is_workday


# -- years without data -----------------------------------------------------------------------------

@pytest.mark.parametrize("year, provisional, source", [
    (2004, False, SOURCE_PACKAGE),
    (2025, False, SOURCE_PACKAGE),
    (2026, False, SOURCE_PACKAGE),
    (2027, True, SOURCE_PROVISIONAL),
    (2003, True, SOURCE_PROVISIONAL),
    (2100, True, SOURCE_PROVISIONAL),
])
def test_only_years_the_package_covers_are_official(calendar, year, provisional, source):
    assert calendar.is_provisional(year) is provisional
    assert calendar.source(year) == source


@pytest.mark.parametrize("after, until, expected", [
    pytest.param("2026-12-31", "2027-12-31", 259,
                 # 2027 starts Fri: 52 weeks + 1 day = 261 Mon-Fri; fixed dates on weekdays: 1/1 Fri, 10/1 Fri
                 # (5/1-2 and 10/2-3 fall on weekends) -> 261 - 2 = 259
                 id="the-year-2027-has-259-provisional-working-days"),
    pytest.param("2027-12-31", "2028-12-31", 256,
                 # 2028 (leap) starts Sat: 52 weeks + Sat, Sun = 260 Mon-Fri; fixed dates on weekdays:
                 # 5/1 Mon, 5/2 Tue, 10/2 Mon, 10/3 Tue (1/1 Sat and 10/1 Sun) -> 260 - 4 = 256
                 id="the-year-2028-has-256-provisional-working-days"),
    pytest.param("2099-12-31", "2100-01-08", 5,
                 # 2100-01-01 Fri 元旦, 1/4-1/8 Mon-Fri(5); far-future years never raise
                 id="a-far-future-year-is-counted-without-raising"),
])
def test_a_year_without_data_counts_monday_to_friday_minus_the_fixed_dates(calendar, after, until, expected):
    assert calendar.working_days_between(D(after), D(until)) == expected


@pytest.mark.parametrize("start, n, expected", [
    pytest.param("2026-12-10", 20, "2027-01-08",
                 # 12/11 Fri(1), 12/14-12/18(2-6), 12/21-12/25(7-11), 12/28-12/31(12-15),
                 # skip 1/1 Fri 元旦 (provisional) and 1/2-1/3, 1/4-1/8(16-20)
                 id="twenty-working-days-from-10-december-2026-into-2027"),
    pytest.param("2028-09-29", 1, "2028-10-04",
                 # 9/30 Sat, 10/1 Sun, skip 10/2 Mon and 10/3 Tue 国庆 (fixed), 10/4 Wed(1)
                 id="national-day-2028-fixed-dates-are-skipped"),
    pytest.param("2028-04-28", 1, "2028-05-03",
                 # 4/29-4/30 weekend, skip 5/1 Mon and 5/2 Tue 劳动节 (fixed), 5/3 Wed(1)
                 id="labour-day-2028-fixed-dates-are-skipped"),
])
def test_working_days_are_added_provisionally_across_a_year_without_data(calendar, start, n, expected):
    assert calendar.add_working_days(D(start), n) == D(expected)


def test_provisional_years_lists_every_year_without_data_in_a_span(calendar):
    assert calendar.provisional_years(D("2025-06-01"), D("2026-12-31")) == []
    assert calendar.provisional_years(D("2026-12-01"), D("2028-01-05")) == [2027, 2028]


# -- loaded years -----------------------------------------------------------------------------------

def hypothetical_2027() -> YearData:
    """An invented 2027 arrangement (the real one is not yet published): 元旦 Fri 1/1 .. Sun 1/3 and
    Mon 1/4 off, make-up Sat 1/9."""
    holidays = {D("2027-01-01"): "元旦", D("2027-01-02"): "元旦", D("2027-01-03"): "元旦",
                D("2027-01-04"): "元旦"}
    return YearData(2027, holidays=holidays, workdays={D("2027-01-09"): "元旦"})


def test_a_loaded_year_is_official_and_overrides_the_provisional_rule():
    calendar = WorkCalendar([hypothetical_2027()])
    assert calendar.is_provisional(2027) is False
    assert calendar.source(2027) == SOURCE_LOADED
    assert calendar.day(D("2027-01-04")).label == "元旦"
    assert calendar.day(D("2027-01-04")).is_workday is False
    assert calendar.day(D("2027-01-04")).provisional is False
    saturday = calendar.day(D("2027-01-09"))
    assert saturday.is_workday is True and "调休" in saturday.label and saturday.provisional is False


@pytest.mark.parametrize("start, n, expected", [
    pytest.param("2026-12-10", 20, "2027-01-09",
                 # 12/11(1), 12/14-12/18(2-6), 12/21-12/25(7-11), 12/28-12/31(12-15),
                 # skip 1/1-1/4 (loaded 元旦), 1/5-1/8(16-19), 1/9 Sat loaded make-up(20)
                 id="twenty-working-days-into-the-loaded-2027"),
    pytest.param("2027-01-08", 1, "2027-01-09",
                 # 1/9 Sat loaded make-up(1)
                 id="a-loaded-make-up-saturday-is-a-working-day"),
])
def test_working_days_follow_a_loaded_year(start, n, expected):
    calendar = WorkCalendar([hypothetical_2027()])
    assert calendar.add_working_days(D(start), n) == D(expected)


def test_a_loaded_year_replaces_the_whole_provisional_rule_for_that_year():
    # The loaded 2027 lists no October holidays, so 1 October 2027 (a Friday) is an ordinary working day.
    calendar = WorkCalendar([hypothetical_2027()])
    assert calendar.day(D("2027-10-01")).is_workday is True
    assert calendar.day(D("2027-10-01")).label == "工作日"


def test_a_loaded_year_overrides_the_package_data_for_a_year_the_package_has():
    # A correction of 2025: suppose National Day had been 1-7 Oct with 8 Oct a working day.
    corrected = YearData(2025, holidays={D(f"2025-10-0{d}"): "国庆节" for d in range(1, 8)},
                         workdays={D("2025-09-28"): "国庆节", D("2025-10-11"): "国庆节"})
    calendar = WorkCalendar([corrected])
    assert calendar.source(2025) == SOURCE_LOADED
    assert calendar.is_workday(D("2025-10-08")) is True
    # 9/30 -> skip 10/1-10/7, 10/8 Wed(1) under the corrected data (10/9 under the package's)
    assert calendar.add_working_days(D("2025-09-30"), 1) == D("2025-10-08")
    # Only 2025 is affected: 2026 still comes from the package, and a calendar without loaded years
    # still sees the package's 2025.
    assert calendar.source(2026) == SOURCE_PACKAGE
    assert WorkCalendar().add_working_days(D("2025-09-30"), 1) == D("2025-10-09")


@pytest.mark.parametrize("kwargs, message", [
    pytest.param({"holidays": {D("2026-12-31"): "x"}}, "2026-12-31", id="a-holiday-outside-the-year"),
    pytest.param({"workdays": {D("2028-01-01"): "x"}}, "2028-01-01", id="a-workday-outside-the-year"),
    pytest.param({"holidays": {D("2027-02-07"): "春节"}, "workdays": {D("2027-02-07"): "春节"}}, "both",
                 id="a-date-both-holiday-and-workday"),
])
def test_year_data_rejects_inconsistent_dates(kwargs, message):
    with pytest.raises(ValueError, match=message):
        YearData(2027, **kwargs)


# -- parse_year_file ------------------------------------------------------------------------------

DOCUMENTED_EXAMPLE = """\
year: 2027
holiday 2027-01-01 元旦
holiday 2027-02-05..2027-02-13 春节
workday 2027-02-14 春节
"""


def test_the_documented_example_parses_into_a_loaded_year():
    data = parse_year_file(DOCUMENTED_EXAMPLE)
    assert data.year == 2027
    assert data.source == SOURCE_LOADED
    # 2/5 .. 2/13 inclusive is nine days
    expected_holidays = {D("2027-01-01"): "元旦", **{D(f"2027-02-{d:02d}"): "春节" for d in range(5, 14)}}
    assert dict(data.holidays) == expected_holidays
    assert dict(data.workdays) == {D("2027-02-14"): "春节"}


def test_comments_blank_lines_and_spacing_are_ignored_and_names_may_contain_spaces():
    data = parse_year_file(
        "# 2027 arrangement, loaded by the administrator\n"
        "\n"
        "YEAR: 2027   # upper case key\n"
        "   holiday   2027-10-01..2027-10-07   国庆 中秋   # trailing comment\n"
        "workday 2027-09-26\n"
        "holiday 2027-01-01\n"
    )
    assert data.year == 2027
    assert data.holidays[D("2027-10-01")] == "国庆 中秋"
    assert len([d for d in data.holidays if d.month == 10]) == 7
    assert data.workdays == {D("2027-09-26"): "调休"}  # default name for a make-up day
    assert data.holidays[D("2027-01-01")] == "节假日"  # default name for a holiday


def test_a_parsed_file_drives_the_calendar():
    calendar = WorkCalendar([parse_year_file(DOCUMENTED_EXAMPLE)])
    # 2/4 Thu -> skip 2/5-2/13 春节 (file), 2/14 Sun make-up(1)
    assert calendar.add_working_days(D("2027-02-04"), 1) == D("2027-02-14")
    assert calendar.day(D("2027-02-14")).label == "调休上班日（春节）"


@pytest.mark.parametrize("text, message", [
    pytest.param("year: 2027\n# ok\nholiday\n", "line 3", id="a-kind-without-a-date"),
    pytest.param("year: 2027\nvacation 2027-01-01 元旦\n", "line 2", id="an-unknown-kind"),
    pytest.param("year: 2027\n\n\nholiday 2027-13-01 x\n", "line 4", id="an-impossible-date"),
    pytest.param("year: 2027\nholiday 2027-02-10..2027-02-05 春节\n", "line 2", id="a-range-that-ends-before-it-starts"),
    pytest.param("year: 2027\nholiday 2027-02-10..tomorrow 春节\n", "line 2", id="a-range-with-a-bad-end"),
    pytest.param("year: twenty\n", "line 1", id="a-year-that-is-not-a-number"),
    pytest.param("# header\nyear: 2027\nholiday 2027-01-01 元旦\nworkday 01/09/2027\n", "line 4",
                 id="a-date-not-in-iso-format"),
])
def test_a_bad_line_is_rejected_with_its_line_number(text, message):
    with pytest.raises(ValueError, match=message):
        parse_year_file(text)


@pytest.mark.parametrize("text, message", [
    pytest.param("year: 2027\nholiday 2026-12-31 元旦\n", "2026-12-31", id="a-date-outside-the-year"),
    pytest.param("year: 2027\nholiday 2027-12-30..2028-01-02 元旦\n", "2028-01-01",
                 id="a-range-running-into-the-next-year"),
    pytest.param("year: 2027\nholiday 2027-02-05..2027-02-13 春节\nworkday 2027-02-13 春节\n", "both",
                 id="a-date-both-holiday-and-workday"),
    pytest.param("holiday 2027-01-01 元旦\n", "year", id="a-missing-year-line"),
    pytest.param("", "year", id="an-empty-file"),
    pytest.param("year: 1800\n", "out of range", id="an-implausible-year"),
])
def test_an_inconsistent_file_is_rejected(text, message):
    with pytest.raises(ValueError, match=message):
        parse_year_file(text)
