"""The administration pages through a signed-in browser-like client: users (create, edit, deactivate,
reset a password), the agency's settings, and loading a calendar year with its preview."""
from __future__ import annotations

import datetime as dt
import io
import logging
import re
from html import unescape
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from app.extensions import db as _db
from app.models import ApiToken, CalendarYear, Case, Event, User, WebSession
from tests import factories
from tests.web.conftest import TOKEN, Browser, fresh_g

CST = dt.timezone(dt.timedelta(hours=8))
D = dt.date.fromisoformat
OTHER_ROLES = ("registrar", "wang_handler", "zhao_approver", "auditor")
ODD = "张三\u200b·Ａ\u0301 \u202eabc\u202c <b>&amp;</b> \"'🙂\u3000"  # zero-width, combining, RTL, markup, quotes

YEAR_2027 = """\
# 国务院办公厅关于2027年部分节假日安排的通知
year: 2027
holiday 2027-01-01..2027-01-03 元旦
holiday 2027-02-05..2027-02-13 春节
workday 2027-02-14 春节
workday 2027-02-20 春节
"""


class Inputs(HTMLParser):
    """The form controls of a page by id: an input's value, a textarea's text, a select's chosen option,
    and every element's attributes."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.values, self.attrs, self._textarea, self._select = {}, {}, None, None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.attrs[attrs["id"]] = attrs
        if tag == "input" and "id" in attrs:
            self.values[attrs["id"]] = attrs.get("value")
        elif tag == "textarea":
            self._textarea = attrs.get("id")
            self.values[self._textarea] = ""
        elif tag == "select":
            self._select = attrs.get("id")
            self.values.setdefault(self._select, None)
        elif tag == "option" and self._select and "selected" in attrs:
            self.values[self._select] = attrs.get("value")

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data


def text_of(response) -> str:
    return response.get_data(as_text=True)


def error_beside(page: Inputs, field_id: str) -> str:
    """The field's error, checked to be announced with the field (aria-describedby, aria-invalid)."""
    attrs = page.attrs[field_id]
    assert f"{field_id}-error" in attrs.get("aria-describedby", "").split(), attrs
    assert attrs.get("aria-invalid") == "true"
    assert f"{field_id}-error" in page.attrs
    return field_id


class Visitor(Browser):
    """A Browser that, like a person, submits a form from a page: after a redirect it reads a page first."""

    def post(self, url: str, data: dict | None = None, *, token: bool = True, **kw):
        if token and not TOKEN.search(self.last):
            self.get("/")
        return super().post(url, data, token=token, **kw)


def signed_in(app, username: str, password: str = factories.PASSWORD) -> Visitor:
    visitor = Visitor(app.test_client())
    visitor.sign_in(username, password)
    return visitor


def user(username: str) -> User:
    _db.session.expire_all()
    return _db.session.scalar(sa.select(User).where(User.username == username))


@pytest.fixture
def admin(app, staff) -> Visitor:
    return signed_in(app, "admin")


NEW_USER = {"username": "chen_handler", "display_name": "陈静", "role": "handler", "department": "律师工作处",
            "email": "chenjing@sft.guizhou.gov.cn", "password": "a-new-password", "password_confirm": "a-new-password"}


# -- users -------------------------------------------------------------------------------------------
def test_an_administrator_creates_a_user_who_can_then_sign_in(app, admin, caplog):
    caplog.set_level(logging.INFO, logger="app.services.users")
    page = admin.get("/admin/users/new")
    assert page.status_code == 200 and 'name="csrf_token"' in text_of(page)
    for code, title in (("registrar", "登记人员"), ("handler", "承办人员"), ("admin", "系统管理员")):
        assert f'<option value="{code}">{title}</option>' in text_of(page)

    response = admin.post("/admin/users/new", NEW_USER)
    assert response.status_code == 302 and response.location.endswith("/admin/users")
    listing = text_of(admin.get("/admin/users"))
    assert "已创建用户 chen_handler（承办人员）" in listing and "陈静" in listing
    created = user("chen_handler")
    assert (created.role, created.department, created.display_name, created.agency_code, created.active,
            created.email) == ("handler", "律师工作处", "陈静", "gzsft", True, "chenjing@sft.guizhou.gov.cn")
    logged = [r for r in caplog.records if getattr(r, "event", "") == "user_created"]
    assert [(r.levelname, r.actor, r.user) for r in logged] == [("INFO", "admin", "chen_handler")]

    newcomer = signed_in(app, "chen_handler", "a-new-password")
    assert "陈静（承办人员，律师工作处）" in text_of(newcomer.get("/"))


