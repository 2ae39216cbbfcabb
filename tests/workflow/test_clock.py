"""Statutory clocks (workflow/clock.py) against hand counts.

Dates are counted by hand from the official arrangements (law.md §7.1) and a printed month calendar;
the comment next to each case is that count ("9/16(1)" = 16 September is working day 1). Reference
periods used repeatedly:

- 2025-09-15 + 20 WD = 2025-10-17: 9/16-9/19(1-4), 9/22-9/26(5-9), 9/28 Sun make-up(10), 9/29(11),
  9/30(12), skip 10/1-10/8 国庆+中秋, 10/9(13), 10/10(14), 10/11 Sat make-up(15), 10/13-10/17(16-20).
"""
from __future__ import annotations

import datetime as dt
import json

import pytest

from workflow.calendar import WorkCalendar, YearData
from workflow.clock import HOURS, WORKING_DAYS, Clock, is_late, last_instant_in_time

D = dt.date.fromisoformat
CST = dt.timezone(dt.timedelta(hours=8))


def _value(value):
    if isinstance(value, str) and len(value) == 10:
        return D(value)
    if isinstance(value, str):
        return dt.datetime.fromisoformat(value)
    return value


def clock_with(*ops, kind: str = WORKING_DAYS) -> Clock:
    """A clock built from ("op", arg, ..., {keyword: value}) tuples; ISO strings become dates/datetimes."""
    clock = Clock("reply", kind, "答复期限")
    for name, *args in ops:
        kwargs = args.pop() if args and isinstance(args[-1], dict) else {}
        getattr(clock, name)(*[_value(a) for a in args], **kwargs)
    return clock


@pytest.fixture
def calendar() -> WorkCalendar:
    return WorkCalendar()


# -- plain start -------------------------------------------------------------------------------------

@pytest.mark.parametrize("start, limit, due", [
    pytest.param("2025-09-15", 20, "2025-10-17", id="the-known-check-across-national-day-2025"),
    pytest.param("2026-09-15", 20, "2026-10-19",
                 # 9/16-9/18(1-3), 9/20 Sun make-up(4), 9/21-9/24(5-8), skip 9/25-9/27 中秋,
                 # 9/28-9/30(9-11), skip 10/1-10/7, 10/8(12) 10/9(13), 10/10 Sat(14), 10/12-10/16(15-19), 10/19(20)
                 id="across-mid-autumn-and-national-day-2026"),
    pytest.param("2026-02-09", 20, "2026-03-13",
                 # 2/10-2/13(1-4), 2/14 Sat make-up(5), skip 2/15-2/23 春节, 2/24-2/27(6-9), 2/28 Sat(10),
                 # 3/2-3/6(11-15), 3/9-3/13(16-20)
                 id="across-spring-festival-2026"),
    pytest.param("2025-04-21", 20, "2025-05-21",
                 # 4/22-4/25(1-4), 4/27 Sun make-up(5), 4/28-4/30(6-8), skip 5/1-5/5, 5/6-5/9(9-12),
                 # 5/12-5/16(13-17), 5/19-5/21(18-20)
                 id="across-labour-day-2025"),
    pytest.param("2025-12-30", 7, "2026-01-09",
                 # 12/31(1), skip 1/1-1/3 元旦, 1/4 Sun make-up(2), 1/5-1/9(3-7)
                 id="a-seven-day-correction-window-across-new-year-2026"),
    pytest.param("2025-10-04", 3, "2025-10-11",
                 # started on a holiday (Sat in National Day): skip 10/5-10/8, 10/9(1), 10/10(2), 10/11 Sat(3)
                 id="started-on-a-holiday"),
])
def test_a_started_clock_is_due_on_the_nth_working_day_after_the_start(calendar, start, limit, due):
    reading = clock_with(("start", start, limit)).evaluate(calendar)
    assert reading.status == "running"
    assert reading.due_on == D(due)
    assert reading.limit == limit and reading.extension == 0 and reading.started_on == start
    assert reading.provisional is False and reading.provisional_years == []
    assert reading.met() is None


def test_a_clock_without_operations_has_not_started(calendar):
    reading = Clock("reply", WORKING_DAYS, "答复期限").evaluate(calendar)
    assert reading.status == "not_started"
    assert reading.due_on is None and reading.met() is None


# -- pause and resume ----------------------------------------------------------------------------------

