"""The hostile inputs a probe of round 1 answered with 500 (issue 10.1), each sent as an attacker would: every
answer is a documented refusal (400, 401, 404, 405, 422) naming what is wrong, never a server error, and the
405s say which methods the address takes."""
from __future__ import annotations

import json

import pytest

from tests import factories as f
from tests.api.helpers import Api, register

NUL, SURROGATE = "\x00", "\ud800"
RAW_SURROGATE = "%ED%A0%80"  # the UTF-8 of U+D800, which no valid text contains


@pytest.fixture
def handler(app):
    f.user("handler", role="handler")
    return Api(app, "handler")


@pytest.mark.parametrize("body", [
    {"username": NUL, "password": "x"}, {"username": "handler\x00", "password": f.PASSWORD},
    {"username": SURROGATE, "password": SURROGATE}, {"username": "handler", "password": SURROGATE},
    {"username": "handler", "password": f.PASSWORD + NUL}, {"username": "ｈａｎｄｌｅｒ\u200b", "password": f.PASSWORD},
])
def test_a_token_request_with_a_nul_or_a_lone_surrogate_is_refused(app, handler, body):
    # Sent as \u escapes, as a client would: the test client itself cannot encode a lone surrogate as UTF-8.
    response = app.test_client().post("/api/v1/tokens", data=json.dumps(body), content_type="application/json",
                                      environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert response.status_code == 401 and response.get_json()["code"] == "invalid_credentials"


LIST_FILTERS = ["department", "assignee", "q", "state", "process", "sort", "received_from", "received_to",
                "due_before", "open", "overdue", "page", "per_page"]


@pytest.mark.parametrize("name", LIST_FILTERS)
@pytest.mark.parametrize("value", [NUL, "\x1b[31m", "\u202e", "处" * 1000, "-1", "9" * 40])
def test_every_list_filter_refuses_hostile_text_naming_the_filter(app, handler, name, value):
    response = handler.client.get("/api/v1/cases", query_string={name: value}, headers=handler.headers)
    assert response.status_code in (200, 422), response.get_json()
    if response.status_code == 422:
        assert name in response.get_json()["errors"]


@pytest.mark.parametrize("name", LIST_FILTERS)
def test_invalid_utf8_in_a_query_is_read_as_replacement_characters_not_a_server_error(app, handler, name):
    response = handler.client.get(f"/api/v1/cases?{name}={RAW_SURROGATE}", headers=handler.headers)
    assert response.status_code in (200, 422)


@pytest.mark.parametrize("path", ["/api/v1/cases/2147483648", "/api/v1/cases/99999999999999999999",
                                  "/api/v1/cases/-1", "/api/v1/documents/2147483648/content",
                                  "/api/v1/cases/2147483648/events", "/api/v1/proceedings/2147483648/decision"])
def test_ids_beyond_the_databases_range_are_not_found(app, handler, path):
    method = "POST" if path.endswith("decision") else "GET"
    response = handler.client.open(path, method=method, headers=handler.headers, json={})
    assert response.status_code == 404 and response.is_json


@pytest.mark.parametrize("if_match, status", [
    ("²", 400), ("١", 400), ("①", 400), ("1.0", 400), ("-1", 400), (" ", 400), ('W/"1"', 400), ("9" * 23, 400),
    ("7", 409), ('"2"', 201)])
def test_an_if_match_that_is_not_a_version_number_is_refused_as_a_bad_request(app, handler, if_match, status):
    case = register(handler)
    response = handler.client.post(f"/api/v1/cases/{case['id']}/transitions", json={"trigger": "accept"},
                                   headers={**handler.headers, "If-Match": if_match})
    # A version that is no number is a bad request; a number that is not the case's version a conflict.
    assert response.status_code == status, response.get_json()


@pytest.mark.parametrize("method, path, allowed", [
    ("PUT", "/api/v1/cases", {"GET", "POST"}), ("DELETE", "/api/v1/tokens", {"POST"}),
    ("PATCH", "/api/v1/tokens/current", {"DELETE"}), ("POST", "/api/v1/processes", {"GET"}),
])
def test_a_405_says_which_methods_the_address_takes(app, handler, method, path, allowed):
    response = handler.client.open(path, method=method, headers=handler.headers)
    assert response.status_code == 405 and response.is_json
    assert allowed <= set(response.headers["Allow"].replace(" ", "").split(","))
