"""The caseworker pages through the Flask client on a real database: every page for every role, the
refusals (another department's handler, a role that may not act, a stale form, a form without its CSRF
token), registration and trigger forms that give back exactly what was typed, the exports and the list's
filters, sorts and pages, and the home page's counts as the clock moves."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import openpyxl
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Case, Document, Event
from app.services import cases as case_service
from app.services import registration as registration_service
from app.services.exports import HEADER
from tests import factories
from tests.factories import CST
from tests.web.conftest import Browser, csrf_token
from web.forms import LIST_ROWS
from workflow.processes import PROCESSES

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ROLES = {"registrar": "registrar", "wang_handler": "handler", "li_handler": "handler", "zhao_approver": "approver",
         "auditor": "auditor", "admin": "admin"}


# -- reading pages -----------------------------------------------------------------------------------
class Controls(HTMLParser):
    """A page's form controls by id, as a browser holds them: attributes, an input's value, a text area's
    text (its first newline dropped, line breaks as LF), a select's chosen option, checked boxes."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.attrs: dict[str, dict] = {}
        self.values: dict[str, str] = {}
        self._textarea: str | None = None
        self._select: str | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if "id" in a:
            self.attrs[a["id"]] = {"tag": tag, **a}
        if tag == "input" and "id" in a:
            if a.get("type") in ("checkbox", "radio"):
                if "checked" in a:
                    self.values[a["id"]] = a.get("value", "")
            else:
                self.values[a["id"]] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a.get("id")
            self.values[self._textarea] = ""
        elif tag == "select":
            self._select = a.get("id")
            self.values.setdefault(self._select, "")
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select] = a.get("value", "")

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            text = self.values[self._textarea].replace("\r\n", "\n").replace("\r", "\n")
            self.values[self._textarea] = text[1:] if text.startswith("\n") else text  # as HTML parsing does
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea is not None:
            self.values[self._textarea] += data


def text_of(html: str) -> str:
    """The page's visible text, tags removed, whitespace collapsed."""
    class Text(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.parts, self.skip = [], 0

        def handle_starttag(self, tag, attrs):
            self.skip += tag in ("script", "style", "title")

        def handle_endtag(self, tag):
            self.skip -= tag in ("script", "style", "title")

        def handle_data(self, data):
            if not self.skip:
                self.parts.append(data)

    parser = Text()
    parser.feed(html)
    return re.sub(r"\s+", " ", "".join(parser.parts))


def references(html: str) -> list[str]:
    """The case references linked in a page's case tables, in order."""
    return re.findall(r'<td><a href="/cases/\d+">([^<]+)</a></td>', html)


def section(html: str, key: str) -> str:
    start = html.index(f'<section id="{key}"')
    return html[start:html.index("</section>", start)]


def count_badge(html: str, key: str) -> int:
    return int(re.search(r'count-badge">(\d+)<', section(html, key)).group(1))


def status(b: Browser, url: str) -> int:
    with b.get(url) as response:  # closed, as a server closes what it sent
        return response.status_code


def case_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Case))


def events_of(case_id: int) -> list[Event]:
    return list(db.session.scalars(sa.select(Event).where(Event.case_id == case_id).order_by(Event.seq)))


# -- a small office ----------------------------------------------------------------------------------
@dataclass
class Office:
    """Three cases: one of 办公室, one of 法治调研处, and one of 法治调研处 assigned to wang_handler (办公室)."""

    staff: object
    office: Case
    other: Case
    assigned: Case


def register(actor, *, department: str | None = None, assignee=None, process: str = "disclosure_request",
             data: dict | None = None, **overrides) -> Case:
    payload = data if data is not None else factories.registration(**overrides)
    return registration_service.open_case(process, payload, actor=actor, department=department,
                                          assignee=assignee).case


@pytest.fixture
def office(app, staff):
    s = staff
    return Office(
        staff=s,
        office=register(s.registrar, applicant_name="张三", description="2025年度全省律师事务所年度考核结果"),
        other=register(s.registrar, department="法治调研处", applicant_name="李四",
                       description="法治调研处的调研报告"),
        assigned=register(s.registrar, department="法治调研处", assignee=s.handler, applicant_name="王五",
                          description="指派给王的申请"),
    )


def browse(app, username: str) -> Browser:
    b = Browser(app.test_client())
    b.sign_in(username)
    return b