def test_a_paused_clock_has_used_the_days_up_to_the_pause_and_no_due_date(calendar):
    # used: (9/15, 9/19] = 9/16 9/17 9/18 9/19 = 4
    reading = clock_with(("start", "2025-09-15", 20), ("pause", "2025-09-19")).evaluate(calendar)
    assert reading.status == "paused"
    assert reading.used == 4 and reading.remaining == 16
    assert reading.due_on is None
    assert [c["date"] for c in reading.counted] == ["2025-09-16", "2025-09-17", "2025-09-18", "2025-09-19"]


@pytest.mark.parametrize("ops, used, due", [
    pytest.param([("start", "2025-09-15", 20), ("pause", "2025-09-19"), ("resume", "2025-09-26")], 4, "2025-10-24",
                 # used 9/16-9/19(1-4); paused 9/20-9/26; from 9/27: 9/28 Sun(5), 9/29(6), 9/30(7),
                 # skip 10/1-10/8, 10/9(8), 10/10(9), 10/11 Sat(10), 10/13-10/17(11-15), 10/20-10/24(16-20)
                 id="one-pause-of-a-week-before-national-day-2025"),
    pytest.param([("start", "2026-03-02", 20), ("pause", "2026-03-06"), ("resume", "2026-03-13"),
                  ("pause", "2026-03-20"), ("resume", "2026-03-27")], 9, "2026-04-14",
                 # used 3/3-3/6(1-4); paused 3/7-3/13; 3/16-3/20(5-9); paused 3/21-3/27;
                 # 3/30(10), 3/31(11), 4/1-4/3(12-14), skip 4/4-4/6 清明, 4/7-4/10(15-18), 4/13(19), 4/14(20)
                 id="two-pauses-then-qingming-2026"),
    pytest.param([("start", "2026-09-15", 20), ("pause", "2026-09-18"), ("resume", "2026-10-09")], 3, "2026-11-02",
                 # used 9/16-9/18(1-3); paused 9/19-10/9 (make-up 9/20 and 10/8-10/9 do not count);
                 # 17 remain from 10/10: 10/10 Sat make-up(4), 10/12-10/16(5-9), 10/19-10/23(10-14),
                 # 10/26-10/30(15-19), 11/2 Mon(20)
                 id="a-pause-spanning-national-day-2026"),
])
def test_a_resumed_clock_counts_the_rest_of_the_limit_from_the_day_after_the_resume(calendar, ops, used, due):
    reading = clock_with(*ops).evaluate(calendar)
    assert reading.status == "running"
    assert reading.used == used
    assert reading.due_on == D(due)


def test_paused_days_are_listed_as_skipped_with_a_pause_reason(calendar):
    reading = clock_with(("start", "2025-09-15", 20), ("pause", "2025-09-19", {"note": "征求第三方意见"}),
                         ("resume", "2025-09-26", {"note": "第三方答复"})).evaluate(calendar)
    skipped = {s["date"]: s["reason"] for s in reading.skipped}
    paused = [f"2025-09-{d}" for d in range(20, 27)]  # (P, R] = 9/20 .. 9/26
    for day in paused:
        assert "暂停" in skipped[day], day
    assert not any(c["date"] in paused for c in reading.counted)
    # the pause and resume appear in the summary
    assert any("暂停" in line for line in reading.summary)
    assert any("恢复" in line for line in reading.summary)


def test_paused_days_are_explained_by_the_note_given_when_pausing(calendar):
    reading = clock_with(("start", "2025-09-15", 20), ("pause", "2025-09-19", {"note": "征求第三方意见"}),
                         ("resume", "2025-09-26", {"note": "第三方答复"})).evaluate(calendar)
    reasons = {s["date"]: s["reason"] for s in reading.skipped}
    assert "征求第三方意见" in reasons["2025-09-22"]


def test_a_pause_after_the_limit_ran_out_keeps_the_original_due_date_once_resumed(calendar):
    # due 10/17 (reference period); paused 10/22 after the limit ran out, resumed 10/29
    reading = clock_with(("start", "2025-09-15", 20), ("pause", "2025-10-22"),
                         ("resume", "2025-10-29")).evaluate(calendar)
    assert reading.due_on == D("2025-10-17")
    assert reading.used == 20 and reading.remaining == 0
    assert len(reading.counted) == 20 and reading.counted[-1]["date"] == "2025-10-17"


