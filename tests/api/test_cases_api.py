"""The cases API over HTTP: a disclosure request from registration through correction, third-party
consultation, extension and approval to `withheld`, every letter downloaded and reopened; list filters and
pagination; the triggers and clocks endpoints; the overdue filter as time passes; process definitions.

The helpers at the top (`url`, `Api`, `register`, `counts`) are shared by the other tests/api modules."""
from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from app.models import Document
from tests import factories as f
from tests.api.helpers import Api, counts, fire, paragraphs, register

CST = dt.timezone(dt.timedelta(hours=8))
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# Typed text: leading/trailing spaces, XML-special characters, quotes, an emoji, a CJK Extension B character
# and a decomposed ë (e + U+0308), which no normalisation may compose.
NAME = '  张三 & <李四> "测试" 😀𠀀 Zoe\u0308 '
ITEMS = ["  所需信息的名称 <不明确> & 年份 ", "文号 ]]> 𠀀𠀁 'x' "]
THIRD_PARTY = " 贵州某某律师事务所 <A&B> 𠀀 "
INFORMATION = "该所2025年度考核结果 & <附件> "
IMPACT = " 涉及该所商业秘密 😀 "
OBJECTION = "  考核结果含未公开的经营数据 & 客户名单 <机密> "
EXTENSION_REASON = " 需征求第三方意见 & 核对材料 <多处> "
EXPLANATION = " 第三方不同意公开且理由合理 & 依法不予公开 <见条例> 𠀀 "


# -- shared helpers --------------------------------------------------------------------------------
class Staff(dict):
    """One logged-in user per role, named after the role, created on first use (password hashing is slow)."""

    def __init__(self, app):
        super().__init__()
        self.app = app

    def __missing__(self, role: str) -> Api:
        f.user(role, role=role)
        self[role] = Api(self.app, role)
        return self[role]


@pytest.fixture
def staff(app):
    return Staff(app)


