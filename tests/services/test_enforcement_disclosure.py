"""enforcement_disclosure through the service layer against the database (processes.md §3, letters.md):
registration, publication in time and late, completion of blank fields, exemption, revocation and
withdrawal, expiry, rule-set overrides, and every letter reopened with python-docx.

Golden dates are counted by hand from the 2026 State Council holiday notice: National Day 1-7 Oct off,
Sun 20 Sep and Sat 10 Oct make-up working days, Mid-autumn 25-27 Sep off; Spring Festival 15-23 Feb off,
Sat 14 Feb and Sat 28 Feb make-up working days. "10/8(1)" means 8 October is working day number 1.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile

import docx
import pytest
import sqlalchemy as sa
from docx.table import Table

from app.models import Case, CaseClock, Document, Event
from app.services.integrity import check_case
from app.services.registration import open_case
from tests.factories import fire, user
from workflow.errors import GuardFailed, InvalidData, NotPermitted, TriggerNotAllowed

D = dt.date.fromisoformat
CST = dt.timezone(dt.timedelta(hours=8))
PERSON_ID = "520102198503174210"
PERSON_ID_MASKED = "520102********4210"
COMPANY_CODE = "91520000MA6DKQ1A0P"
STATEMENT = "该处罚决定经行政复议被确认违法，\n原公示信息不再具有公示效力 & <依法撤下>。"


def registration(**overrides) -> dict:
    data = {
        "decision_number": "黔司罚决〔2026〕5号",
        "decision_date": "2026-09-30",
        "decision_type": "administrative_penalty",
        "deciding_agency": "贵州省司法厅",
        "party_type": "natural_person",
        "party_name": "李四 & <王五>",
        "party_id_number": PERSON_ID,
        "category": "律师违法行为处罚",
        "conclusion": "给予警告，并处罚款人民币5000元",
        "department": "律师工作处",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def decide(actor, **overrides) -> Case:
    return open_case("enforcement_disclosure", registration(**overrides), actor=actor).case


def make_handler():
    return user("handler", role="handler", department="律师工作处")


def make_approver():
    return user("approver", role="approver")


@pytest.fixture
def handler(app):
    return make_handler()


@pytest.fixture
def approver(app):
    return make_approver()


def events(db, case) -> list[Event]:
    return db.session.scalars(sa.select(Event).where(Event.case_id == case.id).order_by(Event.seq)).all()


def documents(db, case) -> list[Document]:
    return db.session.scalars(sa.select(Document).where(Document.case_id == case.id).order_by(Document.id)).all()


def clock_row(db, case, name) -> CaseClock:
    return db.session.scalar(sa.select(CaseClock).where(CaseClock.case_id == case.id, CaseClock.name == name))


def text_of(document: Document) -> list[str]:
    """The letter reopened with python-docx: each paragraph, and each table row as 'cell | cell'."""
    assert hashlib.sha256(document.content).hexdigest() == document.sha256
    out = []
    for block in docx.Document(io.BytesIO(document.content)).iter_inner_content():
        if isinstance(block, Table):
            out += [" | ".join(cell.text for cell in row.cells) for row in block.rows]
        else:
            out.append(block.text)
    return out


def every_part(document: Document) -> str:
    """Every XML part of the .docx (body, headers, footers, properties), for what must appear nowhere."""
    with zipfile.ZipFile(io.BytesIO(document.content)) as z:
        return "".join(z.read(n).decode("utf-8", errors="replace") for n in z.namelist() if n.endswith(".xml"))


def assert_identity_masked(document: Document):
    lines = text_of(document)
    assert any(PERSON_ID_MASKED in line for line in lines)
    parts = every_part(document)
    assert PERSON_ID not in parts
    assert "19850317" not in parts  # the birth date hidden by the mask
    assert PERSON_ID not in document.filename + document.title + document.addressee


def assert_form(lines: list[str], *, title: str, number: str, issued: str, signed: str):
    """A record laid out as a form (the 公示, the 不予公示记录): title and number, then label | value rows, among
    them the legal basis, and last the agency's name and date under the signing label, with room for the
    seal; no addressee line, no closing."""
    assert lines[:2] == [title, number]
    assert any(line.startswith("法律依据 | ") for line in lines)
    assert lines[-2] == f"{signed} | \n\n贵州省司法厅\n{issued}"
    assert lines[-1] == ""  # the paragraph that ends the document after its table
    assert not any(line.endswith("：") or line.startswith("特此") for line in lines)
    assert not any("个工作日" in line for line in lines)  # every date is written as a date


def assert_common(lines: list[str], *, title: str, number: str, addressee: str, issued: str, closing: str):
    """letters.md "Common to every letter": title, number, addressee, basis, contact, closing, signature."""
    assert lines[0] == title
    assert lines[1] == number
    assert f"{addressee}：" in lines
    assert any(line.startswith("法律依据：") for line in lines)
    assert any(line.startswith("联系机构：") and "联系电话：" in line for line in lines)
    assert closing in lines
    assert lines[-2:] == ["贵州省司法厅", issued]
    assert not any("个工作日" in line for line in lines)  # every date is written as a date


# -- registration and the publication clock ----------------------------------------------------------
@pytest.mark.parametrize("decision_type, decided, due, rule", [
    # 9/30 Wed; 10/1-7 off; 10/8(1) 10/9(2) 10/10 Sat make-up(3) 10/11 Sun off 10/12-15(4-7)
    ("administrative_penalty", "2026-09-30", "2026-10-15", "publish_days_licence_penalty"),
    # 9/24 Thu; 9/25-27 Mid-autumn off; 9/28(1) 9/29(2) 9/30(3); 10/1-7 off; 10/8(4) 10/9(5) 10/10 Sat(6) 10/12(7)
    ("administrative_licence", "2026-09-24", "2026-10-12", "publish_days_licence_penalty"),
    # 9/18 Fri; 9/19 Sat off; 9/20 Sun make-up(1) 9/21-24(2-5) 9/25-27 off 9/28(6) 9/29(7)
    ("administrative_licence", "2026-09-18", "2026-09-29", "publish_days_licence_penalty"),
    # 9/30; 10/8(1) 10/9(2) 10/10(3) 10/12-16(4-8) 10/19-23(9-13) 10/26-30(14-18) 11/2(19) 11/3(20)
    ("administrative_enforcement", "2026-09-30", "2026-11-03", "publish_days_other"),
    # 2/13 Fri; 2/14 Sat make-up(1); 2/15-23 off; 2/24-27(2-5) 2/28 Sat make-up(6); 3/1 Sun off; 3/2(7)
    ("administrative_penalty", "2026-02-13", "2026-03-02", "publish_days_licence_penalty"),
    # 2/10 Tue; 2/11-13(1-3) 2/14 Sat(4) 2/15-23 off 2/24-27(5-8) 2/28 Sat(9) 3/2-6(10-14) 3/9-13(15-19) 3/16(20)
    ("administrative_inspection", "2026-02-10", "2026-03-16", "publish_days_other"),
    # 11/2 Mon, an ordinary fortnight: 11/3-6(1-4) 11/9-11(5-7)
    ("administrative_penalty", "2026-11-02", "2026-11-11", "publish_days_licence_penalty"),
])
def test_registration_starts_the_publication_clock_on_the_decision_date(db, handler, decision_type, decided, due,
                                                                       rule):
    case = decide(handler, decision_type=decision_type, decision_date=decided)
    assert (case.state, case.received_on, case.due_on) == ("decided", D(decided), D(due))
    assert case.reference == "黔司执登〔2026〕1号"
    assert case.department == "律师工作处"
    row = clock_row(db, case, "publication")
    assert (row.status, row.due_on, row.provisional) == ("running", D(due), False)
    assert row.ops[0]["rules"] == {rule: 7 if rule == "publish_days_licence_penalty" else 20}
    [register] = events(db, case)
    assert (register.trigger, register.effective_on) == ("register", D(decided))
    assert register.clocks["publication"]["due_on"] == due


def test_a_decision_dated_in_the_future_is_refused(db, handler):
    # The frozen clock stands at 2026-11-27.
    with pytest.raises(InvalidData):
        decide(handler, decision_date="2026-11-28")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Case)) == 0


def test_an_agencys_rule_set_overrides_the_limits_and_the_value_in_force_is_recorded(db, handler, monkeypatch,
                                                                                     app):
    rules = app.config["AGENCIES"]["gzsft"]["rules"]
    monkeypatch.setitem(rules, "enforcement_disclosure", {"publish_days_other": 15, "withdrawal_days": 5,
                                                          "publication_years": 3})
    case = decide(handler, decision_type="administrative_inspection", party_type="legal_person",
                  party_id_number=COMPANY_CODE)
    # 9/30; 10/8(1) 10/9(2) 10/10(3) 10/12-16(4-8) 10/19-23(9-13) 10/26(14) 10/27(15)
    assert case.due_on == D("2026-10-27")
    assert clock_row(db, case, "publication").ops[0]["rules"] == {"publish_days_other": 15}
    fire(case, "publish", handler, "2026-10-12")
    assert case.data["publication"]["period_ends_on"] == "2029-10-12"
    fire(case, "revoke", handler, "2026-10-30", event="revoked", event_on="2026-10-30")
    # 10/30 Fri; 11/2-6(1-5)
    assert clock_row(db, case, "withdrawal").due_on == D("2026-11-06")
    assert clock_row(db, case, "withdrawal").ops[0]["rules"] == {"withdrawal_days": 5}


# -- publish -------------------------------------------------------------------------------------------
def test_publishing_in_time_issues_the_publication_with_every_required_element(db, handler):
    case = decide(handler)  # penalty decided 2026-09-30: due 2026-10-15
    result = fire(case, "publish", handler, "2026-10-15", channel="贵州省司法厅门户网站“行政执法公示”专栏")

    assert (case.state, case.due_on, case.closed_on) == ("published", None, None)
    assert case.data["publication"] == {
        "published_on": "2026-10-15", "due_on": "2026-10-15", "on_time": True,
        "party_id_published": PERSON_ID_MASKED, "rules": {"publication_years_natural_person": 2},
        "period_ends_on": "2028-10-15", "channel": "贵州省司法厅门户网站“行政执法公示”专栏"}
    row = clock_row(db, case, "publication")
    assert (row.status, row.due_on) == ("stopped", D("2026-10-15"))
    assert result.event.clocks["publication"]["met"] is True

    [letter] = result.documents
    assert (letter.kind, letter.number, letter.issued_on) == ("enforcement_publication", "黔司执公〔2026〕1号",
                                                              D("2026-10-15"))
    lines = text_of(letter)
    assert_form(lines, title="行政执法决定公示", number="黔司执公〔2026〕1号", issued="2026年10月15日",
                signed="公示机关（盖章）")
    assert letter.addressee == "社会公众"
    assert "公示事项 | 内容" in lines  # the header row
    assert "执法机关 | 贵州省司法厅" in lines
    assert "执法对象 | 李四 & <王五>" in lines
    assert f"居民身份证号码 | {PERSON_ID_MASKED}" in lines
    assert "执法行为类型 | 行政处罚" in lines
    assert "执法类别 | 律师违法行为处罚" in lines
    assert "执法结论 | 给予警告，并处罚款人民币5000元" in lines
    assert "执法决定文书号 | 黔司罚决〔2026〕5号" in lines
    assert "执法决定日期 | 2026年9月30日" in lines
    assert "公示日期 | 2026年10月15日" in lines
    assert "公示期限 | 自公示之日起2年（至2028年10月15日）" in lines
    assert "公示渠道 | 贵州省司法厅门户网站“行政执法公示”专栏" in lines
    assert ("异议反映 | 公示期间对公示内容有异议的，可以向贵州省司法厅政府信息公开工作机构（厅办公室）反映（地址：贵州省贵阳市"
            "观山湖区，邮政编码：550081；联系电话：0851-00000000）。") in lines
    basis = next(line for line in lines if line.startswith("法律依据 | "))
    assert "国办发〔2018〕118号" in basis and "《中华人民共和国行政处罚法》第四十八条第一款" in basis
    assert "《中华人民共和国政府信息公开条例》第二十条第（六）项" in basis
    assert_identity_masked(letter)


def test_a_late_publication_is_published_and_flagged(db, handler):
    case = decide(handler)  # due 2026-10-15
    result = fire(case, "publish", handler, "2026-10-16")
    assert case.state == "published"
    assert case.data["publication"]["on_time"] is False
    assert case.data["publication"]["due_on"] == "2026-10-15"
    assert result.event.clocks["publication"]["met"] is False
    assert [d.kind for d in result.documents] == ["enforcement_publication"]
    assert "公示日期 | 2026年10月16日" in text_of(result.documents[0])


def test_a_licence_for_a_legal_person_publishes_its_credit_code_unmasked(db, handler):
    case = decide(handler, decision_type="administrative_licence", decision_number="黔司许〔2026〕8号",
                  party_type="legal_person", party_name="贵州某某律师事务所", party_id_number=COMPANY_CODE,
                  category="律师事务所变更许可", conclusion="准予变更", decision_date="2026-02-13")
    # 2/13 Fri: due 3/2 (see the registration table); published on the make-up Saturday 2/28.
    result = fire(case, "publish", handler, "2026-02-28")
    assert case.data["publication"]["on_time"] is True
    lines = text_of(result.documents[0])
    assert f"统一社会信用代码 | {COMPANY_CODE}" in lines
    assert "公示期限 | 自公示之日起5年（至2031年2月28日）" in lines
    basis = next(line for line in lines if line.startswith("法律依据 | "))
    assert "《中华人民共和国行政许可法》第四十条" in basis
    assert "《中华人民共和国政府信息公开条例》第二十条第（五）项" in basis


def test_a_coercive_measure_cites_the_publicity_rules_and_no_article_of_the_regulation(db, handler):
    # law.md §4: 条例 Art. 20(5)(6) is given for licensing results and penalty decisions only.
    case = decide(handler, decision_type="administrative_enforcement", category="查封场所", conclusion="查封30日")
    lines = text_of(fire(case, "publish", handler, "2026-10-12").documents[0])
    assert "执法行为类型 | 行政强制" in lines
    assert "法律依据 | 《国务院办公厅关于全面推行行政执法公示制度执法全过程记录制度重大执法决定法制审核制度的指导意见》" \
           "（国办发〔2018〕118号）；《贵州省司法厅2019年政务公开工作要点》二（三）" in lines


def test_publishing_without_a_conclusion_is_refused_then_completed_when_publishing(db, handler):
    case = decide(handler, conclusion=None, decision_number=None)
    with pytest.raises(GuardFailed) as exc:
        fire(case, "publish", handler, "2026-10-12")
    assert [g["name"] for g in exc.value.details["guards"]] == ["has_publication_fields"]
    db.session.rollback()
    assert (case.state, len(events(db, case)), documents(db, case)) == ("decided", 1, [])

    result = fire(case, "publish", handler, "2026-10-12", conclusion="责令改正，给予警告",
                  decision_number="黔司罚决〔2026〕9号")
    assert case.data["conclusion"] == "责令改正，给予警告"
    assert result.event.data == {"conclusion": "责令改正，给予警告", "decision_number": "黔司罚决〔2026〕9号"}
    lines = text_of(result.documents[0])
    assert "执法结论 | 责令改正，给予警告" in lines
    assert "执法决定文书号 | 黔司罚决〔2026〕9号" in lines


def test_publishing_twice_is_a_conflict_and_writes_nothing(db, handler):
    case = decide(handler)
    fire(case, "publish", handler, "2026-10-12")
    with pytest.raises(TriggerNotAllowed) as exc:
        fire(case, "publish", handler, "2026-10-13")
    assert exc.value.details["allowed"] == ["revoke", "expire"]
    db.session.rollback()
    assert (len(events(db, case)), len(documents(db, case))) == (2, 1)


def test_publication_numbers_follow_one_sequence(db, handler):
    first = fire(decide(handler), "publish", handler, "2026-10-12").documents[0]
    second = fire(decide(handler, decision_number="黔司罚决〔2026〕6号"), "publish", handler,
                  "2026-10-12").documents[0]
    assert (first.number, second.number) == ("黔司执公〔2026〕1号", "黔司执公〔2026〕2号")


# -- exempt --------------------------------------------------------------------------------------------
def test_exempting_records_the_legal_reason_and_closes_the_case(db, approver):
    case = decide(approver)
    explanation = "该决定载明当事人的健康状况等个人隐私信息，公开会对其合法权益造成损害。"
    result = fire(case, "exempt", approver, "2026-10-09", ground="personal_privacy", explanation=explanation)
    assert (case.state, case.closed_on, case.due_on) == ("exempted", D("2026-10-09"), None)
    assert case.data["exemption"] == {"ground": "personal_privacy", "decided_on": "2026-10-09"}
    assert clock_row(db, case, "publication").status == "stopped"

    [record] = result.documents
    assert (record.kind, record.number) == ("exemption_record", "黔司不公〔2026〕1号")
    lines = text_of(record)
    assert_form(lines, title="行政执法决定不予公示记录", number="黔司不公〔2026〕1号", issued="2026年10月9日",
                signed="记录单位（盖章）")
    assert record.addressee == "贵州省司法厅政府信息公开工作机构（厅办公室）"  # kept on file there
    assert "案件编号 | 黔司执登〔2026〕1号" in lines
    assert "执法决定文书号 | 黔司罚决〔2026〕5号" in lines and "执法决定日期 | 2026年9月30日" in lines
    assert "应公示期限 | 按照行政执法公示制度，该决定原应于2026年10月15日前公示" in lines
    assert "审核结论 | 经审核，该行政执法决定涉及个人隐私，公开会对第三方合法权益造成损害，决定不予公示。" in lines
    assert f"不予公示理由 | {explanation}" in lines
    assert "法律依据 | 《中华人民共和国政府信息公开条例》第十五条；" \
           "《国务院办公厅关于全面推行行政执法公示制度执法全过程记录制度重大执法决定法制审核制度的指导意见》（国办发〔2018〕118号）" \
           in lines
    assert any(line.startswith("联系方式 | 贵州省司法厅政府信息公开工作机构（厅办公室）；") and "联系电话：" in line
               for line in lines)
    assert "经办人 | " in lines and "审核人 | " in lines
    assert_identity_masked(record)


def test_an_exemption_on_another_legal_ground_prints_the_typed_provision(db, approver):
    case = decide(approver, decision_type="administrative_inspection")
    result = fire(case, "exempt", approver, "2026-10-09", ground="other", explanation="依法不予公开",
                  basis="《某某条例》第十二条第二款")
    basis = next(line for line in text_of(result.documents[0]) if line.startswith("法律依据 | "))
    assert basis.startswith("法律依据 | 《某某条例》第十二条第二款；")


def test_a_handler_cannot_exempt(db, handler):
    case = decide(handler)
    with pytest.raises(NotPermitted):
        fire(case, "exempt", handler, "2026-10-09", ground="state_secret", explanation="x")
    db.session.rollback()
    assert case.state == "decided"


# -- revoke and withdraw_publication ----------------------------------------------------------------------
@pytest.mark.parametrize("event_on, withdrawn_on, due, on_time", [
    # 9/30 Wed; 10/1-7 off; 10/8(1) 10/9(2) 10/10 Sat make-up(3)
    ("2026-09-30", "2026-10-10", "2026-10-10", True),
    ("2026-09-30", "2026-10-12", "2026-10-10", False),
    # 2/12 Thu; 2/13(1) 2/14 Sat make-up(2); 2/15-23 off; 2/24(3)
    ("2026-02-12", "2026-02-24", "2026-02-24", True),
    ("2026-02-12", "2026-02-25", "2026-02-24", False),
])
def test_a_revoked_decision_is_withdrawn_with_a_public_statement(db, handler, event_on, withdrawn_on, due, on_time):
    decided = "2026-09-18" if event_on.startswith("2026-09") else "2026-02-02"
    case = decide(handler, decision_date=decided)
    fire(case, "publish", handler, decided)
    fire(case, "revoke", handler, event_on, event="confirmed_illegal", event_on=event_on,
         authority="贵州省人民政府黔府复决〔2026〕3号行政复议决定")
    assert case.state == "withdrawal_pending"
    assert case.data["revocation"] == {"event": "confirmed_illegal", "event_on": event_on,
                                       "authority": "贵州省人民政府黔府复决〔2026〕3号行政复议决定"}
    row = clock_row(db, case, "withdrawal")
    assert (row.status, row.due_on, row.ops[0]["on"]) == ("running", D(due), event_on)
    assert case.due_on == D(due)  # the listing shows the running withdrawal deadline

    result = fire(case, "withdraw_publication", handler, withdrawn_on, statement=STATEMENT)
    assert (case.state, case.closed_on, case.due_on) == ("withdrawn", D(withdrawn_on), None)
    assert case.data["withdrawal"] == {"withdrawn_on": withdrawn_on, "due_on": due, "on_time": on_time}
    assert result.event.clocks["withdrawal"]["met"] is on_time

    [statement] = result.documents
    assert statement.kind == "withdrawal_statement"
    lines = text_of(statement)
    assert_common(lines, title="撤销公示说明", number=f"黔司撤公〔{event_on[:4]}〕1号", addressee="社会公众",
                  issued=_cn(withdrawn_on), closing="特此说明。")
    assert STATEMENT in lines  # the public statement of reasons exactly as typed
    assert "执法决定文书号 | 黔司罚决〔2026〕5号" in lines
    assert f"原公示日期 | {_cn(decided)}" in lines
    assert "撤下原因 | 执法决定被确认违法" in lines
    assert f"撤销、确认违法或者要求重新作出的日期 | {_cn(event_on)}" in lines
    assert f"撤下日期 | {_cn(withdrawn_on)}" in lines
    assert any(f"已于{_cn(event_on)}被确认违法（贵州省人民政府黔府复决〔2026〕3号行政复议决定）" in line
               and f"已于{_cn(withdrawn_on)}从行政执法信息公示平台撤下" in line for line in lines)
    basis = next(line for line in lines if line.startswith("法律依据："))
    assert basis.startswith("法律依据：《中华人民共和国行政处罚法》第四十八条第二款；")
    assert_identity_masked(statement)


def _cn(iso: str) -> str:
    day = D(iso)
    return f"{day.year}年{day.month}月{day.day}日"


def test_a_revocation_dated_after_the_business_date_is_refused(db, handler):
    case = decide(handler)
    fire(case, "publish", handler, "2026-10-12")
    with pytest.raises(GuardFailed) as exc:
        fire(case, "revoke", handler, "2026-10-20", event="revoked", event_on="2026-10-21")
    assert [g["name"] for g in exc.value.details["guards"]] == ["has_event_date_in_range"]
    db.session.rollback()
    assert (case.state, clock_row(db, case, "withdrawal")) == ("published", None)


def test_a_decision_ordered_remade_of_another_type_cites_no_penalty_article(db, handler):
    case = decide(handler, decision_type="administrative_inspection", category="律师事务所年度检查",
                  conclusion="检查合格")
    fire(case, "publish", handler, "2026-10-12")
    fire(case, "revoke", handler, "2026-11-02", event="ordered_remade", event_on="2026-11-02")
    result = fire(case, "withdraw_publication", handler, "2026-11-03", statement="该检查结论被要求重新作出。")
    lines = text_of(result.documents[0])
    assert "撤下原因 | 执法决定被要求重新作出" in lines
    basis = next(line for line in lines if line.startswith("法律依据："))
    assert "行政处罚法" not in basis and "国办发〔2018〕118号" in basis


# -- expire --------------------------------------------------------------------------------------------
def test_a_natural_persons_decision_expires_only_after_two_calendar_years(db, handler, clock):
    case = decide(handler)
    fire(case, "publish", handler, "2026-10-12")  # published until 2028-10-12 inclusive
    clock.move_to(dt.datetime(2028, 10, 12, 10, 0, tzinfo=CST))
    with pytest.raises(GuardFailed) as exc:
        fire(case, "expire", handler, "2028-10-12")
    assert [g["name"] for g in exc.value.details["guards"]] == ["has_publication_period_ended"]
    db.session.rollback()
    assert case.state == "published"

    clock.move_to(dt.datetime(2028, 10, 13, 10, 0, tzinfo=CST))
    result = fire(case, "expire", handler)
    assert (case.state, case.closed_on) == ("expired", D("2028-10-13"))
    assert case.data["publication"]["expired_on"] == "2028-10-13"
    assert result.documents == []
    assert [e.trigger for e in events(db, case)] == ["register", "publish", "expire"]


def test_a_legal_persons_decision_stays_published_five_years(db, handler, clock):
    case = decide(handler, party_type="legal_person", party_id_number=COMPANY_CODE)
    fire(case, "publish", handler, "2026-10-12")
    clock.move_to(dt.datetime(2031, 10, 12, 10, 0, tzinfo=CST))
    with pytest.raises(GuardFailed):
        fire(case, "expire", handler)
    db.session.rollback()
    clock.move_to(dt.datetime(2031, 10, 13, 10, 0, tzinfo=CST))
    fire(case, "expire", handler)
    assert case.state == "expired"


def test_the_event_chain_of_a_full_life_verifies(db, handler):
    case = decide(handler)
    fire(case, "publish", handler, "2026-10-12")
    fire(case, "revoke", handler, "2026-11-02", event="revoked", event_on="2026-11-02")
    fire(case, "withdraw_publication", handler, "2026-11-04", statement="原决定已被依法撤销。")
    assert [(e.from_state, e.to_state) for e in events(db, case)] == [
        (None, "decided"), ("decided", "published"), ("published", "withdrawal_pending"),
        ("withdrawal_pending", "withdrawn")]
    assert check_case(case) is None
    assert [d.kind for d in documents(db, case)] == ["enforcement_publication", "withdrawal_statement"]