def test_a_pause_after_the_limit_ran_out_then_a_stop_is_not_met(calendar):
    reading = clock_with(("start", "2025-09-15", 20), ("pause", "2025-10-22"),
                         ("stop", "2025-10-30")).evaluate(calendar)
    assert reading.status == "stopped"
    assert reading.due_on == D("2025-10-17")
    assert reading.met() is False


def test_a_clock_still_paused_after_its_limit_ran_out_reports_the_original_due_date(calendar):
    reading = clock_with(("start", "2025-09-15", 20), ("pause", "2025-10-22")).evaluate(calendar)
    assert reading.status == "paused"
    assert reading.due_on == D("2025-10-17")


# -- restart ---------------------------------------------------------------------------------------------

def test_a_restart_gives_the_full_limit_again_from_the_restart_day_and_discards_used_days(calendar):
    reading = clock_with(("start", "2025-09-15", 20), ("pause", "2025-09-17"),
                         ("restart", "2025-09-24", 20)).evaluate(calendar)
    # 9/25(1), 9/26(2), 9/28 Sun make-up(3), 9/29(4), 9/30(5), skip 10/1-10/8, 10/9(6), 10/10(7),
    # 10/11 Sat(8), 10/13-10/17(9-13), 10/20-10/24(14-18), 10/27(19), 10/28(20)
    assert reading.status == "running"
    assert reading.due_on == D("2025-10-28")
    assert reading.started_on == "2025-09-24"
    assert reading.used == 0
    assert [c["n"] for c in reading.counted] == list(range(1, 21))
    assert reading.counted[0]["date"] == "2025-09-25"
    assert not any(c["date"] < "2025-09-25" for c in reading.counted + reading.skipped)


def test_a_restart_with_a_different_limit_uses_the_new_limit_and_drops_extensions(calendar):
    reading = clock_with(("start", "2026-02-02", 20), ("extend", "2026-02-05", 10),
                         ("restart", "2026-02-12", 10)).evaluate(calendar)
    # 2/13 Fri(1), 2/14 Sat make-up(2), skip 2/15-2/23 春节, 2/24-2/27(3-6), 2/28 Sat make-up(7), 3/2-3/4(8-10)
    assert reading.due_on == D("2026-03-04")
    assert reading.limit == 10 and reading.extension == 0


# -- extension ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("ops, due", [
    pytest.param([("start", "2025-09-15", 20), ("extend", "2025-10-10", 20)], "2025-11-14",
                 # 10/17 + 20 WD: 10/20-10/24(1-5), 10/27-10/31(6-10), 11/3-11/7(11-15), 11/10-11/14(16-20)
                 id="twenty-days-after-the-2025-reply-date"),
    pytest.param([("start", "2026-09-01", 20), ("extend", "2026-09-20", 5)], "2026-10-12",
                 # base: 9/2-9/4(1-3), 9/7-9/11(4-8), 9/14-9/18(9-13), 9/20 Sun(14), 9/21-9/24(15-18),
                 # skip 9/25-9/27 中秋, 9/28(19), 9/29(20) = 9/29; +5: 9/30(1), skip 10/1-10/7, 10/8(2),
                 # 10/9(3), 10/10 Sat make-up(4), 10/12(5)
                 id="five-days-across-national-day-2026"),
    pytest.param([("start", "2025-09-15", 20), ("extend", "2025-09-20", 3), ("extend", "2025-10-09", 2)],
                 "2025-10-24",
                 # two extensions add up: 10/17 + 5 WD = 10/20-10/24
                 id="two-extensions-add-up"),
])
def test_an_extension_moves_the_due_date_that_many_working_days_later(calendar, ops, due):
    reading = clock_with(*ops).evaluate(calendar)
    assert reading.due_on == D(due)
    assert reading.extension == sum(op[2] for op in ops if op[0] == "extend")


def test_an_extension_during_a_pause_is_added_to_what_remains_at_resume(calendar):
    ops = [("start", "2025-09-15", 20), ("pause", "2025-09-19"), ("extend", "2025-09-22", 10)]
    paused = clock_with(*ops).evaluate(calendar)
    assert paused.status == "paused" and paused.due_on is None
    assert paused.used == 4 and paused.remaining == 26
    resumed = clock_with(*ops, ("resume", "2025-09-26")).evaluate(calendar)
    # as the one-pause case up to 10/24(20), then 10/27-10/31(21-25), 11/3-11/7(26-30)
    assert resumed.due_on == D("2025-11-07")
    assert len(resumed.counted) == 30