def test_a_refused_new_user_comes_back_with_everything_typed_and_each_error_beside_its_field(app, admin):
    before = _db.session.scalar(sa.select(sa.func.count()).select_from(User))
    typed = {"username": "张 三", "display_name": ODD, "role": "approver", "department": "律师工作处\u0301 ",
             "email": "chenjing at sft", "password": "short", "password_confirm": "other"}
    response = admin.post("/admin/users/new", typed)
    assert response.status_code == 422
    page = Inputs(text_of(response))
    assert page.values["f-username"] == "张 三"
    assert page.values["f-display_name"] == ODD  # exactly, not trimmed, normalised or stripped of markup
    assert page.values["f-department"] == "律师工作处\u0301 "
    assert page.values["f-role"] == "approver"
    assert page.values["f-password"] is None and page.values["f-password_confirm"] is None  # never sent back
    html = text_of(response)
    error_beside(page, "f-username")
    assert "用户名不能包含空格、控制字符或不可见字符" in html
    error_beside(page, "f-password")
    assert "密码至少 8 个字符" in html
    error_beside(page, "f-password_confirm")
    assert "两次输入的密码不一致" in html
    assert page.values["f-email"] == "chenjing at sft"
    error_beside(page, "f-email")
    assert "电子邮箱格式有误" in html
    assert "提交的内容有误，未作任何更改" in html and '<a href="#f-username">用户名</a>' in html
    assert _db.session.scalar(sa.select(sa.func.count()).select_from(User)) == before

    # A name in use (in any letter case), a role that does not exist, an overlong department.
    response = admin.post("/admin/users/new", NEW_USER | {"username": "Admin", "role": "root",
                                                          "department": "处" * 101})
    assert response.status_code == 422
    page, html = Inputs(text_of(response)), text_of(response)
    error_beside(page, "f-username")
    assert "用户名已存在" in html
    error_beside(page, "f-role")
    assert "角色应为：登记人员、承办人员" in html
    error_beside(page, "f-department")
    assert "部门最多 100 个字符" in html
    assert page.values["f-department"] == "处" * 101
    assert user("Admin") is None


def test_an_administrator_changes_a_users_role_department_and_name(app, staff, admin):
    handler = staff.handler
    page = Inputs(text_of(admin.get(f"/admin/users/{handler.id}")))
    assert (page.values["f-role"], page.values["f-department"]) == ("handler", "办公室")

    response = admin.post(f"/admin/users/{handler.id}", {"role": "approver", "department": "法治调研处",
                                                         "display_name": "王芳"})
    assert response.status_code == 302
    changed = user("wang_handler")
    assert (changed.role, changed.department, changed.display_name) == ("approver", "法治调研处", "王芳")

    response = admin.post(f"/admin/users/{handler.id}", {"role": "approver", "department": "法治调研处",
                                                         "display_name": ODD * 10})
    assert response.status_code == 422
    page = Inputs(text_of(response))
    assert page.values["f-display_name"] == ODD * 10
    error_beside(page, "f-display_name")
    assert user("wang_handler").display_name == "王芳"


