"""Bad input to POST /cases and POST /cases/{id}/transitions: answered with 400 or 422 naming the field,
never 500, and nothing written (no case, event, letter, clock, idempotency record or sequence number)."""
from __future__ import annotations

import json

import pytest

from tests import factories as f
from tests.api.helpers import Api, counts, register, url

REG = f.registration()


def reg(**overrides) -> dict:
    """A registration with some fields changed; a value of `...` removes the field."""
    data = {**REG, **overrides}
    return {k: v for k, v in data.items() if v is not ...}


def create(**overrides) -> dict:
    return {"process": "disclosure_request", "data": reg(**overrides)}


@pytest.fixture
def handler(app):
    f.user("handler", role="handler")
    return Api(app, "handler")


# body (dict: sent as JSON; bytes: sent raw), status, the fields named in `errors`
CREATE_CASES = [
    pytest.param(b'{"process": "disclosure_request", "data": {', 400, set(), id="malformed JSON"),
    pytest.param(b'[{"process": "disclosure_request"}]', 400, set(), id="a JSON array"),
    pytest.param(b'"disclosure_request"', 400, set(), id="a JSON string"),
    pytest.param(b'{"process": "\xff\xfe"}', 400, set(), id="not UTF-8"),
    pytest.param(b"", 422, {"process", "data"}, id="empty body"),
    pytest.param({"data": REG}, 422, {"process"}, id="process missing"),
    pytest.param({"process": "disclosure_request"}, 422, {"data"}, id="data missing"),
    pytest.param({"process": 7, "data": REG}, 422, {"process"}, id="process a number"),
    pytest.param({"process": "disclosure_request", "data": "张三"}, 422, {"data"}, id="data a string"),
    pytest.param({"process": "disclosure_request", "data": [REG]}, 422, {"data"}, id="data a list"),
    pytest.param({**create(), "priority": "high"}, 422, {"priority"}, id="unknown top-level field"),
    pytest.param({**create(), "department": "处" * 101}, 422, {"department"}, id="department too long"),
    pytest.param({**create(), "assignee": "nobody"}, 422, {"assignee"}, id="unknown assignee"),
    pytest.param(create(applicant_name=...), 422, {"applicant_name"}, id="required field missing"),
    pytest.param(create(applicant_name=None), 422, {"applicant_name"}, id="required field null"),
    pytest.param(create(applicant_name=42), 422, {"applicant_name"}, id="text field a number"),
    pytest.param(create(applicant_name=["张三"]), 422, {"applicant_name"}, id="text field a list"),
    pytest.param(create(applicant_name=" \t "), 422, {"applicant_name"}, id="required text blank"),
    pytest.param(create(description="字" * 5001), 422, {"description"}, id="text over 5000 characters"),
    pytest.param(create(description="字" * 300_000), 422, {"description"}, id="huge text under the body limit"),
    pytest.param(create(favourite_colour="red"), 422, {"favourite_colour"}, id="unknown data field"),
    pytest.param(create(arrived_on="2026-02-30"), 422, {"arrived_on"}, id="impossible date 2026-02-30"),
    pytest.param(create(arrived_on="2026-13-01"), 422, {"arrived_on"}, id="impossible month"),
    pytest.param(create(arrived_on="20/11/2026"), 422, {"arrived_on"}, id="date in another format"),
    pytest.param(create(arrived_on=20261120), 422, {"arrived_on"}, id="date a number"),
    pytest.param(create(arrived_on="2026-11-28"), 422, {"arrived_on"}, id="receipt date tomorrow"),
    pytest.param(create(arrived_on="2019-05-14"), 422, {"arrived_on"}, id="receipt before the 2019 regulation"),
    pytest.param(create(id_number="110105194912310021"), 422, {"id_number"}, id="identity number checksum"),
    pytest.param(create(applicant_type="martian"), 422, {"applicant_type"}, id="choice out of range"),
    pytest.param(create(channel="online"), 422, {"confirmed_on"}, id="online without confirmation date"),
    pytest.param(create(channel="online", confirmed_on="2026-11-28"), 422, {"confirmed_on"},
                 id="confirmation date tomorrow"),
    pytest.param(create(email=...), 422, {"email"}, id="email delivery without email"),
    pytest.param(create(email="not-an-address"), 422, {"email"}, id="malformed email"),
    pytest.param(create(postcode="55008"), 422, {"postcode"}, id="postcode of 5 digits"),
    pytest.param(create(applicant_name=1, arrived_on="2026-02-30", form="fax"), 422,
                 {"applicant_name", "arrived_on", "form"}, id="several bad fields at once"),
    pytest.param({**create(), "process": "no_such_process"}, 422, {"process"}, id="unknown process"),
]


