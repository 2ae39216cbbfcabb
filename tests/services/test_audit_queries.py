"""The auditor's questions (issue 9.2): sign-ins, failed sign-ins and refused attempts leave a record; the
events filtered every way; a case as of a past date; every change of a due date and why; replies approved by
their proposer."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from app.models import AuditRecord, Case
from app.services import audit
from app.services.audit_log import RecordFilter
from tests import factories as f
from tests.api.helpers import Api, fire, register
from tests.factories import CST
from tests.web.conftest import browser_for
from workflow.errors import InvalidData, NotPermitted


@pytest.fixture
def people(app, db):
    return {name: f.user(name, role=role, department=department) for name, role, department in (
        ("registrar", "registrar", "办公室"), ("handler", "handler", "办公室"), ("approver", "approver", "办公室"),
        ("auditor", "auditor", "审计处"), ("outsider", "handler", "法治调研处"))}


def records(db, **where) -> list[tuple]:
    stmt = sa.select(AuditRecord.kind, AuditRecord.channel, AuditRecord.username, AuditRecord.status,
                     AuditRecord.code, AuditRecord.case_id, AuditRecord.trigger).order_by(AuditRecord.id)
    for column, value in where.items():
        stmt = stmt.where(getattr(AuditRecord, column) == value)
    return [tuple(r) for r in db.session.execute(stmt)]


# -- records of what changed nothing ---------------------------------------------------------------------
def test_api_sign_ins_and_failed_ones_are_recorded_with_the_name_as_typed(app, db, people):
    client = app.test_client()
    assert client.post("/api/v1/tokens", json={"username": "handler", "password": f.PASSWORD}).status_code == 201
    assert client.post("/api/v1/tokens", json={"username": "handler", "password": "wrong"}).status_code == 401
    assert client.post("/api/v1/tokens", json={"username": "nobody\x00", "password": "x"}).status_code == 401
    assert records(db) == [
        ("sign_in", "api", "handler", None, "", None, None),
        ("sign_in_failed", "api", "handler", 401, "invalid_credentials", None, None),
        ("sign_in_failed", "api", "nobody\\u0000", 401, "invalid_credentials", None, None)]
    signed_in = db.session.scalars(sa.select(AuditRecord).order_by(AuditRecord.id)).first()
    assert (signed_in.user_id, signed_in.role, signed_in.agency_code, signed_in.path) == (
        people["handler"].id, "handler", "gzsft", "/api/v1/tokens")


def test_page_sign_ins_failures_and_sign_outs_are_recorded(app, db, people):
    browser = browser_for(app, "handler")
    browser.get("/")
    browser.post("/logout", {})
    other = app.test_client()
    page = other.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    assert other.post("/login", data={"username": "approver", "password": "nope", "csrf_token": token}
                      ).status_code == 401
    assert [(k, c, u, s) for k, c, u, s, *_ in records(db)] == [
        ("sign_in", "web", "handler", None), ("sign_out", "web", "handler", None),
        ("sign_in_failed", "web", "approver", 401)]


def test_refused_api_requests_are_recorded_with_their_case_trigger_and_reason(app, db, people):
    handler, approver = Api(app, "handler"), Api(app, "approver")
    case = register(Api(app, "registrar"))
    fire(handler, case, "accept")
    fire(handler, case, "extend", days=5, reason="档案较多", expect=403)  # an approver's step
    fire(approver, case, "extend", days=30, reason="档案较多", expect=422)  # beyond 20 working days (Art. 33)
    fire(handler, case, "accept", expect=409)  # not from in_progress
    refused = records(db, kind="refused")
    assert refused == [("refused", "api", "handler", 403, "not_permitted", case["id"], "extend"),
                       ("refused", "api", "approver", 422, "invalid_data", case["id"], "extend"),
                       ("refused", "api", "handler", 409, "trigger_not_allowed", case["id"], "accept")]
    message = db.session.scalar(sa.select(AuditRecord.message).where(AuditRecord.status == 403))
    assert "审核人" in message or "approver" in message
    # The refused requests changed nothing: one event per accepted step.
    assert db.session.get(Case, case["id"]).last_seq == 2


def test_opening_a_case_out_of_scope_is_recorded_as_denied_access(app, db, people):
    case = register(Api(app, "registrar"))
    outsider = Api(app, "outsider")
    assert outsider.get("api.get_case", case_id=case["id"]).status_code == 404
    assert outsider.get("api.get_case", case_id=999999).status_code == 404  # no such case: nothing to record
    page = browser_for(app, "outsider").get(f"/cases/{case['id']}")
    assert page.status_code == 404
    denied = records(db, kind="denied")
    assert denied == [("denied", "api", "outsider", 404, "not_found", case["id"], None),
                      ("denied", "web", "outsider", 404, "not_found", case["id"], None)]


def test_a_page_refusal_is_recorded_with_what_the_page_said(app, db, people):
    case = register(Api(app, "registrar"))
    handler = browser_for(app, "handler")
    page = handler.get(f"/cases/{case['id']}").get_data(as_text=True)
    assert page
    response = handler.post(f"/cases/{case['id']}/triggers/request_correction", {"version": str(case["version"])})
    assert response.status_code == 422
    [(kind, channel, username, status, code, case_id, trigger)] = records(db, kind="refused")
    assert (kind, channel, username, status, code, case_id, trigger) == (
        "refused", "web", "handler", 422, "invalid_data", case["id"], "request_correction")
    assert "items" in db.session.scalar(sa.select(AuditRecord.message).where(AuditRecord.kind == "refused"))


def test_only_auditors_and_administrators_read_the_records(app, db, people):
    with pytest.raises(NotPermitted):
        audit.audit_records(people["handler"], RecordFilter())
    rows = list(audit.record_rows(people["auditor"], RecordFilter(kind="sign_in")))
    assert rows[0] == audit.RECORD_HEADER and len(rows) == 1


# -- events --------------------------------------------------------------------------------------------
@pytest.fixture
def worked(app, db, people, clock):
    """Two cases worked on over three days: one replied (proposed by the approver, who then approved it)."""
    s = people
    first = f.open_case(s["registrar"], arrived_on="2026-11-24")
    f.fire(first, "accept", s["handler"])
    clock.move_to(dt.datetime(2026, 11, 30, 9, 0, tzinfo=CST))
    f.fire(first, "extend", s["approver"], days=5, reason="档案较多，需调取")
    second = f.open_case(s["registrar"], applicant_name="李四", arrived_on="2026-11-30")
    f.fire(second, "propose_reply", s["approver"], outcome="disclosed", reason="disclose", provided="考核结果",
           obtain="通过电子邮件发送")
    clock.move_to(dt.datetime(2026, 12, 1, 9, 0, tzinfo=CST))
    f.set_four_eyes(False)  # an office with one approver
    f.fire(second, "approve", s["approver"])
    return first, second


def listed(who, **filters) -> list[tuple]:
    return [(reference, event.seq, event.trigger) for event, reference, _ in
            audit.db.session.execute(audit.events_query(who, audit.EventFilter(**filters)))]


def test_events_are_filtered_by_case_process_actor_role_trigger_state_and_time(db, people, worked):
    first, second = worked
    auditor = people["auditor"]
    assert len(listed(auditor)) == 6
    assert listed(auditor, case=first.reference) == [(first.reference, 1, "register"), (first.reference, 2, "accept"),
                                                     (first.reference, 3, "extend")]
    assert listed(auditor, case=str(second.id)) == [(second.reference, 1, "register"),
                                                    (second.reference, 2, "propose_reply"),
                                                    (second.reference, 3, "approve")]
    assert listed(auditor, process="opinion_response") == []
    assert listed(auditor, actor="approver") == [(first.reference, 3, "extend"), (second.reference, 2, "propose_reply"),
                                                 (second.reference, 3, "approve")]
    assert listed(auditor, role="handler") == [(first.reference, 2, "accept")]
    assert listed(auditor, trigger="register") == [(first.reference, 1, "register"), (second.reference, 1, "register")]
    assert listed(auditor, state="disclosed") == [(second.reference, 3, "approve")]
    assert listed(auditor, since=dt.date(2026, 11, 30), until=dt.date(2026, 11, 30)) == [
        (first.reference, 3, "extend"), (second.reference, 1, "register"), (second.reference, 2, "propose_reply")]
    with pytest.raises(InvalidData) as refused:
        listed(auditor, role="pilot", since=dt.date(2026, 12, 2), until=dt.date(2026, 12, 1), actor="a\x00")
    assert set(refused.value.errors) == {"role", "until", "actor"}
    with pytest.raises(NotPermitted):
        listed(people["handler"])


def test_the_event_export_names_each_step_in_words(db, people, worked):
    first, _ = worked
    rows = list(audit.event_rows(people["auditor"], audit.EventFilter(case=first.reference)))
    assert rows[0] == audit.EVENT_HEADER
    assert rows[3][:9] == [first.reference, "政府信息公开申请", 3, "延期答复", "办理中", "办理中", "approver", "审核人（公开办负责人）",
                           "2026-11-30"]
    assert rows[3][11] == "档案较多，需调取"


def test_a_case_as_of_a_past_date(db, people, worked):
    _, second = worked
    auditor = people["auditor"]
    before = audit.case_as_of(auditor, second, dt.date(2026, 11, 29))
    assert (before.event, before.events) == (None, [])
    proposed = audit.case_as_of(auditor, second, dt.date(2026, 11, 30))
    assert (proposed.event.seq, proposed.event.to_state) == (2, "under_review")
    assert proposed.data["proposal"]["outcome"] == "disclosed" and proposed.data["applicant_name"] == "李四"
    now = audit.case_as_of(auditor, second, dt.date(2026, 12, 1))
    assert (now.event.seq, now.event.to_state, now.data) == (3, "disclosed", second.data)
    with pytest.raises(NotPermitted):
        audit.case_as_of(people["handler"], second, dt.date(2026, 12, 1))


def test_every_change_of_a_due_date_is_listed_with_its_cause(db, people, worked):
    first, _ = worked
    rows = list(audit.due_date_changes(people["auditor"], audit.EventFilter(case=first.reference)))
    assert rows[0] == audit.DUE_HEADER
    changes = [(r[1], r[2], r[5], r[6], r[7], r[8], r[9]) for r in rows[1:]]
    # Registered Tue 11/24: 20 WD -> Tue 12/22; the extension by 5 WD -> Tue 12/29.
    assert changes == [
        (1, "登记", "答复期限", "（未开始）", "2026-12-22", "开始计时", ""),
        (3, "延期答复", "答复期限", "2026-12-22", "2026-12-29", "延长答复期限", "档案较多，需调取")]


def test_a_reply_approved_by_its_proposer_is_listed(db, people, worked):
    first, second = worked
    rows = list(audit.self_approved_rows(people["auditor"]))
    assert rows[0] == audit.SELF_HEADER
    assert [r[:3] + r[4:5] for r in rows[1:]] == [[second.reference, "政府信息公开申请", "approver", "approver"]]
    # Proposed by the handler and approved by the approver: not listed.
    f.fire(first, "propose_reply", people["handler"], outcome="disclosed", reason="disclose", provided="考核结果",
           obtain="通过电子邮件发送")
    f.fire(first, "approve", people["approver"])
    assert len(list(audit.self_approved_rows(people["auditor"]))) == 2
