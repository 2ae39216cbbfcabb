"""disclosure_request through the service layer against a real database (processes.md §1): every terminal
state reached the way a caseworker reaches it, with the events, the clocks, the hash chain and the due dates.

Due dates are counted by hand from the State Council's 2026 arrangement: 中秋 Fri 9/25 – Sun 9/27, 国庆
Thu 10/1 – Wed 10/7, make-up working days Sun 9/20 and Sat 10/10; November 2026 has no holiday. "9/16(1)"
means 16 September is working day number 1 after the start day, which itself does not count.
"""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from app.extensions import db as _db
from app.models import Case, CaseClock, Document, Event, SerialCounter
from app.services import calendar as calendar_service
from app.services import cases as case_service
from app.services.integrity import check_case
from tests import factories
from tests.tampering import intruder
from workflow.errors import GuardFailed, InvalidData, NotPermitted, TriggerNotAllowed

CST = dt.timezone(dt.timedelta(hours=8))
D = dt.date.fromisoformat


@pytest.fixture
def staff(app):
    return SimpleNamespace(registrar=factories.user("li_registrar", role="registrar"),
                           handler=factories.user("wang_handler", role="handler"),
                           approver=factories.user("zhao_approver", role="approver"))


def today_is(clock, day: str, hour: int = 10, minute: int = 0) -> None:
    """Put 'today' (Asia/Shanghai) on a given day."""
    clock.move_to(dt.datetime.fromisoformat(day).replace(hour=hour, minute=minute, tzinfo=CST))


def open_case(staff, **overrides) -> Case:
    return factories.open_case(staff.registrar, **overrides)


def fire(case, trigger, actor, on=None, **params):
    factories.on_business_day(on)
    return case_service.fire(case, trigger, actor=actor, params=params, effective_on=on)


def events(case) -> list[Event]:
    return list(_db.session.scalars(sa.select(Event).where(Event.case_id == case.id)
                                                .order_by(Event.seq)))


def trail(case) -> list[tuple]:
    return [(e.seq, e.trigger, e.from_state, e.to_state, e.actor_name, e.role, e.effective_on.isoformat())
            for e in events(case)]


def committed(case_id: int) -> dict:
    """What the database holds, read through a connection of its own (so only committed rows count)."""
    db = _db
    with db.engine.connect() as conn:
        row = conn.execute(sa.select(Case.state, Case.reason, Case.version, Case.due_on, Case.last_effective_on)
                           .where(Case.id == case_id)).one()
        return {
            "case": tuple(row),
            "events": conn.execute(sa.select(Event.seq, Event.trigger, Event.hash).where(Event.case_id == case_id)
                                   .order_by(Event.seq)).all(),
            "documents": conn.execute(sa.select(Document.number).where(Document.case_id == case_id)
                                      .order_by(Document.id)).all(),
            "clocks": conn.execute(sa.select(CaseClock.name, CaseClock.ops, CaseClock.status).where(CaseClock.case_id == case_id)
                                   .order_by(CaseClock.name)).all(),
            "sequences": conn.execute(sa.select(SerialCounter.kind, SerialCounter.last_value).order_by(SerialCounter.kind)).all(),
        }


def refused(case, exc_type, trigger, actor, on=None, **params):
    """Fire a trigger that must be refused; check that nothing at all was written."""
    before = committed(case.id)
    in_memory = (case.state, case.reason, case.version, case.due_on, dict(case.data))
    with pytest.raises(exc_type) as info:
        fire(case, trigger, actor, on, **params)
    assert committed(case.id) == before
    assert (case.state, case.reason, case.version, case.due_on, dict(case.data)) == in_memory
    return info.value


def reading(case, name="reply"):
    return case_service.readings_of(case)[name]


def guard_names(exc: GuardFailed) -> list[str]:
    return [g["name"] for g in exc.details["guards"]]