# -- the happy path --------------------------------------------------------------------------------
def test_a_request_goes_through_correction_consultation_extension_and_approval_to_withheld(app, db, staff):
    registrar, handler, approver = staff["registrar"], staff["handler"], staff["approver"]
    case = register(registrar, applicant_name=NAME)
    assert case["data"]["applicant_name"] == NAME
    # Received Fri 2026-11-20: 20 WD = Nov 23-27 (5), Nov 30-Dec 4 (10), Dec 7-11 (15), Dec 14-18 (20)
    assert (case["state"], case["due_on"], case["due_provisional"]) == ("received", "2026-12-18", False)

    # Art. 30: within 7 WD of receipt (by Dec 1). Correction window 10 WD from Mon Nov 23:
    # Nov 24-27 (4), Nov 30-Dec 4 (9), Dec 7 (10) -> 2026-12-07; the reply clock stops.
    out = fire(handler, case, "request_correction", effective_on="2026-11-23", items=ITEMS)
    assert out["case"]["state"] == "awaiting_correction" and out["case"]["due_on"] is None
    assert {d["name"]: (d["status"], d["due_on"]) for d in out["case"]["due_dates"]} == {
        "reply": ("stopped", "2026-12-18"), "correction": ("running", "2026-12-07")}
    assert [d["number"] for d in out["documents"]] == ["黔司补正〔2026〕1号"]
    assert out["event"]["data"]["items"] == ITEMS

    # Restart on Wed Nov 25: 20 WD = Nov 26-27 (2), Nov 30-Dec 4 (7), Dec 7-11 (12), Dec 14-18 (17),
    # Dec 21-23 (20) -> 2026-12-23.
    out = fire(handler, case, "receive_correction", effective_on="2026-11-25")
    assert (out["case"]["state"], out["case"]["due_on"]) == ("in_progress", "2026-12-23")

    # Art. 32/33: the reply clock pauses on Thu Nov 26 with 1 WD used (Nov 26); the third party has
    # 15 WD: Nov 27 (1), Nov 30-Dec 4 (6), Dec 7-11 (11), Dec 14-17 (15) -> 2026-12-17.
    out = fire(handler, case, "consult_third_party", effective_on="2026-11-26", third_party_name=THIRD_PARTY,
               information=INFORMATION, impact=IMPACT)
    assert out["case"]["state"] == "consulting_third_party" and out["case"]["due_on"] is None
    assert {d["name"]: (d["status"], d["due_on"]) for d in out["case"]["due_dates"]}["consultation"] == \
        ("running", "2026-12-17")

    # Resumed Fri Nov 27: the 19 remaining WD count from Nov 30: Nov 30-Dec 4 (5), Dec 7-11 (10),
    # Dec 14-18 (15), Dec 21-24 (19) -> 2026-12-24.
    out = fire(handler, case, "third_party_replied", effective_on="2026-11-27", opinion="objection", reasons=OBJECTION)
    assert (out["case"]["state"], out["case"]["due_on"]) == ("in_progress", "2026-12-24")
    version = out["case"]["version"]

    # Extension is for the head of the disclosure office: a handler is refused and nothing is written.
    refused = fire(handler, case, "extend", expect=403, days=10, reason=EXTENSION_REASON)
    assert refused["code"] == "not_permitted"
    assert handler.get("api.get_case", case_id=case["id"]).get_json()["version"] == version
    # 10 more WD after Dec 24: Dec 25 (1), Dec 28-31 (5), Jan 1 2027 (元旦, a fixed date) and the weekend
    # skipped, Jan 4-8 (10) -> 2027-01-08. 2027 has no official data yet, so the date is provisional.
    out = fire(approver, case, "extend", effective_on="2026-11-27", headers={"If-Match": str(version)}, days=10,
               reason=EXTENSION_REASON)
    assert (out["case"]["due_on"], out["case"]["due_provisional"]) == ("2027-01-08", True)
    assert out["case"]["version"] == version + 1
    reply_clock = next(d for d in out["case"]["due_dates"] if d["name"] == "reply")
    assert (reply_clock["due_on"], reply_clock["provisional"]) == ("2027-01-08", True)

    out = fire(handler, case, "propose_reply", outcome="withheld", reason="third_party_rights", explanation=EXPLANATION)
    assert out["case"]["state"] == "under_review" and out["documents"] == []
    assert fire(handler, case, "approve", expect=403)["code"] == "not_permitted"
    out = fire(approver, case, "approve")
    final = out["case"]
    assert (final["state"], final["reason"], final["terminal"], final["closed_on"], final["due_on"]) == \
        ("withheld", "third_party_rights", True, "2026-11-27", None)
    assert final["data"]["applicant_name"] == NAME

    events = handler.get("api.list_events", case_id=case["id"]).get_json()
    assert [e["trigger"] for e in events["items"]] == [
        "register", "request_correction", "receive_correction", "consult_third_party", "third_party_replied",
        "extend", "propose_reply", "approve"]
    assert [e["seq"] for e in events["items"]] == list(range(1, 9)) and events["chain_verified"] is True
    assert events["items"][4]["data"] == {"opinion": "objection", "reasons": OBJECTION}
    assert [e["actor"] for e in events["items"]][5:] == ["approver", "handler", "approver"]

    docs = handler.get("api.list_documents", case_id=case["id"]).get_json()["items"]
    assert [(d["kind"], d["number"], d["issued_on"]) for d in docs] == [
        ("correction_notice", "黔司补正〔2026〕1号", "2026-11-23"),
        ("third_party_consultation", "黔司征询〔2026〕1号", "2026-11-26"),
        ("extension_notice", "黔司延期〔2026〕1号", "2026-11-27"),
        ("reply", "黔司公开〔2026〕1号", "2026-11-27")]
    letters = {}
    for doc in docs:
        response = handler.get("api.get_document_content", document_id=doc["id"])
        assert response.status_code == 200 and response.mimetype == DOCX
        # byte-identical to what was stored: the SHA-256 listed, sent and recomputed agree
        assert hashlib.sha256(response.data).hexdigest() == doc["sha256"] == response.headers["X-Content-SHA256"]
        assert len(response.data) == doc["size"]
        assert response.data == db.session.get(Document, doc["id"]).content
        unchanged = handler.request("GET", "api.get_document_content", document_id=doc["id"],
                                    headers={"If-None-Match": f'"{doc["sha256"]}"'})
        assert unchanged.status_code == 304 and unchanged.data == b""
        text = paragraphs(response.data)
        assert text[0] == doc["title"] and doc["number"] in text
        assert f"{doc['addressee']}：" in text
        letters[doc["kind"]] = "\n".join(text)

    correction = letters["correction_notice"]
    assert f"{NAME}：" in correction
    assert f"1. {ITEMS[0]}" in correction and f"2. {ITEMS[1]}" in correction
    assert "请你于2026年12月7日前向本机关提交补正后的申请" in correction

    consultation = letters["third_party_consultation"]
    assert f"{THIRD_PARTY}：" in consultation and INFORMATION in consultation and IMPACT in consultation
    assert "请于2026年12月17日前书面答复" in consultation
    assert "张三" not in consultation  # Art. 32: the third party is not told who asked

    extension = letters["extension_notice"]
    # The original due date explains itself (letters.md): restarted on receipt of the correction (Nov 25), and
    # the day the reply clock stood still for the consultation (Nov 27) not counted.
    assert ("本机关原定答复期限为2026年12月24日（自2026年11月25日收到补正后的申请之日起计算，征求意见等依法不计算在"
            f"答复期限内的1个工作日已扣除）。因{EXTENSION_REASON}，需要延长答复期限") in extension
    assert "答复期限延长10个工作日，延长后的答复期限为2027年1月8日" in extension

    reply = letters["reply"]
    assert reply.startswith("政府信息不予公开告知书") and f"{NAME}：" in reply
    assert f"理由：{EXPLANATION}" in reply
    assert f"第三方不同意公开，理由为：{OBJECTION}。" in reply
    assert "第三十六条第（三）项" in reply and "第十五条" in reply
    # 行政复议法 Art. 23(1)(4): for a refusal, reconsideration comes first
    assert "60日内向贵州省人民政府或者中华人民共和国司法部申请行政复议" in reply and "应当先申请行政复议" in reply
    assert "15个工作日" not in reply


