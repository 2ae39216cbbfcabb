"""The OpenAPI document: valid OpenAPI 3 JSON served without a token, a path for every API endpoint, every
reference resolvable, and no external URL (the service runs on networks without internet access).

No OpenAPI validator package is among the project's dependencies, so the checks of the OpenAPI 3.0
specification that matter here are written out below."""
from __future__ import annotations

import json
import re

import pytest
from flask import current_app

from tests.api.helpers import Api, url

METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
PATH_ITEM_FIELDS = {"$ref", "summary", "description", "servers", "parameters"} | METHODS
OPERATION_FIELDS = {"tags", "summary", "description", "externalDocs", "operationId", "parameters", "requestBody",
                    "responses", "callbacks", "deprecated", "security", "servers"}
RESPONSE_FIELDS = {"description", "headers", "content", "links"}
PARAMETER_IN = {"query", "header", "path", "cookie"}


@pytest.fixture
def document(app):
    response = Api(app).get("api.openapi_document")  # no Authorization header
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()


def openapi_path(rule: str) -> str:
    """/api/v1/cases/<int:case_id> -> /cases/{case_id} (paths are relative to the server URL /api/v1)."""
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.removeprefix("/api/v1"))


def operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def extensions_removed(obj: dict) -> set:
    return {k for k in obj if not k.startswith("x-")}


def test_the_document_is_openapi_3_json_served_without_a_token(document):
    assert re.fullmatch(r"3\.\d+\.\d+", document["openapi"])
    assert document["info"]["title"] and document["info"]["version"]
    assert document["servers"] == [{"url": "/api/v1"}]
    schemas = document["components"]["schemas"]
    assert {"CaseCreate", "TransitionRequest", "Case", "Event", "Document", "Clock", "TriggerStatus",
            "TokenRequest"} <= set(schemas)
    assert document["components"]["securitySchemes"]["bearer"] == {"type": "http", "scheme": "bearer"}
    assert document["security"] == [{"bearer": []}]
    assert document["paths"]["/tokens"]["post"]["security"] == []  # obtaining a token needs none


def test_every_api_endpoint_has_its_path_and_method(app, document):
    expected = set()
    for rule in current_app.url_map.iter_rules():
        if rule.endpoint.startswith("api.") and rule.endpoint != "api.openapi_document":
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


def test_every_operation_and_response_has_the_required_fields(document):
    for path, item in document["paths"].items():
        assert path.startswith("/") and extensions_removed(item) <= PATH_ITEM_FIELDS, path
        for method, operation in ((m, o) for m, o in item.items() if m in METHODS):
            assert extensions_removed(operation) <= OPERATION_FIELDS, (path, method)
            assert operation["responses"], (path, method)
            for code in operation["responses"]:
                assert re.fullmatch(r"[1-5](\d\d|XX)|default", code), (path, method, code)
            for parameter in operation.get("parameters", []) + item.get("parameters", []):
                assert parameter["in"] in PARAMETER_IN and parameter["name"], (path, method, parameter)
                assert "schema" in parameter or "content" in parameter, (path, method, parameter)


def test_every_response_object_is_well_formed(document):
    # A docstring's `{description: a, b}` is YAML for {"description": "a", "b": null}: quote such texts.
    for path, method, operation in operations(document):
        for code, response in operation["responses"].items():
            assert isinstance(response.get("description"), str), (path, method, code)
            assert extensions_removed(response) <= RESPONSE_FIELDS, (path, method, code, response)


def test_every_path_parameter_is_declared(document):
    # OpenAPI 3: each {name} in a path is a parameter with in: path and required: true
    for path, method, operation in operations(document):
        item = document["paths"][path]
        declared = {p["name"]: p for p in operation.get("parameters", []) + item.get("parameters", [])
                    if p.get("in") == "path"}
        for name in re.findall(r"{([^}]+)}", path):
            assert name in declared, (path, method, name)
            assert declared[name].get("required") is True, (path, method, name)


def test_every_reference_resolves(document):
    def refs(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "$ref":
                    yield value
                else:
                    yield from refs(value)
        elif isinstance(node, list):
            for value in node:
                yield from refs(value)

    found = list(refs(document))
    assert found, "the request bodies refer to the component schemas"
    for ref in found:
        assert ref.startswith("#/"), ref  # local only
        node = document
        for part in ref[2:].split("/"):
            assert part in node, ref
            node = node[part]


def test_the_request_schemas_match_what_the_api_accepts(document):
    schemas = document["components"]["schemas"]
    assert set(schemas["CaseCreate"]["required"]) == {"process", "data"}
    assert schemas["CaseCreate"]["additionalProperties"] is False  # unknown fields are refused
    assert set(schemas["TransitionRequest"]["properties"]) == {"trigger", "effective_on", "data", "version"}
    assert schemas["TransitionRequest"]["properties"]["effective_on"]["format"] == "date"
    body = document["paths"]["/cases/{case_id}/transitions"]["post"]["requestBody"]
    assert body["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/TransitionRequest"}
    headers = {p["name"] for p in document["paths"]["/cases/{case_id}/transitions"]["post"]["parameters"]
               if p["in"] == "header"}
    assert headers == {"Idempotency-Key", "If-Match"}


def test_no_external_url_appears_in_the_document(document):
    text = json.dumps(document, ensure_ascii=False)
    assert re.findall(r"https?://[^\s\"']*", text) == []