def test_an_administrator_cannot_remove_their_own_admin_role_or_deactivate_themselves(app, staff, admin):
    me = staff.admin
    response = admin.post(f"/admin/users/{me.id}", {"role": "handler", "department": "办公室", "display_name": ""})
    assert response.status_code == 422
    assert "不能取消自己的系统管理员角色" in text_of(response)
    error_beside(Inputs(text_of(response)), "f-role")
    assert Inputs(text_of(response)).values["f-role"] == "handler"  # what was chosen, refused

    response = admin.post(f"/admin/users/{me.id}/active", {"active": "no"})
    assert response.status_code == 422
    assert "不能停用自己的账号" in text_of(response)
    assert 'id="f-active-error"' in text_of(response)
    assert (user("admin").role, user("admin").active) == ("admin", True)
    assert admin.get("/admin/users").status_code == 200  # still signed in, still an administrator


def test_deactivation_ends_the_users_sessions_and_tokens_and_refuses_their_sign_in(app, client, staff, admin):
    handler = signed_in(app, "wang_handler")
    assert handler.get("/").status_code == 200
    headers = factories.token(client, "wang_handler")
    assert client.get("/api/v1/cases", headers=headers).status_code == 200

    response = admin.post(f"/admin/users/{staff.handler.id}/active", {"active": "no"})
    assert response.status_code == 302
    assert "已停用用户 wang_handler" in text_of(admin.get(response.location))
    assert "已结束其 1 个登录会话，作废 1 个 API 令牌" in admin.last

    following = handler.get("/")
    assert following.status_code == 302 and "/login" in following.location
    sessions = _db.session.scalars(sa.select(WebSession).where(WebSession.user_id == staff.handler.id)).all()
    assert [(s.ended_at is not None, s.end_reason) for s in sessions] == [(True, "deactivated")]
    assert _db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)
                              .where(ApiToken.user_id == staff.handler.id)) == 0
    assert client.get("/api/v1/cases", headers=headers).status_code == 401

    again = Visitor(app.test_client())
    again.get("/login")
    refused = again.post("/login", {"username": "wang_handler", "password": factories.PASSWORD})
    assert refused.status_code == 401 and "账号已停用" in text_of(refused)
    assert "已停用" in text_of(admin.get("/admin/users"))

    # Reactivated: the same password signs in again.
    assert admin.post(f"/admin/users/{staff.handler.id}/active", {"active": "yes"}).status_code == 302
    assert user("wang_handler").active is True
    signed_in(app, "wang_handler")


def test_a_password_reset_ends_the_users_sessions_and_the_new_password_signs_in(app, client, staff, admin):
    handler = signed_in(app, "wang_handler")
    headers = factories.token(client, "wang_handler")
    url = f"/admin/users/{staff.handler.id}/password"
    assert admin.get(url).status_code == 200

    response = admin.post(url, {"password": "new-password-1", "password_confirm": "new-password-2"})
    assert response.status_code == 422
    error_beside(Inputs(text_of(response)), "f-password_confirm")
    response = admin.post(url, {"password": "2short", "password_confirm": "2short"})
    assert response.status_code == 422 and "密码至少 8 个字符" in text_of(response)
    assert handler.get("/").status_code == 200  # nothing changed yet

    response = admin.post(url, {"password": "new-password-1", "password_confirm": "new-password-1"})
    assert response.status_code == 302
    assert "已为用户 wang_handler 设置新密码" in text_of(admin.get(response.location))

    following = handler.get("/")
    assert following.status_code == 302 and "/login" in following.location
    ended = _db.session.scalar(sa.select(WebSession.end_reason).where(WebSession.user_id == staff.handler.id))
    assert ended == "password_reset"
    assert client.get("/api/v1/cases", headers=headers).status_code == 401
    old = Visitor(app.test_client())
    old.get("/login")
    assert old.post("/login", {"username": "wang_handler", "password": factories.PASSWORD}).status_code == 401
    signed_in(app, "wang_handler", "new-password-1")


def test_another_agencys_users_are_not_found(app, staff, admin):
    app.config["AGENCIES"] = {**app.config["AGENCIES"], "other": {**app.config["AGENCIES"]["gzsft"],
                                                                 "code": "other", "name": "另一机关"}}
    stranger = factories.user("stranger", role="handler", agency_code="other")
    assert "stranger" not in text_of(admin.get("/admin/users"))
    assert admin.get(f"/admin/users/{stranger.id}").status_code == 404
    assert admin.post(f"/admin/users/{stranger.id}/active", {"active": "no"}).status_code == 404
    assert user("stranger").active is True


