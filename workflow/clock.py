"""Statutory clocks: working-day clocks with pause, restart, extension and a fixed reply date, and hour
clocks. A clock is stored as its history of operations and evaluated against a calendar, so a loaded
calendar year re-dates it and every due date can explain itself.

Contract (processes.md, "Common to all processes"):
- started on S with limit N: due on the N-th working day after S (S not counted);
- paused on P, resumed on R: working days in (S, P] are used; the rest are counted from the day after R;
- restart: a new clock of the full limit from the restart day;
- extension by E: the due date moves E working days later;
- hour clock: due H calendar hours after the start instant.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .calendar import WorkCalendar

WORKING_DAYS = "working_days"
HOURS = "hours"

RUNNING, PAUSED, STOPPED = "running", "paused", "stopped"


@dataclass
class Clock:
    """A clock as a list of operations; ``ops`` is JSON-serialisable and is what gets stored."""

    name: str
    kind: str
    title: str
    ops: list[dict] = field(default_factory=list)

    # -- operations: each appends one entry; evaluation replays them in order --------------------
    def start(self, on: dt.date | dt.datetime, limit: int, *, note: str = "", rules: dict | None = None):
        self.ops.append({"op": "start", "on": _iso(on), "limit": limit, "note": note, "rules": rules or {}})

    def restart(self, on: dt.date, limit: int, *, note: str = "", rules: dict | None = None):
        self.ops.append({"op": "restart", "on": _iso(on), "limit": limit, "note": note, "rules": rules or {}})

    def pause(self, on: dt.date, *, note: str = ""):
        self.ops.append({"op": "pause", "on": _iso(on), "note": note})

    def resume(self, on: dt.date, *, note: str = ""):
        self.ops.append({"op": "resume", "on": _iso(on), "note": note})

    def extend(self, on: dt.date, days: int, *, note: str = ""):
        self.ops.append({"op": "extend", "on": _iso(on), "days": days, "note": note})

    def set_due(self, on: dt.date, due: dt.date, *, note: str = ""):
        self.ops.append({"op": "set_due", "on": _iso(on), "due": _iso(due), "note": note})

    def stop(self, on: dt.date | dt.datetime, *, note: str = ""):
        self.ops.append({"op": "stop", "on": _iso(on), "note": note})

    @property
    def started(self) -> bool:
        return bool(self.ops)

    def to_dict(self) -> dict:
        return {"name": self.name, "kind": self.kind, "title": self.title, "ops": list(self.ops)}

    @classmethod
    def from_dict(cls, data: dict) -> Clock:
        return cls(data["name"], data["kind"], data["title"], list(data.get("ops", [])))

    def evaluate(self, calendar: WorkCalendar) -> Reading:
        if self.kind == HOURS:
            return _evaluate_hours(self)
        return _evaluate_working_days(self, calendar)


@dataclass
class Reading:
    """A clock's state computed from its operations: the due date and why."""

    name: str
    kind: str
    title: str
    status: str
    limit: int = 0
    extension: int = 0
    used: int = 0
    started_on: str | None = None
    due_on: dt.date | None = None
    due_at: dt.datetime | None = None
    stopped_on: str | None = None
    provisional: bool = False
    provisional_years: list[int] = field(default_factory=list)
    rules: dict = field(default_factory=dict)
    counted: list[dict] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)
    # A stopped working-day clock: the working days it ran (paused days excluded), for the statistics.
    used_at_stop: int | None = None

    @property
    def remaining(self) -> int:
        return max(self.limit + self.extension - self.used, 0)

    def met(self) -> bool | None:
        """Whether the clock stopped in time; None while it has not stopped."""
        if self.status != STOPPED or self.stopped_on is None:
            return None
        if self.kind == HOURS:
            return dt.datetime.fromisoformat(self.stopped_on) <= self.due_at
        return self.due_on is None or _date(self.stopped_on) <= self.due_on

    def time_used(self) -> float | None:
        """What a stopped clock took, for the statistics: working days (paused days excluded), or hours to a
        tenth for an hour clock; None while it has not stopped."""
        if self.status != STOPPED or self.stopped_on is None:
            return None
        if self.kind == HOURS:
            started = dt.datetime.fromisoformat(self.started_on)
            return round((dt.datetime.fromisoformat(self.stopped_on) - started).total_seconds() / 3600, 1)
        return self.used_at_stop

    def to_dict(self, explain: bool = False) -> dict:
        out = {
            "name": self.name, "kind": self.kind, "title": self.title, "status": self.status,
            "limit": self.limit, "extension": self.extension, "used": self.used,
            "remaining": self.remaining if self.kind == WORKING_DAYS else None,
            "started_on": self.started_on, "stopped_on": self.stopped_on,
            "due_on": self.due_on.isoformat() if self.due_on else None,
            "due_at": self.due_at.isoformat() if self.due_at else None,
            "provisional": self.provisional, "provisional_years": self.provisional_years,
            "rules": self.rules, "met": self.met(),
        }
        if explain:
            out["explanation"] = {"summary": self.summary, "counted": self.counted, "skipped": self.skipped}
        return out