# -- the long way to `disclosed`: consultation, agency, fee, extension, revision ----------------------------
def test_a_case_through_every_kind_of_pause_and_extension_is_disclosed(staff):
    reg, han, appr = staff.registrar.username, staff.handler.username, staff.approver.username
    case = open_case(staff, arrived_on="2026-09-15")
    # Received Tue 9/15, 20 WD: 9/16(1) 9/17(2) 9/18(3), 9/19 Sat skip, 9/20 Sun make-up(4), 9/21-24(5-8),
    # 9/25-27 中秋 skip, 9/28-30(9-11), 10/1-7 国庆 skip, 10/8(12) 10/9(13), 10/10 Sat make-up(14),
    # 10/12-16(15-19), 10/19(20)
    assert (case.state, case.received_on, case.due_on, case.due_provisional) == (
        "received", D("2026-09-15"), D("2026-10-19"), False)

    fire(case, "accept", staff.handler, "2026-09-16")
    assert (case.state, case.due_on) == ("in_progress", D("2026-10-19"))

    fire(case, "consult_third_party", staff.handler, "2026-09-18", third_party_name="某某律师事务所",
         information="该所 2025 年度考核结果", impact="涉及该所的商业信誉")
    # Paused Fri 9/18: 9/16-9/18 used (3). The third party has 15 WD: 9/20 Sun make-up(1), 9/21-24(2-5),
    # 9/28-30(6-8), 10/8(9) 10/9(10), 10/10 Sat make-up(11), 10/12-15(12-15)
    assert (case.state, case.due_on) == ("consulting_third_party", None)
    assert reading(case).used == 3 and reading(case).status == "paused"
    assert reading(case, "consultation").due_on == D("2026-10-15")

    exc = refused(case, GuardFailed, "consultation_lapsed", staff.handler, "2026-10-15")
    assert guard_names(exc) == ["has_consultation_period_passed"]
    fire(case, "consultation_lapsed", staff.handler, "2026-10-16")
    # Resumed Fri 10/16, 17 WD left from 10/17: 10/19-23(1-5), 10/26-30(6-10), 11/2-6(11-15), 11/9(16), 11/10(17)
    assert (case.state, case.due_on) == ("in_progress", D("2026-11-10"))

    fire(case, "consult_agency", staff.handler, "2026-10-20", agency_name="贵州省律师协会",
         information="联合发布的考核通报")
    # Paused Tue 10/20: 10/19(4) 10/20(5) used. Agency has 15 WD: 10/21-23(1-3), 10/26-30(4-8),
    # 11/2-6(9-13), 11/9(14), 11/10(15)
    assert reading(case).used == 5
    assert reading(case, "consultation").due_on == D("2026-11-10")
    fire(case, "agency_replied", staff.handler, "2026-10-23", opinion="consent")
    # Resumed Fri 10/23, 15 left from 10/24: 10/26-30(1-5), 11/2-6(6-10), 11/9-13(11-15)
    assert (case.state, case.due_on) == ("in_progress", D("2026-11-13"))

    fire(case, "issue_fee_notice", staff.handler, "2026-10-26", basis="per_piece", pieces=15,
         served_on="2026-10-28")
    # Reply paused Mon 10/26 with 10/26 used (6). Served Wed 10/28, 20 WD to pay: 10/29(1) 10/30(2),
    # 11/2-6(3-7), 11/9-13(8-12), 11/16-20(13-17), 11/23(18) 11/24(19) 11/25(20)
    assert (case.state, case.due_on) == ("awaiting_fee", None)
    assert reading(case).used == 6
    assert reading(case, "fee").due_on == D("2026-11-25")
    fire(case, "fee_paid", staff.handler, "2026-11-02")
    # Resumed Mon 11/2, 14 left from 11/3: 11/3-6(1-4), 11/9-13(5-9), 11/16-20(10-14)
    assert (case.state, case.due_on) == ("in_progress", D("2026-11-20"))

    exc = refused(case, NotPermitted, "extend", staff.handler, "2026-11-05", days=10, reason="档案较多")
    assert exc.details["roles"] == ["admin", "approver"]
    fire(case, "extend", staff.approver, "2026-11-05", days=10, reason="档案较多")
    # 11/20 + 10 WD: 11/23-27(1-5), 11/30-12/4(6-10)
    assert case.due_on == D("2026-12-04")
    exc = refused(case, GuardFailed, "extend", staff.approver, "2026-11-06", days=11, reason="仍需检索")
    assert guard_names(exc) == ["within_extension_cap"]  # Art. 33 ¶2: 10 + 11 > 20 WD

    proposal = {"outcome": "disclosed", "reason": "disclose", "provided": "考核结果（电子文本）",
                "obtain": "通过电子邮件发送"}
    fire(case, "propose_reply", staff.handler, "2026-11-09", **proposal)
    assert case.state == "under_review" and case.due_on == D("2026-12-04")  # the clock runs during review
    refused(case, NotPermitted, "return_for_revision", staff.handler, "2026-11-10", comment="补充")
    refused(case, NotPermitted, "approve", staff.handler, "2026-11-10")
    exc = refused(case, InvalidData, "return_for_revision", staff.approver, "2026-11-10")
    assert exc.errors == {"comment": ["必填"]}
    fire(case, "return_for_revision", staff.approver, "2026-11-10", comment="请写明获取方式的具体时间")
    assert case.state == "in_progress" and "proposal" not in case.data
    fire(case, "propose_reply", staff.handler, "2026-11-11", **proposal | {"obtain": "2026年11月13日前发送至申请人邮箱"})
    result = fire(case, "approve", staff.approver, "2026-11-12")

    assert (case.state, case.reason, case.due_on, case.closed_on) == ("disclosed", "disclose", None, D("2026-11-12"))
    assert case.data["proposal"]["obtain"] == "2026年11月13日前发送至申请人邮箱"
    reply = reading(case)
    assert (reply.status, reply.stopped_on, reply.due_on, reply.met()) == ("stopped", "2026-11-12",
                                                                           D("2026-12-04"), True)
    assert trail(case) == [
        (1, "register", None, "received", reg, "registrar", "2026-09-15"),
        (2, "accept", "received", "in_progress", han, "handler", "2026-09-16"),
        (3, "consult_third_party", "in_progress", "consulting_third_party", han, "handler", "2026-09-18"),
        (4, "consultation_lapsed", "consulting_third_party", "in_progress", han, "handler", "2026-10-16"),
        (5, "consult_agency", "in_progress", "consulting_agency", han, "handler", "2026-10-20"),
        (6, "agency_replied", "consulting_agency", "in_progress", han, "handler", "2026-10-23"),
        (7, "issue_fee_notice", "in_progress", "awaiting_fee", han, "handler", "2026-10-26"),
        (8, "fee_paid", "awaiting_fee", "in_progress", han, "handler", "2026-11-02"),
        (9, "extend", "in_progress", "in_progress", appr, "approver", "2026-11-05"),
        (10, "propose_reply", "in_progress", "under_review", han, "handler", "2026-11-09"),
        (11, "return_for_revision", "under_review", "in_progress", appr, "approver", "2026-11-10"),
        (12, "propose_reply", "in_progress", "under_review", han, "handler", "2026-11-11"),
        (13, "approve", "under_review", "disclosed", appr, "approver", "2026-11-12"),
    ]
    evs = events(case)
    # The clocks snapshot of each event is the clock state after it.
    assert evs[0].clocks["reply"]["due_on"] == "2026-10-19"
    assert (evs[2].clocks["reply"]["status"], evs[2].clocks["reply"]["used"]) == ("paused", 3)
    assert evs[2].clocks["consultation"]["due_on"] == "2026-10-15"
    assert evs[6].clocks["fee"]["due_on"] == "2026-11-25"
    assert (evs[8].clocks["reply"]["due_on"], evs[8].clocks["reply"]["extension"]) == ("2026-12-04", 10)
    assert evs[12].clocks["reply"]["status"] == "stopped" and evs[12].clocks["reply"]["met"] is True
    assert evs[12].reason == "disclose"
    assert evs[8].data == {"days": 10, "reason": "档案较多"}
    assert evs[6].data == {"basis": "per_piece", "pieces": 15, "served_on": "2026-10-28"}
    # Registered (recorded) on Nov 27 for a receipt in October; every later step was done on its business date.
    assert evs[0].recorded_at == dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC)
    assert [e.recorded_at.astimezone(factories.CST).date() for e in evs[1:]] == [e.effective_on for e in evs[1:]]
    assert [e.prev_hash for e in evs[1:]] == [e.hash for e in evs[:-1]]
    assert check_case(case) is None
    docs = _db.session.scalars(sa.select(Document).where(Document.case_id == case.id)
                                           .order_by(Document.id)).all()
    assert [(d.kind, d.number, d.event_id) for d in docs] == [
        ("third_party_consultation", "黔司征询〔2026〕1号", evs[2].id),
        ("agency_consultation", "黔司征函〔2026〕1号", evs[4].id),
        ("fee_notice", "黔司收费〔2026〕1号", evs[6].id),
        ("extension_notice", "黔司延期〔2026〕1号", evs[8].id),
        ("reply", "黔司公开〔2026〕1号", evs[12].id),
    ]
    assert result.documents[0].number == "黔司公开〔2026〕1号"