# -- set_due ---------------------------------------------------------------------------------------------

def test_set_due_fixes_the_reply_date(calendar):
    reading = clock_with(("start", "2025-09-15", 20), ("set_due", "2025-09-20", "2025-11-28")).evaluate(calendar)
    assert reading.due_on == D("2025-11-28")
    assert any("2025-11-28" in line for line in reading.summary)


@pytest.mark.parametrize("stop, met", [("2025-11-28", True), ("2025-12-01", False)])
def test_a_clock_with_a_fixed_reply_date_is_met_by_that_date(calendar, stop, met):
    reading = clock_with(("start", "2025-09-15", 20), ("set_due", "2025-09-20", "2025-11-28"),
                         ("stop", stop)).evaluate(calendar)
    assert reading.met() is met


def test_an_extension_after_a_fixed_reply_date_moves_that_date(calendar):
    reading = clock_with(("start", "2025-09-15", 20), ("set_due", "2025-09-20", "2025-10-31"),
                         ("extend", "2025-10-20", 5)).evaluate(calendar)
    # 10/31 Fri + 5 WD: 11/3-11/7(1-5)
    assert reading.due_on == D("2025-11-07")


# -- stop -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("stop, met", [
    pytest.param("2025-09-30", True, id="stopped-well-before-the-due-date"),
    pytest.param("2025-10-17", True, id="stopped-on-the-due-date"),
    pytest.param("2025-10-18", False, id="stopped-the-day-after-the-due-date-a-saturday"),
    pytest.param("2025-10-20", False, id="stopped-on-the-next-working-day-after-the-due-date"),
])
def test_a_stopped_clock_is_met_only_if_stopped_by_the_due_date(calendar, stop, met):
    reading = clock_with(("start", "2025-09-15", 20), ("stop", stop)).evaluate(calendar)
    assert reading.status == "stopped"
    assert reading.stopped_on == stop
    assert reading.due_on == D("2025-10-17")
    assert reading.met() is met


def test_operations_after_a_stop_are_ignored(calendar):
    reading = clock_with(("start", "2025-09-15", 20), ("stop", "2025-09-30"), ("pause", "2025-10-09"),
                         ("resume", "2025-10-20"), ("stop", "2025-12-01")).evaluate(calendar)
    assert reading.status == "stopped" and reading.stopped_on == "2025-09-30"
    assert reading.due_on == D("2025-10-17") and reading.met() is True


def test_a_clock_stopped_while_paused_has_met_its_limit(calendar):
    # used 9/16-9/19 (4 of 20); paused 9/19 (e.g. third-party consultation), withdrawn 11/30 while paused
    reading = clock_with(("start", "2025-09-15", 20), ("pause", "2025-09-19"),
                         ("stop", "2025-11-30")).evaluate(calendar)
    assert reading.status == "stopped"
    assert reading.met() is True


@pytest.mark.parametrize("today, overdue", [("2025-10-17", False), ("2025-10-18", True)])
def test_a_running_clock_is_late_only_after_its_due_date(calendar, today, overdue):
    reading = clock_with(("start", "2025-09-15", 20)).evaluate(calendar)
    now = dt.datetime.combine(D(today), dt.time(23, 59), dt.UTC)
    assert is_late(reading.due_on, reading.due_at, today=D(today), now=now) is overdue


@pytest.mark.parametrize("now, late", [("2026-11-27T15:00:00+08:00", False), ("2026-11-27T15:00:01+08:00", True)])
def test_an_hour_limit_is_late_once_its_instant_has_passed(now, late):
    due_at = dt.datetime.fromisoformat("2026-11-27T15:00:00+08:00")
    now = dt.datetime.fromisoformat(now)
    assert is_late(None, due_at, today=now.date(), now=now) is late


SHANGHAI = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")