def is_late(due_on: dt.date | None, due_at: dt.datetime | None, *, today: dt.date, now: dt.datetime) -> bool:
    """The one definition of late, for a running time limit: a working-day limit is late from the day
    after its due date (the due date itself is still in time); an hour limit once its instant has passed.
    A stopped clock has no running limit: whether it held is ``Reading.met``."""
    return (due_on is not None and due_on < today) or (due_at is not None and due_at < now)


def last_instant_in_time(due_on: dt.date | None, due_at: dt.datetime | None, zone: dt.tzinfo) -> dt.datetime | None:
    """The last instant at which the earlier of a due date and a due instant still holds: the due instant, or
    the last microsecond of the due date in the agency's time zone. ``is_late`` says the same as "now is
    after this instant", so one indexed column answers "overdue" and "due before" and orders a list by
    urgency, whatever the kind of clock."""
    end_of_day = None
    if due_on is not None:
        end_of_day = dt.datetime.combine(due_on + dt.timedelta(days=1), dt.time(), zone) - dt.timedelta(microseconds=1)
    instants = [i for i in (end_of_day, due_at) if i is not None]
    return min(instants).astimezone(dt.UTC) if instants else None


def _iso(value) -> str:
    return value.isoformat()


def _date(value: str) -> dt.date:
    return dt.date.fromisoformat(value[:10])


