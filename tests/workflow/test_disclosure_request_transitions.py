"""disclosure_request as a pure state machine (processes.md §1): every state × every trigger, role refusals,
field-level data errors, the guards on both sides of their limits and the 109号 fee bands by hand.

No app and no database: each case lives in memory as a Context built the way the service builds it
(WorkCalendar; PROCESS.rules_with(), i.e. the rule set plus the statutory limits; the reply clock started by
the process's on_open effect) and is moved only by ``get_engine("disclosure_request").fire``. Dates counted by hand: "11/4(1)" means 4 November is working day
number 1 after the start day (which itself does not count). November 2026 has no public holiday.
"""
from __future__ import annotations

import copy
import datetime as dt
import json
from dataclasses import dataclass

import pytest

from workflow import fees
from workflow.calendar import WorkCalendar
from workflow.clock import Clock
from workflow.engine import ADMIN, APPROVER, AUDITOR, HANDLER, REGISTRAR, Context, load
from workflow.errors import GuardFailed, InvalidData, NotPermitted, TriggerNotAllowed, UnknownTrigger
from workflow.processes import get_engine
from workflow.processes.disclosure_request import PROCESS
from workflow.processes.disclosure_request_letters import fee_lines, fee_total

D = dt.date.fromisoformat
ENGINE = get_engine("disclosure_request")
CALENDAR = WorkCalendar()
NOW = dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC)

REGISTRATION = {
    "applicant_type": "natural_person", "applicant_name": "张三", "id_type": "resident_id_card",
    "id_number": "11010519491231002X", "phone": "13800000000", "description": "2025年度全省律师事务所年度考核结果",
    "form": "electronic", "delivery": "online", "channel": "in_person",
}


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value.isoformat() if isinstance(value, dt.date) else value


class Sim:
    """One case in memory: state, data, clocks and history, changed only by an accepted fire (as the
    service does: a refused fire leaves the case as it was)."""

    def __init__(self, received_on: str, *, rules: dict | None = None):
        self.rules = PROCESS.rules_with(rules or {})
        params = load(PROCESS.registration_schema, {**REGISTRATION, "arrived_on": received_on})
        ctx = Context(process=PROCESS, state=PROCESS.initial, data=_jsonable(params), params=params,
                      effective_on=D(received_on), now=NOW, calendar=CALENDAR, rules=self.rules,
                      role=REGISTRAR, history=[],
                      clocks={s.name: Clock(s.name, s.kind, s.title) for s in PROCESS.clocks})
        ENGINE.open(ctx)
        self.state, self.reason, self.data, self.clocks = ctx.state, None, ctx.data, ctx.clocks
        self.history: list[dict] = []
        self.last_ctx = ctx

    def context(self, on: str, role: str, params: dict) -> Context:
        return Context(process=PROCESS, state=self.state, data=copy.deepcopy(self.data),
                       params=copy.deepcopy(params), effective_on=D(on), now=NOW,
                       calendar=CALENDAR, rules=self.rules, role=role,
                       history=list(self.history), clocks=copy.deepcopy(self.clocks),
                       reason=self.reason)

    def fire(self, trigger: str, on: str, role: str = APPROVER, **params):
        ctx = self.context(on, role, params)
        outcome = ENGINE.fire(trigger, ctx)
        self.state, self.reason, self.data, self.clocks = ctx.state, ctx.reason, ctx.data, ctx.clocks
        self.history.append({"trigger": trigger, "effective_on": D(on), "data": _jsonable(outcome.params)})
        self.last_ctx = ctx
        return outcome

    def due(self, clock: str = "reply") -> dt.date | None:
        return self.clocks[clock].evaluate(CALENDAR).due_on

    def reading(self, clock: str = "reply"):
        return self.clocks[clock].evaluate(CALENDAR)


# -- the data each trigger receives in the table (valid for the standard situation) --------------------
PROPOSE_DISCLOSE = {"outcome": "disclosed", "reason": "disclose", "provided": "2025年度考核结果（电子文本）",
                    "obtain": "通过电子邮件发送"}
VALID = {
    "accept": {},
    "request_correction": {"items": ["请写明所需信息的文件名称或者文号"]},
    "receive_correction": {},
    "correction_lapsed": {},
    "request_reasons": {"grounds": "同一月内提出 120 件申请", "asked": "申请的用途"},
    "accept_reasons": {},
    "consult_third_party": {"third_party_name": "某某律师事务所", "information": "该所 2025 年度考核结果",
                            "impact": "涉及该所的商业信誉"},
    "third_party_replied": {"opinion": "consent"},
    "consultation_lapsed": {},
    "consult_agency": {"agency_name": "贵州省律师协会", "information": "联合发布的考核通报"},
    "agency_replied": {"opinion": "consent"},
    "issue_fee_notice": {"basis": fees.PER_PIECE, "pieces": 15},
    "fee_paid": {},
    "fee_lapsed": {},
    "extend": {"days": 10, "reason": "需要检索的档案较多"},
    "propose_reply": PROPOSE_DISCLOSE,
    "return_for_revision": {"comment": "请补充获取方式"},
    "approve": {},
    "withdraw": {},
}