def test_a_tampered_event_breaks_the_chain(staff, db):
    case = open_case(staff)
    fire(case, "accept", staff.handler, "2026-11-23")
    fire(case, "extend", staff.approver, "2026-11-24", days=3, reason="档案较多")
    assert check_case(case) is None
    db.session.commit()
    with intruder(db) as conn:
        conn.execute(sa.update(Event).where(Event.case_id == case.id, Event.seq == 2)
                     .values(effective_on=D("2026-11-20")))
    assert check_case(case).seq == 2


# -- correction: the 7-WD notice, the window, the restart ---------------------------------------------------
def test_correction_notice_window_restart_and_unclear_after_correction_is_unavailable(staff):
    case = open_case(staff, arrived_on="2026-09-15")
    # Received Tue 9/15: 9/16(1) 9/17(2) 9/18(3), 9/20 Sun make-up(4), 9/21(5) 9/22(6) 9/23(7) 9/24(8)
    exc = refused(case, GuardFailed, "request_correction", staff.handler, "2026-09-24", items=["文件名称"])
    assert guard_names(exc) == ["within_correction_notice_period"]
    fire(case, "request_correction", staff.handler, "2026-09-23", items=["所需信息的文件名称或者文号"])
    # Reply clock stopped; 10 WD to correct from Wed 9/23: 9/24(1), 9/25-27 中秋 skip, 9/28-30(2-4),
    # 10/1-7 国庆 skip, 10/8(5) 10/9(6), 10/10 Sat make-up(7), 10/12(8) 10/13(9) 10/14(10)
    assert (case.state, case.due_on) == ("awaiting_correction", None)
    assert reading(case).status == "stopped"
    assert reading(case, "correction").due_on == D("2026-10-14")

    # One-time notice (Art. 30): a second one is refused.
    exc = refused(case, TriggerNotAllowed, "request_correction", staff.handler, "2026-09-24", items=["证件"])
    assert set(exc.details["allowed"]) == {"receive_correction", "correction_lapsed", "withdraw"}
    exc = refused(case, GuardFailed, "correction_lapsed", staff.handler, "2026-10-14")
    assert guard_names(exc) == ["has_correction_window_passed"]

    fire(case, "receive_correction", staff.handler, "2026-10-12", summary="补充了文号")
    # Restart: 20 WD from Mon 10/12: 10/13-16(1-4), 10/19-23(5-9), 10/26-30(10-14), 11/2-6(15-19), 11/9(20)
    assert (case.state, case.due_on) == ("in_progress", D("2026-11-09"))
    assert (reading(case).used, reading(case).started_on) == (0, "2026-10-12")
    assert reading(case, "correction").status == "stopped"
    exc = refused(case, TriggerNotAllowed, "request_correction", staff.handler, "2026-10-13", items=["证件"])
    assert "request_correction" not in exc.details["allowed"]

    fire(case, "propose_reply", staff.handler, "2026-10-20", outcome="unavailable", reason="unclear_after_correction",
        explanation="补正后仍未写明所需信息的年份")
    fire(case, "approve", staff.approver, "2026-10-21")
    assert (case.state, case.reason, case.closed_on, case.due_on) == ("unavailable", "unclear_after_correction",
                                                                      D("2026-10-21"), None)
    assert [t[1:4] for t in trail(case)] == [
        ("register", None, "received"),
        ("request_correction", "received", "awaiting_correction"),
        ("receive_correction", "awaiting_correction", "in_progress"),
        ("propose_reply", "in_progress", "under_review"),
        ("approve", "under_review", "unavailable"),
    ]
    assert events(case)[2].clocks["reply"]["due_on"] == "2026-11-09"
    assert check_case(case) is None