def _evaluate_working_days(clock: Clock, calendar: WorkCalendar) -> Reading:
    reading = Reading(clock.name, clock.kind, clock.title, status=RUNNING)
    if not clock.ops:
        reading.status = "not_started"
        return reading
    anchor: dt.date | None = None
    due_override: dt.date | None = None
    extension_after_override = 0  # working days added after a fixed reply date (Art. 35 then Art. 33)
    pause_note = ""
    stopped_while_paused = False
    summary = reading.summary

    def walk(after: dt.date, until: dt.date | None, *, budget: int) -> tuple[int, dt.date | None]:
        """Count working days in (after, until] (or until ``budget`` days are counted when until is
        None), listing each day in the explanation. Returns (days counted, day the budget ran out)."""
        count, day = 0, after
        while (until is None or day < until) and count < budget:
            day += dt.timedelta(days=1)
            info = calendar.day(day)
            if info.provisional and day.year not in reading.provisional_years:
                reading.provisional_years.append(day.year)
            if info.is_workday:
                count += 1
                reading.counted.append({"date": day.isoformat(), "n": reading.used + count,
                                        "label": info.label, "provisional": info.provisional})
            else:
                reading.skipped.append({"date": day.isoformat(), "reason": info.label,
                                        "provisional": info.provisional})
        return count, (day if count == budget else None)

    def note(op: dict) -> str:
        return f"（{op['note']}）" if op.get("note") else ""

    for op in clock.ops:
        kind, on = op["op"], _date(op["on"])
        if kind in ("start", "restart"):
            if kind == "restart":
                summary.append(f"{on.isoformat()} 重新起算（当日不计入），此前计时作废，期限 {op['limit']} 个工作日"
                               + note(op))
                reading.counted.clear()
                reading.skipped.clear()
            else:
                summary.append(f"{on.isoformat()} 起算（当日不计入），期限 {op['limit']} 个工作日" + note(op))
            anchor, reading.limit, reading.extension, reading.used = on, op["limit"], 0, 0
            reading.started_on, reading.status, reading.stopped_on = op["on"], RUNNING, None
            due_override, extension_after_override, stopped_while_paused = None, 0, False
            reading.rules = op.get("rules") or {}
        elif kind == "pause" and reading.status == RUNNING:
            used, _ = walk(anchor, on, budget=max(reading.limit + reading.extension - reading.used, 0))
            reading.used += used
            reading.status, anchor, pause_note = PAUSED, on, op.get("note") or ""
            summary.append(f"{on.isoformat()} 暂停计时（{pause_note or '暂停'}），已用 {reading.used} 个工作日")
        elif kind == "resume" and reading.status == PAUSED:
            day = anchor
            while day < on:
                day += dt.timedelta(days=1)
                reading.skipped.append({"date": day.isoformat(), "provisional": False,
                                        "reason": "计时暂停期间不计算" + (f"（{pause_note}）" if pause_note else "")})
            anchor, reading.status = on, RUNNING
            summary.append(f"{on.isoformat()} 恢复计时{note(op)}，剩余 {reading.remaining} 个工作日自次日起计算")
        elif kind == "extend":
            reading.extension += op["days"]
            if due_override is not None:
                extension_after_override += op["days"]
            summary.append(f"{on.isoformat()} 延长 {op['days']} 个工作日" + note(op))
        elif kind == "set_due":
            due_override, extension_after_override = _date(op["due"]), 0
            summary.append(f"{on.isoformat()} 期限确定为 {op['due']}" + note(op))
        elif kind == "stop" and reading.status in (RUNNING, PAUSED):
            stopped_while_paused = reading.status == PAUSED
            reading.used_at_stop = reading.used + (0 if stopped_while_paused
                                                   else calendar.working_days_between(anchor, on))
            reading.status, reading.stopped_on = STOPPED, op["on"]
            summary.append(f"{on.isoformat()} 停止计时" + note(op))

    remaining = reading.limit + reading.extension - reading.used
    if remaining <= 0:
        # The whole limit was used before a pause: the due date is the day it ran out, paused or not.
        reading.due_on = dt.date.fromisoformat(reading.counted[-1]["date"]) if reading.counted else anchor
    elif reading.status == PAUSED or stopped_while_paused:
        # Paused days do not count: a paused clock has no due date until it resumes, and a clock stopped
        # while paused never ran out.
        reading.due_on = None
        summary.append(f"计时暂停{'中' if reading.status == PAUSED else '期间停止'}：已用 {reading.used} 个工作日，"
                       f"剩余 {remaining} 个工作日")
    else:
        reading.due_on = walk(anchor, None, budget=remaining)[1]
    if due_override is not None and reading.due_on is not None:
        reading.due_on = calendar.add_working_days(due_override, extension_after_override)
        for year in calendar.provisional_years(due_override + dt.timedelta(days=1), reading.due_on):
            if extension_after_override and year not in reading.provisional_years:
                reading.provisional_years.append(year)
    if reading.due_on is not None:
        summary.append(f"期限届满日 {reading.due_on.isoformat()}"
                       + ("（含未公布官方安排年份，暂按周一至周五扣除固定法定节日计算，为临时期限）"
                          if reading.provisional_years else ""))
    reading.provisional = bool(reading.provisional_years)
    return reading


def _evaluate_hours(clock: Clock) -> Reading:
    reading = Reading(clock.name, clock.kind, clock.title, status=RUNNING)
    for op in clock.ops:
        if op["op"] == "start":
            start = dt.datetime.fromisoformat(op["on"])
            reading.limit, reading.started_on, reading.rules = op["limit"], op["on"], op.get("rules") or {}
            reading.due_at = start + dt.timedelta(hours=op["limit"])
            reading.summary.append(f"{op['on']} 起算，{op['limit']} 小时内，届满时刻 {reading.due_at.isoformat()}")
        elif op["op"] == "stop" and reading.status == RUNNING:
            reading.status, reading.stopped_on = STOPPED, op["on"]
            reading.summary.append(f"{op['on']} 完成")
    if not clock.ops:
        reading.status = "not_started"
    return reading