def fire_form(b: Browser, case: Case, trigger: str, data: dict | None = None, *, page: str | None = None):
    """Submit a trigger's form as the case page offers it (its version and last event seen), with data."""
    html = page or b.get(f"/cases/{case.id}").get_data(as_text=True)
    form = re.search(rf'<form method="post" action="/cases/{case.id}/triggers/{trigger}".*?</form>', html, re.S)
    assert form, f"no form for {trigger}"
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form.group(0)))
    return b.post(f"/cases/{case.id}/triggers/{trigger}", {**hidden, **(data or {})})


def propose_disclosure(b: Browser, case: Case):
    response = fire_form(b, case, "propose_reply", {"outcome": "disclosed", "reason": "disclose",
                                                    "provided": "考核结果一份（电子文本）", "obtain": "电子邮件发送"})
    assert response.status_code == 302, text_of(response.get_data(as_text=True))[:2000]


# -- every page, every role --------------------------------------------------------------------------
def test_every_page_for_every_role(app, office):
    s = office.staff
    wang = browse(app, "wang_handler")
    assert fire_form(wang, office.office, "request_correction", {"items": "请写明文件名称"}).status_code == 302
    letter = case_service.case_documents(office.office)[0]
    under_review = register(s.registrar, applicant_name="赵六")
    approver = browse(app, "zhao_approver")
    assert fire_form(approver, under_review, "accept").status_code == 302
    propose_disclosure(approver, under_review)

    may_import = {"registrar", "wang_handler", "li_handler", "admin"}
    sees_office = {"registrar", "wang_handler", "zhao_approver", "auditor", "admin"}
    for username in ROLES:
        b = browse(app, username)
        role = ROLES[username]
        expected = {
            "/": 200,
            "/cases": 200,
            "/cases?open=yes&sort=due": 200,
            "/cases/new": 200,
            f"/cases/{office.other.id}": 200,  # registrars, approvers, auditors, admins see the agency's
            "/cases/export.csv": 200,
            "/cases/export.xlsx": 200,
            "/cases/import": 200 if username in may_import else 403,
            "/cases/import/template/disclosure_request.xlsx": 200,
            "/admin/users": 200 if role == "admin" else 403,
            f"/cases/{office.office.id}": 200 if username in sees_office else 404,
            f"/documents/{letter.id}": 200 if username in sees_office else 404,
            f"/cases/{under_review.id}/preview/approve":
                200 if role in ("approver", "admin") else (404 if username == "li_handler" else 403),
            "/cases/999999": 404,
            "/documents/999999": 404,
        }
        if username == "wang_handler":
            expected[f"/cases/{office.other.id}"] = 404  # another department's, not assigned to him
        for process in PROCESSES:
            expected[f"/cases/new/{process}"] = 200
        got = {url: status(b, url) for url in expected}
        assert got == expected, username
        # Who may register sees the forms' submit button; the auditor is told why not.
        page = b.get("/cases/new").get_data(as_text=True)
        if role == "auditor":
            assert "不能登记案件" in page and "/cases/new/disclosure_request" not in page
        else:
            assert all(f"/cases/new/{p}" in page for p in PROCESSES)
        assert ('href="/cases/import"' in page) == (username in may_import)

    # The letter downloads as the stored .docx.
    response = browse(app, "auditor").get(f"/documents/{letter.id}")
    assert response.mimetype == DOCX and response.data[:2] == b"PK"
    assert response.headers["X-Content-SHA256"] == letter.sha256
    assert "attachment" in response.headers["Content-Disposition"]


def test_signed_out_every_page_sends_to_sign_in(app, office):
    client = Browser(app.test_client())
    for url in ("/", "/cases", "/cases/new", f"/cases/{office.office.id}", "/cases/export.csv", "/cases/import",
                "/cases/new/disclosure_request", "/documents/1"):
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login?next="), url


def test_each_registration_form_has_its_process_fields(app, staff):
    b = browse(app, "registrar")
    for name, process in PROCESSES.items():
        html = b.get(f"/cases/new/{name}").get_data(as_text=True)
        controls = Controls(html)
        schema = process.registration_schema
        for key, f in schema._declared_fields.items():
            if f.dump_only:
                continue
            ids = [i for i in controls.attrs if i == f"f-{key}" or i.startswith(f"f-{key}-")]
            assert ids, (name, key)
            title = f.metadata.get("title")
            if title:
                assert title in html, (name, key)
            if f.required and f"f-{key}" in controls.attrs:
                assert "required" in controls.attrs[f"f-{key}"], (name, key)
    # The law decides the receipt date: the form says how, beside the field.
    html = b.get("/cases/new/disclosure_request").get_data(as_text=True)
    assert re.search(r'id="f-confirmed_on-help">[^<]*第三十一条', html)