# -- who may ------------------------------------------------------------------------------------------
def admin_urls(app, user_id: int) -> list[tuple[str, str]]:
    """(method, URL) of every administration endpoint, from the routes themselves."""
    out = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("web.admin"):
            continue
        url = rule.build({"user_id": user_id, "year": 2027}, append_unknown=False)[1]
        out += [(method, url) for method in sorted(rule.methods & {"GET", "POST"})]
    return out


def test_every_other_role_is_refused_every_administration_page_and_form(app, staff):
    urls = admin_urls(app, staff.handler.id)
    assert len(urls) >= 10 and ("POST", "/admin/calendar/load") in urls
    for username in OTHER_ROLES:
        browser = signed_in(app, username)
        for method, url in urls:
            if method == "GET":
                response = browser.get(url)
            else:
                browser.get("/")  # a page with a valid token: the refusal is the role's, not the token's
                response = browser.post(url, {"active": "no", "role": "admin", "password": "x" * 10,
                                              "password_confirm": "x" * 10, "content": YEAR_2027,
                                              "username": "intruder"})
            assert response.status_code == 403, (username, method, url)
            assert "管理页面仅供系统管理员使用" in text_of(response)
        assert "管理" not in re.sub(r"<main.*", "", text_of(browser.get("/")), flags=re.S)  # no nav link
    assert user("intruder") is None and user("wang_handler").active and user("wang_handler").role == "handler"
    assert _db.session.scalar(sa.select(sa.func.count()).select_from(CalendarYear)) == 0


def test_signed_out_visitors_are_sent_to_sign_in(app, staff, client):
    for method, url in admin_urls(app, staff.handler.id):
        fresh_g()
        response = client.open(url, method=method)
        assert response.status_code in (302, 400), (method, url)  # a POST without a token stops at CSRF
        if response.status_code == 302:
            assert "/login" in response.location


def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(app, staff, admin):
    cases = [("/admin/users/new", NEW_USER),
             (f"/admin/users/{staff.handler.id}", {"role": "admin", "department": "", "display_name": ""}),
             (f"/admin/users/{staff.handler.id}/active", {"active": "no"}),
             (f"/admin/users/{staff.handler.id}/password", {"password": "x" * 10, "password_confirm": "x" * 10}),
             ("/admin/calendar/preview", {"content": YEAR_2027}),
             ("/admin/calendar/load", {"content": YEAR_2027})]
    for url, data in cases:
        response = admin.post(url, data, token=False)
        assert response.status_code == 400, url
        assert "请求无效" in text_of(response)
        response = admin.post(url, data | {"csrf_token": "forged"}, token=False)
        assert response.status_code == 400, url
    handler = user("wang_handler")
    assert (handler.role, handler.active, handler.check_password(factories.PASSWORD)) == ("handler", True, True)
    assert user("chen_handler") is None
    assert _db.session.scalar(sa.select(sa.func.count()).select_from(CalendarYear)) == 0


