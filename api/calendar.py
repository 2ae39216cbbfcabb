"""The calendar: what a year looks like, and loading an official year (administrators)."""
from __future__ import annotations

import functools

from flask import g

from app.services.calendar import current_calendar, load_year, year_summary
from workflow.engine import ADMIN

from . import bp
from .auth import require_role
from .errors import ApiError, fails_with
from .schemas import CalendarLoadResultSchema, CalendarLoadSchema, CalendarYearSchema


def administrators_only(view):
    """The role is checked before the body is read: a non-administrator learns nothing about the body."""
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        require_role(ADMIN)
        return view(*args, **kwargs)
    return wrapper


@bp.get("/calendar/<int:year>")
@bp.doc(tags=["calendar"], summary="某年的节假日和调休上班日")
@bp.response(200, CalendarYearSchema, description="该年日历，及是否为临时推定")
@fails_with(401, 404, 422)
def get_calendar_year(year: int):
    """A year's holidays and make-up working days, and whether it is provisional."""
    if not 1900 < year < 2200:
        raise ApiError(422, "invalid_year", "年份超出范围", {"year": ["应在 1901 到 2199 之间"]})
    return year_summary(current_calendar(), year)


@bp.post("/calendar/years")
@administrators_only
@bp.doc(tags=["calendar"], summary="载入官方年度安排（系统管理员）")
@bp.arguments(CalendarLoadSchema)
@bp.response(201, CalendarLoadResultSchema, description="已载入，并重新计算在办案件的期限")
@fails_with(400, 401, 403, 413, 422)
def load_calendar_year(body):
    """Load an official year (the file format of docs/calendar.md, as `content`); re-dates open cases."""
    try:
        return load_year(body["content"], loaded_by=g.user.username)
    except ValueError as exc:
        raise ApiError(422, "invalid_calendar", "日历文件有误", {"content": [str(exc)]}) from None
