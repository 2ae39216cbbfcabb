"""An application for government information handled in the browser from registration to its reply letter,
as the registrar, a handler and the approver of 办公室 do it: registered through the generated form (a
refused first attempt keeps what was typed), 告知补正, 收到补正, 征求第三方意见, 第三方已答复, 延期答复, 拟定答复,
退回修改 with a comment, 拟定答复 again, the approver reads the draft reply in the preview and approves; the
reply is listed under 文书 and its .docx downloads. axe checks every page on the way; screenshots of the main
pages are taken (docs/screenshots/ with SCREENSHOTS=1).

Each step is done on its business day (the field 业务日期 is left empty: today): the clock starts on Monday
2026-11-23 and moves forward to the days the correction and the third party's opinion arrive. Other work of
the office (registered through the services: an application overdue by then, one due within 3 working days,
an enforcement decision to publish) fills the home page and the list as on a working day."""
from __future__ import annotations

import docx
import sqlalchemy as sa
from playwright.sync_api import expect

from app.extensions import db
from app.models import User
from app.services.registration import open_case
from tests import factories

from .pages import case_id, check_axe, fill, fire, open_all_details, shot, sign_in, state_of, submit

APPLICATION = {
    "applicant_type": "自然人",
    "applicant_name": "张三",
    "id_type": "居民身份证",
    "id_number": "11010519491231002X",
    "phone": "13800000000",
    "address": "贵州省贵阳市云岩区中华北路1号",
    "form": "电子文本",
    "delivery": "电子邮件",
    "email": "zhangsan@example.com",
    "channel": "当面提交",
}
DESCRIPTION = "2025年度全省律师事务所年度考核结果"
ITEMS = ["所需信息的名称不明确，请写明文件名称或文号", "请写明所需信息的大致形成时间"]
THIRD_PARTY = "贵州某某律师事务所"
OBJECTION = "考核结果含未公开的经营数据和客户名单"
EXTENSION_REASON = "需征求第三方意见并核对材料"
PROPOSAL = {"outcome": "withheld", "reason": "third_party_rights"}
FIRST_EXPLANATION = "第三方不同意公开"
COMMENT = "理由说明应写明第三方不同意公开的具体理由，以及不公开不会对公共利益造成重大影响"
EXPLANATION = "第三方书面答复不同意公开，理由为考核结果含未公开的经营数据和客户名单；经审查，不公开不会对公共利益造成重大影响"


def other_work(live, registrar: str) -> None:
    """Applications received on 2026-10-26 (due 2026-11-23: overdue a week later) and on 2026-11-04 (due
    2026-12-02), and a penalty decision of 2026-11-20 to publish within 7 working days."""
    with live.app.app_context():
        actor = db.session.scalar(sa.select(User).where(User.username == registrar))
        factories.open_case(actor, applicant_name="李四", arrived_on="2026-10-26",
                            description="2026年度法律援助经费使用情况")
        factories.open_case(actor, applicant_type="commercial_enterprise", applicant_name="贵州某某科技有限公司",
                            id_type="unified_social_credit_code", id_number="91520000MA6DL1K80D",
                            arrived_on="2026-11-04", description="公证机构执业区域调整的有关文件")
        open_case("enforcement_disclosure", {
            "decision_date": "2026-11-20", "decision_type": "administrative_penalty", "deciding_agency": "贵州省司法厅",
            "party_type": "legal_person", "party_name": "贵州某某律师事务所", "party_id_number": "91520000MA6DKQ1A0P",
            "category": "律师事务所管理", "conclusion": "警告"}, actor=actor)
        db.session.remove()


