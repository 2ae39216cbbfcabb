"""policy_interpretation through the service and the database: every path to `published` (same day, on time,
late), a return with its 退文通知单 and the resubmission, a withdrawal; the 5-working-day clock across the 2026
Mid-Autumn and National Day holidays; each letter reopened with python-docx.

Hand count used throughout (law.md §7.1, 2026: 国庆 1–7 Oct off, Saturday 10 Oct a make-up working day):
policy issued Tuesday 2026-09-29 + 5 WD = 9/30(1), skip 10/1-10/7, 10/8(2), 10/9(3), 10/10 Sat(4), skip 10/11 Sun,
10/12(5) → due Monday 2026-10-12. Published 10/13 is 1 WD late, 10/14 is 2 WD late.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io

import docx
import pytest
import sqlalchemy as sa

from app.models import Document, Event
from app.services import cases as service
from app.services.registration import open_case
from tests import factories as f
from workflow.errors import GuardFailed, InvalidData

D = dt.date.fromisoformat
WORK_POINTS = "《贵州省司法厅2019年政务公开工作要点》第一部分第（二）项"
TITLE = "贵州省司法厅关于加强公共法律服务体系建设的实施意见"
DEPARTMENT = "公共法律服务管理处 & <法律援助>"  # typed text with characters XML must escape


def make_people() -> dict:
    return {"registrar": f.user("reg", role="registrar"), "drafter": f.user("drafter", role="handler",
                                                                             department="公共法律服务管理处"),
            "office": f.user("office", role="approver")}


@pytest.fixture
def people(app):
    return make_people()


def register(people, **overrides):
    data = {"policy_title": TITLE, "department": DEPARTMENT, "major": True, "registered_on": "2026-09-14"}
    data.update(overrides)
    return open_case("policy_interpretation", {k: v for k, v in data.items() if v is not None},
                             actor=people["registrar"]).case


COMPLETE = {"plan_attached": True, "materials_attached": True, "interpreter": "厅长 张某某",
            "interpreter_is_head": True, "forms": ["materials", "policy_briefing"]}
CHANNELS = {"channels": ["portal", "wechat_guizhou_sifa", "wechat_qianwei_pufa"]}


def approved(people, **registration):
    case = register(people, **registration)
    f.fire(case, "submit", people["drafter"], "2026-09-15", **COMPLETE)
    f.fire(case, "approve", people["office"], "2026-09-21")
    return case


def documents(db, case) -> list[Document]:
    return list(db.session.scalars(sa.select(Document).where(Document.case_id == case.id).order_by(Document.id)))


def events(db, case) -> list[Event]:
    return list(db.session.scalars(sa.select(Event).where(Event.case_id == case.id).order_by(Event.seq)))


def opened(doc: Document) -> tuple[list[str], dict[str, str]]:
    """A stored letter reopened: its paragraphs, and its two-column table (a record's form) as a dict."""
    assert hashlib.sha256(doc.content).hexdigest() == doc.sha256
    document = docx.Document(io.BytesIO(doc.content))
    table = {}
    for t in document.tables:
        table.update({row.cells[0].text: row.cells[1].text for row in t.rows})
    return [p.text for p in document.paragraphs], table


# -- registration ----------------------------------------------------------------------------------------
def test_registration_starts_in_drafting_with_the_registration_date(db, people):
    case = register(people)
    assert (case.state, case.received_on, case.due_on, case.department) == ("drafting", D("2026-09-14"), None,
                                                                              DEPARTMENT)
    assert case.reference == "黔司解读〔2026〕1号"
    assert case.data["plan_attached"] is False and case.data["forms"] == []
    assert [e.trigger for e in events(db, case)] == ["register"]


def test_registration_without_a_date_is_registered_today(db, people):
    assert register(people, registered_on=None).received_on == D("2026-11-27")


def test_a_registration_date_in_the_future_is_refused(db, people):
    with pytest.raises(InvalidData) as err:
        register(people, registered_on="2026-11-28")
    assert any("不能晚于今天（2026-11-27）" in m for messages in err.value.errors.values() for m in messages)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == 0


# -- same-day publication ----------------------------------------------------------------------------------
def test_a_major_policy_published_with_its_interpretation_on_the_same_day(db, people):
    case = approved(people)
    result = f.fire(case, "publish", people["office"], "2026-09-29", document_number="黔司发〔2026〕12号",
                    **CHANNELS)
    assert (case.state, case.closed_on, case.due_on) == ("published", D("2026-09-29"), None)
    assert case.data["deadline_met"] is True and case.data["interpretation_due_on"] == "2026-10-12"
    assert [e.trigger for e in events(db, case)] == ["register", "submit", "approve", "publish"]
    assert case.clocks[0].status == "stopped"

    [doc] = documents(db, case)
    assert doc.event_id == result.event.id and doc.kind == "interpretation_record"
    assert doc.number == "黔司解备〔2026〕1号" and doc.title == "政策解读发布备案表"
    paragraphs, table = opened(doc)
    # A form: title, number, and the rows of the table (no addressee line, no closing).
    assert [p for p in paragraphs if p] == ["政策解读发布备案表", "黔司解备〔2026〕1号"]
    assert table["案件编号"] == "黔司解读〔2026〕1号"
    assert table["备案机构"] == "贵州省司法厅政府信息公开工作机构（厅办公室）"
    assert table["发布情况"] == "政策文件与解读材料于2026年9月29日同日发布，符合同步发布的要求。"
    assert table["政策文件名称"] == TITLE and table["文号"] == "黔司发〔2026〕12号"
    assert table["起草部门"] == DEPARTMENT and table["是否重大政策"] == "是"
    assert table["印发日期"] == table["解读发布日期"] == "2026年9月29日"
    assert table["解读形式"] == "文字解读材料、政策吹风会"
    assert table["解读人"] == "厅长 张某某（单位主要负责人，第一解读人）"
    assert table["发布渠道"] == "门户网站“政策解读”专栏、“贵州司法”微信公众号、“黔微普法”微信公众号"
    assert table["是否按期发布"] == "是（与政策文件同日发布）"
    assert table["法律依据"] == f"{WORK_POINTS}（谁起草、谁解读；政策文件与解读材料同步发布，最晚于印发后5个工作日内发布解读材料）"
    assert table["联系方式"] == ("贵州省司法厅政府信息公开工作机构（厅办公室）；地址：贵州省贵阳市观山湖区（邮政编码：550081）；"
                             "联系电话：0851-00000000")
    assert (table["经办人"], table["审核人"]) == ("", "")  # signed by hand on the printed record
    assert table["备案单位（盖章）"] == "\n\n贵州省司法厅\n2026年9月29日"  # room for the seal, the agency, the date
    assert "备注" not in table  # the deadline is not provisional


# -- policy first, interpretation later ---------------------------------------------------------------------
def test_the_policy_issued_first_gives_the_case_a_due_date_five_working_days_after_issue(db, people):
    case = approved(people)
    f.fire(case, "publish_policy_first", people["office"], "2026-09-30", issued_on="2026-09-29",
           document_number="黔司发〔2026〕12号", refinement_reason="政策图解尚在制作")
    assert case.state == "interpretation_pending" and case.due_on == D("2026-10-12")
    assert case.clocks[0].ops[0]["rules"] == {"interpretation_days": 5}
    assert documents(db, case) == []  # the record is issued when the interpretation is published


def test_the_interpretation_published_on_the_due_date_is_on_time(db, people):
    case = approved(people)
    f.fire(case, "publish_policy_first", people["office"], "2026-09-29", document_number="黔司发〔2026〕12号",
           refinement_reason="政策图解尚在制作")
    f.fire(case, "publish_interpretation", people["drafter"], "2026-10-12", **CHANNELS)
    assert (case.state, case.closed_on, case.due_on) == ("published", D("2026-10-12"), None)
    assert case.data["deadline_met"] is True
    _, table = opened(documents(db, case)[0])
    assert table["发布情况"].split("\n") == [
        "政策文件于2026年9月29日正式印发，因解读材料确需完善先行发布政策文件（理由：政策图解尚在制作）。"
        "按照规定，解读材料最晚应于印发后5个工作日内即2026年10月12日前发布。",
        "解读材料于2026年10月12日发布，在规定期限内。"]
    assert table["印发日期"] == "2026年9月29日" and table["解读发布日期"] == "2026年10月12日"
    assert table["解读发布期限"] == "2026年10月12日（印发后5个工作日内）"
    assert table["是否按期发布"] == "是"


def test_the_interpretation_published_late_is_recorded_as_late(db, people):
    case = approved(people)
    f.fire(case, "publish_policy_first", people["office"], "2026-09-29", document_number="黔司发〔2026〕12号",
           refinement_reason="政策图解尚在制作")
    # 10/13(1 late), 10/14(2 late)
    f.fire(case, "publish_interpretation", people["drafter"], "2026-10-14", late_reason=" 负责人出差，访谈顺延 ",
           other_channels=["贵州省人民政府网“政策解读”栏目"], **CHANNELS)
    assert case.state == "published" and case.data["deadline_met"] is False
    [doc] = documents(db, case)
    _, table = opened(doc)
    assert table["发布情况"].split("\n")[1] == \
        "解读材料于2026年10月14日发布，超过规定期限2个工作日，属于逾期发布。逾期原因： 负责人出差，访谈顺延 "
    assert table["是否按期发布"] == "否（逾期2个工作日）"
    assert table["发布渠道"].endswith("、贵州省人民政府网“政策解读”栏目")
    assert [e.clocks["interpretation"]["met"] for e in events(db, case)[-1:]] == [False]


def test_an_agency_rule_set_of_three_days_is_used_and_recorded(app, db, people, monkeypatch):
    agency = app.config["AGENCIES"]["gzsft"]
    monkeypatch.setitem(app.config["AGENCIES"], "gzsft",
                        {**agency, "rules": {"policy_interpretation": {"interpretation_days": 3}}})
    case = approved(people)
    f.fire(case, "publish_policy_first", people["office"], "2026-09-29", document_number="黔司发〔2026〕12号",
           refinement_reason="需完善")
    # 9/30(1), skip 10/1-10/7, 10/8(2), 10/9(3)
    assert case.due_on == D("2026-10-09") and case.clocks[0].ops[0]["rules"] == {"interpretation_days": 3}
    f.fire(case, "publish_interpretation", people["drafter"], "2026-10-10", **CHANNELS)  # the make-up Saturday
    _, table = opened(documents(db, case)[0])
    assert table["解读发布期限"] == "2026年10月9日（印发后3个工作日内）"
    assert table["是否按期发布"] == "否（逾期1个工作日）"


# -- return and resubmission ----------------------------------------------------------------------------------
def test_a_submission_without_interpretation_is_returned_with_a_notice_and_resubmitted(db, people):
    case = register(people, document_number=None)
    f.fire(case, "submit", people["drafter"], "2026-09-15")
    with pytest.raises(GuardFailed) as err:
        f.fire(case, "approve", people["office"], "2026-09-16")
    assert {g.name for g in err.value.failures} == {"has_interpretation_plan", "has_interpretation_materials",
                                                   "has_head_as_first_interpreter", "has_major_policy_form"}
    assert case.state == "submitted" and len(events(db, case)) == 2  # nothing written

    typed = "解读材料未经处务会审定；请同时说明与2019年文件的衔接 "
    f.fire(case, "return_submission", people["office"], "2026-09-16", reason="未同步报送解读方案和解读材料",
           items=[typed])
    assert case.state == "returned"
    [doc] = documents(db, case)
    assert (doc.kind, doc.number, doc.title, doc.addressee) == ("return_notice", "黔司退文〔2026〕1号", "退文通知单",
                                                               DEPARTMENT)
    paragraphs, _ = opened(doc)
    assert paragraphs[:2] == ["退文通知单", "黔司退文〔2026〕1号"]
    assert f"{DEPARTMENT}：" in paragraphs
    assert f"你部门于2026年9月15日报送的《{TITLE}》（文号待印发时编定）发文申请收悉。" in paragraphs
    assert "经审核，该发文申请予以退文。退文理由：未同步报送解读方案和解读材料" in paragraphs
    assert "1. 未同步报送政策解读方案" in paragraphs and "2. 未同步报送政策解读材料" in paragraphs
    assert any(p.startswith("3. ") and "第一解读人" in p for p in paragraphs)
    assert any(p.startswith("4. ") and "新闻发布会、政策吹风会" in p for p in paragraphs)
    assert f"5. {typed}" in paragraphs
    resubmit = next(p for p in paragraphs if p.startswith("请补正后重新报送："))
    assert "政策解读方案" in resubmit and "明确单位主要负责人为第一解读人" in resubmit
    assert any("最晚应在政策文件正式印发后的5个工作日内发布解读材料" in p for p in paragraphs)
    assert any(p.startswith(f"法律依据：{WORK_POINTS}") and "退文" in p for p in paragraphs)
    assert "特此通知。" in paragraphs and paragraphs[-1] == "2026年9月16日"

    f.fire(case, "submit", people["drafter"], "2026-09-18", **COMPLETE)
    f.fire(case, "approve", people["office"], "2026-09-21")
    f.fire(case, "publish", people["office"], "2026-09-29", document_number="黔司发〔2026〕12号", **CHANNELS)
    assert case.state == "published" and case.data["submissions"] == 2
    assert [e.trigger for e in events(db, case)] == ["register", "submit", "return_submission", "submit", "approve",
                                                   "publish"]
    assert [d.kind for d in documents(db, case)] == ["return_notice", "interpretation_record"]


def test_a_complete_submission_returned_for_typed_points_lists_only_them(db, people):
    case = register(people)
    f.fire(case, "submit", people["drafter"], "2026-09-15", **COMPLETE)
    f.fire(case, "return_submission", people["office"], "2026-09-16", reason="解读材料表述需调整",
           items=["第二部分“主要内容”与正文不一致", "请补充政策图解 & <问答>"])
    paragraphs, _ = opened(documents(db, case)[0])
    start = paragraphs.index("存在的问题如下：")
    assert paragraphs[start + 1:start + 4] == ["1. 第二部分“主要内容”与正文不一致", "2. 请补充政策图解 & <问答>",
                                               "请补正后重新报送：上述事项补正后的发文申请（连同政策文件送审稿）。"]


def test_a_second_return_gets_the_next_number(db, people):
    case = register(people)
    for day in ("2026-09-15", "2026-09-18"):
        f.fire(case, "submit", people["drafter"], day)
        f.fire(case, "return_submission", people["office"], day, reason="缺少解读材料")
    assert [d.number for d in documents(db, case)] == ["黔司退文〔2026〕1号", "黔司退文〔2026〕2号"]
    assert [r["on"] for r in case.data["returns"]] == ["2026-09-15", "2026-09-18"]


# -- withdrawal -----------------------------------------------------------------------------------------------
def test_a_returned_draft_is_withdrawn(db, people):
    case = register(people)
    f.fire(case, "submit", people["drafter"], "2026-09-15")
    f.fire(case, "return_submission", people["office"], "2026-09-16", reason="缺少解读材料")
    f.fire(case, "withdraw", people["drafter"], "2026-09-18", reason="政策暂缓出台")
    assert (case.state, case.closed_on) == ("withdrawn", D("2026-09-18"))
    assert case.data["withdrawal_reason"] == "政策暂缓出台"
    assert [d.kind for d in documents(db, case)] == ["return_notice"]  # no letter for a withdrawal
    assert [t.trigger for t in service.triggers_of(case, actor=people["drafter"]) if t.allowed] == []