def test_correction_lapsed_closes_the_case_after_the_window(staff):
    case = open_case(staff, arrived_on="2026-09-15")
    fire(case, "request_correction", staff.handler, "2026-09-23", items=["所需信息的文件名称或者文号"])
    refused(case, GuardFailed, "correction_lapsed", staff.handler, "2026-10-14")  # due 10/14 (see above)
    result = fire(case, "correction_lapsed", staff.handler, "2026-10-15")
    assert (case.state, case.reason, case.closed_on) == ("closed_other", "correction_lapsed", D("2026-10-15"))
    assert [d.kind for d in result.documents] == ["reply"]
    last = events(case)[-1]
    assert (last.seq, last.trigger, last.from_state, last.to_state, last.reason, last.role) == (
        3, "correction_lapsed", "awaiting_correction", "closed_other", "correction_lapsed", "handler")
    assert last.clocks["correction"]["status"] == "stopped"
    assert check_case(case) is None


def test_fee_lapsed_closes_the_case_after_the_payment_window(staff, clock):
    today_is(clock, "2026-11-02")
    case = open_case(staff, arrived_on="2026-11-02")
    fire(case, "accept", staff.handler)
    today_is(clock, "2026-11-03")
    fire(case, "issue_fee_notice", staff.handler, basis="per_volume", pages=150)
    # Served the day it is issued (Tue 11/3); 20 WD: 11/4-6(1-3), 11/9-13(4-8), 11/16-20(9-13), 11/23-27(14-18),
    # 11/30(19), 12/1(20)
    assert reading(case, "fee").due_on == D("2026-12-01")
    today_is(clock, "2026-12-01")
    exc = refused(case, GuardFailed, "fee_lapsed", staff.handler)
    assert guard_names(exc) == ["has_payment_window_passed"]
    today_is(clock, "2026-12-02")
    fire(case, "fee_lapsed", staff.handler)
    assert (case.state, case.reason, case.closed_on) == ("closed_other", "fee_unpaid", D("2026-12-02"))
    assert [t[1:] for t in trail(case)] == [
        ("register", None, "received", "li_registrar", "registrar", "2026-11-02"),
        ("accept", "received", "in_progress", "wang_handler", "handler", "2026-11-02"),
        ("issue_fee_notice", "in_progress", "awaiting_fee", "wang_handler", "handler", "2026-11-03"),
        ("fee_lapsed", "awaiting_fee", "closed_other", "wang_handler", "handler", "2026-12-02"),
    ]
    assert all(c["status"] == "stopped" for c in events(case)[-1].clocks.values())
    assert check_case(case) is None


