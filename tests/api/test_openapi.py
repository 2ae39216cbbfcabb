"""The OpenAPI document: valid OpenAPI 3 (openapi-spec-validator) served without a token, a path for every
API endpoint, every status an operation can answer declared with the error body, and no external URL (the
service runs on networks without internet access)."""
from __future__ import annotations

import json
import re

import pytest
from flask import current_app
from openapi_spec_validator import validate

from tests.api.helpers import Api, url

METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
ERROR_REF = {"$ref": "#/components/schemas/Error"}


@pytest.fixture
def document(app):
    response = Api(app).get("api.openapi_document")  # no Authorization header
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()


def openapi_path(rule: str) -> str:
    """/api/v1/cases/<int:case_id> -> /cases/{case_id} (paths are relative to the server URL /api/v1)."""
    return re.sub(r"<(?:[^:>]+:)?([a-z_]+)>", r"{\1}", rule.removeprefix("/api/v1"))


def operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def resolve(document, node: dict) -> dict:
    while "$ref" in node:
        target = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def test_the_document_is_valid_openapi_3(document):
    validate(document)  # raises on any violation of the OpenAPI 3.0 schema, unresolvable $ref included
    assert re.fullmatch(r"3\.\d+\.\d+", document["openapi"])


def test_the_document_is_served_without_a_token_and_requires_one_elsewhere(document):
    assert document["servers"] == [{"url": "/api/v1"}]
    assert document["components"]["securitySchemes"]["bearer"] == {"type": "http", "scheme": "bearer"}
    assert document["security"] == [{"bearer": []}]
    assert document["paths"]["/tokens"]["post"]["security"] == []  # obtaining a token needs none
    assert document["paths"]["/openapi.json"]["get"]["security"] == []
    schemas = document["components"]["schemas"]
    assert {"CaseCreate", "TransitionRequest", "Case", "Event", "Document", "Clock", "TriggerStatus",
            "TokenRequest", "Error"} <= set(schemas)


def test_every_api_endpoint_has_its_path_and_method(app, document):
    expected = set()
    for rule in current_app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            expected |= {(openapi_path(rule.rule), m.lower()) for m in rule.methods - {"HEAD", "OPTIONS"}}
    documented = {(path, method) for path, method, _ in operations(document)}
    assert expected == documented


def test_the_urls_of_the_contract_are_the_apis(app):
    assert url("api.create_token") == "/api/v1/tokens"
    assert url("api.list_cases") == url("api.create_case") == "/api/v1/cases"
    assert url("api.get_case", case_id=7) == "/api/v1/cases/7"
    assert url("api.fire_trigger", case_id=7) == "/api/v1/cases/7/transitions"
    for tail in ("triggers", "events", "clocks", "documents"):
        assert url(f"api.list_{tail}", case_id=7) == f"/api/v1/cases/7/{tail}"
    assert url("api.get_document_content", document_id=3) == "/api/v1/documents/3/content"
    assert url("api.get_process_definition", name="disclosure_request") == "/api/v1/processes/disclosure_request"
    assert url("api.openapi_document") == "/api/v1/openapi.json"


def test_every_operation_declares_the_statuses_it_can_answer(document):
    for path, method, operation in operations(document):
        codes = set(operation["responses"])
        assert "default" not in codes, (path, method)  # a catch-all would hide an undocumented status
        assert "405" in codes, (path, method)
        public = operation.get("security") == []
        assert ("401" in codes) != public or path == "/tokens", (path, method)
        if "{case_id}" in path or "{document_id}" in path:
            assert "404" in codes, (path, method)
        if method == "post":
            assert {"413", "422"} <= codes, (path, method)
            if "application/json" in operation.get("requestBody", {}).get("content", {}):
                assert "400" in codes, (path, method)  # malformed JSON
        if operation.get("parameters") and any(p["in"] == "query" for p in operation["parameters"]):
            assert "422" in codes, (path, method)


def test_every_error_response_has_the_error_body(document):
    for path, method, operation in operations(document):
        for code, response in operation["responses"].items():
            if int(code) < 400:
                continue
            schema = resolve(document, response)["content"]["application/json"]["schema"]
            body = resolve(document, schema)
            assert {"code", "status", "message", "errors"} <= set(body["properties"]), (path, method, code)
    allow = resolve(document, {"$ref": "#/components/responses/METHOD_NOT_ALLOWED"})
    assert "Allow" in allow["headers"]


def test_the_new_case_has_its_location_header(document):
    created = document["paths"]["/cases"]["post"]["responses"]["201"]
    assert "Location" in created["headers"]


def test_the_request_schemas_carry_their_limits(document):
    schemas = document["components"]["schemas"]
    assert set(schemas["CaseCreate"]["required"]) == {"process", "data"}
    assert schemas["CaseCreate"]["additionalProperties"] is False  # unknown fields are refused
    assert schemas["CaseCreate"]["properties"]["process"]["maxLength"] == 40
    assert set(schemas["TransitionRequest"]["properties"]) == {"trigger", "effective_on", "data", "version", "backfill"}
    assert schemas["TransitionRequest"]["properties"]["effective_on"]["format"] == "date"
    assert schemas["TransitionRequest"]["properties"]["version"]["minimum"] == 1
    body = document["paths"]["/cases/{case_id}/transitions"]["post"]["requestBody"]
    assert body["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/TransitionRequest"}
    headers = {p["name"] for p in document["paths"]["/cases/{case_id}/transitions"]["post"]["parameters"]
               if p["in"] == "header"}
    assert headers == {"Idempotency-Key", "If-Match"}
    per_page = next(p for p in document["paths"]["/cases"]["get"]["parameters"] if p["name"] == "per_page")
    assert (per_page["schema"]["minimum"], per_page["schema"]["maximum"]) == (1, 500)


def test_the_error_body_is_the_documented_one(document):
    assert set(resolve(document, ERROR_REF)["required"]) == {"code", "status", "message", "errors"}


def test_no_external_url_appears_in_the_document(document):
    text = json.dumps(document, ensure_ascii=False)
    assert re.findall(r"https?://[^\s\"']*", text) == []


def test_errors_are_json_under_the_api_only_and_a_405_says_what_is_allowed(app):
    client = app.test_client()
    page = client.get("/no-such-page")
    assert page.status_code == 404 and page.mimetype == "text/html"  # flask-smorest's app-wide handler is off
    api = client.get("/api/v1/no-such-resource")
    assert api.status_code == 404 and api.get_json()["code"] == "not_found"
    wrong = client.delete(url("api.list_cases"))
    assert wrong.status_code == 405 and set(wrong.headers["Allow"].split(", ")) >= {"GET", "POST"}
    assert set(wrong.get_json()) == {"code", "status", "message", "errors"}
