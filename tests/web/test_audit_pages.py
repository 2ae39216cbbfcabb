"""The auditor's pages and API (issue 9.2): each table paginated and exported with the same filters, refused
to other roles with the reason, and a case as of a past date."""
from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from app.services import audit
from tests import factories as f
from tests.api.helpers import Api
from tests.factories import CST
from tests.web.conftest import browser_for
from tests.web.test_pages import text_of


@pytest.fixture
def worked(app, db, staff, clock):
    """Two cases over two days; the second's reply proposed and approved by the same approver."""
    s = staff
    first = f.open_case(s.registrar, arrived_on="2026-11-24")
    f.fire(first, "accept", s.handler)
    clock.move_to(dt.datetime(2026, 11, 30, 9, 0, tzinfo=CST))
    f.fire(first, "extend", s.approver, days=5, reason="档案较多，需调取")
    second = f.open_case(s.registrar, applicant_name="李四", arrived_on="2026-11-30")
    f.fire(second, "propose_reply", s.approver, outcome="disclosed", reason="disclose", provided="考核结果",
           obtain="通过电子邮件发送")
    f.set_four_eyes(False)  # an office with one approver
    f.fire(second, "approve", s.approver)
    return first, second


def read_csv(response) -> list[list[str]]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_the_events_page_filters_paginates_and_exports_the_same_rows(app, worked, monkeypatch):
    first, second = worked
    auditor = browser_for(app, "auditor")
    page = auditor.get(f"/audit/events?case={first.reference}")
    assert page.status_code == 200
    text = text_of(page.get_data(as_text=True))
    assert "延期答复" in text and "档案较多，需调取" in text and "李四" not in text
    exported = read_csv(auditor.get(f"/audit/events.csv?case={first.reference}"))
    assert exported[0] == audit.EVENT_HEADER and [r[3] for r in exported[1:]] == ["登记", "受理并开始办理", "延期答复"]
    response = auditor.get("/audit/events.xlsx?actor=zhao_approver")
    workbook = load_workbook(io.BytesIO(response.data), read_only=True)
    response.close()
    rows = [[c for c in row] for row in workbook.active.iter_rows(values_only=True)]
    assert [r[3] for r in rows[1:]] == ["延期答复", "拟定答复", "审核通过并答复"]
    monkeypatch.setattr("web.audit.PER_PAGE", 2)
    html = auditor.get("/audit/events?page=2").get_data(as_text=True)
    assert "第 2 页，本页 2 条" in html and ">上一页<" in html and ">下一页<" in html
    bad = auditor.get("/audit/events?since=yesterday&role=pilot")
    assert bad.status_code == 422 and "应为日期" in bad.get_data(as_text=True)


def test_the_other_tables_have_their_pages_and_exports(app, worked):
    first, second = worked
    auditor = browser_for(app, "auditor")
    due = text_of(auditor.get(f"/audit/due-date-changes?case={first.reference}").get_data(as_text=True))
    assert "2026-12-22" in due and "2026-12-29" in due and "延长答复期限" in due
    own = read_csv(auditor.get("/audit/self-approved.csv"))
    assert [r[0] for r in own[1:]] == [second.reference]
    records = text_of(auditor.get("/audit/records?kind=sign_in").get_data(as_text=True))
    assert "auditor" in records and "登录" in records


@pytest.mark.parametrize("who", ["registrar", "wang_handler", "zhao_approver"])
def test_the_audit_pages_are_refused_to_other_roles_with_the_reason(app, worked, who):
    browser = browser_for(app, who)
    for address in ("/audit/events", "/audit/records.csv", f"/cases/{worked[0].id}/as-of?date=2026-11-30"):
        response = browser.get(address)
        assert response.status_code == 403, address
        assert "审计查询需要角色" in response.get_data(as_text=True)


def test_a_case_as_of_a_date_on_the_page_and_in_the_api(app, worked):
    _, second = worked
    page = browser_for(app, "auditor").get(f"/cases/{second.id}/as-of?date=2026-11-29")
    assert "该日结束时本案尚未登记" in page.get_data(as_text=True)
    text = text_of(browser_for(app, "auditor").get(f"/cases/{second.id}/as-of?date=2026-11-30")
                   .get_data(as_text=True))
    assert "已公开" in text or "公开" in text
    api = Api(app, "auditor")
    answer = api.get("api.case_as_of", case_id=second.id, date="2026-11-30").get_json()
    assert (answer["existed"], answer["state"], answer["data"]["applicant_name"]) == (True, "disclosed", "李四")
    assert [e["trigger"] for e in answer["events"]] == ["register", "propose_reply", "approve"]
    assert api.get("api.case_as_of", case_id=second.id, date="2026-11-29").get_json()["existed"] is False
    assert api.get("api.case_as_of", case_id=second.id).status_code == 422


def test_the_audit_api_pages_and_exports(app, worked):
    first, second = worked
    api = Api(app, "auditor")
    page = api.get("api.audit_events", actor="zhao_approver", per_page=2).get_json()
    assert [(e["case_reference"], e["trigger"]) for e in page["items"]] == [
        (first.reference, "extend"), (second.reference, "propose_reply")]
    assert page["has_more"] is True
    assert api.get("api.audit_events", actor="zhao_approver", per_page=2, page=2).get_json()["has_more"] is False
    changes = api.get("api.audit_due_date_changes", case=first.reference).get_json()
    assert changes["columns"] == audit.DUE_HEADER and [r[7] for r in changes["rows"]] == ["2026-12-22", "2026-12-29"]
    own = api.get("api.audit_self_approved").get_json()
    assert [r[0] for r in own["rows"]] == [second.reference]
    records = api.get("api.audit_records", kind="sign_in").get_json()
    assert [r["username"] for r in records["items"]] == ["auditor"]
    exported = api.get("api.audit_export", table="events", fmt="csv", case=first.reference)
    assert exported.status_code == 200 and [r[3] for r in read_csv(exported)[1:]] == ["登记", "受理并开始办理", "延期答复"]
    assert api.get("api.audit_export", table="events", fmt="csv", role="pilot").status_code == 422
    handler = Api(app, "wang_handler")
    assert handler.get("api.audit_events").status_code == 403
    assert handler.get("api.audit_export", table="records", fmt="xlsx").status_code == 403