def test_withdrawal_during_a_consultation_closes_the_case(staff):
    case = open_case(staff, arrived_on="2026-11-02")
    fire(case, "accept", staff.handler, "2026-11-03")
    fire(case, "consult_agency", staff.handler, "2026-11-04", agency_name="贵州省律师协会", information="考核通报")
    statement = "  本人已通过其他途径获得，撤回申请。 "
    result = fire(case, "withdraw", staff.registrar, "2026-11-05", statement=statement)
    assert (case.state, case.reason, case.closed_on, case.due_on) == ("closed_other", "withdrawn", D("2026-11-05"),
                                                                      None)
    assert case.data["withdrawn"] is True
    last = events(case)[-1]
    assert (last.trigger, last.from_state, last.role, last.data) == ("withdraw", "consulting_agency", "registrar",
                                                                     {"statement": statement})
    assert {n: c["status"] for n, c in last.clocks.items()} == {"reply": "stopped", "consultation": "stopped"}
    assert [d.kind for d in result.documents] == ["reply"]
    refused(case, TriggerNotAllowed, "accept", staff.handler, "2026-11-06")
    assert check_case(case) is None


def test_third_party_objection_leads_to_withheld(staff):
    case = open_case(staff, arrived_on="2026-11-02")
    fire(case, "accept", staff.handler, "2026-11-03")
    fire(case, "consult_third_party", staff.handler, "2026-11-04", third_party_name="某某公司",
         information="该公司报送的财务资料", impact="含商业秘密")
    fire(case, "third_party_replied", staff.handler, "2026-11-06", opinion="objection", reasons="含有核心技术参数")
    # Received Mon 11/2; used 11/3, 11/4 (2); paused 11/4 – 11/6; 18 left from 11/7: 11/9-13(1-5),
    # 11/16-20(6-10), 11/23-27(11-15), 11/30(16), 12/1(17), 12/2(18)
    assert (case.state, case.due_on) == ("in_progress", D("2026-12-02"))
    fire(case, "propose_reply", staff.handler, "2026-11-09", outcome="withheld", reason="third_party_rights",
         explanation="第三方不同意公开且理由合理")
    fire(case, "approve", staff.approver, "2026-11-10")
    assert (case.state, case.reason) == ("withheld", "third_party_rights")
    assert events(case)[3].data == {"opinion": "objection", "reasons": "含有核心技术参数"}
    assert check_case(case) is None