# -- visibility --------------------------------------------------------------------------------------
def test_a_handler_of_another_department_sees_nothing_of_a_case(app, office):
    wang = browse(app, "wang_handler")
    fire_form(wang, office.office, "request_correction", {"items": "请写明文件名称"})
    letter = case_service.case_documents(office.office)[0]
    li = browse(app, "li_handler")
    assert li.get(f"/cases/{office.office.id}").status_code == 404
    assert li.get(f"/documents/{letter.id}").status_code == 404
    before = office.office.version
    response = li.post(f"/cases/{office.office.id}/triggers/withdraw",
                       {"version": str(before), "csrf_token": csrf_token(li.get("/").get_data(as_text=True))})
    assert response.status_code == 404
    db.session.refresh(office.office)
    assert office.office.version == before
    # Lists, home page and exports: 法治调研处's two cases, never 办公室's.
    mine = {office.other.reference, office.assigned.reference}
    assert set(references(li.get("/cases").get_data(as_text=True))) == mine
    assert set(references(li.get("/").get_data(as_text=True))) == mine
    assert office.office.reference not in li.get("/cases?q=张三").get_data(as_text=True)
    assert {row[0] for row in read_csv(li.get("/cases/export.csv"))[1:]} == mine
    assert {row[0] for row in read_xlsx(li.get("/cases/export.xlsx"))[1:]} == mine
    # wang_handler (办公室) sees his department's case and the one assigned to him, not 法治调研处's other.
    wang_refs = set(references(wang.get("/cases").get_data(as_text=True)))
    assert wang_refs == {office.office.reference, office.assigned.reference}
    assert wang.get(f"/cases/{office.assigned.id}").status_code == 200


# -- triggers ----------------------------------------------------------------------------------------
def test_a_trigger_fired_from_its_form(app, office):
    wang = browse(app, "wang_handler")
    response = fire_form(wang, office.office, "accept")
    assert response.status_code == 302 and response.headers["Location"] == f"/cases/{office.office.id}"
    html = wang.get(response.headers["Location"]).get_data(as_text=True)
    assert "已受理并开始办理" in html
    assert re.search(r'id="case-state">办理中<', html)
    assert [e.trigger for e in events_of(office.office.id)] == ["register", "accept"]


def test_the_forms_of_a_case_page_never_share_an_element_id(app, office):
    wang = browse(app, "wang_handler")
    fire_form(wang, office.office, "accept")
    html = browse(app, "zhao_approver").get(f"/cases/{office.office.id}").get_data(as_text=True)
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) > 50 and [i for i in set(ids) if ids.count(i) > 1] == []
    # Several forms ask for a reason: each label names its own input.
    assert {"f-extend-reason", "f-propose_reply-reason"} <= set(ids)
    assert '<label class="form-label" for="f-extend-reason">' in html
    labelled = set(re.findall(r'<label[^>]* for="([^"]+)"', html))
    assert labelled <= set(ids)


def test_a_role_that_may_not_fire_a_trigger_is_told_why(app, office):
    wang = browse(app, "wang_handler")
    fire_form(wang, office.office, "accept")
    registrar = browse(app, "registrar")
    page = registrar.get(f"/cases/{office.office.id}").get_data(as_text=True)
    # Not offered as a form, and listed with the reason and its basis.
    assert f"/cases/{office.office.id}/triggers/extend" not in page
    refused = text_of(page[page.index("现在不能执行的操作及原因"):])
    assert "延期答复：需要角色：系统管理员、审核人（公开办负责人）（依据：岗位职责）" in refused
    version = office.office.version
    response = registrar.post(f"/cases/{office.office.id}/triggers/extend",
                              {"version": str(version), "days": "10", "reason": "需要更多时间"})
    html = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "不能执行 extend" in text_of(html) and "审核人（公开办负责人）" in text_of(html)
    db.session.refresh(office.office)
    assert office.office.version == version
    assert [e.trigger for e in events_of(office.office.id)] == ["register", "accept"]