def test_an_application_from_registration_to_its_reply_letter(live, staff, new_page, shots, tmp_path):
    live.on("2026-11-23")  # a Monday
    other_work(live, staff.registrar)
    registrar = new_page()
    sign_in(registrar, staff.registrar)

    # Registration: the chooser, then the form generated from the process's schema.
    registrar.get_by_role("navigation", name="主导航").get_by_role("link", name="登记", exact=True).click()
    check_axe(registrar, "registration chooser")
    registrar.get_by_role("link", name="登记政府信息公开申请").click()
    expect(registrar).to_have_title("登记政府信息公开申请 — 政务公开办理")
    form = registrar.locator("main form")
    fill(form, APPLICATION | {"arrived_on": live.today(), "description": DESCRIPTION})
    shot(registrar, shots, "registration")
    # Refused without the description: the message beside the field, everything typed still there.
    fill(form, {"description": ""})
    with registrar.expect_navigation() as answer:
        form.get_by_role("button", name="登记").click()
    assert answer.value.status == 422
    expect(registrar.locator("#f-description-error")).to_have_text("必填")
    expect(registrar.get_by_label("申请人姓名或名称")).to_have_value("张三")
    expect(registrar.get_by_label("申请人类型")).to_have_value("natural_person")
    expect(registrar.get_by_label("申请到达日期")).to_have_value(live.today())
    check_axe(registrar, "registration form with its errors")
    fill(form, {"description": DESCRIPTION})
    submit(registrar, form)
    expect(registrar.locator(".alert-success")).to_contain_text("已登记：")
    assert state_of(registrar) == "已登记"
    case = case_id(registrar)
    reference = registrar.locator("h1").inner_text()

    # The handler finds it in the list and asks for a correction, the items one per line.
    handler = new_page()
    sign_in(handler, staff.handler)
    handler.get_by_role("navigation", name="主导航").get_by_role("link", name="案件").click()
    check_axe(handler, "case list")
    handler.get_by_role("link", name=reference).click()
    assert case_id(handler) == case
    fire(handler, "request_correction", {"items": ITEMS})
    expect(handler.locator(".alert-success")).to_contain_text("政府信息公开申请补正告知书")
    assert state_of(handler) == "待补正"

    live.on("2026-11-25")  # the corrected application arrives on Wednesday; the third party is consulted
    fire(handler, "receive_correction", {"summary": "申请人补充了文件名称和形成时间"})
    assert state_of(handler) == "办理中"
    fire(handler, "consult_third_party", {"third_party_name": THIRD_PARTY, "information": "该所2025年度考核结果",
                                          "impact": "涉及该所的经营数据"})
    expect(handler.locator(".alert-success")).to_contain_text("征求第三方意见书")
    assert state_of(handler) == "征求第三方意见"

    live.on("2026-11-27")  # Friday: the third party objects in writing
    fire(handler, "third_party_replied", {"opinion": "不同意公开", "reasons": OBJECTION})
    assert state_of(handler) == "办理中"

    # Extension is the approver's decision.
    approver = new_page()
    sign_in(approver, staff.approver)
    approver.goto(f"/cases/{case}")
    fire(approver, "extend", {"days": "10", "reason": EXTENSION_REASON})
    expect(approver.locator(".alert-success")).to_contain_text("延期答复告知书")
    assert state_of(approver) == "办理中"

    handler.reload()
    fire(handler, "propose_reply", PROPOSAL | {"explanation": FIRST_EXPLANATION})
    assert state_of(handler) == "待审核"

    # The approver sees it waiting on the home page and returns it with a comment.
    approver.goto("/")
    expect(approver.locator("#approval")).to_contain_text(reference)
    approver.locator("#approval").get_by_role("link", name=reference).click()
    fire(approver, "return_for_revision", {"comment": COMMENT})
    assert state_of(approver) == "办理中"

    handler.reload()
    expect(handler.locator(".timeline")).to_contain_text(f"意见：{COMMENT}")
    fire(handler, "propose_reply", PROPOSAL | {"explanation": EXPLANATION})
    assert state_of(handler) == "待审核"

    live.on("2026-11-30")  # Monday: the approver reads the draft and approves
    handler.goto("/")
    expect(handler.locator("#overdue")).to_contain_text("李四")
    expect(handler.locator("#due")).to_contain_text("贵州某某科技有限公司")
    shot(handler, shots, "home")
    approver.goto("/")
    expect(approver.locator("#approval")).to_contain_text(reference)
    check_axe(approver, "home (approver)")
    approver.get_by_role("navigation", name="主导航").get_by_role("link", name="案件").click()
    expect(approver.locator("main table")).to_contain_text(reference)
    shot(approver, shots, "list")
    approver.get_by_role("link", name=reference).click()
    open_all_details(approver)
    check_axe(approver, "case page (under review, every form open)")
    approve = approver.locator("#t-approve")
    approve.get_by_role("link", name="预览将制发的答复文书").click()
    expect(approver.locator("h1")).to_have_text("预览：审核通过并答复")
    draft = approver.locator("article.draft")
    expect(draft).to_have_count(1)
    expect(draft).to_contain_text("张三：")
    expect(draft).to_contain_text(EXPLANATION)
    check_axe(approver, "approval preview")
    shot(approver, shots, "preview")
    approver.get_by_role("link", name="返回审核").click()
    assert case_id(approver) == case
    fire(approver, "approve")
    notice = approver.locator(".alert-success").inner_text()
    assert "已生成：" in notice, notice
    title = notice.split("已生成：", 1)[1].strip()
    assert state_of(approver) == "不予公开"

    # The letters: every one issued on the way, the reply last; the reply's .docx downloads.
    letters = approver.locator("section[aria-labelledby=letters-h] tbody tr")
    expect(letters).to_have_count(4)
    titles = [letters.nth(i).locator("td").nth(1).inner_text() for i in range(4)]
    assert [t.split("\n")[0] for t in titles[:3]] == [
        "政府信息公开申请补正告知书", "政府信息公开申请征求第三方意见书", "政府信息公开申请延期答复告知书"]
    row = letters.filter(has_text=title)
    with approver.expect_download() as download:
        row.get_by_role("link", name="Word").click()
    assert download.value.suggested_filename.endswith(".docx")
    path = tmp_path / "reply.docx"
    download.value.save_as(path)
    text = [p.text for p in docx.Document(str(path)).paragraphs]
    assert text[0] == title
    assert "张三：" in text and any(EXPLANATION in p for p in text)
    shot(approver, shots, "case", max_height=1280)