# How the standard case reaches each state: received Mon 2026-11-02, every later step on Tue 2026-11-03.
RECEIVED_ON, DAY = "2026-11-02", "2026-11-03"
PATHS = {
    "received": [],
    "awaiting_correction": ["request_correction"],
    "awaiting_reasons": ["request_reasons"],
    "in_progress": ["accept"],
    "consulting_third_party": ["accept", "consult_third_party"],
    "consulting_agency": ["accept", "consult_agency"],
    "awaiting_fee": ["accept", "issue_fee_notice"],
    "under_review": ["accept", "propose_reply"],
    "disclosed": ["accept", "propose_reply", "approve"],
    "partially_disclosed": ["accept", ("propose_reply", {
        "outcome": "partially_disclosed", "reason": "partial", "provided": "考核结果汇总表", "obtain": "电子邮件",
        "withheld_parts": [{"part": "个人考核评语", "ground": "third_party_rights"}]}), "approve"],
    "withheld": ["accept", ("propose_reply", {"outcome": "withheld", "reason": "state_secret",
                                               "explanation": "经定密属于秘密级"}), "approve"],
    "unavailable": ["accept", ("propose_reply", {"outcome": "unavailable", "reason": "not_held",
                                                 "explanation": "检索了2019年以来的发文目录和档案"}), "approve"],
    "not_processed": ["accept", ("propose_reply", {"outcome": "not_processed", "reason": "confirm_or_reissue",
                                                   "explanation": "申请人要求确认已获取的文件"}),
                      "approve"],
    "closed_other": ["withdraw"],
}


def case_in(state: str) -> Sim:
    sim = Sim(RECEIVED_ON)
    for step in PATHS[state]:
        trigger, params = step if isinstance(step, tuple) else (step, VALID[step])
        sim.fire(trigger, DAY, **params)
    assert sim.state == state
    return sim


# -- the table: every state × every trigger -----------------------------------------------------------
@dataclass(frozen=True)
class Guarded:
    guards: tuple[str, ...]


_ = None  # forbidden: TriggerNotAllowed
RCV, COR, RSN, PRG, TP, AG, FEE, REV = ("received", "awaiting_correction", "awaiting_reasons", "in_progress",
                                        "consulting_third_party", "consulting_agency", "awaiting_fee",
                                        "under_review")
DIS, CLO = "disclosed", "closed_other"
CORRECTION_OPEN = Guarded(("has_correction_window_passed",))
CONSULTATION_OPEN = Guarded(("has_consultation_period_passed",))
PAYMENT_OPEN = Guarded(("has_payment_window_passed",))

TRIGGERS = ("accept", "request_correction", "receive_correction", "correction_lapsed", "request_reasons",
            "accept_reasons", "consult_third_party", "third_party_replied", "consultation_lapsed",
            "consult_agency", "agency_replied", "issue_fee_notice", "fee_paid", "fee_lapsed", "extend",
            "propose_reply", "return_for_revision", "approve", "withdraw")
# Standard situation: the trigger is fired (by an approver, with VALID data) on the day the case entered
# its state, so every time window that has to pass first is still open.
# Each row is one state; its 19 cells follow TRIGGERS: the first line of a row holds accept .. agency_replied,
# the second issue_fee_notice .. withdraw. A state name: allowed, to that state; Guarded: refused by those
# guards; _: not allowed from this state.
TABLE = {
    RCV: (PRG, COR, _, _, RSN, _, _, _, _, _, _,
          _, _, _, _, REV, _, _, CLO),
    COR: (_, _, PRG, CORRECTION_OPEN, _, _, _, _, _, _, _,
          _, _, _, _, _, _, _, CLO),
    RSN: (_, _, _, _, _, PRG, _, _, _, _, _,
          _, _, _, _, Guarded(("can_refuse_unreasonable_reasons",)), _, _, CLO),
    PRG: (_, _, _, _, RSN, _, TP, _, _, AG, _,
          FEE, _, _, PRG, REV, _, _, CLO),
    TP: (_, _, _, _, _, _, _, PRG, CONSULTATION_OPEN, _, _,
         _, _, _, _, _, _, _, CLO),
    AG: (_, _, _, _, _, _, _, _, CONSULTATION_OPEN, _, PRG,
         _, _, _, _, _, _, _, CLO),
    FEE: (_, _, _, _, _, _, _, _, _, _, _,
          _, PRG, PAYMENT_OPEN, _, _, _, _, CLO),
    REV: (_, _, _, _, _, _, _, _, _, _, _,
          _, _, _, _, _, PRG, DIS, CLO),
    **{terminal: (_,) * 19 for terminal in ("disclosed", "partially_disclosed", "withheld", "unavailable",
                                            "not_processed", "closed_other")},
}
REASON_AFTER = {"approve": "disclose", "withdraw": "withdrawn"}
CELLS = [(state, trigger, TABLE[state][i]) for state in TABLE for i, trigger in enumerate(TRIGGERS)]


def allowed_in(state: str) -> set[str]:
    return {t for t, cell in zip(TRIGGERS, TABLE[state], strict=True) if cell is not None}


def test_the_table_covers_exactly_the_contracts_states_and_triggers():
    assert set(TABLE) == {s.name for s in PROCESS.states}
    assert set(TRIGGERS) == set(ENGINE.triggers())
    assert {s.name for s in PROCESS.states if s.terminal} == {
        "disclosed", "partially_disclosed", "withheld", "unavailable", "not_processed", "closed_other"}
    assert len(CELLS) == 14 * 19


@pytest.mark.parametrize("state, trigger, expected", CELLS, ids=[f"{s}-{t}" for s, t, _ in CELLS])
def test_every_state_and_trigger(state, trigger, expected):
    sim = case_in(state)
    before = (sim.state, copy.deepcopy(sim.data), [c.to_dict() for c in sim.clocks.values()])
    if expected is None:
        with pytest.raises(TriggerNotAllowed) as info:
            sim.fire(trigger, DAY, **VALID[trigger])
        assert set(info.value.details["allowed"]) == allowed_in(state)
        assert info.value.details["state"] == state
        assert trigger in info.value.message
    elif isinstance(expected, Guarded):
        with pytest.raises(GuardFailed) as info:
            sim.fire(trigger, DAY, **VALID[trigger])
        assert tuple(g["name"] for g in info.value.details["guards"]) == expected.guards
        assert all(g["message"] and g["basis"] for g in info.value.details["guards"])
    else:
        outcome = sim.fire(trigger, DAY, **VALID[trigger])
        assert (outcome.from_state, outcome.to_state, sim.state) == (state, expected, expected)
        if trigger in REASON_AFTER:
            assert sim.reason == REASON_AFTER[trigger]
        return
    # A refusal leaves the case exactly as it was.
    assert before == (sim.state, sim.data, [c.to_dict() for c in sim.clocks.values()])


