"""What the templates need to show codes as words: process, state, role and choice titles, dates and times
in Beijing time, and the list page's query strings."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import current_app, request, url_for

from app.services import timesource
from workflow import annual_report
from workflow.engine import ROLE_TITLES
from workflow.processes import PROCESSES

from . import bp


def process_title(name: str) -> str:
    process = PROCESSES.get(name)
    return process.title if process else name


def state_title(process: str, state: str | None) -> str:
    definition = PROCESSES.get(process)
    if definition is None or state is None:
        return state or ""
    return next((s.title for s in definition.states if s.name == state), state)


def local(value: dt.datetime | str | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """An instant in the agency's time zone."""
    if not value:
        return ""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).strftime(fmt)


def chinese_date(value: dt.date | str | None) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return f"{value.year}年{value.month}月{value.day}日"


def query_with(**changes) -> str:
    """The current page's URL with some query arguments changed (None removes one); the page resets to 1
    unless it is one of the changes."""
    args = request.args.to_dict(flat=True)
    if "page" not in changes:
        args.pop("page", None)
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    return url_for(request.endpoint, **(request.view_args or {}), **args)


@bp.app_context_processor
def helpers():
    return {"today": timesource.today(), "now": timesource.now(), "process_title": process_title, "state_title": state_title, "role_titles": ROLE_TITLES,
            "local": local, "chinese_date": chinese_date, "query_with": query_with, "processes": PROCESSES,
            "proceeding_kinds": annual_report.PROCEEDING_KINDS, "proceeding_results": annual_report.RESULTS}