@pytest.mark.parametrize("body, status, fields", CREATE_CASES)
def test_bad_registration_is_refused_with_the_field_named_and_nothing_written(app, db, handler, body, status,
                                                                             fields):
    before = counts(db)
    if isinstance(body, bytes):
        response = handler.request("POST", "api.create_case", data=body)
    else:
        response = handler.post("api.create_case", json=body)
    assert response.status_code == status, response.get_json()
    error = response.get_json()
    assert set(error) >= {"code", "status", "message", "errors"} and error["status"] == status
    assert set(error["errors"]) == fields
    assert all(isinstance(m, list) and m for m in error["errors"].values())
    assert counts(db) == before


TRANSITIONS = [
    pytest.param(b'{"trigger": "accept"', None, 400, set(), id="malformed JSON"),
    pytest.param(b'["accept"]', None, 400, set(), id="a JSON array"),
    pytest.param({}, None, 422, {"trigger"}, id="trigger missing"),
    pytest.param({"trigger": ""}, None, 422, {"trigger"}, id="trigger empty"),
    pytest.param({"trigger": ["accept"]}, None, 422, {"trigger"}, id="trigger a list"),
    pytest.param({"trigger": "accept", "reason": "x"}, None, 422, {"reason"}, id="unknown top-level field"),
    pytest.param({"trigger": "accept", "data": "x"}, None, 422, {"data"}, id="data a string"),
    pytest.param({"trigger": "accept", "data": {"note": "x"}}, None, 422, {"note"}, id="data for a trigger without"),
    pytest.param({"trigger": "accept", "effective_on": "2026-02-30"}, None, 422, {"effective_on"},
                 id="impossible date 2026-02-30"),
    pytest.param({"trigger": "accept", "effective_on": 20261127}, None, 422, {"effective_on"}, id="date a number"),
    pytest.param({"trigger": "accept", "effective_on": "2026-11-28"}, None, 422, {"effective_on"},
                 id="business date tomorrow"),
    pytest.param({"trigger": "accept", "effective_on": "2026-11-19"}, None, 422, {"effective_on"},
                 id="business date before the receipt"),
    pytest.param({"trigger": "accept", "version": "2"}, None, 422, {"version"}, id="version a string"),
    pytest.param({"trigger": "accept", "version": True}, None, 422, {"version"}, id="version a boolean"),
    pytest.param({"trigger": "accept", "version": 1.5}, None, 422, {"version"}, id="version a fraction"),
    pytest.param({"trigger": "accept"}, {"If-Match": "version-2"}, 400, set(), id="If-Match not a version"),
    pytest.param({"trigger": "accept"}, {"Idempotency-Key": "k" * 201}, 400, set(), id="Idempotency-Key too long"),
    pytest.param({"trigger": "request_correction"}, None, 422, {"items"}, id="required list missing"),
    pytest.param({"trigger": "request_correction", "data": {"items": "文号"}}, None, 422, {"items"},
                 id="list a string"),
    pytest.param({"trigger": "request_correction", "data": {"items": []}}, None, 422, {"items"}, id="list empty"),
    pytest.param({"trigger": "request_correction", "data": {"items": ["  "]}}, None, 422, {"items"},
                 id="list item blank"),
    pytest.param({"trigger": "request_correction", "data": {"items": ["文号"] * 31}}, None, 422, {"items"},
                 id="list of 31 items"),
    pytest.param({"trigger": "request_correction", "data": {"items": ["字" * 1001]}}, None, 422, {"items"},
                 id="list item too long"),
    pytest.param({"trigger": "request_correction", "data": {"items": ["文号"], "deadline": "2026-12-31"}}, None,
                 422, {"deadline"}, id="unknown data field"),
    pytest.param({"trigger": "propose_reply", "data": {"outcome": "withheld", "reason": "third_party_rights"}},
                 None, 422, {"explanation"}, id="what the reason requires missing"),
    pytest.param({"trigger": "propose_reply", "data": {"outcome": "withheld", "reason": "disclose",
                                                       "explanation": "x"}}, None, 422, {"reason"},
                 id="reason of another outcome"),
    pytest.param({"trigger": "propose_reply", "data": {
        "outcome": "partially_disclosed", "reason": "partial", "provided": "a", "obtain": "b",
        "withheld_parts": [{"part": "第3页", "ground": "too_long"}]}}, None, 422, {"withheld_parts"},
        id="nested choice out of range"),
    pytest.param({"trigger": "propose_reply", "data": {
        "outcome": "not_processed", "reason": "repeat_application",
        "earlier_reply": {"number": "黔司公开〔2026〕3号", "date": "2026-02-30"}}}, None, 422, {"earlier_reply"},
        id="nested impossible date"),
    pytest.param({"trigger": "no_such_trigger"}, None, 422, {"trigger"}, id="unknown trigger"),
]


