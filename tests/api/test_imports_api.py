"""The imports API: a file uploaded as multipart/form-data, 201 with the report when rows were imported, 422
with the report when nothing was; the column layout of each process."""
from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from flask import current_app, url_for
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

import api.imports  # noqa: F401  (registers the views on the blueprint before the app is created)
from app.models import Case, Event
from tests import factories as f
from tests.services.test_bulk_import import (
    DISCLOSURE_HEADER,
    ENFORCEMENT_HEADER,
    csv_bytes,
    disclosure_rows,
    enforcement_rows,
    expected_report,
    xlsx_bytes,
)


def url(endpoint: str, **values) -> str:
    with current_app.test_request_context():
        return url_for(endpoint, **values)


def upload(client, headers, content: bytes, filename: str, **query):
    # Encoded in memory: the test client would spool a large body to a temporary file it never closes.
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(content), filename)})
    return client.post(url("api.create_import", **query), headers=headers, data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


def count(db, model) -> int:
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.fixture
def registrar(app, client):
    f.user("registrar", role="registrar")
    return f.token(client, "registrar")


@pytest.mark.slow
def test_a_ten_thousand_row_xlsx_with_errors_is_refused_listing_every_bad_line(app, db, client, registrar):
    rows, expected = disclosure_rows(10_000)
    response = upload(client, registrar, xlsx_bytes(DISCLOSURE_HEADER, rows), "申请.xlsx",
                      process="disclosure_request")
    assert response.status_code == 422
    body = response.get_json()
    assert (body["code"], body["status"], body["message"]) == ("import_rejected", 422,
                                                                "文件有 3500 行错误，未导入任何案件")
    assert body["report"]["errors"] == expected_report(expected)
    assert (body["report"]["rows"], body["report"]["valid"], body["report"]["imported"]) == (10_000, 6500, 0)
    assert count(db, Case) == count(db, Event) == 0


@pytest.mark.slow
def test_good_rows_only_registers_the_valid_rows_of_a_ten_thousand_row_csv(app, db, client, registrar):
    rows, expected = enforcement_rows(10_000)
    response = upload(client, registrar, csv_bytes(ENFORCEMENT_HEADER, rows), "决定.csv",
                      process="enforcement_disclosure", mode="good_rows_only")
    assert response.status_code == 201, response.get_json()["errors"] if response.status_code != 201 else ""
    report = response.get_json()
    assert report["errors"] == expected_report(expected)
    assert (report["mode"], report["file"], report["rows"], report["valid"], report["imported"]) == (
        "good_rows_only", "决定.csv", 10_000, 7000, 7000)
    listed = client.get(url("api.list_cases", process="enforcement_disclosure", per_page=1), headers=registrar)
    assert listed.get_json()["total"] == 7000 == count(db, Case)
    first = client.get(url("api.get_case", case_id=report["cases"][0]["id"]), headers=registrar).get_json()
    assert (first["reference"], first["state"], first["data"]["decision_number"]) == (
        report["cases"][0]["reference"], "decided", "黔司罚决〔2026〕1号")


def test_a_clean_file_is_imported_in_the_default_mode(app, db, client, registrar):
    rows, expected = enforcement_rows(2)
    assert expected == {}
    response = upload(client, registrar, csv_bytes(ENFORCEMENT_HEADER, rows), "d.csv",
                      process="enforcement_disclosure")
    assert response.status_code == 201
    assert (response.get_json()["mode"], response.get_json()["imported"], count(db, Case)) == ("all_or_nothing", 2, 2)


def test_a_file_whose_rows_are_all_bad_imports_nothing_even_with_good_rows_only(app, db, client, registrar):
    rows, _ = enforcement_rows(20)
    bad = [rows[2], rows[5]]  # a bad date, an unknown decision type
    response = upload(client, registrar, csv_bytes(ENFORCEMENT_HEADER, bad), "d.csv",
                      process="enforcement_disclosure", mode="good_rows_only")
    assert response.status_code == 422
    assert response.get_json()["message"] == "文件有 2 行错误，未导入任何案件"
    assert [e["line"] for e in response.get_json()["report"]["errors"]] == [2, 3]


def test_a_wrong_header_is_reported_as_a_whole(app, db, client, registrar):
    content = csv_bytes(["decision_date", "nickname"], [["2026-01-05", "x"]])
    response = upload(client, registrar, content, "d.csv", process="enforcement_disclosure", mode="good_rows_only")
    assert response.status_code == 422
    body = response.get_json()
    assert body["report"]["errors"] == [{"line": 1, "errors": {
        "nickname": ["未知列（列名见 docs/bulk_import.md 或 GET /api/v1/imports/columns）"],
        "decision_type": ["缺少必填列"], "deciding_agency": ["缺少必填列"], "party_type": ["缺少必填列"],
        "party_name": ["缺少必填列"]}}]
    assert body["message"].startswith("文件无法导入：nickname：未知列")


@pytest.mark.parametrize("role", ["approver", "auditor"])
def test_roles_other_than_registrar_handler_and_admin_may_not_import(app, db, client, role):
    f.user(role, role=role)
    rows, _ = enforcement_rows(2)
    response = upload(client, f.token(client, role), csv_bytes(ENFORCEMENT_HEADER, rows), "d.csv",
                      process="enforcement_disclosure")
    assert (response.status_code, response.get_json()["code"]) == (403, "not_permitted")
    assert response.get_json()["roles"] == ["registrar", "handler", "admin"]
    assert count(db, Case) == 0


@pytest.mark.parametrize("role", ["handler", "admin"])
def test_handlers_and_administrators_may_import(app, db, client, role):
    f.user(role, role=role)
    rows, _ = enforcement_rows(1)
    response = upload(client, f.token(client, role), xlsx_bytes(ENFORCEMENT_HEADER, rows), "d.xlsx",
                      process="enforcement_disclosure")
    assert response.status_code == 201 and count(db, Case) == 1


def test_an_import_needs_a_token(app, client):
    response = upload(client, {}, b"", "d.csv", process="enforcement_disclosure")
    assert response.status_code == 401


@pytest.mark.parametrize("query, status, code, errors", [
    ({}, 422, "invalid_query", {"process": ["必填"]}),
    ({"process": "enforcement_disclosure", "mode": "some_rows"}, 422, "invalid_query",
     {"mode": ["取值应为：all_or_nothing, good_rows_only"]}),
    ({"process": "enforcement_disclosure", "force": "1"}, 422, "invalid_query", {"force": ["未知字段"]}),
    ({"process": "tax_return"}, 422, "unknown_process", {"process"}),
])
def test_bad_query_parameters_are_refused(app, client, registrar, query, status, code, errors):
    response = upload(client, registrar, csv_bytes(ENFORCEMENT_HEADER, []), "d.csv", **query)
    body = response.get_json()
    assert (response.status_code, body["code"]) == (status, code)
    assert body["errors"] == errors if isinstance(errors, dict) else set(body["errors"]) == errors


def test_a_request_without_a_file_is_refused(app, client, registrar):
    response = client.post(url("api.create_import", process="enforcement_disclosure"), headers=registrar,
                           data={"other": "x"}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"file": ["请以 multipart/form-data 的 file 字段上传文件"]}


def test_the_columns_of_a_process_are_listed_with_their_key(app, client, registrar):
    response = client.get(url("api.list_import_columns", process="enforcement_disclosure"), headers=registrar)
    assert response.status_code == 200
    body = response.get_json()
    assert (body["process"], body["title"], body["import_key"]) == ("enforcement_disclosure", "行政执法公示",
                                                                   ["decision_number"])
    cols = {c["name"]: c for c in body["columns"]}
    assert [c["name"] for c in body["columns"]][:len(ENFORCEMENT_HEADER)] == ENFORCEMENT_HEADER
    assert cols["decision_date"] == {"name": "decision_date", "label": "执法决定日期", "required": True,
                                     "kind": "date", "format": "日期 YYYY-MM-DD（也接受 YYYY/M/D；xlsx 可用日期单元格）",
                                     "choices": {}}
    assert cols["party_type"]["choices"] == {"natural_person": "自然人", "legal_person": "法人",
                                             "other_organisation": "其他组织"}
    unknown = client.get(url("api.list_import_columns", process="tax_return"), headers=registrar)
    assert (unknown.status_code, unknown.get_json()["code"]) == (422, "unknown_process")


def test_the_openapi_document_describes_the_import_endpoints(app, client):
    paths = client.get(url("api.openapi_document")).get_json()["paths"]
    upload_op = paths["/imports"]["post"]
    assert [p["name"] for p in upload_op["parameters"]] == ["process", "mode"]
    assert "multipart/form-data" in upload_op["requestBody"]["content"]
    assert set(upload_op["responses"]) == {"201", "401", "403", "405", "413", "422", "503"}
    assert set(paths["/imports/columns"]) == {"get"}
    rejected = upload_op["responses"]["422"]["content"]["application/json"]["schema"]
    assert rejected == {"$ref": "#/components/schemas/ImportRejected"}