# -- agency settings -------------------------------------------------------------------------------
def test_the_settings_page_shows_the_agency_and_which_values_are_fixed_by_law(app, admin):
    agencies = app.config["AGENCIES"]
    app.config["AGENCIES"] = {**agencies, "gzsft": {**agencies["gzsft"], "rules": {
        "disclosure_request": {"correction_days": 15, "reply_days": 30, "no_such_rule": 1},
        "no_such_process": {"x": 1}}}}
    response = admin.get("/admin/settings")
    assert response.status_code == 200
    html = text_of(response)
    for shown in ("贵州省司法厅", "黔司", "贵州省司法厅政府信息公开工作机构（厅办公室）", "贵州省人民政府或者中华人民共和国司法部",
                  "行政复议法 第二十八条", "有管辖权的人民法院", "不加版头", "AGENCIES_FILE", "docs/configuration.md",
                  "本页只读", "演示数据"):
        assert shown in html, shown

    def row(rule: str) -> tuple[str, str, str]:
        """The rule's kind, its value as shown, and the row's text."""
        match = re.search(rf'<tr data-rule="{rule}" data-kind="(\w+)">(.*?)</tr>', html, flags=re.S)
        assert match, rule
        value = re.search(r'<span class="text-nowrap fw-semibold">(.*?)</span>', match.group(2)).group(1)
        return match.group(1), value, re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(2)))

    kind, value, text = row("reply_days")
    assert (kind, value) == ("statutory", "20 个工作日") and "法定，不可更改" in text  # the configured 30 is ignored
    assert "《政府信息公开条例》第三十三条第二款" in text
    kind, value, text = row("correction_days")
    assert (kind, value) == ("configured", "15 个工作日") and "本机关配置" in text and "规则集默认值：10" in text
    assert "AGENCIES_FILE：rules.disclosure_request.correction_days" in text
    kind, value, text = row("fee_payment_days")
    assert (kind, value) == ("default", "20 个工作日") and "规则集默认值" in text
    assert "workflow/processes/disclosure_request.py 的 RULES" in text
    assert row("fee_pauses_reply_clock")[:2] == ("default", "是")
    assert row("information_hours")[:2] == ("default", "5 小时")
    assert row("publication_years")[:2] == ("default", "5 年")
    assert html.count('data-kind="statutory"') == 4
    assert "rules.disclosure_request.reply_days：法定期限，配置不能更改，此项不起作用" in html
    assert "rules.disclosure_request.no_such_rule：不是此流程的规则项" in html
    assert "rules.no_such_process：没有名为 no_such_process 的流程" in html


# -- calendar years --------------------------------------------------------------------------------
@pytest.fixture
def provisional_cases(app, staff, clock):
    """Open cases whose due dates fall in 2027 (no official data yet), made before anyone signs in."""
    clock.move_to(dt.datetime(2026, 12, 11, 10, tzinfo=CST))
    short = factories.open_case(staff.registrar, arrived_on="2026-12-10")
    long = factories.open_case(staff.registrar, arrived_on="2026-12-10", applicant_name="李四")
    factories.fire(long, "accept", staff.handler)
    factories.fire(long, "extend", staff.approver, days=20, reason="需要检索大量档案")
    assert (short.due_on, long.due_on, long.due_provisional) == (D("2027-01-08"), D("2027-02-05"), True)
    return short, long


def counts() -> tuple:
    _db.session.expire_all()
    return (_db.session.scalar(sa.select(sa.func.count()).select_from(CalendarYear)),
            _db.session.scalar(sa.select(sa.func.count()).select_from(Event)),
            sorted(_db.session.execute(sa.select(Case.id, Case.due_on, Case.due_provisional, Case.version)).all()))


def test_the_calendar_page_says_which_years_are_official(app, admin):
    html = text_of(admin.get("/admin/calendar"))
    assert re.search(r'data-year="2026" data-source="chinese-calendar"', html)
    assert re.search(r'data-year="2027" data-source="provisional"', html) and "推定" in html
    year = admin.get("/admin/calendar/2026")
    assert year.status_code == 200 and "国庆节" in text_of(year) and "调休上班" in text_of(year)
    assert admin.get("/admin/calendar/2027").status_code == 200
    assert admin.get("/admin/calendar/2500").status_code == 404