def test_partial_disclosure(staff):
    case = open_case(staff, arrived_on="2026-11-02")
    fire(case, "propose_reply", staff.handler, "2026-11-03", outcome="partially_disclosed", reason="partial",
         provided="考核结果汇总表", obtain="电子邮件发送",
         withheld_parts=[{"part": "个人考核评语", "ground": "third_party_rights", "explanation": "涉及个人隐私"}])
    fire(case, "approve", staff.approver, "2026-11-04")
    assert (case.state, case.reason) == ("partially_disclosed", "partial")
    assert case.data["proposal"]["withheld_parts"] == [
        {"part": "个人考核评语", "ground": "third_party_rights", "explanation": "涉及个人隐私"}]
    assert [t[1] for t in trail(case)] == ["register", "propose_reply", "approve"]


def test_unreasonable_volume_after_reasons_is_not_processed(staff):
    case = open_case(staff, arrived_on="2026-11-02")
    refused(case, GuardFailed, "propose_reply", staff.handler, "2026-11-03", outcome="not_processed",
            reason="unreasonable_volume", explanation="理由不合理")
    fire(case, "request_reasons", staff.handler, "2026-11-03", grounds="一个月内提出 120 件申请", asked="申请用途")
    # The reply clock keeps running (rule-set default); the applicant has 10 WD: 11/4-6(1-3), 11/9-13(4-8),
    # 11/16(9), 11/17(10)
    assert (case.state, case.due_on) == ("awaiting_reasons", D("2026-11-30"))
    assert reading(case, "reasons").due_on == D("2026-11-17")
    fire(case, "accept_reasons", staff.handler, "2026-11-10", reply_due_on="2026-12-31")
    assert case.due_on == D("2026-12-31")
    fire(case, "propose_reply", staff.handler, "2026-11-11", outcome="not_processed", reason="unreasonable_volume",
         explanation="申请人说明的用途与所申请信息无关")
    fire(case, "approve", staff.approver, "2026-11-12")
    assert (case.state, case.reason) == ("not_processed", "unreasonable_volume")
    assert check_case(case) is None


def test_closed_other_for_another_reason(staff):
    case = open_case(staff, arrived_on="2026-11-02")
    fire(case, "accept", staff.handler, "2026-11-03")
    fire(case, "propose_reply", staff.handler, "2026-11-04", outcome="closed_other", reason="other",
         explanation="申请人已死亡，其近亲属未继续申请", legal_basis="《中华人民共和国政府信息公开条例》第二十九条")
    fire(case, "approve", staff.approver, "2026-11-05")
    assert (case.state, case.reason) == ("closed_other", "other")