def test_a_trigger_not_allowed_in_the_current_state_is_a_conflict_that_lists_the_allowed_ones(app, db, staff):
    case = register(staff["handler"])
    before = counts(db)
    body = fire(staff["handler"], case, "receive_correction", expect=409)
    assert body["code"] == "trigger_not_allowed" and body["status"] == 409
    assert body["allowed"] == ["accept", "request_correction", "request_reasons", "propose_reply", "withdraw"]
    assert "accept" in body["message"] and body["errors"] == {}
    assert counts(db) == before


def test_a_failed_guard_names_the_guard_and_its_legal_basis_in_chinese_and_writes_nothing(app, db, staff):
    # Received Tue Nov 10: 7 WD = Nov 11-13 (3), Nov 16-19 (7) -> the notice was due by Thu Nov 19.
    case = register(staff["handler"], arrived_on="2026-11-10")
    before = counts(db)
    body = fire(staff["handler"], case, "request_correction", effective_on="2026-11-20", expect=422, items=["文号"])
    assert body["code"] == "guard_failed"
    assert body["guards"] == [{"name": "within_correction_notice_period",
                               "message": "补正告知应在收到申请之日起7个工作日内一次性作出，已超过期限",
                               "basis": "《政府信息公开条例》第三十条"}]
    assert "《政府信息公开条例》第三十条" in body["message"]
    assert counts(db) == before


def test_a_stale_version_is_refused_with_the_current_version(app, db, staff):
    handler = staff["handler"]
    case = register(handler)
    fire(handler, case, "accept")
    before = counts(db)
    response = handler.post("api.fire_trigger", json={"trigger": "withdraw", "version": case["version"]},
                            case_id=case["id"])
    assert response.status_code == 409
    assert response.get_json()["code"] == "concurrent_update"
    assert response.get_json()["current_version"] == case["version"] + 1
    assert counts(db) == before