@pytest.mark.parametrize("due_on, due_at, expected", [
    ("2026-11-30", None, "2026-11-30T23:59:59.999999+08:00"),
    (None, "2026-11-30T15:00:00+08:00", "2026-11-30T15:00:00+08:00"),
    ("2026-11-30", "2026-12-01T09:00:00+08:00", "2026-11-30T23:59:59.999999+08:00"),
    ("2026-12-01", "2026-11-30T22:00:00+08:00", "2026-11-30T22:00:00+08:00"),
    (None, None, None),
])
def test_the_last_instant_in_time_is_the_earlier_of_the_due_instant_and_the_end_of_the_due_day(due_on, due_at,
                                                                                               expected):
    due_on = D(due_on) if due_on else None
    due_at = dt.datetime.fromisoformat(due_at) if due_at else None
    last = last_instant_in_time(due_on, due_at, SHANGHAI)
    assert last == (dt.datetime.fromisoformat(expected) if expected else None)
    assert last is None or last.tzinfo == dt.UTC


@pytest.mark.parametrize("due_on, due_at", [("2026-11-30", None), (None, "2026-11-30T15:00:00+08:00"),
                                            ("2026-11-30", "2026-12-01T09:00:00+08:00"),
                                            ("2026-12-01", "2026-11-30T22:00:00+08:00")])
def test_late_is_now_after_the_last_instant_in_time_at_every_instant_around_the_limits(due_on, due_at):
    """The lists ask "due_by < now" of one column; the case page asks is_late: they must never disagree, at
    midnight, at the due instant and a microsecond either side of each."""
    due_on = D(due_on) if due_on else None
    due_at = dt.datetime.fromisoformat(due_at) if due_at else None
    last = last_instant_in_time(due_on, due_at, SHANGHAI)
    edges = [dt.datetime(2026, 12, day, tzinfo=SHANGHAI) for day in (1, 2)] + ([due_at] if due_at else [])
    one = dt.timedelta(microseconds=1)
    for now in [edge + step for edge in edges for step in (-one, dt.timedelta(0), one)]:
        today = now.astimezone(SHANGHAI).date()
        assert is_late(due_on, due_at, today=today, now=now) is (now > last), now


# -- hour clocks -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("start, hours, due", [
    pytest.param("2026-03-02T09:30:00+08:00", 48, "2026-03-04T09:30:00+08:00", id="forty-eight-hours"),
    pytest.param("2026-03-06T18:00:00+08:00", 48, "2026-03-08T18:00:00+08:00",
                 id="calendar-hours-run-through-a-weekend"),
    pytest.param("2026-09-30T22:00:00+08:00", 5, "2026-10-01T03:00:00+08:00",
                 id="five-hours-run-into-a-holiday-and-over-midnight"),
    pytest.param("2026-10-01T10:00:00+08:00", 24, "2026-10-02T10:00:00+08:00", id="twenty-four-hours-on-a-holiday"),
])
def test_an_hour_clock_is_due_exactly_h_hours_after_the_start_instant(calendar, start, hours, due):
    reading = clock_with(("start", start, hours), kind=HOURS).evaluate(calendar)
    assert reading.status == "running"
    assert reading.due_at == dt.datetime.fromisoformat(due)
    assert reading.due_on is None
    assert reading.met() is None


@pytest.mark.parametrize("stop, met", [
    pytest.param("2026-03-03T12:00:00+08:00", True, id="stopped-a-day-early"),
    pytest.param("2026-03-04T09:30:00+08:00", True, id="stopped-at-the-due-instant"),
    pytest.param("2026-03-04T01:30:00+00:00", True, id="stopped-at-the-due-instant-written-in-utc"),
    pytest.param("2026-03-04T09:31:00+08:00", False, id="stopped-a-minute-late"),
    pytest.param("2026-03-04T02:00:00+00:00", False, id="stopped-half-an-hour-late-written-in-utc"),
])
def test_an_hour_clock_is_met_only_if_stopped_by_the_due_instant(calendar, stop, met):
    reading = clock_with(("start", "2026-03-02T09:30:00+08:00", 48), ("stop", stop), kind=HOURS).evaluate(calendar)
    assert reading.status == "stopped"
    assert reading.met() is met


# -- explanation ------------------------------------------------------------------------------------------

def test_the_explanation_counts_exactly_n_numbered_days_ending_at_the_due_date(calendar):
    reading = clock_with(("start", "2025-09-15", 20)).evaluate(calendar)
    assert [c["n"] for c in reading.counted] == list(range(1, 21))
    assert reading.counted[-1]["date"] == "2025-10-17"
    assert [c["date"] for c in reading.counted] == [
        "2025-09-16", "2025-09-17", "2025-09-18", "2025-09-19", "2025-09-22", "2025-09-23", "2025-09-24",
        "2025-09-25", "2025-09-26", "2025-09-28", "2025-09-29", "2025-09-30", "2025-10-09", "2025-10-10",
        "2025-10-11", "2025-10-13", "2025-10-14", "2025-10-15", "2025-10-16", "2025-10-17"]