@pytest.mark.parametrize("state", ["disclosed", "partially_disclosed", "withheld", "unavailable",
                                   "not_processed", "closed_other"])
def test_a_terminal_state_allows_nothing_and_says_so(state):
    sim = case_in(state)
    with pytest.raises(TriggerNotAllowed) as info:
        sim.fire("withdraw", DAY)
    assert info.value.details["allowed"] == []
    assert "已办结" in info.value.message
    # Every clock has stopped: a closed case shows no due date.
    assert all(sim.reading(name).status in ("stopped", "not_started") for name in sim.clocks)


def test_an_unknown_trigger_is_refused_with_the_allowed_ones():
    with pytest.raises(UnknownTrigger) as info:
        case_in("received").fire("reject", DAY)
    assert set(info.value.details["allowed"]) == allowed_in("received")


# -- roles ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("state, trigger", [("in_progress", "extend"), ("under_review", "return_for_revision"),
                                            ("under_review", "approve")])
@pytest.mark.parametrize("role", [HANDLER, REGISTRAR, AUDITOR])
def test_approver_only_triggers_are_refused_to_other_roles(state, trigger, role):
    sim = case_in(state)
    with pytest.raises(NotPermitted) as info:
        sim.fire(trigger, DAY, role=role, **VALID[trigger])
    assert info.value.details["roles"] == [ADMIN, APPROVER]
    assert sim.state == state


@pytest.mark.parametrize("role", [APPROVER, ADMIN])
def test_approver_only_triggers_are_allowed_to_approver_and_admin(role):
    sim = case_in("in_progress")
    sim.fire("extend", DAY, role=role, **VALID["extend"])
    sim.fire("propose_reply", DAY, role=HANDLER, **PROPOSE_DISCLOSE)
    sim.fire("return_for_revision", DAY, role=role, comment="请补充")
    sim.fire("propose_reply", DAY, role=HANDLER, **PROPOSE_DISCLOSE)
    sim.fire("approve", DAY, role=role)
    assert sim.state == "disclosed"


@pytest.mark.parametrize("trigger", ["consult_third_party", "issue_fee_notice", "propose_reply", "request_reasons"])
def test_handling_triggers_are_refused_to_the_registrar(trigger):
    with pytest.raises(NotPermitted):
        case_in("in_progress").fire(trigger, DAY, role=REGISTRAR, **VALID[trigger])


def test_the_state_is_checked_before_the_role_and_the_role_before_the_data():
    # A forbidden trigger is a conflict whoever fires it; a refused role is told so before its data are read.
    with pytest.raises(TriggerNotAllowed):
        case_in("received").fire("approve", DAY, role=HANDLER)
    with pytest.raises(NotPermitted):
        case_in("in_progress").fire("extend", DAY, role=HANDLER, days="many")


