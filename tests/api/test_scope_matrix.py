"""Who may see and act on a case (issue 10.3), as a matrix of role × department × endpoint: a handler only
their department's cases and those assigned to them; registrars, approvers, auditors and administrators
their whole agency's; nobody another agency's. Every read, list and step follows the one rule: a case out of
scope is "not found" (404, never 403: its existence is not revealed), and the auditor's reading of a past
date is for auditors and administrators only (403 to the others who see the case)."""
from __future__ import annotations

import pytest

from config import DEMO_GZSFT
from tests import factories as f
from tests.api.helpers import Api, fire, register

PEOPLE = {  # name: (role, department, agency, sees the case)
    "registrar": ("registrar", "办公室", "gzsft", True),
    "same_department": ("handler", "法规处", "gzsft", True),
    "assigned": ("handler", "办公室", "gzsft", True),
    "other_department": ("handler", "办公室", "gzsft", False),
    "approver": ("approver", "办公室", "gzsft", True),
    "auditor": ("auditor", "审计处", "gzsft", True),
    "admin": ("admin", "办公室", "gzsft", True),
    "other_agency_admin": ("admin", "办公室", "other", False),
    "other_agency_handler": ("handler", "法规处", "other", False),
}
READS = ["api.get_case", "api.list_triggers", "api.list_events", "api.list_clocks", "api.list_documents"]


@pytest.fixture
def world(app, db):
    app.config["AGENCIES"] = {**app.config["AGENCIES"],
                              "other": {**DEMO_GZSFT, "code": "other", "name": "另一机关", "short_name": "另"}}
    for name, (role, department, agency, _) in PEOPLE.items():
        f.user(name, role=role, department=department, agency_code=agency)
    registrar = Api(app, "registrar")
    case = register(registrar, department="法规处", assignee="assigned")
    letter = fire(registrar, case, "request_correction", items=["文件名称"])["documents"][0]
    return case, letter


@pytest.mark.parametrize("name", PEOPLE)
def test_every_read_of_a_case_follows_the_scope(app, world, name):
    case, letter = world
    api, sees = Api(app, name), PEOPLE[name][3]
    for endpoint in READS:
        assert api.get(endpoint, case_id=case["id"]).status_code == (200 if sees else 404), endpoint
    content = api.get("api.get_document_content", document_id=letter["id"])
    assert content.status_code == (200 if sees else 404)
    as_of = api.get("api.case_as_of", case_id=case["id"], date="2026-11-27")
    assert as_of.status_code == (404 if not sees else 200 if PEOPLE[name][0] in ("auditor", "admin") else 403)
    listed = [c["id"] for c in api.get("api.list_cases").get_json()["items"]]
    assert (case["id"] in listed) is sees


@pytest.mark.parametrize("name", [n for n, p in PEOPLE.items() if not p[3]])
def test_a_case_out_of_scope_cannot_be_acted_on_and_nothing_changes(app, world, name):
    case, letter = world
    api = Api(app, name)
    assert api.post("api.fire_trigger", case_id=case["id"],
                    json={"trigger": "receive_correction", "data": {"summary": "补充了文件名称"}}).status_code == 404
    assert api.post("api.record_delivery", document_id=letter["id"],
                    json={"method": "email", "served_on": "2026-11-27"}).status_code == 404
    assert Api(app, "registrar").get("api.get_case", case_id=case["id"]).get_json()["state"] == "awaiting_correction"