def test_an_unknown_or_foreign_case_is_not_found(app, staff):
    response = staff["handler"].get("api.get_case", case_id=999)
    assert response.status_code == 404
    assert response.get_json() == {"code": "not_found", "status": 404, "message": "案件 999 不存在", "errors": {}}
    assert staff["handler"].get("api.get_document_content", document_id=999).status_code == 404


# -- listing ---------------------------------------------------------------------------------------
def test_the_list_filters_by_process_state_department_assignee_dates_and_paginates(app, staff):
    handler = staff["registrar"]  # a registrar sees the agency's cases, every department's
    f.user("handler2", role="handler", department="法规处")
    c1 = register(handler, arrived_on="2026-11-20")  # department: the registering user's, 办公室
    c2 = register(handler, arrived_on="2026-11-23", department="法规处", assignee="handler2")
    c3 = register(handler, arrived_on="2026-11-25", department="法规处")
    c4 = register(handler, arrived_on="2026-11-26")
    fire(handler, c2, "accept")
    fire(handler, c3, "withdraw", effective_on="2026-11-26")

    def ids(**query):
        response = handler.get("api.list_cases", **query)
        assert response.status_code == 200, response.get_json()
        return [c["id"] for c in response.get_json()["items"]]

    newest_first = [c4["id"], c3["id"], c2["id"], c1["id"]]
    assert ids() == newest_first
    assert ids(process="disclosure_request") == newest_first
    assert ids(process="opinion_response") == []
    assert ids(state="in_progress") == [c2["id"]]
    assert ids(state="closed_other") == [c3["id"]]
    assert ids(department="法规处") == [c3["id"], c2["id"]]
    assert ids(department="办公室") == [c4["id"], c1["id"]]
    assert ids(assignee="handler2") == [c2["id"]]
    assert ids(received_from="2026-11-23", received_to="2026-11-25") == [c3["id"], c2["id"]]  # inclusive
    assert ids(received_from="2026-11-26") == [c4["id"]]
    # running reply clocks: c1 due Dec 18, c2 Dec 21 (Nov 23 + 20 WD), c4 Dec 24; c3 is closed
    assert ids(due_before="2026-12-19") == [c1["id"]]
    assert ids(due_before="2026-12-25") == [c4["id"], c2["id"], c1["id"]]
    assert ids(state="received", department="办公室", received_to="2026-11-20") == [c1["id"]]

    first = handler.get("api.list_cases", per_page=3).get_json()
    second = handler.get("api.list_cases", per_page=3, page=2).get_json()
    assert (first["total"], first["page"], first["per_page"]) == (4, 1, 3)
    assert [c["id"] for c in first["items"]] + [c["id"] for c in second["items"]] == newest_first
    assert handler.get("api.list_cases", per_page=3, page=3).get_json()["items"] == []
    for bad in ({"per_page": 0}, {"per_page": 501}, {"page": 0}, {"page": "x"}, {"overdue": "maybe"},
                {"due_before": "2026-02-30"}, {"colour": "red"}):
        response = handler.get("api.list_cases", **bad)
        assert response.status_code == 422, bad
        assert set(response.get_json()["errors"]) == set(bad)


def test_a_handler_sees_their_departments_cases_and_those_assigned_to_them(app, staff):
    registrar, handler = staff["registrar"], staff["handler"]  # the handler is in 办公室
    ours = register(registrar, arrived_on="2026-11-20")  # 办公室, the registrar's department
    theirs = register(registrar, arrived_on="2026-11-23", department="法规处")
    assigned = register(registrar, arrived_on="2026-11-24", department="法规处", assignee="handler")
    listed = [c["id"] for c in handler.get("api.list_cases").get_json()["items"]]
    assert listed == [assigned["id"], ours["id"]]
    assert handler.get("api.get_case", case_id=theirs["id"]).status_code == 404
    assert handler.get("api.get_case", case_id=assigned["id"]).status_code == 200
    everything = [c["id"] for c in registrar.get("api.list_cases").get_json()["items"]]
    assert everything == [assigned["id"], theirs["id"], ours["id"]]