# -- trigger data: field-level messages -----------------------------------------------------------------
INVALID = [
    pytest.param("received", "accept", {"note": "x"}, {"note": ["未知字段"]}, id="unknown-field-no-schema"),
    pytest.param("received", "request_correction", {"items": ["文号"], "deadline": "2026-12-01"},
                 {"deadline": ["未知字段"]}, id="unknown-field"),
    pytest.param("received", "request_correction", {}, {"items": ["必填"]}, id="missing-required"),
    pytest.param("received", "request_correction", {"items": []}, {"items": ["应为 1 到 30 项"]}, id="empty-list"),
    pytest.param("received", "request_correction", {"items": "文号"}, {"items": ["应为列表"]}, id="wrong-type-list"),
    pytest.param("in_progress", "extend", {"days": "10", "reason": "档案多"}, {"days": ["应为整数"]},
                 id="wrong-type-int"),
    pytest.param("in_progress", "extend", {"days": 21, "reason": "档案多"}, {"days": ["应在 1 到 20 之间"]},
                 id="extension-over-twenty-at-once"),
    pytest.param("in_progress", "extend", {"days": 5}, {"reason": ["必填"]}, id="extension-without-reason"),
    pytest.param("in_progress", "extend", {"days": 5, "reason": "   "}, {"reason": ["不能为空白"]},
                 id="blank-reason"),
    pytest.param("awaiting_reasons", "accept_reasons", {"reply_due_on": "next month"},
                 {"reply_due_on": ["应为日期，格式 YYYY-MM-DD"]}, id="wrong-type-date"),
    pytest.param("consulting_third_party", "third_party_replied", {"opinion": "objection"},
                 {"reasons": ["不同意公开的，应记录其理由（条例第三十二条）"]}, id="objection-without-reasons"),
    pytest.param("consulting_third_party", "third_party_replied", {"opinion": "maybe"},
                 {"opinion": ["取值应为：consent, objection"]}, id="opinion-out-of-vocabulary"),
    pytest.param("in_progress", "propose_reply", {"outcome": "withheld", "reason": "state_secret"},
                 {"explanation": ["此答复类型必填"]}, id="withheld-without-explanation"),
    pytest.param("in_progress", "propose_reply",
                 {"outcome": "partially_disclosed", "reason": "partial", "provided": "汇总表", "obtain": "邮件"},
                 {"withheld_parts": ["此答复类型必填"]}, id="partially-disclosed-without-withheld-parts"),
    pytest.param("in_progress", "propose_reply",
                 {"outcome": "partially_disclosed", "reason": "partial", "provided": "汇总表", "obtain": "邮件",
                  "withheld_parts": [{"part": "评语", "ground": "trade_secret"}]},
                 {"withheld_parts": {0: {"ground": ["取值应为：state_secret, prohibited_by_law, security_stability, "
                                                    "third_party_rights, internal_affairs, process_information, "
                                                    "enforcement_case_file, administrative_inquiry"]}}},
                 id="withheld-part-with-unknown-ground"),
    pytest.param("in_progress", "propose_reply", {"outcome": "not_processed", "reason": "repeat_application"},
                 {"earlier_reply": ["此答复类型必填"], "explanation": ["此答复类型必填"]},
                 id="repeat-application-without-earlier-reply-or-reasons"),
    # Art. 36: every refusal, "not available" and "not processed" reply states the agency's reasons.
    *[pytest.param("in_progress", "propose_reply", {"outcome": outcome, "reason": reason},
                   {"explanation": ["此答复类型必填"]}, id=f"{reason}-without-reasons")
      for outcome, reason in (("unavailable", "not_held"), ("unavailable", "not_this_agency"),
                              ("unavailable", "needs_creation"), ("unavailable", "unclear_after_correction"),
                              ("not_processed", "unreasonable_volume"), ("not_processed", "confirm_or_reissue"))],
    pytest.param("in_progress", "propose_reply", {"outcome": "withheld", "reason": "administrative_inquiry",
                                                  "explanation": "向不动产登记机构申请查询"},
                 {"legal_basis": ["此答复类型必填"]}, id="administrative-inquiry-without-the-law-to-follow"),
    pytest.param("in_progress", "propose_reply",
                 {"outcome": "not_processed", "reason": "repeat_application", "explanation": "内容相同",
                  "earlier_reply": {"number": "黔司公开〔2026〕3号"}},
                 {"earlier_reply": {"date": ["必填"]}}, id="earlier-reply-without-date"),
    pytest.param("in_progress", "propose_reply", {"outcome": "disclosed", "reason": "disclose"},
                 {"provided": ["此答复类型必填"], "obtain": ["此答复类型必填"]}, id="disclose-without-what-and-how"),
    pytest.param("in_progress", "propose_reply", {"outcome": "disclosed", "reason": "already_public"},
                 {"published_title": ["此答复类型必填"], "published_channel": ["此答复类型必填"],
                  "published_on": ["此答复类型必填"]}, id="already-public-without-where"),
    pytest.param("in_progress", "propose_reply", {"outcome": "withheld", "reason": "not_held", "explanation": "x"},
                 {"reason": ["“withheld”的理由应为：state_secret, prohibited_by_law, security_stability, "
                             "third_party_rights, internal_affairs, process_information, enforcement_case_file, "
                             "administrative_inquiry"]}, id="reason-of-another-outcome"),
    pytest.param("in_progress", "propose_reply", {"outcome": "closed_other", "reason": "withdrawn"},
                 {"reason": ["“closed_other”的理由应为：other"]}, id="reason-that-only-its-own-trigger-sets"),
    pytest.param("in_progress", "issue_fee_notice", {"basis": fees.PER_PIECE, "pieces": 15, "pages": 40},
                 {"pages": ["按件计收时不得同时按量计收（国办函〔2020〕109号第三条）"]}, id="both-bases-piece-first"),
    pytest.param("in_progress", "issue_fee_notice", {"basis": fees.PER_VOLUME, "pages": 40, "pieces": 15},
                 {"pieces": ["按量计收时不得同时按件计收（国办函〔2020〕109号第三条）"]}, id="both-bases-volume-first"),
    pytest.param("in_progress", "issue_fee_notice",
                 {"basis": fees.PER_VOLUME, "pages": 40, "pieces_already_this_month": 3},
                 {"pieces": ["按量计收时不得同时按件计收（国办函〔2020〕109号第三条）"]}, id="volume-with-monthly-pieces"),
    pytest.param("in_progress", "issue_fee_notice", {"basis": fees.PER_PIECE}, {"pieces": ["按件计收时必填件数"]},
                 id="per-piece-without-pieces"),
    pytest.param("in_progress", "issue_fee_notice", {"basis": fees.PER_VOLUME}, {"pages": ["按量计收时必填页数"]},
                 id="per-volume-without-pages"),
    pytest.param("under_review", "return_for_revision", {}, {"comment": ["必填"]}, id="revision-without-comment"),
    pytest.param("under_review", "return_for_revision", {"comment": " \n "}, {"comment": ["不能为空白"]},
                 id="revision-with-blank-comment"),
]


@pytest.mark.parametrize("state, trigger, params, errors", INVALID)
def test_bad_trigger_data_are_refused_field_by_field(state, trigger, params, errors):
    sim = case_in(state)
    with pytest.raises(InvalidData) as info:
        sim.fire(trigger, DAY, **params)
    assert info.value.errors == errors
    assert sim.state == state and len(sim.history) == len(PATHS[state])


def test_not_this_agency_without_the_responsible_agency_is_allowed():
    # Art. 36(5): name the responsible agency "when known"; not knowing it is no reason to refuse.
    sim = case_in("in_progress")
    sim.fire("propose_reply", DAY, outcome="unavailable", reason="not_this_agency", explanation="该信息由省律协制作")
    assert sim.state == "under_review"
    assert sim.data["proposal"] == {"outcome": "unavailable", "reason": "not_this_agency",
                                    "explanation": "该信息由省律协制作"}
    sim.fire("approve", DAY)
    assert (sim.state, sim.reason) == ("unavailable", "not_this_agency")


def test_the_recorded_proposal_is_plain_json():
    sim = case_in("in_progress")
    sim.fire("propose_reply", DAY, outcome="not_processed", reason="repeat_application", explanation="内容相同",
             earlier_reply={"number": "黔司公开〔2026〕3号", "date": "2026-06-01"})
    assert json.loads(json.dumps(sim.data["proposal"])) == {
        "outcome": "not_processed", "reason": "repeat_application", "explanation": "内容相同",
        "earlier_reply": {"number": "黔司公开〔2026〕3号", "date": "2026-06-01"}}


