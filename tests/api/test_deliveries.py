"""Service of letters (letters.md, issue 7 "Delivery"): how and when each letter was served and by whom, recorded
once, shown with the case's letters and in its history; the letters not yet served are listed; a deadline that
runs from service (the fee notice's payment period) counts from the recorded day. Today is Fri 2026-11-27."""
from __future__ import annotations

import pytest

from tests import factories as f
from tests.api.helpers import Api, counts, fire, register


@pytest.fixture
def staff(app):
    for role in ("registrar", "handler", "approver", "auditor"):
        f.user(role, role=role)
    return {role: Api(app, role) for role in ("registrar", "handler", "approver", "auditor")}


def letter_of(api: Api, case: dict, kind: str) -> dict:
    items = api.get("api.list_documents", case_id=case["id"]).get_json()["items"]
    return next(d for d in items if d["kind"] == kind)


def serve(api: Api, document: dict, **body):
    return api.post("api.record_delivery", document_id=document["id"], json=body)


def test_a_letter_served_by_post_is_recorded_once_with_its_tracking_number(app, db, staff):
    handler = staff["handler"]
    case = register(handler, arrived_on="2026-11-24")
    fire(handler, case, "request_correction", items=["请写明年份"])
    letter = letter_of(handler, case, "correction_notice")
    assert letter["delivery"] is None
    assert [d["id"] for d in handler.get("api.list_unserved_letters").get_json()["items"]] == [letter["id"]]

    response = serve(handler, letter, method="post", served_on="2026-11-27", tracking_number="1181234567890",
                     note="申请人本人签收 & <已核对>")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["delivery"] == {"method": "post", "tracking_number": "1181234567890", "served_on": "2026-11-27",
                                "note": "申请人本人签收 & <已核对>", "recorded_by": "handler",
                                "recorded_at": body["delivery"]["recorded_at"]}
    assert (body["event"]["trigger"], body["event"]["data"]["document"]) == ("letter_served", "黔司补正〔2026〕1号")
    assert letter_of(handler, case, "correction_notice")["delivery"]["served_on"] == "2026-11-27"
    assert handler.get("api.list_unserved_letters").get_json()["items"] == []
    events = handler.get("api.list_events", case_id=case["id"]).get_json()
    assert [e["trigger"] for e in events["items"]][-1] == "letter_served" and events["chain_verified"] is True

    before = counts(db)
    again = serve(handler, letter, method="email", served_on="2026-11-27")
    assert again.status_code == 409 and again.get_json()["code"] == "already_served"
    assert counts(db) == before


@pytest.mark.parametrize("body, field", [
    ({"method": "post", "served_on": "2026-11-27"}, "tracking_number"),  # a post needs its tracking number
    ({"method": "pigeon", "served_on": "2026-11-27"}, "method"),
    ({"method": "email", "served_on": "2026-11-26"}, "served_on"),  # before the letter was issued
    ({"method": "email", "served_on": "2026-11-30"}, "served_on"),  # in the future
    ({"method": "email"}, "served_on"),
])
def test_a_wrong_service_record_is_refused_field_by_field_and_writes_nothing(db, staff, body, field):
    handler = staff["handler"]
    case = register(handler, arrived_on="2026-11-24")
    fire(handler, case, "request_correction", items=["请写明年份"])
    before = counts(db)
    response = serve(handler, letter_of(handler, case, "correction_notice"), **body)
    assert response.status_code == 422 and field in response.get_json()["errors"], response.get_json()
    assert counts(db) == before


def test_an_auditor_may_not_record_service(staff):
    case = register(staff["handler"], arrived_on="2026-11-24")
    fire(staff["handler"], case, "request_correction", items=["请写明年份"])
    letter = letter_of(staff["handler"], case, "correction_notice")
    assert serve(staff["auditor"], letter, method="email", served_on="2026-11-27").status_code == 403


def test_the_fee_deadline_counts_from_the_day_the_notice_was_served(app, clock, staff):
    # Issued Wed 11/25 (served_on defaults to that day): 20 WD from 11/26 -> 12/23. Posted; the applicant signed
    # on Fri 11/27: 20 WD from 11/30 -> Fri 12/25.
    handler = staff["handler"]
    case = register(handler, arrived_on="2026-11-20")
    fire(handler, case, "accept", effective_on="2026-11-23")
    fire(handler, case, "issue_fee_notice", effective_on="2026-11-25", basis="per_volume", pages=80)
    clock.move_to(f.START)
    fee = next(d for d in handler.get("api.get_case", case_id=case["id"]).get_json()["due_dates"] if d["name"] == "fee")
    assert fee["due_on"] == "2026-12-23"
    response = serve(handler, letter_of(handler, case, "fee_notice"), method="post", served_on="2026-11-27",
                     tracking_number="1181234567890")
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["event"]["data"]["clock_redated"] == "fee"
    fee = next(d for d in handler.get("api.get_case", case_id=case["id"]).get_json()["due_dates"] if d["name"] == "fee")
    assert fee["due_on"] == "2026-12-25"
    clocks = handler.get("api.list_clocks", case_id=case["id"]).get_json()["items"]
    assert any("送达之日" in line for line in next(c for c in clocks if c["name"] == "fee")["explanation"]["summary"])


def test_internal_records_are_not_listed_as_waiting_for_service(app, db, staff):
    # The enforcement exemption record (不予公示记录) is kept on file: it is never "unserved".
    handler = staff["handler"]
    response = handler.post("api.create_case", json={"process": "enforcement_disclosure", "data": {
        "decision_number": "黔司罚〔2026〕1号", "decision_date": "2026-11-20", "decision_type": "administrative_penalty",
        "deciding_agency": "贵州省司法厅", "party_type": "legal_person", "party_name": "某某公司",
        "party_id_number": "91520000MA6DL1K80D", "category": "律师执业", "conclusion": "警告"}})
    assert response.status_code == 201, response.get_json()
    case = response.get_json()["case"]
    out = fire(staff["approver"], case, "exempt", ground="state_secret", explanation="涉及国家秘密")
    assert [d["kind"] for d in out["documents"]] == ["exemption_record"]
    assert handler.get("api.list_unserved_letters").get_json()["items"] == []
