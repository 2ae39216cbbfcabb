"""Dates on letters (letters.md): a letter the service generates is dated the day it is generated, so a step
that sends one cannot carry an earlier business date; a step already done outside the service is recorded
afterwards (补录) by an approver with its original date and a reason, and no letter is generated; internal
records may still carry an earlier business date. Today is Fri 2026-11-27 (the frozen clock)."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from app.models import Case, Document, Event
from app.services import cases as case_service
from app.services.cases import Backfill
from app.services.integrity import check_case
from app.services.registration import open_case
from tests import factories
from tests.api.helpers import Api, register
from tests.tampering import intruder
from workflow.errors import InvalidData, NotPermitted

D = dt.date.fromisoformat


@pytest.fixture
def people(app):
    return {role: factories.user(role, role=role) for role in ("registrar", "handler", "approver")}


def rows(db) -> tuple:
    db.session.rollback()
    return tuple(db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in (Event, Document))


def test_a_step_that_sends_a_letter_cannot_carry_an_earlier_business_date(db, people):
    case = factories.open_case(people["registrar"], arrived_on="2026-11-24")
    before = rows(db)
    with pytest.raises(InvalidData) as info:
        case_service.fire(case, "request_correction", actor=people["handler"], effective_on="2026-11-25",
                          params={"items": ["请写明年份"]})
    [message] = info.value.errors["effective_on"]
    assert message.startswith("此操作将生成并发出政府信息公开申请补正告知书，文书的成文日期为生成之日（2026-11-27）")
    assert "补录" in message
    assert rows(db) == before and db.session.get(Case, case.id).state == "received"


def test_a_letter_is_dated_the_day_it_is_generated(db, people):
    case = factories.open_case(people["registrar"], arrived_on="2026-11-24")
    result = case_service.fire(case, "request_correction", actor=people["handler"], params={"items": ["请写明年份"]})
    [letter] = result.documents
    assert letter.issued_on == D("2026-11-27") == result.event.effective_on


def test_a_step_without_a_letter_may_still_carry_an_earlier_business_date(db, people):
    case = factories.open_case(people["registrar"], arrived_on="2026-11-24")
    result = case_service.fire(case, "accept", actor=people["handler"], effective_on="2026-11-25")
    assert result.event.effective_on == D("2026-11-25") and result.documents == []


def test_an_approver_records_a_step_done_outside_the_service_afterwards(db, people):
    # A paper correction notice was posted on Wed 11/25: recorded on Fri 11/27 with that date. The correction
    # window counts from 11/25 (10 WD: 11/26-27, 11/30-12/4, 12/7-9 -> 12/9), no letter is generated, and
    # the event says 补录 with the reason and the paper letter's number.
    case = factories.open_case(people["registrar"], arrived_on="2026-11-24")
    result = case_service.fire(case, "request_correction", actor=people["approver"], effective_on="2026-11-25",
                               params={"items": ["请写明年份"]},
                               backfill=Backfill(reason="纸质补正告知书已于11月25日当面送达", letter_number="黔司补正〔2026〕7号"))
    event = result.event
    assert result.documents == [] and db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == 0
    assert (event.backfilled, event.effective_on, case.state) == (True, D("2026-11-25"), "awaiting_correction")
    assert event.data["backfill"] == {"reason": "纸质补正告知书已于11月25日当面送达", "letter_number": "黔司补正〔2026〕7号",
                                      "letters_outside": ["政府信息公开申请补正告知书"]}
    assert event.data["items"] == ["请写明年份"]
    assert {c.name: c.due_on for c in case.clocks}["correction"] == D("2026-12-09")
    assert check_case(case) is None  # the chain covers the 补录 mark
    db.session.commit()
    with intruder(db) as conn:  # taking the mark away afterwards is seen
        conn.execute(sa.update(Event).where(Event.id == event.id).values(backfilled=False))
    assert check_case(case).seq == event.seq


def test_only_an_approver_may_record_afterwards_and_only_with_a_reason_and_the_original_date(db, people):
    case = factories.open_case(people["registrar"], arrived_on="2026-11-24")
    params = {"items": ["请写明年份"]}
    with pytest.raises(NotPermitted):
        case_service.fire(case, "request_correction", actor=people["handler"], effective_on="2026-11-25",
                          params=params, backfill=Backfill(reason="线下已送达"))
    with pytest.raises(InvalidData) as info:
        case_service.fire(case, "request_correction", actor=people["approver"], params=params,
                          backfill=Backfill(reason="  "))
    assert set(info.value.errors) == {"backfill", "effective_on"}
    assert rows(db) == (1, 0)


def test_an_internal_record_may_carry_an_earlier_business_date(db, people):
    # The 政策解读发布备案表 is kept on file: recording on Fri a publication made on Wed is not backdating a letter.
    drafter = factories.user("drafter", role="handler", department="律师工作处")
    case = open_case("policy_interpretation", {"policy_title": "关于律师执业的规定", "department": "律师工作处",
                                               "registered_on": "2026-11-20"}, actor=people["registrar"]).case
    case_service.fire(case, "submit", actor=drafter, effective_on="2026-11-23", params={
        "plan_attached": True, "materials_attached": True, "forms": ["materials"]})
    case_service.fire(case, "approve", actor=people["approver"], effective_on="2026-11-24")
    result = case_service.fire(case, "publish", actor=people["approver"], effective_on="2026-11-25",
                               params={"document_number": "黔司发〔2026〕9号", "channels": ["portal"]})
    [record] = result.documents
    assert (record.kind, record.issued_on, result.event.effective_on) == ("interpretation_record", D("2026-11-27"),
                                                                        D("2026-11-25"))


def test_the_api_takes_a_backfill_and_shows_it_on_the_event(app, people):
    handler, approver = Api(app, "handler"), Api(app, "approver")
    case = register(handler, arrived_on="2026-11-24")
    refused = approver.post("api.fire_trigger", case_id=case["id"], json={
        "trigger": "request_correction", "effective_on": "2026-11-25", "data": {"items": ["请写明年份"]}})
    assert refused.status_code == 422 and "effective_on" in refused.get_json()["errors"]
    response = approver.post("api.fire_trigger", case_id=case["id"], json={
        "trigger": "request_correction", "effective_on": "2026-11-25", "data": {"items": ["请写明年份"]},
        "backfill": {"reason": "纸质告知书已当面送达"}})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["documents"] == [] and body["event"]["backfilled"] is True
    assert body["event"]["data"]["backfill"]["reason"] == "纸质告知书已当面送达"
    events = handler.get("api.list_events", case_id=case["id"]).get_json()
    assert [e["backfilled"] for e in events["items"]] == [False, True] and events["chain_verified"] is True