# -- effective_on ---------------------------------------------------------------------------------------------
def test_effective_on_defaults_to_today_in_shanghai(staff, clock):
    case = open_case(staff, arrived_on="2026-11-20")
    # 00:30 in Shanghai on 11/27 is still 11/26 in UTC: the business date is the Shanghai one.
    today_is(clock, "2026-11-27", hour=0, minute=30)
    fire(case, "accept", staff.handler)
    event = events(case)[-1]
    assert event.effective_on == D("2026-11-27")
    assert event.recorded_at == dt.datetime(2026, 11, 26, 16, 30, tzinfo=dt.UTC)
    assert case.last_effective_on == D("2026-11-27")


def test_effective_on_may_be_earlier_or_the_same_day_as_the_previous_event(staff):
    case = open_case(staff, arrived_on="2026-11-20")
    fire(case, "accept", staff.handler, "2026-11-20")  # the day of receipt itself
    fire(case, "extend", staff.approver, dt.date(2026, 11, 20), days=1, reason="档案较多")
    assert [e.effective_on for e in events(case)] == [D("2026-11-20")] * 3


@pytest.mark.parametrize("value, message", [
    ("2026-11-28", "业务日期不能晚于今天（2026-11-27）"),
    ("2026-11-19", "业务日期不能早于本案上一事件的业务日期（2026-11-20）"),
    ("27/11/2026", "应为日期，格式 YYYY-MM-DD"),
])
def test_effective_on_never_in_the_future_nor_before_the_previous_event(staff, value, message):
    case = open_case(staff, arrived_on="2026-11-20")
    exc = refused(case, InvalidData, "accept", staff.handler, value)
    assert exc.errors == {"effective_on": [message]}


def test_effective_on_before_the_last_event_is_refused_even_when_after_receipt(staff):
    case = open_case(staff, arrived_on="2026-11-16")
    fire(case, "accept", staff.handler, "2026-11-20")
    exc = refused(case, InvalidData, "extend", staff.approver, "2026-11-18", days=1, reason="档案较多")
    assert list(exc.errors) == ["effective_on"]


def test_a_refused_trigger_consumes_no_letter_number(staff):
    case = open_case(staff, arrived_on="2026-09-15")
    refused(case, GuardFailed, "request_correction", staff.handler, "2026-09-24", items=["文号"])
    refused(case, InvalidData, "request_correction", staff.handler, "2026-09-23", items=[])
    refused(case, NotPermitted, "request_reasons", staff.registrar, "2026-09-23", grounds="甲", asked="乙")
    result = fire(case, "request_correction", staff.handler, "2026-09-23", items=["文号"])
    assert result.documents[0].number == "黔司补正〔2026〕1号"


def test_registration_in_the_future_is_refused(staff):
    with pytest.raises(InvalidData) as info:
        open_case(staff, arrived_on="2026-11-28")
    assert list(info.value.errors) == ["arrived_on"]
    assert _db.session.scalar(sa.select(sa.func.count()).select_from(Case)) == 0


def test_the_receipt_date_for_online_applications_is_the_confirmation_date(staff):
    # Art. 31(3): online, post and fax: the day both sides confirmed.
    case = open_case(staff, channel="online", arrived_on="2026-11-13", confirmed_on="2026-11-16")
    # 20 WD from Mon 11/16: 11/17-20(1-4), 11/23-27(5-9), 11/30-12/4(10-14), 12/7-11(15-19), 12/14(20)
    assert (case.received_on, case.due_on) == (D("2026-11-16"), D("2026-12-14"))
    assert events(case)[0].effective_on == D("2026-11-16")


# -- a year without calendar data ---------------------------------------------------------------------------
YEAR_2027 = """\
# 国务院办公厅关于2027年部分节假日安排的通知 (test data in the format of parse_year_file)
year: 2027
holiday 2027-01-01..2027-01-03 元旦
holiday 2027-02-05..2027-02-13 春节
workday 2027-02-14 春节
workday 2027-02-20 春节
"""