def test_a_stale_form_is_refused_shows_what_changed_and_overwrites_nothing(app, office):
    case = office.office
    wang = browse(app, "wang_handler")
    stale_page = wang.get(f"/cases/{case.id}").get_data(as_text=True)
    # Meanwhile the approver accepts the application.
    approver = browse(app, "zhao_approver")
    assert fire_form(approver, case, "accept").status_code == 302
    # wang submits the withdrawal form he opened before, on the old version.
    typed = "申请人来电撤回 <本人>"
    response = fire_form(wang, case, "withdraw", {"statement": typed}, page=stale_page)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    conflict = text_of(html[html.index('id="conflict"'):html.index("</div>", html.index('id="conflict"'))])
    assert "已被他人更新" in conflict and "没有保存" in conflict
    assert "zhao_approver：受理并开始办理（已登记 → 办理中）" in conflict
    assert Controls(html).values["f-withdraw-statement"] == typed  # what he typed is still there
    db.session.refresh(case)
    assert case.state == "in_progress" and case.closed_on is None
    assert [e.trigger for e in events_of(case.id)] == ["register", "accept"]
    # Submitted again from the fresh page it goes through.
    assert fire_form(wang, case, "withdraw", {"statement": typed}).status_code == 302
    db.session.refresh(case)
    assert case.state == "closed_other"


def test_a_stale_form_for_a_step_no_longer_possible_says_so(app, office):
    case = office.office
    wang = browse(app, "wang_handler")
    stale_page = wang.get(f"/cases/{case.id}").get_data(as_text=True)
    assert fire_form(browse(app, "zhao_approver"), case, "accept").status_code == 302
    response = fire_form(wang, case, "request_correction", {"items": "请写明文件名称"}, page=stale_page)
    html = text_of(response.get_data(as_text=True))
    assert response.status_code == 409
    assert "zhao_approver：受理并开始办理" in html
    assert [e.trigger for e in events_of(case.id)] == ["register", "accept"]
    assert case_service.case_documents(case) == []


def test_posts_without_the_csrf_token_change_nothing(app, office):
    case = office.office
    wang = browse(app, "wang_handler")
    wang.get(f"/cases/{case.id}")
    response = wang.post(f"/cases/{case.id}/triggers/accept", {"version": str(case.version)}, token=False)
    assert response.status_code == 400
    assert "请求无效" in response.get_data(as_text=True)
    response = wang.post(f"/cases/{case.id}/triggers/accept",
                         {"version": str(case.version), "csrf_token": "forged"}, token=False)
    assert response.status_code == 400
    db.session.refresh(case)
    assert case.state == "received" and len(events_of(case.id)) == 1
    before = case_count()
    registrar = browse(app, "registrar")
    registrar.get("/cases/new/disclosure_request")
    response = registrar.post("/cases/new/disclosure_request", factories.registration(), token=False)
    assert response.status_code == 400 and case_count() == before


def test_a_trigger_without_the_case_version_is_refused(app, office):
    wang = browse(app, "wang_handler")
    wang.get(f"/cases/{office.office.id}")
    response = wang.post(f"/cases/{office.office.id}/triggers/accept", {})
    assert response.status_code == 422
    assert "表单缺少案件版本" in response.get_data(as_text=True)
    assert len(events_of(office.office.id)) == 1


# -- forms give back what was typed --------------------------------------------------------------------
TRICKY_NAME = "  Ｚｈａｎｇ　三😀 <script>alert('x')</script> & \"引号\"  "
TRICKY_TEXT = "\n第一行：所需信息 <b>粗体</b>\n\n  第二行（缩进）  \n第三行😀𠀀 "


