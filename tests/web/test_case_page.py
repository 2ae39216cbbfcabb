"""The case page: trigger forms that fire, the letters they issue, the approval preview that issues nothing,
and recording a letter's service."""
from __future__ import annotations

import io

import docx

from app.services import cases as case_service
from tests import factories


def test_a_handler_requests_correction_and_records_the_notices_service(app, staff, as_user):
    case = factories.open_case(staff.registrar, arrived_on="2026-11-26")
    handler = as_user("wang_handler")
    page = handler.get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'id="t-request_correction"' in page and "告知补正" in page
    response = handler.post(f"/cases/{case.id}/triggers/request_correction",
                            {"version": str(case.version), "seen_seq": "1", "items": "申请书未写明文号\r\n请补充形成时间"})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    page = handler.get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'id="case-state">待补正<' in page
    [letter] = case_service.case_documents(case_service.get_case(case.id, actor=staff.handler))
    assert letter.title in page and "未登记送达" in page
    download = handler.get(f"/documents/{letter.id}")
    assert download.status_code == 200 and download.data == letter.content
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(download.data)).paragraphs)
    assert "申请书未写明文号" in text and "请补充形成时间" in text

    refused = handler.post(f"/documents/{letter.id}/delivery", {"method": "post", "served_on": "2026-11-27"})
    assert refused.status_code == 422 and "邮寄送达应填写邮件单号" in refused.get_data(as_text=True)
    served = handler.post(f"/documents/{letter.id}/delivery", {"method": "post", "served_on": "2026-11-27",
                                                                "tracking_number": "EMS1234567890"})
    assert served.status_code == 302
    page = handler.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "已送达 2026-11-27" in page and "EMS1234567890" in page and "未登记送达" not in page


def test_the_approval_preview_renders_the_reply_and_issues_nothing(app, staff, as_user):
    case = factories.open_case(staff.registrar, arrived_on="2026-11-26")
    case_service.fire(case, "accept", actor=staff.handler)
    case_service.fire(case, "propose_reply", actor=staff.handler,
                      params={"outcome": "disclosed", "reason": "disclose", "provided": "2025年度考核结果通报（纸质文本）",
                              "obtain": "自答复之日起到本机关政务服务窗口领取"})
    approver = as_user("zhao_approver")
    page = approver.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "预览将制发的答复文书" in page
    preview = approver.get(f"/cases/{case.id}/preview/approve")
    assert preview.status_code == 200
    text = preview.get_data(as_text=True)
    assert "政府信息公开申请答复书" in text and "张三" in text and "尚未制发" in text
    fresh = case_service.get_case(case.id, actor=staff.approver)
    assert fresh.state == "under_review" and case_service.case_documents(fresh) == []
    assert [e.trigger for e in case_service.case_events(fresh)[0]] == ["register", "accept", "propose_reply"]


def test_a_nul_byte_in_a_filter_or_an_assignee_is_refused_with_its_field(app, staff, as_user):
    """PostgreSQL cannot compare text with a NUL byte: such input is refused at the service with its field,
    from the pages and the API alike, never a server error."""
    registrar = as_user("registrar")
    for query in ("q=%00", "department=a%00b", "assignee=%00"):
        response = registrar.get(f"/cases?{query}")
        assert response.status_code == 422 and "U+0000" in response.get_data(as_text=True), query
    registrar.get("/cases/new/disclosure_request")
    refused = registrar.post("/cases/new/disclosure_request", {**factories.registration(), "assignee": "\x00"})
    assert refused.status_code == 422 and "U+0000" in refused.get_data(as_text=True)
    refused = registrar.post("/cases/new/disclosure_request", {**factories.registration(), "department": "办\x00公室"})
    assert refused.status_code == 422 and "U+0000" in refused.get_data(as_text=True)
    assert case_service.list_cases(actor=staff.registrar).total == 0
