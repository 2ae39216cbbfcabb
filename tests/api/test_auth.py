"""Authentication and roles: a bearer token from POST /tokens, required by every other call (401 as JSON
without it), expiring after its lifetime; role checks (403) and agency isolation (404)."""
from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa
from flask import current_app

from app.models import ApiToken
from tests import factories as f
from tests.api.helpers import Api, counts, fire, register

PUBLIC = {"api.create_token", "api.openapi_document"}
SAMPLE_VALUES = {"case_id": 1, "document_id": 1, "year": 2026, "name": "disclosure_request", "seq": 1,
                 "attachment_id": 1, "table": "events", "fmt": "csv", "row": "new", "column": "total", "proceeding_id": 1}


def protected_calls(app) -> list[tuple[str, str, dict]]:
    """(method, endpoint, URL values) of every API endpoint except the public ones, from the URL map, so a
    new endpoint is covered the day it is added."""
    return sorted((method, rule.endpoint, {arg: SAMPLE_VALUES[arg] for arg in rule.arguments})
                  for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")
                  and rule.endpoint not in PUBLIC for method in rule.methods - {"HEAD", "OPTIONS"})


def token_response(app, username: str, password: str = f.PASSWORD):
    return Api(app).post("api.create_token", json={"username": username, "password": password})


def test_a_token_is_issued_for_valid_credentials_and_stored_only_as_its_hash(app, db):
    f.user("handler", role="handler")
    response = token_response(app, "handler")
    assert response.status_code == 201
    body = response.get_json()
    assert body["token_type"] == "Bearer" and len(body["token"]) >= 32
    api = Api(app)
    api.headers = {"Authorization": f"Bearer {body['token']}"}
    assert api.get("api.list_cases").status_code == 200
    stored = db.session.scalars(sa.select(ApiToken)).one()
    assert stored.token_hash == hashlib.sha256(body["token"].encode()).hexdigest() != body["token"]


@pytest.mark.parametrize("username, password", [("handler", "wrong-password"), ("nobody", f.PASSWORD),
                                                ("handler", f.PASSWORD + "\x00"), ("handler\u200b", f.PASSWORD)])
def test_bad_credentials_get_one_and_the_same_401(app, username, password):
    f.user("handler", role="handler")
    response = token_response(app, username, password)
    assert response.status_code == 401
    # the same answer whether the user exists or not
    assert response.get_json() == {"code": "invalid_credentials", "status": 401, "message": "用户名或密码错误",
                                   "errors": {}}


@pytest.mark.parametrize("body, status, fields", [
    ({"username": "handler"}, 422, {"password"}),
    ({"password": f.PASSWORD}, 422, {"username"}),
    ({"username": "", "password": f.PASSWORD}, 422, {"username"}),
    ({"username": ["handler"], "password": f.PASSWORD}, 422, {"username"}),
    ({"username": "handler", "password": f.PASSWORD, "role": "admin"}, 422, {"role"}),
    (b'{"username": "handler", ', 400, set()),
])
def test_a_bad_token_request_names_the_field(app, db, body, status, fields):
    f.user("handler", role="handler")
    api = Api(app)
    if isinstance(body, bytes):
        response = api.request("POST", "api.create_token", data=body)
    else:
        response = api.post("api.create_token", json=body)
    assert response.status_code == status
    assert set(response.get_json()["errors"]) == fields
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0


def test_every_other_call_without_a_token_is_refused_with_401_as_json(app, db):
    calls = protected_calls(app)
    assert {endpoint for _, endpoint, _ in calls} >= {
        "api.create_case", "api.list_cases", "api.get_case", "api.list_triggers", "api.fire_trigger",
        "api.list_events", "api.list_clocks", "api.list_documents", "api.get_document_content",
        "api.list_processes", "api.get_process_definition", "api.get_calendar_year", "api.load_calendar_year"}
    before = counts(db)
    for method, endpoint, values in calls:
        response = Api(app).request(method, endpoint, json={"process": "disclosure_request",
                                                            "data": f.registration()}, **values)
        assert response.status_code == 401, (method, endpoint)
        assert response.get_json() == {"code": "unauthorized", "status": 401,
                                       "message": "需要有效的访问令牌：Authorization: Bearer <token>", "errors": {}}
    assert counts(db) == before


@pytest.mark.parametrize("header", ["", "Bearer", "Bearer ", "Basic aGFuZGxlcjpjb3JyZWN0LWhvcnNl",
                                    "Bearer not-a-token", "Token {token}", "Bearer {token}x", "{token}"])
def test_a_missing_or_malformed_authorization_header_is_refused(app, header):
    f.user("handler", role="handler")
    token = token_response(app, "handler").get_json()["token"]
    api = Api(app)
    api.headers = {"Authorization": header.format(token=token)}
    assert api.get("api.list_cases").status_code == 401
    api.headers = {"Authorization": f"bearer {token}"}  # the scheme is case-insensitive (RFC 7235)
    assert api.get("api.list_cases").status_code == 200