def test_a_filter_naming_an_unknown_process_or_state_is_refused_not_an_empty_list(app, staff):
    handler = staff["handler"]
    register(handler)
    for query, field, words in (({"state": "recieved"}, "state", "未知状态：recieved"),
                                ({"process": "disclosure"}, "process", "未知流程：disclosure"),
                                # a state of another process is unknown within the one named
                                ({"process": "disclosure_request", "state": "published"}, "state", "未知状态")):
        response = handler.get("api.list_cases", **query)
        assert response.status_code == 422, query
        assert words in response.get_json()["errors"][field][0]
    # a state some process has is a valid filter without a process
    assert handler.get("api.list_cases", state="published").get_json()["items"] == []


def test_the_overdue_filter_follows_the_clock_across_the_due_date(app, clock, staff):
    handler = staff["handler"]
    late = register(handler, arrived_on="2026-11-20")  # due Fri 2026-12-18
    on_time = register(handler, arrived_on="2026-11-26")  # Nov 27 (1), Nov 30-Dec 4 (6), Dec 7-11 (11),
    #                                                       Dec 14-18 (16), Dec 21-24 (20) -> due 2026-12-24
    closed = register(handler, arrived_on="2026-11-20")
    fire(handler, closed, "withdraw")

    def overdue(flag: str) -> list[int]:
        return [c["id"] for c in handler.get("api.list_cases", overdue=flag).get_json()["items"]]

    assert overdue("true") == []
    assert overdue("false") == [closed["id"], on_time["id"], late["id"]]

    # The due date is the last day allowed: still in time at 23:59 Beijing time on Dec 18 ...
    clock.move_to(dt.datetime(2026, 12, 18, 23, 59, tzinfo=CST))
    handler.login("handler")  # tokens last 12 hours
    assert overdue("true") == []
    # ... and overdue from midnight Beijing time (16:00 UTC), whatever the server's time zone.
    clock.move_to(dt.datetime(2026, 12, 18, 16, 0, tzinfo=dt.UTC))
    handler.login("handler")
    assert overdue("true") == [late["id"]]
    assert overdue("false") == [closed["id"], on_time["id"]]
    assert handler.get("api.get_case", case_id=late["id"]).get_json()["overdue"] is True
    assert handler.get("api.get_case", case_id=on_time["id"]).get_json()["overdue"] is False

    clock.move_to(dt.datetime(2026, 12, 25, 9, 0, tzinfo=CST))
    handler.login("handler")
    assert overdue("true") == [on_time["id"], late["id"]]


# -- triggers, clocks and definitions --------------------------------------------------------------
def statuses_for(api: Api, case: dict) -> dict:
    return {t["trigger"]: t for t in api.get("api.list_triggers", case_id=case["id"]).get_json()["triggers"]}


def test_the_triggers_endpoint_lists_every_trigger_with_whether_it_is_allowed_and_why(app, staff):
    handler, approver = staff["handler"], staff["approver"]
    case = register(handler)
    body = handler.get("api.list_triggers", case_id=case["id"]).get_json()
    assert (body["state"], body["version"]) == ("received", case["version"])
    assert [t["trigger"] for t in body["triggers"]] == [
        "accept", "request_correction", "receive_correction", "correction_lapsed", "request_reasons",
        "accept_reasons", "consult_third_party", "third_party_replied", "consultation_lapsed", "consult_agency",
        "agency_replied", "issue_fee_notice", "fee_paid", "fee_lapsed", "extend", "propose_reply",
        "return_for_revision", "approve", "withdraw"]
    by_name = {t["trigger"]: t for t in body["triggers"]}
    assert {n for n, t in by_name.items() if t["allowed"]} == {
        "accept", "request_correction", "request_reasons", "propose_reply", "withdraw"}
    assert all(t["why"] == [] for t in by_name.values() if t["allowed"])
    assert by_name["receive_correction"]["why"] == [
        {"name": "state", "message": "当前状态“已登记”下不能执行此操作", "basis": "流程定义"}]
    assert by_name["accept"]["title"] == "受理并开始办理"

    fire(handler, case, "accept")
    as_handler = statuses_for(handler, case)
    assert as_handler["extend"]["allowed"] is False
    assert [w["name"] for w in as_handler["extend"]["why"]] == ["role"]
    assert "审核人（公开办负责人）" in as_handler["extend"]["why"][0]["message"]
    as_approver = statuses_for(approver, case)
    assert as_approver["extend"] == {"trigger": "extend", "title": "延期答复", "allowed": True, "why": []}
    assert not any(t["allowed"] for t in statuses_for(staff["auditor"], case).values())

    late = register(handler, arrived_on="2026-11-10")  # the correction notice was due by Nov 19
    statuses = statuses_for(handler, late)
    assert statuses["request_correction"]["allowed"] is False
    assert statuses["request_correction"]["why"] == [{
        "name": "within_correction_notice_period", "message": "补正告知应在收到申请之日起7个工作日内一次性作出，已超过期限",
        "basis": "《政府信息公开条例》第三十条"}]