def test_typed_text_is_kept_exactly_as_typed():
    text = "  第一项 <A&B> \"引号\"\n第二项  "
    sim = case_in("received")
    sim.fire("request_correction", DAY, items=[text])
    assert sim.history[-1]["data"]["items"] == [text]


# -- the guards on both sides of their limits ------------------------------------------------------------
def test_request_correction_on_the_seventh_working_day_is_allowed():
    # Received Tue 9/15: 9/16(1) 9/17(2) 9/18(3), 9/19 Sat skip, 9/20 Sun make-up 国庆(4), 9/21(5) 9/22(6) 9/23(7)
    sim = Sim("2026-09-15")
    sim.fire("request_correction", "2026-09-23", **VALID["request_correction"])
    assert sim.state == "awaiting_correction"


def test_request_correction_on_the_eighth_working_day_is_refused():
    # 9/24 is working day 8 (see above): Art. 30 asks for the one-time notice within 7 working days.
    sim = Sim("2026-09-15")
    with pytest.raises(GuardFailed) as info:
        sim.fire("request_correction", "2026-09-24", **VALID["request_correction"])
    assert [g["name"] for g in info.value.details["guards"]] == ["within_correction_notice_period"]
    assert "第三十条" in info.value.details["guards"][0]["basis"]


def test_a_second_correction_notice_is_refused_by_its_guard():
    # The state machine alone already prevents it (request_correction leaves `received` for good); the guard
    # also holds if a case ever is in `received` with a notice in its history.
    sim = Sim(RECEIVED_ON)
    sim.history.append({"trigger": "request_correction", "effective_on": D(DAY), "data": {}})
    with pytest.raises(GuardFailed) as info:
        sim.fire("request_correction", DAY, **VALID["request_correction"])
    assert [g["name"] for g in info.value.details["guards"]] == ["has_not_requested_correction"]


def test_receive_correction_restarts_the_reply_clock_from_the_correction_date():
    sim = Sim(RECEIVED_ON)
    sim.fire("request_correction", DAY, **VALID["request_correction"])
    assert sim.reading().status == "stopped"
    sim.fire("receive_correction", "2026-11-10")
    # 20 WD from Tue 11/10: 11/11-11/13(1-3), 11/16-20(4-8), 11/23-27(9-13), 11/30-12/4(14-18), 12/7(19), 12/8(20)
    assert sim.due() == D("2026-12-08")
    assert sim.reading().used == 0 and sim.reading().status == "running"


@pytest.mark.parametrize("on, allowed", [("2026-11-17", False), ("2026-11-18", True)])
def test_correction_lapsed_only_after_the_correction_deadline(on, allowed):
    # Notice Tue 11/3, 10 WD: 11/4-6(1-3), 11/9-13(4-8), 11/16(9), 11/17(10): due 11/17
    sim = case_in("awaiting_correction")
    assert sim.due("correction") == D("2026-11-17")
    if allowed:
        sim.fire("correction_lapsed", on)
        assert (sim.state, sim.reason) == ("closed_other", "correction_lapsed")
    else:
        with pytest.raises(GuardFailed, match="补正期限尚未届满"):
            sim.fire("correction_lapsed", on)


@pytest.mark.parametrize("state", ["consulting_third_party", "consulting_agency"])
@pytest.mark.parametrize("on, allowed", [("2026-11-24", False), ("2026-11-25", True)])
def test_consultation_lapsed_only_after_fifteen_working_days(state, on, allowed):
    # Consulted Tue 11/3, 15 WD: 11/4-6(1-3), 11/9-13(4-8), 11/16-20(9-13), 11/23(14), 11/24(15)
    sim = case_in(state)
    assert sim.due("consultation") == D("2026-11-24")
    if allowed:
        sim.fire("consultation_lapsed", on)
        assert sim.state == "in_progress"
        # Reply clock: received Mon 11/2, paused Tue 11/3 with 1 WD used (11/3); resumed Wed 11/25,
        # 19 left from 11/26: 11/26-27(1-2), 11/30-12/4(3-7), 12/7-11(8-12), 12/14-18(13-17), 12/21(18), 12/22(19)
        assert sim.reading().used == 1
        assert sim.due() == D("2026-12-22")
    else:
        with pytest.raises(GuardFailed) as info:
            sim.fire("consultation_lapsed", on)
        assert [g["name"] for g in info.value.details["guards"]] == ["has_consultation_period_passed"]


def test_third_party_reply_resumes_the_paused_reply_clock():
    sim = case_in("consulting_third_party")
    assert sim.reading().status == "paused" and sim.due() is None
    sim.fire("third_party_replied", "2026-11-06", opinion="objection", reasons="涉及商业秘密")
    # 1 WD used (11/3); resumed Fri 11/6, 19 left from 11/7: 11/9-13(1-5), 11/16-20(6-10), 11/23-27(11-15),
    # 11/30-12/3(16-19)
    assert sim.due() == D("2026-12-03")
    assert sim.reading("consultation").status == "stopped"


@pytest.mark.parametrize("on, allowed", [("2026-12-01", False), ("2026-12-02", True)])
def test_fee_lapsed_only_after_the_payment_window(on, allowed):
    # Notice Tue 11/3, served the same day; 20 WD from the day after: 11/4-6(1-3), 11/9-13(4-8),
    # 11/16-20(9-13), 11/23-27(14-18), 11/30(19), 12/1(20): due 12/1
    sim = case_in("awaiting_fee")
    assert sim.due("fee") == D("2026-12-01")
    if allowed:
        sim.fire("fee_lapsed", on)
        assert (sim.state, sim.reason) == ("closed_other", "fee_unpaid")
    else:
        with pytest.raises(GuardFailed) as info:
            sim.fire("fee_lapsed", on)
        assert [g["name"] for g in info.value.details["guards"]] == ["has_payment_window_passed"]


