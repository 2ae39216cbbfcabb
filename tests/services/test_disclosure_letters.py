"""The letters of disclosure_request (letters.md "disclosure_request"), issued through the service and read
back from the stored .docx bytes with python-docx: every kind, every reply variant, the elements each must
carry, and a letter that lacks one is not issued.

The applicant registers online on Mon 2026-11-02 and both sides confirm on Tue 2026-11-03, so the Art. 31
receipt date is 2026年11月3日. November 2026 has no holiday; "11/4(1)" means 4 November is working day 1.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
from dataclasses import dataclass
from types import SimpleNamespace

import docx
import pytest
import sqlalchemy as sa

from app.extensions import db as _db
from app.models import Case, Document, Event, SerialCounter
from app.services import cases as case_service
from config import DEMO_GZSFT
from tests import factories
from workflow.errors import GuardFailed, LetterIncomplete

CST = dt.timezone(dt.timedelta(hours=8))
D = dt.date.fromisoformat
NAME = '张三 & <李四> "王"'
ID_NUMBER = "11010519491231002X"
PHONE, EMAIL, ADDRESS = "13912345678", "zhang.san@example.com", "贵州省贵阳市云岩区中华北路1号 <3单元>"
DESCRIPTION = "2025年度全省律师事务所  年度考核结果 & “评语” <含附件>"
DOC_NUMBER = "黔司通〔2025〕8号"
RECITAL = (f"本机关于2026年11月3日收到你通过互联网渠道提出的政府信息公开申请，申请获取：{DESCRIPTION}"
           f"（文号：{DOC_NUMBER}）。")
CONTACT = ("联系机构：贵州省司法厅政府信息公开工作机构（厅办公室）；地址：贵州省贵阳市观山湖区；邮政编码：550081；"
           "联系电话：0851-00000000")
REG = "《中华人民共和国政府信息公开条例》"


def make_staff() -> SimpleNamespace:
    return SimpleNamespace(registrar=factories.user("li_registrar", role="registrar"),
                           handler=factories.user("wang_handler", role="handler"),
                           approver=factories.user("zhao_approver", role="approver"))


@pytest.fixture
def staff(app):
    return make_staff()


def open_case(staff, **overrides) -> Case:
    data = dict(applicant_name=NAME, id_number=ID_NUMBER, phone=PHONE, email=EMAIL, address=ADDRESS,
                description=DESCRIPTION, document_number=DOC_NUMBER, channel="online", arrived_on="2026-11-02",
                confirmed_on="2026-11-03")
    return factories.open_case(staff.registrar, **(data | overrides))


@dataclass
class Letter:
    row: Document
    paragraphs: list[str]
    cells: list[list[str]]

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs + ["\t".join(row) for row in self.cells])


def read(row: Document) -> Letter:
    document = docx.Document(io.BytesIO(row.content))
    cells = [[cell.text for cell in r.cells] for table in document.tables for r in table.rows]
    return Letter(row, [p.text for p in document.paragraphs], cells)


def fire(case, trigger, actor, on, clock=None, **params) -> Letter | None:
    if clock is not None and D(on) > clock().astimezone(CST).date():
        clock.move_to(dt.datetime.fromisoformat(on).replace(hour=10, tzinfo=CST))
    factories.on_business_day(on)
    result = case_service.fire(case, trigger, actor=actor, params=params, effective_on=on)
    assert len(result.documents) <= 1
    return read(result.documents[0]) if result.documents else None


def check_common(letter: Letter, *, title: str, number: str, addressee: str, issued: str,
                 recital: str | None = RECITAL, basis: bool = True):
    """letters.md "Common to every letter"."""
    p = letter.paragraphs
    assert (p[0], p[1]) == (title, number)
    assert (letter.row.title, letter.row.number) == (title, number)
    assert p[3] == f"{addressee}：" and letter.row.addressee == addressee
    if recital is not None:
        assert p[4] == recital
    assert any(line.startswith("法律依据：") for line in p) is basis
    assert CONTACT in p
    assert p[-2:] == ["贵州省司法厅", issued]
    assert "15个工作日" not in letter.text and "3个月" not in letter.text
    assert letter.row.sha256 == hashlib.sha256(letter.row.content).hexdigest()
    assert letter.row.size == len(letter.row.content)
    assert letter.row.filename == f"{number}{title}.docx"


def remedies_of(letter: Letter) -> list[str]:
    return [line for line in letter.paragraphs if "行政复议" in line or "行政诉讼" in line]


def check_remedies(letter: Letter, *, reconsideration_first: bool):
    """Reconsideration within 60 days to 贵州省人民政府 or 司法部 (行政复议法 2023 Art. 28: the agency is a 司法行政部门)
    or a lawsuit within 6 months; for 不予公开 reconsideration first (Art. 23 ¶1(4)) and no lawsuit alternative.
    A 告知书 calls itself 本告知书, never 本答复."""
    [clause] = remedies_of(letter)
    this = "本告知书" if letter.row.title.endswith("告知书") else "本答复"
    assert (f"如对{this}不服，可以自收到{this}之日起60日内向贵州省人民政府或者中华人民共和国司法部申请行政复议"
            "（《中华人民共和国行政复议法》第二十条、第二十八条）") in clause
    if this == "本告知书":
        assert "本答复" not in letter.text
    if reconsideration_first:
        assert "《中华人民共和国行政复议法》第二十三条第一款第（四）项" in clause and "应当先申请行政复议" in clause
        assert "6个月" not in letter.text and "提起行政诉讼（" not in clause
    else:
        assert f"或者自收到{this}之日起6个月内向有管辖权的人民法院提起行政诉讼（《中华人民共和国行政诉讼法》第四十六条）" in clause
        assert "第二十三条" not in clause


# -- the letters before the reply ----------------------------------------------------------------------------
def test_correction_notice(staff):
    case = open_case(staff)
    items = ["所需政府信息的名称 <或> 文号", "  申请人身份证明 & 复印件  "]
    letter = fire(case, "request_correction", staff.handler, "2026-11-04", items=items)
    check_common(letter, title="政府信息公开申请补正告知书", number="黔司补正〔2026〕1号", addressee=NAME,
                 issued="2026年11月4日")
    # Every item once, exactly as typed, numbered (Art. 30 one-time notice).
    assert [line for line in letter.paragraphs if line[:3] in ("1. ", "2. ", "3. ")] == [f"1. {items[0]}",
                                                                                       f"2. {items[1]}"]
    # 10 WD from Wed 11/4: 11/5-6(1-2), 11/9-13(3-7), 11/16(8) 11/17(9) 11/18(10)
    assert "请你于2026年11月18日前向本机关提交补正后的申请" in letter.text
    assert "答复期限自本机关收到补正后的申请之日起计算" in letter.text
    assert "逾期不补正的，视为放弃申请" in letter.text
    assert f"法律依据：{REG}第三十条" in letter.paragraphs


def test_reasons_notice(staff):
    case = open_case(staff)
    letter = fire(case, "request_reasons", staff.handler, "2026-11-04", grounds="本月内已提出 120 件申请 & 内容重复",
                  asked="申请用途 <及> 必要性")
    check_common(letter, title="政府信息公开申请说明理由告知书", number="黔司说明〔2026〕1号", addressee=NAME,
                 issued="2026年11月4日")
    assert "本月内已提出 120 件申请 & 内容重复" in letter.text and "申请用途 <及> 必要性" in letter.text
    # 10 WD from Wed 11/4: due 11/18 (as above)
    assert f"根据{REG}第三十五条的规定，请你于2026年11月18日前说明理由" in letter.text


def test_third_party_consultation_does_not_reveal_the_applicant(staff):
    case = open_case(staff)
    fire(case, "accept", staff.handler, "2026-11-04")
    letter = fire(case, "consult_third_party", staff.handler, "2026-11-04", third_party_name="某某律师事务所 & <合伙人>",
                  information="该所 2025 年度考核等次", impact="涉及该所商业信誉 & 客户信息")
    check_common(letter, title="政府信息公开申请征求第三方意见书", number="黔司征询〔2026〕1号",
                 addressee="某某律师事务所 & <合伙人>", issued="2026年11月4日",
                 recital="本机关于2026年11月3日收到一份政府信息公开申请，所申请的政府信息涉及贵方。")
    assert "申请公开的政府信息为：该所 2025 年度考核等次" in letter.paragraphs
    assert "涉及该所商业信誉 & 客户信息" in letter.text
    # 15 WD from Wed 11/4: 11/5-6(1-2), 11/9-13(3-7), 11/16-20(8-12), 11/23(13) 11/24(14) 11/25(15)
    assert "请于2026年11月25日前书面答复" in letter.text
    assert "逾期未提出意见的" in letter.text and "公共利益" in letter.text
    assert f"法律依据：{REG}第三十二条" in letter.paragraphs
    for personal in (NAME, "张三", "李四", ID_NUMBER, PHONE, EMAIL, ADDRESS, DESCRIPTION):
        assert personal not in letter.text
    assert letter.row.addressee == "某某律师事务所 & <合伙人>"


def test_a_consultation_letter_served_later_counts_from_the_day_it_was_served(staff):
    # Art. 32: 15 WD "自收到征求意见书之日起". Sent Wed 11/4, received Fri 11/6: 11/9-13(1-5), 11/16-20(6-10),
    # 11/23-27(11-15): due 11/27, and the letter says from which day it counted.
    case = open_case(staff)
    fire(case, "accept", staff.handler, "2026-11-04")
    letter = fire(case, "consult_third_party", staff.handler, "2026-11-04", third_party_name="某某公司",
                  information="财务资料", impact="商业秘密", served_on="2026-11-06")
    assert "请于2026年11月27日前书面答复是否同意公开（答复期限自2026年11月6日送达本意见书之日起计算）" in letter.text
    assert case.clocks[-1].due_on == D("2026-11-27")


def test_a_consultation_letter_cannot_be_served_before_it_was_sent(staff):
    case = open_case(staff)
    fire(case, "accept", staff.handler, "2026-11-04")
    with pytest.raises(GuardFailed) as info:
        factories.on_business_day("2026-11-04")
        case_service.fire(case, "consult_agency", actor=staff.handler, effective_on="2026-11-04",
                          params={"agency_name": "贵州省律师协会", "information": "考核通报", "served_on": "2026-11-03"})
    assert [g["name"] for g in info.value.details["guards"]] == ["has_service_after_consultation_letter"]


def test_agency_consultation(staff):
    case = open_case(staff)
    fire(case, "accept", staff.handler, "2026-11-04")
    letter = fire(case, "consult_agency", staff.handler, "2026-11-04", agency_name="贵州省律师协会",
                  information="联合印发的考核通报 <黔律协〔2026〕1号>")
    check_common(letter, title="政府信息公开申请征求意见函", number="黔司征函〔2026〕1号", addressee="贵州省律师协会",
                 issued="2026年11月4日", recital="本机关于2026年11月3日收到一份政府信息公开申请，所申请的政府信息由贵机关与本机关共同制作。")
    assert "申请公开的政府信息为：联合印发的考核通报 <黔律协〔2026〕1号>" in letter.paragraphs
    assert "请于2026年11月25日前书面答复" in letter.text  # 15 WD from 11/4 (see above)
    assert "逾期未答复的，视为同意公开。" in letter.paragraphs
    assert f"法律依据：{REG}第三十四条" in letter.paragraphs
    assert NAME not in letter.text and ID_NUMBER not in letter.text


def test_fee_notice_per_piece(staff):
    case = open_case(staff)
    fire(case, "accept", staff.handler, "2026-11-04")
    letter = fire(case, "issue_fee_notice", staff.handler, "2026-11-05", basis="per_piece", pieces=12,
                  pieces_already_this_month=20, served_on="2026-11-06", payment_method="银行转账：户名 <贵州省财政厅> & 账号 123")
    check_common(letter, title="政府信息公开信息处理费收费通知书", number="黔司收费〔2026〕1号", addressee=NAME,
                 issued="2026年11月5日")
    # Pieces 21-32 this month: 21-30 at 100 (10 × 100 = 1000), 31-32 at 200 (2 × 200 = 400): 1400 yuan.
    assert letter.cells == [["计费区段", "数量（件）", "金额（元）"], ["第11至30件：100元/件", "10", "1000"],
                            ["第31至40件：200元/件", "2", "400"]]
    assert "按件计收" in letter.text and "本月此前已计20件，本申请计12件" in letter.text
    assert "应缴信息处理费合计1400元。" in letter.paragraphs
    assert "缴费方式：银行转账：户名 <贵州省财政厅> & 账号 123" in letter.paragraphs
    # Served Fri 11/6; 20 WD from the next day: 11/9-13(1-5), 11/16-20(6-10), 11/23-27(11-15), 11/30-12/4(16-20)
    assert "请于2026年12月4日前缴纳" in letter.text
    assert "逾期未缴纳的，视为放弃申请" in letter.text
    assert "第四十二条" in letter.text and "国办函〔2020〕109号" in letter.text


def test_fee_notice_per_volume(staff):
    case = open_case(staff)
    fire(case, "accept", staff.handler, "2026-11-04")
    letter = fire(case, "issue_fee_notice", staff.handler, "2026-11-04", basis="per_volume", pages=250)
    # 1-30 free; 31-100: 70 × 10 = 700; 101-200: 100 × 20 = 2000; 201-250: 50 × 40 = 2000: 4700 yuan.
    assert letter.cells == [["计费区段", "数量（页）", "金额（元）"], ["第1至30页：免费", "30", "0"],
                            ["第31至100页：10元/页", "70", "700"], ["第101至200页：20元/页", "100", "2000"],
                            ["第201页及以上：40元/页", "50", "2000"]]
    assert "按量计收" in letter.text and "按件计收信息处理费" not in letter.text
    assert "应缴信息处理费合计4700元。" in letter.paragraphs
    # Served the day it is issued (Wed 11/4): 11/5-6(1-2), 11/9-13(3-7), 11/16-20(8-12), 11/23-27(13-17),
    # 11/30(18), 12/1(19), 12/2(20)
    assert "请于2026年12月2日前缴纳" in letter.text
    assert "缴费方式：通过非税收入缴款渠道缴纳，缴款凭证信息随本通知另行提供" in letter.paragraphs


def test_extension_notice(staff):
    case = open_case(staff)
    fire(case, "accept", staff.handler, "2026-11-04")
    letter = fire(case, "extend", staff.approver, "2026-11-05", days=10, reason="需要调取 2019 年以来的档案 & 核对")
    check_common(letter, title="政府信息公开申请延期答复告知书", number="黔司延期〔2026〕1号", addressee=NAME,
                 issued="2026年11月5日")
    # Received Tue 11/3, 20 WD: 11/4-6(1-3), 11/9-13(4-8), 11/16-20(9-13), 11/23-27(14-18), 11/30(19), 12/1(20).
    # + 10 WD: 12/2-4(1-3), 12/7-11(4-8), 12/14(9), 12/15(10)
    assert "本机关原定答复期限为2026年12月1日" in letter.text
    assert "需要调取 2019 年以来的档案 & 核对" in letter.text
    assert "答复期限延长10个工作日，延长后的答复期限为2026年12月15日" in letter.text
    assert "负责人同意" in letter.text
    assert f"法律依据：{REG}第三十三条第二款" in letter.paragraphs


def test_letter_numbers_count_per_kind_and_never_repeat(staff):
    first, second = open_case(staff), open_case(staff, applicant_name="李四")
    numbers = [
        fire(first, "request_correction", staff.handler, "2026-11-04", items=["文号"]).row.number,
        fire(second, "request_correction", staff.handler, "2026-11-04", items=["文号"]).row.number,
        fire(first, "withdraw", staff.registrar, "2026-11-05").row.number,
        fire(second, "receive_correction", staff.handler, "2026-11-05"),
        fire(second, "request_reasons", staff.handler, "2026-11-05", grounds="多", asked="用途").row.number,
        fire(second, "withdraw", staff.registrar, "2026-11-06").row.number,
    ]
    assert numbers == ["黔司补正〔2026〕1号", "黔司补正〔2026〕2号", "黔司公开〔2026〕1号", None, "黔司说明〔2026〕1号",
                       "黔司公开〔2026〕2号"]
    db = _db
    assert db.session.execute(sa.select(SerialCounter.kind, SerialCounter.year, SerialCounter.last_value)
                              .where(SerialCounter.kind.like("letter:%")).order_by(SerialCounter.kind)).all() == [
        ("letter:correction_notice", 2026, 2), ("letter:reasons_notice", 2026, 1), ("letter:reply", 2026, 2)]


def test_a_stored_letter_is_downloaded_unchanged(staff, db):
    case = open_case(staff)
    letter = fire(case, "request_correction", staff.handler, "2026-11-04", items=["文号"])
    content, digest = letter.row.content, letter.row.sha256
    db.session.expire_all()
    stored = db.session.scalar(sa.select(Document).where(Document.case_id == case.id))
    assert stored.content == content and hashlib.sha256(stored.content).hexdigest() == digest == stored.sha256
    event = db.session.get(Event, stored.event_id)
    assert (event.trigger, event.case_id) == ("request_correction", case.id)


def test_an_organisation_is_addressed_as_you_unit(staff):
    case = open_case(staff, applicant_type="commercial_enterprise", applicant_name="贵州某某科技有限公司",
                     id_type="unified_social_credit_code", id_number="91520000MA6DL1K80D")
    letter = fire(case, "request_correction", staff.handler, "2026-11-04", items=["文号"])
    assert letter.paragraphs[4] == RECITAL.replace("收到你通过", "收到你单位通过")
    assert "请你单位于2026年11月18日前" in letter.text


# -- every reply variant -------------------------------------------------------------------------------------
# Each variant: the steps after registration (trigger, who, date, data), then the state, the reason, the title,
# what the letter must say, and which remedies clause (True: reconsideration first; False: 60 days or 6 months;
# None: no remedies at all).
ACCEPT = ("accept", "handler", "2026-11-04", {})
APPROVE = ("approve", "approver", "2026-11-06", {})


def propose(**proposal):
    return ("propose_reply", "handler", "2026-11-05", proposal)


WITHHELD = {
    # reason: (the ground in words, its article)
    "state_secret": ("属于国家秘密", f"{REG}第十四条"),
    "prohibited_by_law": ("属于法律、行政法规禁止公开的政府信息", f"{REG}第十四条"),
    "security_stability": ("公开后可能危及国家安全、公共安全、经济安全、社会稳定", f"{REG}第十四条"),
    "third_party_rights": ("涉及商业秘密、个人隐私等，公开会对第三方合法权益造成损害", f"{REG}第十五条"),
    "internal_affairs": ("属于人事管理、后勤管理、内部工作流程等内部事务信息", f"{REG}第十六条第一款"),
    "process_information": ("属于讨论记录、过程稿、磋商信函、请示报告等过程性信息", f"{REG}第十六条第二款"),
    "enforcement_case_file": ("属于行政执法案卷信息", f"{REG}第十六条第二款"),
}
THIRD_PARTY_OBJECTS = [ACCEPT, ("consult_third_party", "handler", "2026-11-04",
                                {"third_party_name": "某某公司", "information": "财务资料", "impact": "商业秘密"}),
                       ("third_party_replied", "handler", "2026-11-05",
                        {"opinion": "objection", "reasons": "含有核心技术参数 & 报价"})]

VARIANTS = [
    pytest.param([ACCEPT, propose(outcome="disclosed", reason="disclose", provided="考核结果汇总表（电子文本） & 附件",
                                  obtain="2026年11月13日前发送至申请人电子邮箱 <zhang.san@example.com>"), APPROVE],
                 "disclosed", "disclose", "政府信息公开申请答复书",
                 ["本机关决定予以公开", "提供的信息及形式：考核结果汇总表（电子文本） & 附件",
                  "获取的时间、方式和地点：2026年11月13日前发送至申请人电子邮箱 <zhang.san@example.com>",
                  f"法律依据：{REG}第三十六条第（二）项"], False, id="disclosed-disclose"),
    pytest.param([ACCEPT, propose(outcome="disclosed", reason="already_public", published_title="2025年度律师事务所考核结果公告",
                                  published_channel="贵州省司法厅门户网站“政府信息公开”专栏", published_on="2026-03-02"),
                  APPROVE],
                 "disclosed", "already_public", "政府信息公开申请答复书",
                 ["该信息题为《2025年度律师事务所考核结果公告》，已于2026年3月2日在贵州省司法厅门户网站“政府信息公开”专栏公开",
                  f"法律依据：{REG}第三十六条第（一）项"], False, id="disclosed-already-public"),
    *[pytest.param([*(THIRD_PARTY_OBJECTS if reason == "third_party_rights" else [ACCEPT]),
                    propose(outcome="withheld", reason=reason, explanation=f"经审查认定 <{reason}> & 无法区分处理"),
                    APPROVE],
                   "withheld", reason, "政府信息不予公开告知书",
                   [f"经审查，你申请获取的政府信息{ground}", f"理由：经审查认定 <{reason}> & 无法区分处理",
                    f"法律依据：{REG}第三十六条第（三）项、{article.removeprefix(REG)}",
                    *(["本机关依法书面征求了第三方意见，第三方不同意公开，理由为：含有核心技术参数 & 报价。"]
                      if reason == "third_party_rights" else [])],
                   True, id=f"withheld-{reason}") for reason, (ground, article) in WITHHELD.items()],
    # Art. 36(7): a 告知书 that tells the applicant which law and procedure to follow, not a 不予公开告知书.
    pytest.param([ACCEPT, propose(outcome="withheld", reason="administrative_inquiry",
                                  legal_basis="《不动产登记资料查询暂行办法》", explanation="持身份证明到不动产登记机构 <窗口> 申请查询"),
                  APPROVE],
                 "withheld", "administrative_inquiry", "政府信息公开申请告知书",
                 ["有关法律、行政法规对信息的获取有特别规定的事项",
                  "请你依照《不动产登记资料查询暂行办法》的规定办理：持身份证明到不动产登记机构 <窗口> 申请查询",
                  f"法律依据：{REG}第三十六条第（七）项"], True, id="withheld-administrative_inquiry"),
    pytest.param([ACCEPT, propose(outcome="unavailable", reason="not_held", explanation="检索了 2019 年以来的发文目录 & 档案"),
                  APPROVE],
                 "unavailable", "not_held", "政府信息不存在告知书",
                 ["经检索，本机关没有你申请获取的政府信息。检索情况：检索了 2019 年以来的发文目录 & 档案",
                  f"法律依据：{REG}第三十六条第（四）项"], False, id="unavailable-not-held"),
    pytest.param([ACCEPT, propose(outcome="unavailable", reason="not_this_agency", explanation="该信息由律协制作并保存",
                                  responsible_agency={"name": "贵州省律师协会 & <秘书处>", "contact": "0851-86800000"}),
                  APPROVE],
                 "unavailable", "not_this_agency", "非本机关政府信息告知书",
                 ["不属于本机关负责公开。理由：该信息由律协制作并保存", "该政府信息的负责公开机关为贵州省律师协会 & <秘书处>，联系方式：0851-86800000。",
                  f"法律依据：{REG}第三十六条第（五）项"], False, id="unavailable-not-this-agency"),
    pytest.param([ACCEPT, propose(outcome="unavailable", reason="not_this_agency", explanation="非本机关制作"), APPROVE],
                 "unavailable", "not_this_agency", "非本机关政府信息告知书",
                 ["不属于本机关负责公开", "本机关未能确定负责公开该政府信息的机关", f"法律依据：{REG}第三十六条第（五）项"],
                 False, id="unavailable-not-this-agency-unknown"),
    pytest.param([ACCEPT, propose(outcome="unavailable", reason="needs_creation", explanation="需汇总各市州数据"), APPROVE],
                 "unavailable", "needs_creation", "政府信息公开申请告知书",
                 ["需要对现有政府信息进行加工、分析", "理由：需汇总各市州数据", f"法律依据：{REG}第三十八条"], False, id="unavailable-needs-creation"),
    pytest.param([("request_correction", "handler", "2026-11-04", {"items": ["文号"]}),
                  ("receive_correction", "handler", "2026-11-05", {}),
                  propose(outcome="unavailable", reason="unclear_after_correction", explanation="仍未写明年份"), APPROVE],
                 "unavailable", "unclear_after_correction", "政府信息公开申请告知书",
                 ["你于2026年11月5日提交补正，经审查，补正后申请内容仍不明确", f"法律依据：{REG}第三十条"], False,
                 id="unavailable-unclear-after-correction"),
    pytest.param([ACCEPT, propose(outcome="not_processed", reason="petition_complaint",
                                  proper_channel="贵州省信访局网上信访平台 <www.gzxf.gov.cn>", explanation="内容为投诉"),
                  APPROVE],
                 "not_processed", "petition_complaint", "政府信息公开申请告知书",
                 ["不作为政府信息公开申请处理", "你可以通过以下渠道反映：贵州省信访局网上信访平台 <www.gzxf.gov.cn>",
                  f"法律依据：{REG}第三十九条第一款"], False, id="not-processed-petition"),
    pytest.param([ACCEPT, propose(outcome="not_processed", reason="repeat_application",
                                  earlier_reply={"number": "黔司公开〔2026〕3号", "date": "2026-06-01"},
                                  explanation="未提出新的理由"), APPROVE],
                 "not_processed", "repeat_application", "重复申请政府信息公开告知书",
                 ["本机关已作出答复（黔司公开〔2026〕3号，2026年6月1日）", f"法律依据：{REG}第三十六条第（六）项"], False,
                 id="not-processed-repeat"),
    pytest.param([ACCEPT, propose(outcome="not_processed", reason="publication",
                                  publication_how="可在新华书店购买《贵州年鉴（2025）》", explanation="属于公开出版物"),
                  APPROVE],
                 "not_processed", "publication", "政府信息公开申请告知书",
                 ["你申请获取的是公开出版物", "获取方式：可在新华书店购买《贵州年鉴（2025）》",
                  f"法律依据：{REG}第三十九条第二款"], False, id="not-processed-publication"),
    pytest.param([("request_reasons", "handler", "2026-11-04", {"grounds": "120 件", "asked": "用途"}),
                  ("accept_reasons", "handler", "2026-11-05", {}),
                  propose(outcome="not_processed", reason="unreasonable_volume", explanation="用途与申请无关"), APPROVE],
                 "not_processed", "unreasonable_volume", "政府信息公开申请不予处理告知书",
                 ["你说明的理由不合理，本机关不予处理", f"法律依据：{REG}第三十五条"], False, id="not-processed-volume"),
    pytest.param([ACCEPT, propose(outcome="not_processed", reason="confirm_or_reissue", explanation="要求加盖公章"), APPROVE],
                 "not_processed", "confirm_or_reissue", "政府信息公开申请不予处理告知书",
                 # the item of the national report format that classes it, not Art. 36 alone
                 ["要求本机关确认或者重新出具已获取的信息，不属于政府信息公开申请", "国办公开办函〔2021〕30号）三（五）5"], False,
                 id="not-processed-confirm-or-reissue"),
    pytest.param([ACCEPT, propose(outcome="closed_other", reason="other", explanation="申请人已注销 & 无承继人",
                                  legal_basis="《中华人民共和国政府信息公开条例》第三十条 & 本机关规定"), APPROVE],
                 "closed_other", "other", "政府信息公开申请答复书",
                 ["经审查，本机关对你的申请作如下处理：申请人已注销 & 无承继人",
                  "法律依据：《中华人民共和国政府信息公开条例》第三十条 & 本机关规定"], False, id="closed-other-other"),
    pytest.param([("request_correction", "handler", "2026-11-04", {"items": ["文号"]}),
                  ("correction_lapsed", "handler", "2026-11-19", {})],
                 "closed_other", "correction_lapsed", "政府信息公开申请终止处理告知书",
                 # Notice Wed 11/4, 10 WD: 11/5-6(1-2), 11/9-13(3-7), 11/16-18(8-10): due 11/18
                 ["本机关已于2026年11月4日告知你补正申请，补正期限至2026年11月18日届满", "视为放弃申请",
                  f"法律依据：{REG}第三十条"], False, id="closed-other-correction-lapsed"),
    pytest.param([ACCEPT, ("issue_fee_notice", "handler", "2026-11-04", {"basis": "per_piece", "pieces": 11}),
                  ("fee_lapsed", "handler", "2026-12-03", {})],
                 "closed_other", "fee_unpaid", "政府信息公开申请终止处理告知书",
                 # Notice Wed 11/4, 20 WD: 11/5-6(1-2), 11/9-13(3-7), 11/16-20(8-12), 11/23-27(13-17), 11/30(18),
                 # 12/1(19), 12/2(20): due 12/2
                 ["本机关已于2026年11月4日向你发出信息处理费收费通知，缴费期限至2026年12月2日届满", "逾期未缴纳",
                  "国办函〔2020〕109号"], False, id="closed-other-fee-unpaid"),
]


@pytest.mark.parametrize("steps, state, reason, title, says, first", VARIANTS)
def test_reply_variant(staff, clock, steps, state, reason, title, says, first):
    case = open_case(staff)
    letter = None
    for trigger, who, on, params in steps:
        letter = fire(case, trigger, getattr(staff, who), on, clock, **params)
    assert (case.state, case.reason) == (state, reason)
    issued = steps[-1][2]
    check_common(letter, title=title, number="黔司公开〔2026〕1号", addressee=NAME,
                 issued=f"{D(issued).year}年{D(issued).month}月{D(issued).day}日")
    for words in says:
        assert words in letter.text, words
    check_remedies(letter, reconsideration_first=first)
    assert letter.row.kind == "reply" and letter.row.issued_on == D(issued)


def test_partial_disclosure_lists_each_withheld_part_with_its_ground_and_article(staff):
    case = open_case(staff)
    fire(case, "accept", staff.handler, "2026-11-04")
    fire(case, "propose_reply", staff.handler, "2026-11-05", outcome="partially_disclosed", reason="partial",
         provided="考核结果汇总表", obtain="电子邮件发送",
         withheld_parts=[{"part": "个人考核评语 <第3页>", "ground": "third_party_rights", "explanation": "涉及个人隐私 & 评价"},
                         {"part": "考核工作请示", "ground": "process_information"}])
    letter = fire(case, "approve", staff.approver, "2026-11-06")
    check_common(letter, title="政府信息部分公开告知书", number="黔司公开〔2026〕1号", addressee=NAME, issued="2026年11月6日")
    assert (case.state, case.reason) == ("partially_disclosed", "partial")
    assert letter.cells == [
        ["不予公开的部分", "理由", "依据"],
        ["个人考核评语 <第3页>", "涉及商业秘密、个人隐私等，公开会对第三方合法权益造成损害。涉及个人隐私 & 评价", f"{REG}第十五条"],
        ["考核工作请示", "属于讨论记录、过程稿、磋商信函、请示报告等过程性信息", f"{REG}第十六条第二款"],
    ]
    assert "提供的信息及形式：考核结果汇总表" in letter.paragraphs
    assert f"法律依据：{REG}第三十七条、第十五条、第十六条第二款" in letter.paragraphs
    # The withheld parts are a refusal to disclose (行政复议法 2023 Art. 23 ¶1(4)): reconsideration first.
    check_remedies(letter, reconsideration_first=True)


def test_disclosing_over_a_third_partys_objection_needs_the_public_interest_and_notifies_the_third_party(staff):
    # Art. 15, 32: an objection with reasons means no disclosure, unless not disclosing would have a major
    # impact on the public interest; then the third party is told in writing what will be disclosed and why.
    case = open_case(staff)
    for trigger, who, on, params in THIRD_PARTY_OBJECTS:
        fire(case, trigger, getattr(staff, who), on, **params)
    disclose = {"outcome": "disclosed", "reason": "disclose", "provided": "财务资料（电子文本）", "obtain": "电子邮件发送"}
    with pytest.raises(GuardFailed) as info:
        factories.on_business_day("2026-11-05")
        case_service.fire(case, "propose_reply", actor=staff.handler, effective_on="2026-11-05", params=disclose)
    assert [g["name"] for g in info.value.details["guards"]] == ["has_public_interest_to_override_objection"]
    fire(case, "propose_reply", staff.handler, "2026-11-05", **disclose,
         public_interest="该资料涉及公共资金使用 & 公众安全 <重大>")
    factories.on_business_day("2026-11-06")
    result = case_service.fire(case, "approve", actor=staff.approver, effective_on="2026-11-06")
    reply, notice = (read(d) for d in result.documents)
    assert (reply.row.kind, notice.row.kind) == ("reply", "third_party_disclosure_notice")
    check_common(notice, title="政府信息公开决定告知书", number="黔司告三〔2026〕1号", addressee="某某公司",
                 issued="2026年11月6日", recital=None)
    assert notice.paragraphs[4] == ("本机关于2026年11月4日就一份政府信息公开申请所涉及贵方的政府信息书面征求贵方意见，"
                                    "贵方于2026年11月5日答复不同意公开，理由为：含有核心技术参数 & 报价。")
    assert "决定公开的政府信息：财务资料" in notice.paragraphs
    assert "理由：该资料涉及公共资金使用 & 公众安全 <重大>" in notice.paragraphs
    assert f"法律依据：{REG}第十五条、第三十二条" in notice.paragraphs
    check_remedies(notice, reconsideration_first=False)  # the third party may challenge the decision
    assert NAME not in notice.text and ID_NUMBER not in notice.text  # the applicant stays unnamed


def test_a_refusal_after_an_objection_issues_no_notice_to_the_third_party(staff):
    case = open_case(staff)
    for trigger, who, on, params in THIRD_PARTY_OBJECTS:
        fire(case, trigger, getattr(staff, who), on, **params)
    fire(case, "propose_reply", staff.handler, "2026-11-05", outcome="withheld", reason="third_party_rights",
         explanation="第三方不同意公开且理由合理")
    factories.on_business_day("2026-11-06")
    result = case_service.fire(case, "approve", actor=staff.approver, effective_on="2026-11-06")
    assert [d.kind for d in result.documents] == ["reply"]


def test_withdrawal_confirmation_has_no_remedies_clause(staff):
    case = open_case(staff)
    fire(case, "accept", staff.handler, "2026-11-04")
    letter = fire(case, "withdraw", staff.registrar, "2026-11-05", statement="本人自愿撤回 & 不再申请")
    # No article is cited: the regulation has none on withdrawal (letters.md; law.md §1.7).
    check_common(letter, title="政府信息公开申请撤回确认书", number="黔司公开〔2026〕1号", addressee=NAME,
                 issued="2026年11月5日", basis=False)
    assert "第四十五条" not in letter.text and "特此确认。" in letter.paragraphs
    assert (case.state, case.reason) == ("closed_other", "withdrawn")
    assert "本机关于2026年11月5日收到你撤回上述政府信息公开申请的意思表示（本人自愿撤回 & 不再申请）" in letter.text
    assert "现确认该申请已撤回" in letter.text
    assert remedies_of(letter) == []
    assert "60日" not in letter.text and "6个月" not in letter.text


# -- a letter missing a required element is not issued ------------------------------------------------------
def committed(case_id: int) -> dict:
    db = _db
    with db.engine.connect() as conn:
        return {
            "case": tuple(conn.execute(sa.select(Case.state, Case.reason, Case.version, Case.due_on, Case.closed_on)
                                       .where(Case.id == case_id)).one()),
            "events": conn.execute(sa.select(Event.seq, Event.hash).where(Event.case_id == case_id)).all(),
            "documents": conn.execute(sa.select(sa.func.count()).select_from(Document)).scalar_one(),
            "sequences": conn.execute(sa.select(SerialCounter.kind, SerialCounter.last_value).order_by(SerialCounter.kind)).all(),
        }


def under_review(staff) -> Case:
    case = open_case(staff)
    fire(case, "accept", staff.handler, "2026-11-04")
    fire(case, "propose_reply", staff.handler, "2026-11-05", outcome="unavailable", reason="not_held",
         explanation="经检索没有")
    return case


@pytest.mark.parametrize("setting, missing", [
    ("name", "agency_name"), ("office", "contact"), ("address", "contact"), ("phone", "contact"),
    ("reconsideration", "remedies"), ("court", "remedies"),
])
def test_a_letter_missing_a_required_element_is_not_issued_and_nothing_is_written(app, staff, db, monkeypatch,
                                                                                   setting, missing):
    case = under_review(staff)
    before = committed(case.id)
    monkeypatch.setitem(app.config, "AGENCIES", {**app.config["AGENCIES"], "gzsft": {**DEMO_GZSFT, setting: "  "}})
    with pytest.raises(LetterIncomplete) as info:
        factories.on_business_day("2026-11-06")
        case_service.fire(case, "approve", actor=staff.approver, effective_on="2026-11-06")
    assert info.value.details["missing"] == [missing]
    assert committed(case.id) == before
    db.session.refresh(case)
    assert (case.state, case.version) == ("under_review", before["case"][2])
    # The number was not used up: the complete letter, issued next, is number 1.
    monkeypatch.setitem(app.config, "AGENCIES", {**app.config["AGENCIES"], "gzsft": DEMO_GZSFT})
    letter = fire(case, "approve", staff.approver, "2026-11-06")
    assert letter.row.number == "黔司公开〔2026〕1号"


def test_a_withdrawal_needs_no_remedies_settings(app, staff, monkeypatch):
    # The withdrawal confirmation carries no remedies clause, so a missing reconsideration body does not stop it.
    case = under_review(staff)
    monkeypatch.setitem(app.config, "AGENCIES", {**app.config["AGENCIES"],
                                                 "gzsft": {**DEMO_GZSFT, "reconsideration": {}, "court": ""}})
    letter = fire(case, "withdraw", staff.registrar, "2026-11-06")
    assert letter.row.title == "政府信息公开申请撤回确认书" and remedies_of(letter) == []


def test_a_refused_letter_leaves_no_half_written_transition_in_the_session(app, staff, db, monkeypatch):
    case = under_review(staff)
    version = case.version
    monkeypatch.setitem(app.config, "AGENCIES", {**app.config["AGENCIES"], "gzsft": {**DEMO_GZSFT, "name": ""}})
    with pytest.raises(LetterIncomplete):
        factories.on_business_day("2026-11-06")
        case_service.fire(case, "approve", actor=staff.approver, effective_on="2026-11-06")
    assert (case.state, case.version) == ("under_review", version)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event).where(Event.case_id == case.id)) == 3



def fee_notice_with_thirty_payment_days(app, staff, monkeypatch) -> Letter:
    rules = {"disclosure_request": {"fee_payment_days": 30}}
    monkeypatch.setitem(app.config, "AGENCIES", {**app.config["AGENCIES"], "gzsft": {**DEMO_GZSFT, "rules": rules}})
    case = open_case(staff)
    fire(case, "accept", staff.handler, "2026-11-04")
    return fire(case, "issue_fee_notice", staff.handler, "2026-11-04", basis="per_volume", pages=31)


def test_the_fee_deadline_follows_the_rule_set_in_force(app, staff, monkeypatch):
    letter = fee_notice_with_thirty_payment_days(app, staff, monkeypatch)
    # 30 WD from Wed 11/4: 11/5-6(1-2), 11/9-13(3-7), 11/16-20(8-12), 11/23-27(13-17), 11/30-12/4(18-22),
    # 12/7-11(23-27), 12/14(28) 12/15(29) 12/16(30)
    assert "请于2026年12月16日前缴纳" in letter.text


def test_the_fee_notice_does_not_contradict_its_own_deadline(app, staff, monkeypatch):
    letter = fee_notice_with_thirty_payment_days(app, staff, monkeypatch)
    assert "20个工作日" not in letter.text
