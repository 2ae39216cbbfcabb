"""The calendar: what a year looks like, and loading an official year (administrators)."""
from __future__ import annotations

from flask import g, jsonify

from app.services.calendar import current_calendar, load_year, year_summary
from workflow.engine import ADMIN

from . import bp
from .auth import require_role
from .errors import ApiError
from .schemas import CalendarLoadSchema, load_json


@bp.get("/calendar/<int:year>")
def get_calendar_year(year: int):
    """A year's holidays and make-up working days, and whether it is provisional.
    ---
    get:
      tags: [calendar]
      responses: {200: {description: the year}}
    """
    if not 1900 < year < 2200:
        raise ApiError(422, "invalid_year", "年份超出范围")
    return jsonify(year_summary(current_calendar(), year))


@bp.post("/calendar/years")
def load_calendar_year():
    """Load an official year (the file format of docs/calendar.md, as `content`); re-dates open cases.
    ---
    post:
      tags: [calendar]
      requestBody: {content: {application/json: {schema: CalendarLoad}}}
      responses: {201: {description: loaded}, 403: {description: administrators only}, 422: {description: bad file}}
    """
    require_role(ADMIN)
    body = load_json(CalendarLoadSchema)
    try:
        result = load_year(body["content"], loaded_by=g.user.username)
    except ValueError as exc:
        raise ApiError(422, "invalid_calendar", "日历文件有误", {"content": [str(exc)]}) from None
    return jsonify(result), 201