@pytest.mark.parametrize("body, headers, status, fields", TRANSITIONS)
def test_a_bad_transition_is_refused_with_the_field_named_and_nothing_written(app, db, handler, body, headers,
                                                                             status, fields):
    case = register(handler)
    before = counts(db)
    if isinstance(body, bytes):
        response = handler.request("POST", "api.fire_trigger", data=body, headers=headers, case_id=case["id"])
    else:
        response = handler.request("POST", "api.fire_trigger", json=body, headers=headers, case_id=case["id"])
    assert response.status_code == status, response.get_json()
    error = response.get_json()
    assert set(error) >= {"code", "status", "message", "errors"} and error["status"] == status
    assert set(error["errors"]) == fields
    assert counts(db) == before
    after = handler.get("api.get_case", case_id=case["id"]).get_json()
    assert (after["state"], after["version"], after["data"]) == ("received", case["version"], case["data"])


def test_a_body_over_the_limit_is_refused_as_too_large_before_anything_is_read(app, db, handler):
    # 400,000 CJK characters are 1.2 MB of UTF-8, over the API's 1 MB body limit: 413 (payload_too_large),
    # the HTTP status for an oversized body, rather than a field-level 422.
    before = counts(db)
    response = handler.post("api.create_case", json=create(description="字" * 400_000))
    assert response.status_code == 413
    assert response.get_json()["code"] == "payload_too_large"
    assert counts(db) == before


def test_deeply_nested_json_is_malformed_not_a_server_error(app, db, handler):
    # json.loads raises RecursionError, not ValueError, past Python's recursion limit
    before = counts(db)
    body = b'{"process": "disclosure_request", "data": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    response = handler.request("POST", "api.create_case", data=body)
    assert response.status_code == 400 and response.get_json()["code"] == "malformed_json"
    assert counts(db) == before


def test_a_lone_surrogate_in_typed_text_is_refused_with_the_field_named(app, db, handler):
    # valid JSON (\ud800), but no UTF-8 encoding exists for it: it can be neither hashed nor stored
    before = counts(db)
    body = json.dumps(create(applicant_name="?")).replace('"?"', '"\\ud800"')
    response = handler.request("POST", "api.create_case", data=body.encode())
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"applicant_name"}
    assert counts(db) == before


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x1b"])
def test_control_characters_in_typed_text_are_refused_with_the_field_named(app, db, handler, char):
    # U+0000 cannot be stored in PostgreSQL JSONB, and no C0 control character can be written into a .docx
    before = counts(db)
    response = handler.post("api.create_case", json=create(applicant_name=f"张{char}三"))
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"applicant_name"}
    assert counts(db) == before


def test_tabs_and_line_breaks_are_typed_text_and_come_back_exactly(app, handler):
    description = "第一行\r\n第二行\t（附表）\n"
    case = register(handler, description=description)
    assert handler.get("api.get_case", case_id=case["id"]).get_json()["data"]["description"] == description


def test_a_control_character_in_a_letter_item_is_refused_before_any_letter_is_numbered(app, db, handler):
    # Accepted, it made docxtpl re-parse the letter with recover=True, silently dropping the & and <...>
    # of the other items: the letter no longer said what was typed.
    case = register(handler)
    before = counts(db)
    response = handler.post("api.fire_trigger", json={"trigger": "request_correction", "effective_on": "2026-11-23",
                                                      "data": {"items": ["文号\x02", "名称 & <附件>"]}},
                            case_id=case["id"])
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"items"}
    assert counts(db) == before


def test_an_absurd_page_number_is_refused_not_a_server_error(app, handler):
    # 10**20 overflows a 64-bit OFFSET (OverflowError on SQLite, DataError on PostgreSQL)
    response = handler.get("api.list_cases", page=10**20)
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"page"}


@pytest.mark.parametrize("method, where, status", [("DELETE", "case", 405), ("PUT", "cases", 405),
                                                   ("GET", "non-numeric id", 404)])
def test_routing_errors_under_the_api_are_json(app, handler, method, where, status):
    # raised before any blueprint is chosen, so the blueprint's own error handlers never see them
    case = register(handler)
    target = {"case": url("api.get_case", case_id=case["id"]), "cases": url("api.list_cases"),
              "non-numeric id": url("api.list_cases") + "/first"}[where]
    with app.app_context():
        response = handler.client.open(target, method=method, headers=handler.headers)
    assert response.status_code == status
    assert response.is_json
    body = response.get_json()
    assert set(body) >= {"code", "status", "message", "errors"} and body["status"] == status