def test_the_explanation_names_every_skipped_day(calendar):
    reading = clock_with(("start", "2025-09-15", 20)).evaluate(calendar)
    # (9/15, 10/17] = 32 days, 20 counted, 12 skipped: 3 weekend days, 8 holidays, Sun 10/12
    assert {s["date"]: s["reason"] for s in reading.skipped} == {
        "2025-09-20": "周末", "2025-09-21": "周末", "2025-09-27": "周末",
        "2025-10-01": "国庆节", "2025-10-02": "国庆节", "2025-10-03": "国庆节", "2025-10-04": "国庆节",
        "2025-10-05": "国庆节", "2025-10-06": "中秋节", "2025-10-07": "国庆节", "2025-10-08": "国庆节",
        "2025-10-12": "周末"}


@pytest.mark.parametrize("start, make_up_days", [
    pytest.param("2025-09-15", {"2025-09-28", "2025-10-11"}, id="national-day-2025"),
    pytest.param("2026-09-15", {"2026-09-20", "2026-10-10"}, id="national-day-2026"),
    pytest.param("2026-02-09", {"2026-02-14", "2026-02-28"}, id="spring-festival-2026"),
])
def test_make_up_working_days_are_counted_with_a_tiaoxiu_label(calendar, start, make_up_days):
    reading = clock_with(("start", start, 20)).evaluate(calendar)
    labelled = {c["date"] for c in reading.counted if "调休" in c["label"]}
    assert labelled == make_up_days


def test_the_explanation_names_spring_festival_and_mid_autumn(calendar):
    spring = clock_with(("start", "2026-02-09", 20)).evaluate(calendar)
    assert {s["reason"] for s in spring.skipped if "2026-02-15" <= s["date"] <= "2026-02-23"} == {"春节"}
    autumn = clock_with(("start", "2026-09-15", 20)).evaluate(calendar)
    reasons = {s["date"]: s["reason"] for s in autumn.skipped}
    assert reasons["2026-09-25"] == "中秋节" and reasons["2026-10-01"] == "国庆节"


@pytest.mark.parametrize("ops, kind", [
    pytest.param([("start", "2025-09-15", 20)], WORKING_DAYS, id="running"),
    pytest.param([("start", "2025-09-15", 20), ("pause", "2025-09-19")], WORKING_DAYS, id="paused"),
    pytest.param([("start", "2025-09-15", 20), ("pause", "2025-09-19"), ("resume", "2025-09-26"),
                  ("extend", "2025-10-09", 5), ("stop", "2025-10-20")], WORKING_DAYS, id="stopped"),
    pytest.param([("start", "2026-12-10", 20)], WORKING_DAYS, id="provisional"),
    pytest.param([("start", "2026-03-02T09:30:00+08:00", 48), ("stop", "2026-03-03T09:30:00+08:00")], HOURS,
                 id="hours"),
])
def test_the_explained_reading_is_json_serialisable(calendar, ops, kind):
    out = clock_with(*ops, kind=kind).evaluate(calendar).to_dict(explain=True)
    round_tripped = json.loads(json.dumps(out, ensure_ascii=False))
    assert round_tripped == out
    assert set(out["explanation"]) == {"summary", "counted", "skipped"}


def test_the_dict_reading_states_due_date_remaining_and_met(calendar):
    out = clock_with(("start", "2025-09-15", 20), ("stop", "2025-10-17")).evaluate(calendar).to_dict()
    assert out["due_on"] == "2025-10-17"
    assert out["status"] == "stopped" and out["met"] is True
    assert out["remaining"] == 20 and out["used"] == 0
    assert "explanation" not in out


# -- years without data -----------------------------------------------------------------------------------

def test_a_clock_crossing_into_a_year_without_data_is_provisional(calendar):
    reading = clock_with(("start", "2026-12-10", 20)).evaluate(calendar)
    # 12/11 Fri(1), 12/14-12/18(2-6), 12/21-12/25(7-11), 12/28-12/31(12-15),
    # skip 1/1 Fri 元旦 (fixed date, provisional) and 1/2-1/3 weekend, 1/4-1/8(16-20)
    assert reading.due_on == D("2027-01-08")
    assert reading.provisional is True
    assert reading.provisional_years == [2027]
    assert {s["date"]: s["reason"] for s in reading.skipped}["2027-01-01"] == "元旦"
    assert [c["provisional"] for c in reading.counted] == [False] * 15 + [True] * 5
    assert "临时" in reading.summary[-1]