def test_the_fee_window_runs_from_the_day_the_applicant_receives_the_notice():
    sim = case_in("in_progress")
    sim.fire("issue_fee_notice", DAY, basis=fees.PER_VOLUME, pages=31, served_on="2026-11-09")
    # Served Mon 11/9: 11/10-13(1-4), 11/16-20(5-9), 11/23-27(10-14), 11/30-12/4(15-19), 12/7(20)
    assert sim.due("fee") == D("2026-12-07")
    # The reply clock is paused while the fee is awaited (rule-set default fee_pauses_reply_clock).
    assert sim.reading().status == "paused"


def test_the_reply_clock_keeps_running_during_the_fee_when_the_rule_set_says_so():
    sim = Sim(RECEIVED_ON, rules={"fee_pauses_reply_clock": False})
    sim.fire("accept", DAY)
    sim.fire("issue_fee_notice", DAY, basis=fees.PER_PIECE, pieces=11)
    assert sim.reading().status == "running" and sim.due() == D("2026-11-30")


def test_a_fee_notice_cannot_be_served_before_it_is_issued():
    sim = case_in("in_progress")
    with pytest.raises(GuardFailed) as info:
        sim.fire("issue_fee_notice", DAY, basis=fees.PER_PIECE, pieces=15, served_on="2026-10-01")
    assert [g["name"] for g in info.value.details["guards"]] == ["has_service_after_notice"]


def test_fee_paid_resumes_the_reply_clock():
    sim = case_in("awaiting_fee")
    sim.fire("fee_paid", "2026-11-09")
    # Received Mon 11/2: 11/3 used (1); paused 11/3 .. 11/9; 19 left from 11/10: 11/10-13(1-4), 11/16-20(5-9),
    # 11/23-27(10-14), 11/30-12/4(15-19)
    assert sim.due() == D("2026-12-04")


@pytest.mark.parametrize("on, allowed", [("2026-11-30", True), ("2026-12-01", False)])
def test_extend_only_before_the_reply_is_due(on, allowed):
    # Received Mon 11/2, 20 WD: 11/3-6(1-4), 11/9-13(5-9), 11/16-20(10-14), 11/23-27(15-19), 11/30(20)
    sim = case_in("in_progress")
    assert sim.due() == D("2026-11-30")
    if allowed:
        sim.fire("extend", on, days=5, reason="档案多")
        # 11/30 + 5 WD: 12/1-12/4(1-4), 12/7(5)
        assert sim.due() == D("2026-12-07")
    else:
        with pytest.raises(GuardFailed) as info:
            sim.fire("extend", on, days=5, reason="档案多")
        assert [g["name"] for g in info.value.details["guards"]] == ["within_reply_period"]


def test_extensions_add_up_to_twenty_working_days_and_no_more():
    # Art. 33 ¶2: the extension may not exceed 20 working days in total.
    sim = case_in("in_progress")
    sim.fire("extend", DAY, days=10, reason="档案多")
    # 11/30 + 10 WD: 12/1-4(1-4), 12/7-11(5-9), 12/14(10)
    assert sim.due() == D("2026-12-14")
    with pytest.raises(GuardFailed) as info:
        sim.fire("extend", DAY, days=11, reason="仍需检索")
    assert [g["name"] for g in info.value.details["guards"]] == ["within_extension_cap"]
    assert sim.due() == D("2026-12-14")
    sim.fire("extend", DAY, days=10, reason="仍需检索")
    # 12/14 + 10 WD: 12/15-18(1-4), 12/21-25(5-9), 12/28(10)
    assert sim.due() == D("2026-12-28")
    assert sim.reading().extension == 20
    with pytest.raises(GuardFailed):
        sim.fire("extend", DAY, days=1, reason="再延")


def test_an_extension_that_is_both_late_and_too_long_names_both_guards():
    sim = case_in("in_progress")
    sim.fire("extend", DAY, days=15, reason="档案多")
    # Due after 15 more WD from 11/30: 12/1-4(4), 12/7-11(9), 12/14-18(14), 12/21(15); 12/22 is too late.
    with pytest.raises(GuardFailed) as info:
        sim.fire("extend", "2026-12-22", days=6, reason="仍需检索")
    assert [g["name"] for g in info.value.details["guards"]] == ["within_reply_period", "within_extension_cap"]


def test_the_statutory_extension_cap_cannot_be_raised_by_configuration():
    sim = Sim(RECEIVED_ON, rules={"extension_cap_days": 40})
    sim.fire("accept", DAY)
    assert sim.rules["extension_cap_days"] == 20
    sim.fire("extend", DAY, days=20, reason="档案多")
    with pytest.raises(GuardFailed) as info:
        sim.fire("extend", DAY, days=20, reason="仍需检索")
    assert [g["name"] for g in info.value.details["guards"]] == ["within_extension_cap"]


@pytest.mark.parametrize("rule", ["reply_days", "correction_notice_days", "consultation_days"])
def test_statutory_periods_cannot_be_changed_by_configuration(rule):
    assert Sim(RECEIVED_ON, rules={rule: 99}).rules[rule] == {"reply_days": 20, "correction_notice_days": 7,
                                                               "consultation_days": 15}[rule]


def test_the_rule_set_may_change_the_correction_period():
    sim = Sim(RECEIVED_ON, rules={"correction_days": 15})
    sim.fire("request_correction", DAY, **VALID["request_correction"])
    # 15 WD from Tue 11/3: 11/4-6(1-3), 11/9-13(4-8), 11/16-20(9-13), 11/23(14), 11/24(15)
    assert sim.due("correction") == D("2026-11-24")
    assert sim.reading("correction").rules == {"correction_days": 15}


