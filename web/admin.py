"""Administration pages (administrators only): users, agency settings and calendar years. Every page and
every form here refuses any other role (403, with the reason) before it reads the request; a refused form
comes back with what was typed and the reason beside each field (a password is never sent back)."""
from __future__ import annotations

import datetime as dt

from flask import flash, g, redirect, render_template, request, url_for

from app.services import calendar as calendar_service
from app.services import timesource
from app.services.settings import agency_overview
from app.services.users import (
    PASSWORD_MIN,
    check_new_user,
    create_user,
    departments,
    get_user,
    list_users,
    reset_password,
    set_active,
    update_user,
)
from workflow.engine import ADMIN, ROLE_TITLES, ROLES
from workflow.errors import InvalidData, NotPermitted

from . import bp
from .forms import FormField, flat_errors

PREVIEW_ROWS = 500  # changed clocks listed on the calendar preview (all are counted)


def require_admin() -> None:
    if g.user.role != ADMIN:
        raise NotPermitted(f"管理页面仅供系统管理员使用；您的角色是{ROLE_TITLES.get(g.user.role, g.user.role)}",
                           roles=[ADMIN])


@bp.before_request
def administrators_only():
    """Every administration endpoint, GET and POST alike; someone not signed in is sent to sign in by
    ``views.require_sign_in``."""
    if request.endpoint and request.endpoint.startswith("web.admin") and g.get("user") is not None:
        require_admin()


# -- users -------------------------------------------------------------------------------------------
def profile_fields(*, new: bool) -> list[FormField]:
    fields = []
    if new:
        fields.append(FormField("username", "username", "text", "用户名", required=True, max_length=80,
                                help="登录时使用，创建后不能更改；不能包含空格"))
    fields += [
        FormField("display_name", "display_name", "text", "姓名", max_length=100,
                  help="显示在页面、案件列表和导出中；不填写的，为用户名"),
        FormField("role", "role", "select", "角色", required=True, choices=[(r, ROLE_TITLES[r]) for r in ROLES],
                  help="承办人员办理本部门和分配给自己的案件；登记人员、审核人、审计人员和系统管理员可见本机关全部案件"),
        FormField("department", "department", "text", "部门", max_length=100,
                  help="如“办公室”“律师工作处”；承办人员按部门看到案件"),
        FormField("email", "email", "email", "电子邮箱", max_length=200,
                  help="时限即将到期、已逾期和期限届满的提醒发到此地址；不填写的，不收提醒"),
    ]
    return fields


def password_labels(label: str) -> dict[str, str]:
    return {"password": label, "password_confirm": "再次输入" + label}


def _labels(fields: list[FormField], password: str = "初始密码") -> dict[str, str]:
    return {f.name: f.label for f in fields} | password_labels(password)


def _password_pair(form) -> tuple[str, dict[str, list[str]]]:
    password = form.get("password", "")
    if password and password != form.get("password_confirm", ""):
        return password, {"password_confirm": ["两次输入的密码不一致"]}
    return password, {}


@bp.get("/admin/users")
def admin_users():
    return render_template("admin/users.html", users=list_users(agency_code=g.user.agency_code))


@bp.route("/admin/users/new", methods=["GET", "POST"])
def admin_user_new():
    fields = profile_fields(new=True)
    errors, values = {}, request.form
    if request.method == "POST":
        form = request.form
        password, errors = _password_pair(form)
        details = {"role": form.get("role", ""), "password": password, "department": form.get("department", ""),
                   "display_name": form.get("display_name", ""), "email": form.get("email", "")}
        errors = flat_errors(check_new_user(form.get("username", ""), agency_code=g.user.agency_code, **details)) \
            | errors
        if not errors:
            try:
                user = create_user(form["username"], agency_code=g.user.agency_code, actor=g.user, **details)
            except InvalidData as exc:  # a user of that name was created meanwhile
                errors = flat_errors(exc.errors)
            else:
                flash(f"已创建用户 {user.username}（{ROLE_TITLES[user.role]}），可用所设密码登录", "success")
                return redirect(url_for("web.admin_users"))
    return render_template("admin/user_new.html", fields=fields, values=values, errors=errors,
                           labels=_labels(fields), departments=departments(agency_code=g.user.agency_code),
                           password_min=PASSWORD_MIN), 422 if errors else 200


def _user_page(user, *, values=None, errors=None, status_errors=None, status: int = 200):
    fields = profile_fields(new=False)
    values = values if values is not None else {"display_name": user.display_name, "role": user.role,
                                                "department": user.department, "email": user.email}
    return render_template("admin/user_edit.html", user=user, fields=fields, values=values, errors=errors or {},
                           status_errors=status_errors or {}, labels=_labels(fields),
                           departments=departments(agency_code=g.user.agency_code)), status


@bp.route("/admin/users/<int(max=2147483647):user_id>", methods=["GET", "POST"])
def admin_user_edit(user_id: int):
    user = get_user(user_id, agency_code=g.user.agency_code)
    if request.method == "GET":
        return _user_page(user)
    form = request.form
    try:
        update_user(user, role=form.get("role", ""), department=form.get("department", ""),
                    display_name=form.get("display_name", ""), email=form.get("email", ""), actor=g.user)
    except InvalidData as exc:
        return _user_page(user, values=form, errors=flat_errors(exc.errors), status=422)
    flash(f"已保存用户 {user.username} 的资料", "success")
    return redirect(url_for("web.admin_users"))