def test_a_clock_is_no_longer_provisional_once_the_year_is_loaded():
    # invented 2027: 元旦 1/1-1/3, plus Mon 1/4 off and Sat 1/9 a make-up day
    loaded = YearData(2027, holidays={D("2027-01-01"): "元旦", D("2027-01-02"): "元旦", D("2027-01-03"): "元旦",
                                      D("2027-01-04"): "元旦"}, workdays={D("2027-01-09"): "元旦"})
    reading = clock_with(("start", "2026-12-10", 20)).evaluate(WorkCalendar([loaded]))
    # 12/11(1) .. 12/31(15), skip 1/1-1/4, 1/5-1/8(16-19), 1/9 Sat make-up(20)
    assert reading.due_on == D("2027-01-09")
    assert reading.provisional is False and reading.provisional_years == []


def test_a_paused_clock_that_has_not_reached_a_year_without_data_is_not_provisional(calendar):
    reading = clock_with(("start", "2026-12-10", 20), ("pause", "2026-12-15")).evaluate(calendar)
    assert reading.provisional is False and reading.due_on is None


# -- serialisation ------------------------------------------------------------------------------------------

SCENARIOS = [
    pytest.param([("start", "2025-09-15", 20)], WORKING_DAYS, id="plain"),
    pytest.param([("start", "2025-09-15", 20), ("pause", "2025-09-19", {"note": "征求意见"}), ("resume", "2025-09-26")],
                 WORKING_DAYS, id="pause-and-resume"),
    pytest.param([("start", "2026-03-02", 20), ("pause", "2026-03-06"), ("resume", "2026-03-13"),
                  ("pause", "2026-03-20"), ("resume", "2026-03-27")], WORKING_DAYS, id="two-pauses"),
    pytest.param([("start", "2025-09-15", 20), ("pause", "2025-09-17"), ("restart", "2025-09-24", 20)],
                 WORKING_DAYS, id="restart"),
    pytest.param([("start", "2025-09-15", 20), ("extend", "2025-10-10", 20), ("stop", "2025-11-20")],
                 WORKING_DAYS, id="extended-and-stopped"),
    pytest.param([("start", "2025-09-15", 20), ("set_due", "2025-09-20", "2025-11-28")], WORKING_DAYS,
                 id="set-due"),
    pytest.param([("start", "2026-12-10", 20)], WORKING_DAYS, id="provisional"),
    pytest.param([("start", "2026-03-02T09:30:00+08:00", 48), ("stop", "2026-03-04T09:31:00+08:00")], HOURS,
                 id="hours"),
]


@pytest.mark.parametrize("ops, kind", SCENARIOS)
def test_a_clock_restored_from_its_dict_evaluates_identically(calendar, ops, kind):
    clock = clock_with(*ops, kind=kind)
    stored = json.loads(json.dumps(clock.to_dict()))  # as it would be kept in the database
    restored = Clock.from_dict(stored)
    assert restored == clock
    assert restored.evaluate(calendar) == clock.evaluate(calendar)
    assert restored.evaluate(calendar).to_dict(explain=True) == clock.evaluate(calendar).to_dict(explain=True)


@pytest.mark.parametrize("ops, kind", SCENARIOS)
def test_evaluating_a_clock_twice_gives_the_same_reading(calendar, ops, kind):
    clock = clock_with(*ops, kind=kind)
    assert clock.evaluate(calendar) == clock.evaluate(calendar)


@pytest.mark.parametrize("ops, used", [
    ((("start", "2025-09-15", 20), ("stop", "2025-09-24")), 7),  # 9/16-19, 9/22-24
    ((("start", "2025-09-15", 20), ("pause", "2025-09-19"), ("resume", "2025-09-23"), ("stop", "2025-09-25")), 6),
    ((("start", "2025-09-15", 20), ("pause", "2025-09-19"), ("stop", "2025-11-30")), 4),
])
def test_the_working_days_a_stopped_clock_ran_leave_out_its_pauses(calendar, ops, used):
    assert clock_with(*ops).evaluate(calendar).used_at_stop == used