def test_an_extension_after_a_reasonable_reply_date_moves_that_date():
    # Art. 35 fixes a later reply date; an Art. 33 extension then counts from that date.
    sim = case_in("awaiting_reasons")
    sim.fire("accept_reasons", DAY, reply_due_on="2026-12-31")
    assert sim.due() == D("2026-12-31")
    sim.fire("extend", DAY, days=5, reason="档案多")
    # 12/31 + 5 WD: 2027-01-01 元旦 (fixed date, 2027 not yet published) skip, 1/2-3 weekend, 1/4-1/8(1-5)
    assert sim.due() == D("2027-01-08")


def test_an_extension_counted_into_an_unpublished_year_is_provisional():
    sim = case_in("awaiting_reasons")
    sim.fire("accept_reasons", DAY, reply_due_on="2026-12-31")
    sim.fire("extend", DAY, days=5, reason="档案多")
    assert sim.reading().provisional and sim.reading().provisional_years == [2027]


@pytest.mark.parametrize("on, allowed", [("2026-11-30", True), ("2026-12-01", False)])
def test_a_fee_notice_only_within_the_reply_period(on, allowed):
    sim = case_in("in_progress")
    if allowed:
        sim.fire("issue_fee_notice", on, **VALID["issue_fee_notice"])
        assert sim.state == "awaiting_fee"
    else:
        with pytest.raises(GuardFailed) as info:
            sim.fire("issue_fee_notice", on, **VALID["issue_fee_notice"])
        assert [g["name"] for g in info.value.details["guards"]] == ["within_fee_notice_period"]


@pytest.mark.parametrize("params", [{"basis": fees.PER_PIECE, "pieces": 10},
                                    {"basis": fees.PER_PIECE, "pieces": 3, "pieces_already_this_month": 7},
                                    {"basis": fees.PER_VOLUME, "pages": 30}])
def test_no_fee_notice_within_the_free_allowance(params):
    with pytest.raises(GuardFailed) as info:
        case_in("in_progress").fire("issue_fee_notice", DAY, **params)
    assert [g["name"] for g in info.value.details["guards"]] == ["has_positive_fee"]


def test_accept_reasons_may_set_a_later_reply_date_but_not_an_earlier_one():
    sim = case_in("awaiting_reasons")
    # The reply clock keeps running during Art. 35 (rule-set default): due 11/30 as for any case received 11/2.
    assert sim.due() == D("2026-11-30")
    with pytest.raises(GuardFailed) as info:
        sim.fire("accept_reasons", DAY, reply_due_on="2026-11-30")
    assert [g["name"] for g in info.value.details["guards"]] == ["has_later_reply_date"]
    sim.fire("accept_reasons", DAY, reply_due_on="2027-01-15")
    assert sim.due() == D("2027-01-15")


def test_accept_reasons_sets_a_later_date_when_the_reasons_pause_the_reply_clock():
    sim = Sim(RECEIVED_ON, rules={"reasons_pause_reply_clock": True})
    sim.fire("request_reasons", DAY, **VALID["request_reasons"])
    assert sim.reading().status == "paused"
    sim.fire("accept_reasons", "2026-11-10", reply_due_on="2027-01-15")
    assert sim.due() == D("2027-01-15")


def test_unreasonable_volume_only_after_the_applicant_was_asked_for_reasons():
    # Art. 35: ask for reasons first.
    proposal = {"outcome": "not_processed", "reason": "unreasonable_volume", "explanation": "说明的用途与所申请信息无关"}
    with pytest.raises(GuardFailed) as info:
        case_in("in_progress").fire("propose_reply", DAY, **proposal)
    assert [g["name"] for g in info.value.details["guards"]] == ["has_requested_reasons"]
    sim = case_in("awaiting_reasons")
    sim.fire("accept_reasons", DAY)
    sim.fire("propose_reply", DAY, **proposal)
    assert sim.state == "under_review"


def test_unreasonable_reasons_are_refused_straight_from_awaiting_reasons():
    # Art. 35: reasons found unreasonable -> not processed, without first recording them as accepted.
    sim = case_in("awaiting_reasons")
    sim.fire("propose_reply", DAY, outcome="not_processed", reason="unreasonable_volume", explanation="理由不合理")
    assert sim.state == "under_review" and sim.reading("reasons").status == "stopped"
    sim.fire("approve", DAY)
    assert (sim.state, sim.reason) == ("not_processed", "unreasonable_volume")


def test_unclear_after_correction_only_after_a_correction_was_received():
    proposal = {"outcome": "unavailable", "reason": "unclear_after_correction", "explanation": "仍未写明年份"}
    with pytest.raises(GuardFailed) as info:
        case_in("received").fire("propose_reply", DAY, **proposal)
    assert [g["name"] for g in info.value.details["guards"]] == ["has_received_correction"]
    sim = case_in("awaiting_correction")
    sim.fire("receive_correction", DAY)
    sim.fire("propose_reply", DAY, **proposal)
    sim.fire("approve", DAY)
    assert (sim.state, sim.reason) == ("unavailable", "unclear_after_correction")


def test_return_for_revision_clears_the_proposal_and_approve_takes_the_new_one():
    sim = case_in("under_review")
    sim.fire("return_for_revision", DAY, comment="改为已主动公开")
    assert "proposal" not in sim.data
    sim.fire("propose_reply", DAY, outcome="disclosed", reason="already_public", published_title="考核结果公告",
             published_channel="贵州省司法厅门户网站", published_on="2026-03-02")
    sim.fire("approve", DAY)
    assert (sim.state, sim.reason) == ("disclosed", "already_public")
    assert sim.reading().status == "stopped"


@pytest.mark.parametrize("state", ["received", "awaiting_correction", "awaiting_reasons", "in_progress",
                                   "consulting_third_party", "consulting_agency", "awaiting_fee", "under_review"])
def test_withdraw_from_every_open_state_stops_every_clock(state):
    sim = case_in(state)
    sim.fire("withdraw", DAY, role=REGISTRAR, statement="本人不再需要")
    assert (sim.state, sim.reason) == ("closed_other", "withdrawn")
    assert all(sim.reading(n).status in ("stopped", "not_started") for n in sim.clocks)