def test_the_clocks_endpoint_explains_each_counted_and_skipped_day(app, staff):
    handler = staff["handler"]
    # Received Thu 2026-09-24. From Sep 25: 中秋节 Sep 25-27 skipped; Sep 28-30 (3); 国庆节 Oct 1-7
    # skipped; Oct 8-9 (5); Sat Oct 10 a make-up working day (6); Oct 12-16 (11); Oct 19-23 (16);
    # Oct 26-29 (20) -> due Thu 2026-10-29.
    case = register(handler, arrived_on="2026-09-24")
    assert case["due_on"] == "2026-10-29"
    items = handler.get("api.list_clocks", case_id=case["id"]).get_json()["items"]
    assert [c["name"] for c in items] == ["reply"]
    reply = items[0]
    assert (reply["status"], reply["limit"], reply["used"], reply["due_on"], reply["provisional"]) == \
        ("running", 20, 0, "2026-10-29", False)
    assert reply["rules"] == {"reply_days": 20}
    explanation = reply["explanation"]
    counted = explanation["counted"]
    assert [c["n"] for c in counted] == list(range(1, 21))
    assert (counted[0]["date"], counted[-1]["date"]) == ("2026-09-28", "2026-10-29")
    assert {"date": "2026-10-10", "n": 6, "label": "调休上班日（国庆节）", "provisional": False} in counted
    skipped = {s["date"]: s["reason"] for s in explanation["skipped"]}
    assert skipped["2026-09-25"] == "中秋节" and skipped["2026-10-01"] == "国庆节"
    assert skipped["2026-10-11"] == "周末"
    assert "2026-10-10" not in skipped
    assert explanation["summary"][0].startswith("2026-09-24 起算（当日不计入），期限 20 个工作日")
    assert explanation["summary"][-1] == "期限届满日 2026-10-29"


def test_process_definitions_are_listed_with_a_mermaid_diagram(app, staff):
    handler = staff["handler"]
    names = [p["name"] for p in handler.get("api.list_processes").get_json()["items"]]
    assert names[0] == "disclosure_request"
    body = handler.get("api.get_process_definition", name="disclosure_request").get_json()
    assert body["initial"] == "received"
    assert [s["name"] for s in body["states"] if s["terminal"]] == [
        "disclosed", "partially_disclosed", "withheld", "unavailable", "not_processed", "closed_other"]
    extend = next(t for t in body["triggers"] if t["trigger"] == "extend")
    assert extend["roles"] == ["admin", "approver"]
    assert {g["name"] for g in extend["guards"]} == {"within_reply_period", "within_extension_cap"}
    assert body["rules"]["reply_days"] == 20
    diagram = body["mermaid"]
    assert diagram.startswith("stateDiagram-v2")
    for edge in ("received --> in_progress: accept", "in_progress --> in_progress: extend",
                 "consulting_third_party --> in_progress: third_party_replied", "under_review --> withheld: approve"):
        assert edge in diagram
    response = handler.get("api.get_process_definition", name="no_such_process")
    assert response.status_code == 422 and response.get_json()["code"] == "unknown_process"