def test_the_preview_lists_the_cases_whose_due_dates_move_and_changes_nothing_until_confirmed(
        app, provisional_cases, admin):
    short, long = provisional_cases
    before = counts()
    response = admin.post("/admin/calendar/preview", {"content": YEAR_2027})
    assert response.status_code == 200
    html = text_of(response)
    assert "尚未保存" in html and 'id="changed-cases">2<' in html and 'id="moved-cases">1<' in html
    rows = {m.group(1): re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", m.group(0)))
            for m in re.finditer(r"<tr>\s*<td><a href=\"/cases/\d+\">(.*?)</a>.*?</tr>", html, flags=re.S)}
    assert set(rows) == {short.reference, long.reference}
    assert "答复期限 2027-02-05 （推定） 2027-02-14" in rows[long.reference]
    assert "2027-01-08 （推定） 2027-01-08 日期不变，不再为推定" in rows[short.reference]
    assert counts() == before  # nothing saved

    # The confirmation re-posts the previewed text, carried by the page.
    response = admin.post("/admin/calendar/load", {"content": hidden_content(html)})
    assert response.status_code == 302
    assert "重新计算了 2 件在办案件的期限" in text_of(admin.get(response.location))
    _db.session.expire_all()
    assert (long.due_on, long.due_provisional, short.due_on, short.due_provisional) == (
        D("2027-02-14"), False, D("2027-01-08"), False)
    row = _db.session.get(CalendarYear, 2027)
    assert (row.loaded_by, row.source_text) == ("admin", YEAR_2027)
    assert re.search(r'data-year="2027" data-source="loaded"', admin.last)
    redated = _db.session.scalars(sa.select(Event).where(Event.trigger == "calendar_redated")).all()
    assert sorted(e.case_id for e in redated) == sorted([short.id, long.id])


def hidden_content(html: str) -> str:
    return unescape(re.search(r'<input type="hidden" name="content" value="([^"]*)">', html).group(1))


def test_the_confirmation_carries_the_previewed_text_unchanged(app, admin):
    text = "# 注释 \"引号\" <标签> &amp; 'x'\nyear: 2027\nholiday 2027-01-01 元旦\n"
    assert hidden_content(text_of(admin.post("/admin/calendar/preview", {"content": text}))) == text
    # A browser sends a text area's lines with CRLF: the file is the same.
    assert hidden_content(text_of(admin.post("/admin/calendar/preview",
                                             {"content": text.replace("\n", "\r\n")}))) == text


def test_an_uploaded_file_is_previewed_like_pasted_text(app, provisional_cases, admin):
    response = admin.post("/admin/calendar/preview", {"file": (io.BytesIO(("\ufeff" + YEAR_2027).encode()),
                                                               "2027.txt")},
                          content_type="multipart/form-data")
    assert response.status_code == 200 and 'id="changed-cases">2<' in text_of(response)
    response = admin.post("/admin/calendar/preview", {"file": (io.BytesIO("year: 2027".encode("gb18030") + b"\xff"),
                                                               "2027.txt")},
                          content_type="multipart/form-data")
    assert response.status_code == 422 and "文件应为 UTF-8 编码的文本文件" in text_of(response)
    error_beside(Inputs(text_of(response)), "f-file")


def test_a_bad_calendar_file_comes_back_with_its_text_and_the_line_at_fault(app, admin):
    typed = "year: 2027\nholiday 2027-13-01 元旦\u200b 🙂"
    response = admin.post("/admin/calendar/preview", {"content": typed})
    assert response.status_code == 422
    page = Inputs(text_of(response))
    assert page.values["f-content"] == typed
    error_beside(page, "f-content")
    assert "第 2 行（holiday 2027-13-01 元旦\u200b 🙂）：日期不存在" in text_of(response)
    response = admin.post("/admin/calendar/load", {"content": "year: 2027\nfoo"})
    assert response.status_code == 422 and "第 2 行（foo）" in text_of(response)
    assert _db.session.scalar(sa.select(sa.func.count()).select_from(CalendarYear)) == 0


def test_the_admin_pages_have_the_sub_navigation(app, admin):
    for url, current in (("/admin/users", "用户"), ("/admin/users/new", "用户"), ("/admin/settings", "机关设置"),
                         ("/admin/calendar", "节假日安排")):
        html = text_of(admin.get(url))
        nav = re.search(r'<nav aria-label="管理".*?</nav>', html, flags=re.S).group(0)
        assert [t for t in ("用户", "机关设置", "节假日安排") if f">{t}</a>" in nav] == ["用户", "机关设置", "节假日安排"]
        assert re.search(rf'aria-current="page" href="[^"]+">{current}</a>', nav), url