def test_a_token_expires_after_eight_hours(app, clock):
    f.user("handler", role="handler")
    api = Api(app, "handler")
    clock.advance(hours=7, minutes=59)
    assert api.get("api.list_cases").status_code == 200
    clock.advance(minutes=1)
    response = api.get("api.list_cases")
    assert response.status_code == 401 and response.get_json()["code"] == "unauthorized"
    assert api.login("handler").get("api.list_cases").status_code == 200


def test_a_deactivated_user_can_neither_use_nor_obtain_a_token(app, db):
    user = f.user("handler", role="handler")
    api = Api(app, "handler")
    user.active = False
    db.session.commit()
    assert api.get("api.list_cases").status_code == 401
    assert token_response(app, "handler").status_code == 401


# -- roles -----------------------------------------------------------------------------------------
@pytest.fixture
def case_in_progress(app):
    f.user("handler", role="handler")
    handler = Api(app, "handler")
    case = register(handler)
    return fire(handler, case, "accept")["case"]


@pytest.mark.parametrize("role, status", [("registrar", 403), ("handler", 403), ("auditor", 403),
                                          ("approver", 201), ("admin", 201)])
def test_only_approvers_and_administrators_may_extend(app, db, case_in_progress, role, status):
    f.user(f"the_{role}", role=role)
    api = Api(app, f"the_{role}")
    before = counts(db)
    body = fire(api, case_in_progress, "extend", expect=status, days=5, reason="需要调取档案")
    if status == 403:
        assert body["code"] == "not_permitted" and body["roles"] == ["admin", "approver"]
        assert "审核人（公开办负责人）" in body["message"]
        assert counts(db) == before
    else:
        assert body["event"]["role"] == role


def test_a_handler_cannot_approve_or_return_a_proposed_reply(app, db, case_in_progress):
    f.user("approver", role="approver")
    handler, approver = Api(app, "handler"), Api(app, "approver")
    fire(handler, case_in_progress, "propose_reply", outcome="unavailable", reason="not_held", explanation="经检索没有")
    before = counts(db)
    assert fire(handler, case_in_progress, "approve", expect=403)["code"] == "not_permitted"
    assert fire(handler, case_in_progress, "return_for_revision", expect=403, comment="请补充检索情况")["code"] == \
        "not_permitted"
    assert counts(db) == before
    assert fire(approver, case_in_progress, "approve")["case"]["state"] == "unavailable"


def test_an_auditor_reads_everything_and_changes_nothing(app, db, case_in_progress):
    f.user("auditor", role="auditor")
    auditor = Api(app, "auditor")
    case_id = case_in_progress["id"]
    for endpoint in ("api.get_case", "api.list_triggers", "api.list_events", "api.list_clocks", "api.list_documents"):
        assert auditor.get(endpoint, case_id=case_id).status_code == 200, endpoint
    assert auditor.get("api.list_cases").get_json()["total"] == 1
    before = counts(db)
    assert fire(auditor, case_in_progress, "withdraw", expect=403)["code"] == "not_permitted"
    response = auditor.post("api.create_case", json={"process": "disclosure_request", "data": f.registration()})
    assert response.status_code == 403
    assert counts(db) == before


def test_only_an_administrator_may_load_a_calendar_year(app):
    f.user("handler", role="handler")
    response = Api(app, "handler").post("api.load_calendar_year", json={"content": "2027"})
    assert response.status_code == 403 and response.get_json()["code"] == "forbidden"


# -- agencies --------------------------------------------------------------------------------------
def test_another_agencys_cases_and_letters_are_not_found(app, db):
    agencies = current_app.config["AGENCIES"]
    current_app.config["AGENCIES"] = {**agencies, "qnz": {**agencies["gzsft"], "code": "qnz", "name": "黔南州司法局",
                                                          "short_name": "黔南司", "rules": {}}}
    f.user("handler", role="handler")
    f.user("outsider", role="approver", agency_code="qnz")
    handler, outsider = Api(app, "handler"), Api(app, "outsider")
    case = register(handler)
    letter = fire(handler, case, "request_correction", effective_on="2026-11-23", items=["文号"])["documents"][0]
    before = counts(db)
    for endpoint in ("api.get_case", "api.list_triggers", "api.list_events", "api.list_clocks", "api.list_documents"):
        response = outsider.get(endpoint, case_id=case["id"])
        assert response.status_code == 404 and response.get_json()["code"] == "not_found", endpoint
    assert outsider.get("api.get_document_content", document_id=letter["id"]).status_code == 404
    assert fire(outsider, case, "withdraw", expect=404)["code"] == "not_found"
    assert outsider.get("api.list_cases").get_json() == {"items": [], "total": 0, "total_exact": True, "page": 1,
                                                         "per_page": 50}
    assert counts(db) == before
    # and its own registrations are numbered in its own sequence
    own = register(outsider)
    assert own["reference"] == "黔南司依申〔2026〕1号" and own["agency"] == "qnz"