# -- fees: 国办函〔2020〕109号, by hand -------------------------------------------------------------------
PIECES = [
    # (pieces this application, pieces already counted this month, expected yuan, worked by hand)
    (10, 0, 0),  # pieces 1-10 free
    (11, 0, 100),  # piece 11 at 100
    (30, 0, 2000),  # 11-30: 20 × 100
    (31, 0, 2200),  # 2000 + piece 31 at 200
    (40, 0, 4000),  # 2000 + 31-40: 10 × 200
    (41, 0, 4300),  # 4000 + piece 41 at 300
    (50, 0, 7000),  # 4000 + 41-50: 10 × 300
    (51, 0, 7400),  # 7000 + piece 51 at 400
    (5, 8, 300),  # pieces 9-13: 9-10 free, 11-13: 3 × 100
    (1, 10, 100),  # piece 11 at 100
    (10, 25, 1500),  # pieces 26-35: 26-30 5 × 100, 31-35 5 × 200
    (3, 60, 1500),  # bands 31-40 200, 41-50 300, 51-60 400, 61-70 500: 3 × 500
]
PAGES = [
    (30, 0), (31, 10), (100, 700),  # 31-100: 70 × 10
    (101, 720),  # 700 + page 101 at 20
    (200, 2700),  # 700 + 101-200: 100 × 20
    (201, 2740),  # 2700 + page 201 at 40
    (250, 4700),  # 2700 + 201-250: 50 × 40
]


@pytest.mark.parametrize("pieces, already, expected", PIECES)
def test_per_piece_fee_golden_cases(pieces, already, expected):
    assert fees.total(fees.compute(fees.PER_PIECE, units=pieces, already_counted=already)) == expected
    params = {"basis": fees.PER_PIECE, "pieces": pieces, "pieces_already_this_month": already}
    assert fee_total(params) == expected


@pytest.mark.parametrize("pages, expected", PAGES)
def test_per_volume_fee_golden_cases(pages, expected):
    assert fees.total(fees.compute(fees.PER_VOLUME, units=pages)) == expected
    assert fee_total({"basis": fees.PER_VOLUME, "pages": pages}) == expected


def test_fee_lines_group_the_units_by_band():
    lines = fee_lines({"basis": fees.PER_PIECE, "pieces": 10, "pieces_already_this_month": 25})
    assert [(line.band.first, line.band.last, line.band.rate, line.units, line.amount) for line in lines] == [
        (11, 30, 100, 5, 500), (31, 40, 200, 5, 1000)]
    lines = fee_lines({"basis": fees.PER_VOLUME, "pages": 250})
    assert [(line.band.first, line.band.last, line.band.rate, line.units, line.amount) for line in lines] == [
        (1, 30, 0, 30, 0), (31, 100, 10, 70, 700), (101, 200, 20, 100, 2000), (201, None, 40, 50, 2000)]
    assert lines[-1].band.label("页") == "第201页及以上：40元/页"
    assert lines[0].band.label("页") == "第1至30页：免费"


def test_fee_notice_records_the_fee_basis_exactly_once():
    sim = case_in("in_progress")
    sim.fire("issue_fee_notice", DAY, basis=fees.PER_PIECE, pieces=12, pieces_already_this_month=20)
    assert sim.history[-1]["data"] == {"basis": "per_piece", "pieces": 12, "pieces_already_this_month": 20}
    # pieces 21-32: 21-30 10 × 100, 31-32 2 × 200
    assert fee_total(sim.last_ctx.params) == 1400


# -- refusals by the machine and guards that meet absent data ---------------------------------------------
def test_approving_a_proposal_whose_outcome_approve_cannot_lead_to_is_not_allowed():
    sim = case_in("under_review")
    sim.data["proposal"]["outcome"] = "in_progress"  # not a proposable outcome: the machine has no such transition
    before = (copy.deepcopy(sim.data), [c.to_dict() for c in sim.clocks.values()])
    with pytest.raises(TriggerNotAllowed) as info:
        sim.fire("approve", DAY)
    assert info.value.message == "approve 未能执行"
    assert info.value.details == {"state": "under_review", "allowed": ["return_for_revision", "approve", "withdraw"]}
    assert sim.state == "under_review" and before == (sim.data, [c.to_dict() for c in sim.clocks.values()])


def paused_reply_in_progress() -> Sim:
    """Reasons requested with the reply clock paused, a refusal proposed, then returned for revision: the
    case is in progress again while its reply clock is still paused, so it has no reply due date."""
    sim = Sim(RECEIVED_ON, rules={"reasons_pause_reply_clock": True})
    sim.fire("request_reasons", DAY, **VALID["request_reasons"])
    sim.fire("propose_reply", DAY, outcome="not_processed", reason="unreasonable_volume", explanation="理由不合理")
    sim.fire("return_for_revision", DAY, comment="请再研究申请人说明的理由")
    assert sim.state == "in_progress" and sim.reading().status == "paused" and sim.due() is None
    return sim


def test_with_the_reply_clock_paused_the_statuses_say_extension_and_fee_notice_need_a_running_reply_period():
    sim = paused_reply_in_progress()
    statuses = {s.trigger: s for s in ENGINE.statuses(sim.context(DAY, APPROVER, {}))}
    assert [w["name"] for w in statuses["extend"].why] == ["within_reply_period"]
    assert [w["name"] for w in statuses["issue_fee_notice"].why] == ["within_fee_notice_period"]
    assert statuses["propose_reply"].allowed


def test_with_the_reply_clock_paused_extending_is_refused_by_its_guard():
    sim = paused_reply_in_progress()
    with pytest.raises(GuardFailed) as info:
        sim.fire("extend", DAY, **VALID["extend"])
    assert [g["name"] for g in info.value.details["guards"]] == ["within_reply_period"]