def test_a_due_date_in_an_unpublished_year_is_provisional_and_is_redated_when_the_year_is_loaded(staff, clock):
    today_is(clock, "2026-12-11")
    short = open_case(staff, arrived_on="2026-12-10")
    # Thu 12/10, 20 WD: 12/11(1), 12/14-18(2-6), 12/21-25(7-11), 12/28-31(12-15), 2027-01-01 Fri (fixed
    # 元旦, provisional) skip, 1/4-1/8(16-20)
    assert (short.due_on, short.due_provisional) == (D("2027-01-08"), True)
    assert reading(short).provisional_years == [2027]

    long = open_case(staff, arrived_on="2026-12-10", applicant_name="李四")
    fire(long, "accept", staff.handler)
    fire(long, "extend", staff.approver, days=20, reason="需要检索大量档案")
    # 40 WD: as above to 1/8(20), 1/11-15(21-25), 1/18-22(26-30), 1/25-29(31-35), 2/1-2/5(36-40)
    assert (long.due_on, long.due_provisional) == (D("2027-02-05"), True)

    closed = open_case(staff, arrived_on="2026-12-10", applicant_name="王五")
    fire(closed, "withdraw", staff.registrar)
    closed_events = len(events(closed))

    summary = calendar_service.load_year(YEAR_2027, loaded_by="admin_chen")
    assert summary == {"year": 2027, "holidays": 12, "workdays": 2, "cases_redated": 2}

    # Official 2027: 1/1-1/3 off changes nothing before 1/8, but the date is no longer provisional.
    _db.session.refresh(short)
    assert (short.due_on, short.due_provisional) == (D("2027-01-08"), False)
    # 2/1-2/4(36-39), 2/5-2/13 春节 skip, 2/14 Sun make-up(40)
    _db.session.refresh(long)
    assert (long.due_on, long.due_provisional) == (D("2027-02-14"), False)

    for case, old, new in ((short, "2027-01-08", "2027-01-08"), (long, "2027-02-05", "2027-02-14")):
        last = events(case)[-1]
        assert (last.trigger, last.from_state, last.to_state, last.actor_name, last.role, last.actor_id) == (
            "calendar_redated", case.state, case.state, "admin_chen", "system", None)
        assert last.effective_on == case.last_effective_on
        assert last.data == {"reason": "载入2027年官方节假日安排", "changes": {"reply": {
            "old_due_on": old, "new_due_on": new, "old_provisional": True, "new_provisional": False}}}
        assert last.clocks["reply"]["due_on"] == new and last.clocks["reply"]["provisional"] is False
        assert check_case(case) is None
    assert len(events(closed)) == closed_events  # a closed case is not redated

    # Loading the same year again changes nothing and writes no event.
    assert calendar_service.load_year(YEAR_2027, loaded_by="admin_chen")["cases_redated"] == 0


def test_open_cases_are_redated_in_committed_batches_and_an_interrupted_load_is_run_again(staff, clock):
    """Seven open cases re-dated two at a time: the load stops after the first batch (the worker died);
    the first two are re-dated and committed, the rest not yet; loading again re-dates the other five, and
    no case gets a second event."""
    today_is(clock, "2026-12-11")
    cases = [open_case(staff, arrived_on="2026-12-10", applicant_name=f"申请人{n}") for n in range(7)]
    calendar_service.REDATE_BATCH, batch = 2, calendar_service.REDATE_BATCH
    seen = []

    def die_after_the_first_batch(n):
        seen.append(n)
        raise KeyboardInterrupt

    try:
        with pytest.raises(KeyboardInterrupt):
            calendar_service.load_year(YEAR_2027, loaded_by="admin_chen", progress=die_after_the_first_batch)
        _db.session.rollback()
        redated = [c.id for c in cases if events(c)[-1].trigger == "calendar_redated"]
        assert seen == [2] and redated == [cases[0].id, cases[1].id]
        assert calendar_service.load_year(YEAR_2027, loaded_by="admin_chen")["cases_redated"] == 5
    finally:
        calendar_service.REDATE_BATCH = batch
    for case in cases:
        assert [e.trigger for e in events(case)].count("calendar_redated") == 1
        _db.session.refresh(case)
        assert (case.due_on, case.due_provisional) == (D("2027-01-08"), False)