@bp.post("/admin/users/<int(max=2147483647):user_id>/active")
def admin_user_active(user_id: int):
    user = get_user(user_id, agency_code=g.user.agency_code)
    choice = request.form.get("active")
    if choice not in ("yes", "no"):
        return _user_page(user, status_errors={"active": ["请使用“停用”或“重新启用”按钮"]}, status=422)
    try:
        done = set_active(user, choice == "yes", actor=g.user)
    except InvalidData as exc:
        return _user_page(user, status_errors=flat_errors(exc.errors), status=422)
    if choice == "yes":
        flash(f"已重新启用用户 {user.username}，可再次登录", "success")
    else:
        flash(f"已停用用户 {user.username}：不能再登录；已结束其 {done['sessions_ended']} 个登录会话，"
              f"作废 {done['tokens_revoked']} 个 API 令牌", "success")
    return redirect(url_for("web.admin_user_edit", user_id=user.id))


@bp.route("/admin/users/<int(max=2147483647):user_id>/password", methods=["GET", "POST"])
def admin_user_password(user_id: int):
    user = get_user(user_id, agency_code=g.user.agency_code)
    errors = {}
    if request.method == "POST":
        password, errors = _password_pair(request.form)
        if not errors:
            try:
                done = reset_password(user, password, actor=g.user)
            except InvalidData as exc:
                errors = flat_errors(exc.errors)
            else:
                flash(f"已为用户 {user.username} 设置新密码；已结束其 {done['sessions_ended']} 个登录会话，"
                      f"作废 {done['tokens_revoked']} 个 API 令牌。请将新密码告知本人", "success")
                return redirect(url_for("web.admin_user_edit", user_id=user.id))
    return render_template("admin/user_password.html", user=user, errors=errors, labels=password_labels("新密码"),
                           password_min=PASSWORD_MIN), 422 if errors else 200


# -- agency settings -------------------------------------------------------------------------------
@bp.get("/admin/settings")
def admin_settings():
    return render_template("admin/settings.html", **agency_overview(g.user.agency_code))


# -- calendar years --------------------------------------------------------------------------------
def _calendar_page(*, values=None, errors=None, status: int = 200):
    this_year = timesource.today().year
    return render_template("admin/calendar.html", years=calendar_service.calendar_years(range(this_year - 1,
                                                                                             this_year + 2)),
                           provisional_cases=calendar_service.provisional_open_cases(), values=values or {},
                           errors=errors or {}, max_chars=calendar_service.MAX_FILE_CHARS), status


def _submitted_text() -> tuple[str, dict]:
    """The calendar file's text: an uploaded file if one was chosen, else what was pasted."""
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        raw = upload.read(calendar_service.MAX_FILE_CHARS * 4 + 1)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            return request.form.get("content", ""), {"file": ["文件应为 UTF-8 编码的文本文件"]}
    else:
        text = request.form.get("content", "")
    return text.replace("\r\n", "\n"), {}


@bp.get("/admin/calendar")
def admin_calendar():
    return _calendar_page()


@bp.post("/admin/calendar/preview")
def admin_calendar_preview():
    """What loading the file would change, computed without saving anything."""
    text, errors = _submitted_text()
    if errors:
        return _calendar_page(values={"content": text}, errors=errors, status=422)
    try:
        preview = calendar_service.preview_year(text)
    except InvalidData as exc:
        return _calendar_page(values={"content": text}, errors=flat_errors(exc.errors), status=422)
    return render_template("admin/calendar_preview.html", preview=preview, content=text, rows=PREVIEW_ROWS)


@bp.post("/admin/calendar/load")
def admin_calendar_load():
    text = request.form.get("content", "").replace("\r\n", "\n")
    try:
        calendar_service.check_year_file(text)
    except InvalidData as exc:
        return _calendar_page(values={"content": text}, errors=flat_errors(exc.errors), status=422)
    result = calendar_service.load_year(text, loaded_by=g.user.username)
    flash(f"已载入 {result['year']} 年官方节假日安排（节假日 {result['holidays']} 天，调休上班日 "
          f"{result['workdays']} 天）；重新计算了 {result['cases_redated']} 件在办案件的期限", "success")
    return redirect(url_for("web.admin_calendar"))


@bp.get("/admin/calendar/<int:year>")
def admin_calendar_year(year: int):
    if not 1900 < year < 2200:
        return render_template("error.html", title="未找到", message="年份应在 1901 到 2199 之间"), 404
    summary = calendar_service.year_summary(calendar_service.current_calendar(), year)
    days = [(dt.date.fromisoformat(d), name, "holiday") for d, name in summary["holidays"].items()] + \
           [(dt.date.fromisoformat(d), name, "workday") for d, name in summary["workdays"].items()]
    return render_template("admin/calendar_year.html", summary=summary, days=sorted(days),
                           loaded=calendar_service.loaded_years().get(year))