def test_a_refused_registration_gives_back_exactly_what_was_typed(app, staff):
    b = browse(app, "registrar")
    b.get("/cases/new/disclosure_request")
    form = factories.registration(applicant_name=TRICKY_NAME, description=TRICKY_TEXT.replace("\n", "\r\n"),
                                  phone="", address="  ", email="not-an-email")
    before = case_count()
    # Refused for a field's format first (the schema's field checks come before its cross-field rules).
    response = b.post("/cases/new/disclosure_request", form)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and case_count() == before
    assert "<script>alert" not in html and "&lt;script&gt;alert(" in html
    values = Controls(html).values
    assert values["f-applicant_name"] == TRICKY_NAME
    assert values["f-description"] == TRICKY_TEXT  # line breaks as a browser holds them
    assert values["f-address"] == "  "
    assert values["f-email"] == "not-an-email"
    assert re.search(r'id="f-email-error">电子邮箱格式不正确', html)
    assert Controls(html).attrs["f-email"].get("aria-invalid") == "true"
    # Then for what depends on several fields: each message beside its field, and named in the summary.
    form.update(email="zhang@example.com", id_number="110105194912310021", channel="online")  # bad check digit
    response = b.post("/cases/new/disclosure_request", form)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and case_count() == before
    controls = Controls(html)
    assert (controls.values["f-applicant_name"], controls.values["f-description"]) == (TRICKY_NAME, TRICKY_TEXT)
    assert (controls.values["f-channel"], controls.values["f-id_type"]) == ("online", "resident_id_card")
    invalid = sorted(k for k, a in controls.attrs.items() if a.get("aria-invalid") == "true")
    assert invalid == ["f-confirmed_on", "f-id_number"]
    assert re.search(r'id="f-id_number-error">居民身份证号码无效', html)
    assert re.search(r'id="f-confirmed_on-error">[^<]*必须填写', html)
    assert controls.attrs["f-id_number"]["aria-describedby"] == "f-id_number-error"
    assert controls.attrs["f-confirmed_on"]["aria-describedby"] == "f-confirmed_on-help f-confirmed_on-error"
    summary = text_of(html[html.index("提交的内容有误"):html.index("</ul>", html.index("提交的内容有误"))])
    assert "身份证明号码：居民身份证号码无效" in summary and "双方确认日期：" in summary
    # Corrected, the same typed text is stored unchanged.
    form.update(id_number="11010519491231002X", channel="in_person")
    response = b.post("/cases/new/disclosure_request", form)
    assert response.status_code == 302
    case = db.session.get(Case, int(response.headers["Location"].rsplit("/", 1)[1]))
    assert case.data["applicant_name"] == TRICKY_NAME
    assert case.data["description"] == TRICKY_TEXT.replace("\n", "\r\n")
    page = b.get(response.headers["Location"]).get_data(as_text=True)
    assert "已登记：" + case.reference in page and "<script>alert" not in page
    assert TRICKY_NAME.strip().replace("<", "&lt;")[:12] in page


