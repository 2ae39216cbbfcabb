"""The injected clock: the app's ``CLOCK`` setting, or the system clock. Nothing else asks for the time."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import current_app


def now() -> dt.datetime:
    """The current instant, aware, in UTC."""
    clock = current_app.config.get("CLOCK")
    value = clock() if clock else dt.datetime.now(dt.UTC)
    return value.astimezone(dt.UTC)


def local_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def today() -> dt.date:
    """Today's business date in Asia/Shanghai."""
    return now().astimezone(local_zone()).date()


class FrozenClock:
    """A clock for tests and demos: fixed until moved."""

    def __init__(self, instant: dt.datetime):
        self.instant = instant

    def __call__(self) -> dt.datetime:
        return self.instant

    def move_to(self, instant: dt.datetime) -> None:
        self.instant = instant

    def advance(self, **delta) -> None:
        self.instant += dt.timedelta(**delta)