def test_registration_names_an_unknown_assignee_beside_its_field(app, staff):
    b = browse(app, "registrar")
    b.get("/cases/new/disclosure_request")
    response = b.post("/cases/new/disclosure_request", factories.registration(assignee="nobody"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert Controls(html).attrs["f-assignee"].get("aria-invalid") == "true"
    assert re.search(r'id="f-assignee-error">用户 nobody 不存在', html)
    response = b.post("/cases/new/disclosure_request",
                      factories.registration(assignee="wang_handler", department="法治调研处"))
    assert response.status_code == 302
    case = db.session.get(Case, int(response.headers["Location"].rsplit("/", 1)[1]))
    assert (case.department, case.assignee.username) == ("法治调研处", "wang_handler")


def test_an_auditor_may_not_register(app, staff):
    b = browse(app, "auditor")
    html = b.get("/cases/new/disclosure_request").get_data(as_text=True)
    assert "不能登记此类案件" in html
    before = case_count()
    response = b.post("/cases/new/disclosure_request", factories.registration())
    assert response.status_code == 403 and case_count() == before
    assert "不能登记" in text_of(response.get_data(as_text=True))


def test_correction_items_one_per_line_round_trip(app, office):
    case = office.office
    wang = browse(app, "wang_handler")
    typed = "  第一项：文件名称 <不明确> \r\n\r\n第二项：年份 & 文号\r\n   \r\n第三项😀"
    # Refused first (a business date in the future): the lines come back as typed.
    response = fire_form(wang, case, "request_correction", {"items": typed, "effective_on": "2026-12-01"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert Controls(html).values["f-request_correction-items"] == typed.replace("\r\n", "\n")
    assert "业务日期不能晚于今天" in html
    assert '<details class="card mb-2" id="t-request_correction" open>' in html
    response = fire_form(wang, case, "request_correction", {"items": typed})
    assert response.status_code == 302
    assert events_of(case.id)[-1].data["items"] == ["  第一项：文件名称 <不明确> ", "第二项：年份 & 文号", "第三项😀"]


def test_a_proposal_with_withheld_parts_round_trips(app, office):
    case = office.office
    wang = browse(app, "wang_handler")
    fire_form(wang, case, "accept")
    data = {
        "outcome": "partially_disclosed", "reason": "partial", "provided": " 考核结果（删除个人信息后） ",
        "withheld_parts.0.part": "第三页 客户名单", "withheld_parts.0.ground": "third_party_rights",
        "withheld_parts.0.explanation": "涉及商业秘密 <机密>",
        "withheld_parts.1.part": "附件二", "withheld_parts.1.ground": "process_information",
        "withheld_parts.3.part": "附件四", "withheld_parts.3.ground": "internal_affairs",
    }
    response = fire_form(wang, case, "propose_reply", data)  # "obtain" is missing for a partial disclosure
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    controls = Controls(html)
    assert controls.attrs["f-propose_reply-obtain"].get("aria-invalid") == "true"
    assert re.search(r'id="f-propose_reply-obtain-error">此答复类型必填', html)
    assert '<a href="#f-propose_reply-obtain">获取信息的时间、方式和地点</a>：此答复类型必填' in html
    for name, value in data.items():
        assert controls.values["f-propose_reply-" + name.replace(".", "-")] == value, name
    # Rows as submitted (up to index 3) plus the blank ones offered.
    assert f"f-propose_reply-withheld_parts-{3 + LIST_ROWS}-part" in controls.attrs
    assert f"f-propose_reply-withheld_parts-{4 + LIST_ROWS}-part" not in controls.attrs
    assert controls.values["f-propose_reply-withheld_parts-2-part"] == ""
    assert [e.trigger for e in events_of(case.id)] == ["register", "accept"]

    response = fire_form(wang, case, "propose_reply", {**data, "obtain": "到本机关领取"})
    assert response.status_code == 302
    assert events_of(case.id)[-1].data["withheld_parts"] == [
        {"part": "第三页 客户名单", "ground": "third_party_rights", "explanation": "涉及商业秘密 <机密>"},
        {"part": "附件二", "ground": "process_information"},
        {"part": "附件四", "ground": "internal_affairs"},
    ]


# -- approval preview --------------------------------------------------------------------------------
def test_the_approver_previews_the_reply_and_nothing_is_issued(app, office):
    case = office.office
    wang = browse(app, "wang_handler")
    fire_form(wang, case, "accept")
    propose_disclosure(wang, case)
    approver = browse(app, "zhao_approver")
    page = approver.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f'href="/cases/{case.id}/preview/approve"' in page
    numbers = db.session.scalar(sa.select(sa.func.count()).select_from(Document))
    response = approver.get(f"/cases/{case.id}/preview/approve")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "尚未制发" in html and "张三" in text_of(html) and "考核结果一份（电子文本）" in text_of(html)
    db.session.refresh(case)
    assert case.state == "under_review"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == numbers
    # The approver may also return it for revision with a comment, which is required.
    response = fire_form(approver, case, "return_for_revision", {"comment": ""})
    assert response.status_code == 422 and "退回修改意见" in text_of(response.get_data(as_text=True))
    response = fire_form(approver, case, "return_for_revision", {"comment": "请补充获取方式"})
    assert response.status_code == 302
    assert "意见：请补充获取方式" in text_of(approver.get(f"/cases/{case.id}").get_data(as_text=True))
    # A preview of a step that is not possible now says why.
    response = approver.get(f"/cases/{case.id}/preview/approve")
    assert response.status_code == 409 and "不能执行" in response.get_data(as_text=True)


# -- exports -----------------------------------------------------------------------------------------
def read_csv(response) -> list[list[str]]:
    with response:
        text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def read_xlsx(response) -> list[list]:
    with response:  # closes the spooled file the workbook was written to, as a server does
        book = openpyxl.load_workbook(io.BytesIO(response.data), read_only=True)
    try:
        return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()


def test_exports_follow_the_list_filters_and_defuse_formulas(app, office):
    s = office.staff
    formula = register(s.registrar, applicant_name="=HYPERLINK(\"http://evil.example\",\"点此\")",
                       description="公式注入")
    register(s.registrar, process="opinion_response", data={
        "title": "网传某律所违规收费", "summary": "微博热议", "source": "新浪微博",
        "detected_at": "2026-11-27T08:00:00+08:00", "department": "办公室"})
    auditor = browse(app, "auditor")
    for query in ("", "?process=disclosure_request", "?q=张三", "?department=法治调研处&sort=reference",
                  "?process=opinion_response", "?received_from=2026-11-21"):
        listed = references(auditor.get("/cases" + query).get_data(as_text=True))
        response = auditor.get("/cases/export.csv" + query)
        assert response.mimetype == "text/csv"
        assert "attachment; filename=cases-2026-11-27.csv" in response.headers["Content-Disposition"]
        rows = read_csv(response)
        assert rows[0] == HEADER
        assert [r[0] for r in rows[1:]] == listed, query
        sheet = read_xlsx(auditor.get("/cases/export.xlsx" + query))
        assert sheet[0] == HEADER
        assert [r[0] for r in sheet[1:]] == listed, query
    rows = {r[0]: r for r in read_csv(auditor.get("/cases/export.csv?process=disclosure_request"))[1:]}
    assert rows[formula.reference][3] == "'=HYPERLINK(\"http://evil.example\",\"点此\")：公式注入"
    assert rows[office.office.reference][1:8] == [
        "政府信息公开申请", "已登记", "张三：2025年度全省律师事务所年度考核结果", "办公室", "", "2026-11-20",
        "2026-12-18"]
    sheet = {r[0]: r for r in read_xlsx(auditor.get("/cases/export.xlsx?q=HYPERLINK"))[1:]}
    assert sheet[formula.reference][3].startswith("'=HYPERLINK")
    response = auditor.get("/cases/export.csv?due_before=2026-02-30")
    assert response.status_code == 422 and "due_before" in response.get_data(as_text=True)


# -- the list ----------------------------------------------------------------------------------------
def test_the_list_searches_reference_applicant_and_subject(app, office):
    b = browse(app, "registrar")
    assert references(b.get("/cases?q=李四").get_data(as_text=True)) == [office.other.reference]
    assert references(b.get("/cases?q=调研报告").get_data(as_text=True)) == [office.other.reference]
    number = office.assigned.reference  # 黔司依申〔2026〕3号
    assert references(b.get("/cases", query_string={"q": "〔2026〕3号"}).get_data(as_text=True)) == [number]
    assert references(b.get("/cases?q=%25").get_data(as_text=True)) == []  # a wildcard is a character
    html = b.get("/cases?q=不存在的内容").get_data(as_text=True)
    assert "没有案件" in html and "共 0 件" in html


def test_each_sort_key_orders_the_list(app, staff, clock):
    s = staff
    first = register(s.registrar, applicant_name="甲", arrived_on="2026-11-25")
    clock.advance(minutes=1)
    second = register(s.registrar, applicant_name="乙", arrived_on="2026-11-02")
    clock.advance(minutes=1)
    third = register(s.registrar, applicant_name="丙", arrived_on="2026-11-16")
    clock.advance(minutes=1)
    wang = browse(app, "wang_handler")
    fire_form(wang, second, "accept")  # in_progress; updated last
    by_id = [first, second, third]
    orders = {
        "id": by_id,
        "received_on": [second, third, first],
        "due": [second, third, first],
        "reference": by_id,
        "state": [second, first, third],  # in_progress < received, then by id
        "updated_at": [first, third, second],
    }
    assert set(orders) == set(case_service.SORTS)
    b = browse(app, "registrar")
    for key, cases in orders.items():
        expected = [c.reference for c in cases]
        assert references(b.get(f"/cases?sort={key}").get_data(as_text=True)) == expected, key
        assert references(b.get(f"/cases?sort=-{key}").get_data(as_text=True)) == expected[::-1], key
    # The column headings link to the other direction, keeping the filters.
    html = b.get("/cases?sort=received_on&process=disclosure_request").get_data(as_text=True)
    link = re.search(r'<a href="([^"]+)">收到日期 ▲', html).group(1).replace("&amp;", "&")
    assert parse_qs(urlsplit(link).query) == {"sort": ["-received_on"], "process": ["disclosure_request"]}


def test_pages_of_the_list_link_to_each_other_with_the_filters(app, staff):
    for i in range(27):
        register(staff.registrar, applicant_name=f"申请人{i:02d}")
    b = browse(app, "registrar")
    html = b.get("/cases?q=申请人&sort=reference").get_data(as_text=True)
    assert "共 27 件，第 1 / 2 页" in html
    first = references(html)
    assert len(first) == 25
    nxt = re.search(r'<a class="page-link" href="([^"]+)">下一页', html).group(1).replace("&amp;", "&")
    assert parse_qs(urlsplit(nxt).query) == {"q": ["申请人"], "sort": ["reference"], "page": ["2"]}
    html = b.get(nxt).get_data(as_text=True)
    assert "第 2 / 2 页" in html
    second = references(html)
    assert len(second) == 2 and not set(first) & set(second)
    assert 'aria-disabled="true" tabindex="-1">下一页' in html
    # A page number beyond the end is an empty page; a malformed one is the first page.
    assert references(b.get("/cases?q=申请人&sort=reference&page=abc").get_data(as_text=True)) == first


BAD_FILTERS = [
    ("due_before=2026-13-01", "due_before", "期限早于"),
    ("received_from=yesterday", "received_from", "收到日期自"),
    ("received_to=2026/11/01", "received_to", "收到日期至"),
    ("state=flying", "state", "状态"),
    ("process=nonsense", "process", "流程"),
    ("sort=-applicant", "sort", "排序"),
    ("q=" + "长" * 101, "q", "检索"),
]


def test_bad_filter_values_are_refused_naming_the_field(app, staff):
    b = browse(app, "registrar")
    for query, field, label in BAD_FILTERS:
        response = b.get("/cases?" + query)
        html = response.get_data(as_text=True)
        assert response.status_code == 422, query
        assert re.search(rf'<a href="#{field}">{label}</a>：', html), query
        if field != "sort":  # the link leads to the filter's input
            assert f'id="{field}"' in html, query
        assert 'role="status">共' not in html  # no list is shown for a refused filter
    # The same refusals for the exports, before anything is sent.
    for query, field, _ in BAD_FILTERS:
        response = b.get("/cases/export.xlsx?" + query)
        assert response.status_code == 422 and f"{field}：" in text_of(response.get_data(as_text=True)), query


# -- the home page -----------------------------------------------------------------------------------
def test_home_counts_follow_the_clock(app, office, clock):
    wang = browse(app, "wang_handler")
    home = wang.get("/").get_data(as_text=True)
    # wang: his department's case and the one assigned to him.
    assert (count_badge(home, "mine"), count_badge(home, "due"), count_badge(home, "overdue")) == (2, 0, 0)
    assert '<section id="approval"' not in home
    registrar_home = browse(app, "registrar").get("/").get_data(as_text=True)
    assert count_badge(registrar_home, "mine") == 0  # nothing assigned to the registrar
    # An approver's queue: a proposal waiting for approval.
    fire_form(wang, office.office, "accept")
    propose_disclosure(wang, office.office)
    approver_home = browse(app, "zhao_approver").get("/").get_data(as_text=True)
    assert count_badge(approver_home, "approval") == 1
    assert references(section(approver_home, "approval")) == [office.office.reference]
    # Received Fri 20 Nov: due Fri 18 Dec. On Tue 15 Dec the third working day ahead is the 18th.
    clock.move_to(dt.datetime(2026, 12, 15, 10, 0, tzinfo=CST))
    wang = browse(app, "wang_handler")  # weeks later: the session has ended, he signs in again
    home = wang.get("/").get_data(as_text=True)
    both = [office.office.reference, office.assigned.reference]  # the proposal's reply clock still runs
    assert count_badge(home, "due") == 2 and count_badge(home, "overdue") == 0
    assert sorted(references(section(home, "due"))) == both
    clock.move_to(dt.datetime(2026, 12, 21, 10, 0, tzinfo=CST))  # Monday after the due date
    wang = browse(app, "wang_handler")
    home = wang.get("/").get_data(as_text=True)
    assert count_badge(home, "due") == 0 and count_badge(home, "overdue") == 2
    assert section(home, "overdue").count("（已逾期）") == 2
    # The overdue filter of the list agrees; 法治调研处's other case is not his.
    assert sorted(references(wang.get("/cases?overdue=yes").get_data(as_text=True))) == both
    assert office.other.reference not in home


def test_the_due_soon_link_lists_what_the_home_page_counts(app, staff, clock):
    cases = [register(staff.registrar, applicant_name=f"申请人{i}") for i in range(11)]
    clock.move_to(dt.datetime(2026, 12, 15, 10, 0, tzinfo=CST))  # due 18 Dec = the third working day ahead
    b = browse(app, "registrar")
    home = b.get("/").get_data(as_text=True)
    assert count_badge(home, "due") == 11
    link = re.search(r'<a href="([^"]+)">查看全部 11 件', section(home, "due")).group(1).replace("&amp;", "&")
    listed = b.get(link).get_data(as_text=True)
    assert "共 11 件" in listed
    assert set(references(listed)) == {c.reference for c in cases}
