"""enforcement_disclosure as pure domain (processes.md §3): every state × every trigger, each guard, the
roles, the registration and trigger schemas and the clocks, on a Context built directly (no app, no DB).

Golden dates are counted by hand from the 2026 State Council holiday notice: National Day 1-7 Oct off,
Sun 20 Sep and Sat 10 Oct make-up working days, Mid-autumn 25-27 Sep off; Spring Festival 15-23 Feb off,
Sat 14 Feb and Sat 28 Feb make-up working days. "9/20(1)" means 20 September is working day number 1.
"""
from __future__ import annotations

import datetime as dt

import pytest

from workflow.calendar import WorkCalendar
from workflow.clock import Clock
from workflow.engine import ADMIN, APPROVER, AUDITOR, HANDLER, REGISTRAR, Context, load
from workflow.errors import GuardFailed, InvalidData, NotPermitted, TriggerNotAllowed
from workflow.processes import enforcement_disclosure as ed
from workflow.processes import get_engine

D = dt.date.fromisoformat
PERSON_ID = "520102198503174210"
COMPANY_CODE = "91520000MA6DKQ1A0P"
STATES = ["decided", "published", "withdrawal_pending", "withdrawn", "exempted", "expired"]
TRIGGERS = ["publish", "exempt", "revoke", "withdraw_publication", "expire"]

ENGINE = get_engine("enforcement_disclosure")
CALENDAR = WorkCalendar()


def registration(**overrides) -> dict:
    data = {
        "decision_number": "黔司罚决〔2026〕5号",
        "decision_date": "2026-09-30",
        "decision_type": "administrative_penalty",
        "deciding_agency": "贵州省司法厅",
        "party_type": "natural_person",
        "party_name": "李四",
        "party_id_number": PERSON_ID,
        "category": "律师违法行为处罚",
        "conclusion": "给予警告，并处罚款人民币5000元",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def opened(*, role: str = HANDLER, rules: dict | None = None, **overrides) -> Context:
    """A new case's context: registration validated by the schema, on_open effects run."""
    params = load(ed.RegistrationSchema, registration(**overrides))
    data = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in params.items()}
    clocks = {s.name: Clock(s.name, s.kind, s.title) for s in ed.PROCESS.clocks}
    ctx = Context(process=ed.PROCESS, state="decided", data=data, params=params,
                  effective_on=D(data["decision_date"]), now=dt.datetime(2026, 11, 27),
                  calendar=CALENDAR, rules={**ed.RULES, **(rules or {})}, role=role, history=[],
                  clocks=clocks)
    ENGINE.open(ctx)
    return ctx


def fire(ctx: Context, trigger: str, on: str, *, role: str | None = None, **params) -> Context:
    """Fire on the context as the service would: new params, date and role; history grows on success."""
    ctx.params, ctx.effective_on, ctx.role = params, D(on), role or ctx.role
    ENGINE.fire(trigger, ctx)
    ctx.history.append({"trigger": trigger, "effective_on": ctx.effective_on, "data": ctx.params})
    return ctx


def in_state(state: str) -> Context:
    """A penalty decided 2026-09-30 (publication due 10/15) driven to ``state`` by real transitions."""
    ctx = opened()
    if state == "exempted":
        return fire(ctx, "exempt", "2026-10-09", role=APPROVER, ground="personal_privacy", explanation="涉及个人隐私")
    if state == "decided":
        return ctx
    fire(ctx, "publish", "2026-10-12")
    if state == "expired":
        return fire(ctx, "expire", "2028-10-13")
    if state == "published":
        return ctx
    fire(ctx, "revoke", "2026-11-02", event="revoked", event_on="2026-11-02")
    if state == "withdrawal_pending":
        return ctx
    return fire(ctx, "withdraw_publication", "2026-11-04", statement="原处罚决定已被撤销")


# What each trigger needs to succeed (date, params, role), and where it leads.
GOOD = {
    "publish": ("2026-10-12", {}, HANDLER),
    "exempt": ("2026-10-12", {"ground": "state_secret", "explanation": "涉及国家秘密"}, APPROVER),
    "revoke": ("2026-11-02", {"event": "confirmed_illegal", "event_on": D("2026-10-30")}, HANDLER),
    "withdraw_publication": ("2026-11-04", {"statement": "该决定已被确认违法"}, HANDLER),
    "expire": ("2028-10-13", {}, HANDLER),
}
DESTINATION = {"publish": "published", "exempt": "exempted", "revoke": "withdrawal_pending",
               "withdraw_publication": "withdrawn", "expire": "expired"}
TABLE = {
    "decided": {"publish", "exempt"},
    "published": {"revoke", "expire"},
    "withdrawal_pending": {"withdraw_publication"},
    "withdrawn": set(),
    "exempted": set(),
    "expired": set(),
}


def _wire(params: dict) -> dict:
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in params.items()}


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("trigger", TRIGGERS)
def test_every_state_and_trigger_is_allowed_or_forbidden_as_the_contract_says(state, trigger):
    ctx = in_state(state)
    assert ctx.state == state
    on, params, role = GOOD[trigger]
    if trigger in TABLE[state]:
        fire(ctx, trigger, on, role=role, **_wire(params))
        assert ctx.state == DESTINATION[trigger]
        return
    before = (ctx.state, dict(ctx.data))
    with pytest.raises(TriggerNotAllowed) as exc:
        fire(ctx, trigger, on, role=role, **_wire(params))
    assert exc.value.details["allowed"] == [t for t in TRIGGERS if t in TABLE[state]]
    assert (ctx.state, ctx.data) == before


def test_terminal_states_are_exactly_withdrawn_exempted_and_expired():
    assert ed.PROCESS.terminal_states == ("withdrawn", "exempted", "expired")
    assert [s.name for s in ed.PROCESS.states] == STATES
    assert ENGINE.triggers() == TRIGGERS


# -- guarded: allowed from the state, refused by a named rule, nothing changed ------------------------
@pytest.mark.parametrize("state, trigger, overrides, on, params, guard", [
    ("decided", "publish", {"conclusion": None}, "2026-10-12", {}, "has_publication_fields"),
    ("decided", "publish", {"category": "   "}, "2026-10-12", {}, "has_publication_fields"),
    ("decided", "publish", {"decision_number": None}, "2026-10-12", {}, "has_publication_fields"),
    ("decided", "publish", {}, "2026-10-12", {"conclusion": "另一结论"}, "can_complete_only_blank_fields"),
    ("decided", "publish", {}, "2026-10-12", {"decision_number": "黔司罚决〔2026〕6号"},
     "can_complete_only_blank_fields"),
    ("published", "revoke", {}, "2026-11-02", {"event": "revoked", "event_on": "2026-09-29"},
     "has_event_date_in_range"),
    ("published", "revoke", {}, "2026-11-02", {"event": "revoked", "event_on": "2026-11-03"},
     "has_event_date_in_range"),
    # Natural person, published Mon 2026-10-12: 2 years, published until 2028-10-12 inclusive.
    ("published", "expire", {}, "2028-10-12", {}, "has_publication_period_ended"),
    # Legal person: 5 years, until 2031-10-12 inclusive.
    ("published", "expire", {"party_type": "legal_person", "party_id_number": COMPANY_CODE}, "2031-10-12", {},
     "has_publication_period_ended"),
])
def test_a_guard_refuses_and_nothing_changes(state, trigger, overrides, on, params, guard):
    ctx = opened(**overrides)
    if state == "published":
        fire(ctx, "publish", "2026-10-12")
    before = (ctx.state, dict(ctx.data), [list(c.ops) for c in ctx.clocks.values()])
    with pytest.raises(GuardFailed) as exc:
        fire(ctx, trigger, on, **params)
    assert [f.name for f in exc.value.failures] == [guard]
    assert exc.value.failures[0].basis
    assert (ctx.state, ctx.data, [list(c.ops) for c in ctx.clocks.values()]) == before


def test_the_legal_person_may_expire_the_day_after_five_years():
    ctx = opened(party_type="legal_person", party_id_number=COMPANY_CODE)
    fire(ctx, "publish", "2026-10-12")
    assert ctx.data["publication"]["period_ends_on"] == "2031-10-12"
    assert ctx.data["publication"]["rules"] == {"publication_years": 5}
    fire(ctx, "expire", "2031-10-13")
    assert ctx.state == "expired"
    assert ctx.data["publication"]["expired_on"] == "2031-10-13"


def test_blank_fields_are_completed_when_publishing_and_kept_exactly_as_typed():
    ctx = opened(conclusion=None, decision_number="", category=None)
    fire(ctx, "publish", "2026-10-12", conclusion="  准予许可 ", decision_number="黔司许〔2026〕1号",
         category="律师事务所设立许可")
    assert ctx.state == "published"
    assert (ctx.data["conclusion"], ctx.data["decision_number"], ctx.data["category"]) == (
        "  准予许可 ", "黔司许〔2026〕1号", "律师事务所设立许可")


def test_repeating_a_registered_value_when_publishing_is_not_a_change():
    ctx = opened()
    fire(ctx, "publish", "2026-10-12", conclusion="给予警告，并处罚款人民币5000元")
    assert ctx.state == "published"


def test_a_party_id_is_not_required_for_another_organisation():
    ctx = opened(party_type="other_organisation", party_id_number=None)
    fire(ctx, "publish", "2026-10-12")
    assert ctx.data["publication"]["party_id_published"] == ""


def test_a_registered_blank_id_of_a_natural_person_is_missing_for_publication():
    # The schema refuses it at registration; data from elsewhere (an older definition) meets the guard.
    assert ed.missing_publication_fields({"party_type": "natural_person", "party_name": "李四",
                                          "deciding_agency": "贵州省司法厅", "category": "甲",
                                          "conclusion": "乙", "decision_number": "丙"}, {}) == ["party_id_number"]


# -- roles -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("state, trigger, role, permitted", [
    ("decided", "publish", REGISTRAR, False),
    ("decided", "publish", AUDITOR, False),
    ("decided", "publish", HANDLER, True),
    ("decided", "exempt", HANDLER, False),
    ("decided", "exempt", APPROVER, True),
    ("decided", "exempt", ADMIN, True),
    ("published", "revoke", REGISTRAR, True),
    ("published", "revoke", AUDITOR, False),
    ("withdrawal_pending", "withdraw_publication", REGISTRAR, False),
    ("published", "expire", REGISTRAR, False),
])
def test_roles(state, trigger, role, permitted):
    ctx = in_state(state)
    on, params, _ = GOOD[trigger]
    if permitted:
        fire(ctx, trigger, on, role=role, **_wire(params))
        assert ctx.state == DESTINATION[trigger]
    else:
        with pytest.raises(NotPermitted):
            fire(ctx, trigger, on, role=role, **_wire(params))
        assert ctx.state == state


def test_statuses_list_every_trigger_with_why_it_is_not_allowed_now():
    ctx = in_state("published")
    ctx.effective_on = D("2026-11-27")
    statuses = {s.trigger: s for s in ENGINE.statuses(ctx)}
    assert list(statuses) == TRIGGERS
    assert statuses["revoke"].allowed
    assert not statuses["publish"].allowed and statuses["publish"].why[0]["name"] == "state"
    # The period guard needs no data: the page can say why the button is disabled.
    assert not statuses["expire"].allowed
    assert [w["name"] for w in statuses["expire"].why] == ["has_publication_period_ended"]


# -- trigger data ----------------------------------------------------------------------------------
@pytest.mark.parametrize("trigger, params, field", [
    ("exempt", {"ground": "state_secret"}, "explanation"),
    ("exempt", {"explanation": "理由"}, "ground"),
    ("exempt", {"ground": "other", "explanation": "理由"}, "basis"),
    ("exempt", {"ground": "other", "explanation": "理由", "basis": "  "}, "basis"),
    ("exempt", {"ground": "too_busy", "explanation": "理由"}, "ground"),
    ("exempt", {"ground": "state_secret", "explanation": "   "}, "explanation"),
])
def test_exempting_requires_a_legal_reason(trigger, params, field):
    ctx = in_state("decided")
    with pytest.raises(InvalidData) as exc:
        fire(ctx, trigger, "2026-10-12", role=APPROVER, **params)
    assert field in exc.value.errors
    assert ctx.state == "decided"


@pytest.mark.parametrize("params, field", [
    ({"event_on": "2026-11-02"}, "event"),
    ({"event": "changed", "event_on": "2026-11-02"}, "event"),
    ({"event": "revoked"}, "event_on"),
    ({"event": "revoked", "event_on": "2026-11-02", "reason": "x"}, "reason"),
])
def test_revoking_requires_which_event_and_its_date(params, field):
    ctx = in_state("published")
    with pytest.raises(InvalidData) as exc:
        fire(ctx, "revoke", "2026-11-02", **params)
    assert field in exc.value.errors


def test_withdrawing_requires_the_public_statement_of_reasons():
    ctx = in_state("withdrawal_pending")
    with pytest.raises(InvalidData) as exc:
        fire(ctx, "withdraw_publication", "2026-11-04")
    assert "statement" in exc.value.errors


def test_exempting_records_the_ground_and_stops_the_clock():
    ctx = in_state("exempted")
    assert ctx.data["exemption"] == {"ground": "personal_privacy", "decided_on": "2026-10-09"}
    reading = ctx.reading("publication")
    assert (reading.status, reading.stopped_on) == ("stopped", "2026-10-09")


# -- registration ----------------------------------------------------------------------------------
def test_the_registration_schema_is_flat_so_one_row_is_one_decision():
    fields = ed.RegistrationSchema().fields
    assert set(fields) == {"decision_number", "decision_date", "decision_type", "deciding_agency", "party_type",
                           "party_name", "party_id_number", "category", "conclusion", "department", "comment"}
    assert {type(f).__name__ for f in fields.values()} <= {"String", "Date"}
    # A spreadsheet row arrives as strings only.
    row = {k: str(v) for k, v in registration().items()}
    assert load(ed.RegistrationSchema, row)["decision_date"] == D("2026-09-30")


@pytest.mark.parametrize("overrides, field", [
    ({"party_id_number": "520102198503174211"}, "party_id_number"),  # wrong check digit
    ({"party_id_number": None}, "party_id_number"),
    ({"party_id_number": COMPANY_CODE}, "party_id_number"),  # a credit code is not a person's ID
    ({"party_type": "legal_person"}, "party_id_number"),  # a person's ID is not a credit code
    ({"party_type": "legal_person", "party_id_number": "91520000MA6DKQ1A0Q"}, "party_id_number"),
    ({"party_type": "other_organisation", "party_id_number": "12345"}, "party_id_number"),
    ({"decision_type": "administrative_reward"}, "decision_type"),
    ({"party_type": "individual"}, "party_type"),
    ({"decision_date": "2026-13-01"}, "decision_date"),
    ({"decision_date": None}, "decision_date"),
    ({"deciding_agency": None}, "deciding_agency"),
    ({"party_name": " "}, "party_name"),
    ({"party_address": "贵阳市"}, "party_address"),  # unknown fields are refused
])
def test_registration_refuses_what_cannot_be_published_correctly(overrides, field):
    with pytest.raises(InvalidData) as exc:
        load(ed.RegistrationSchema, registration(**overrides))
    assert field in exc.value.errors


@pytest.mark.parametrize("overrides", [
    {"party_type": "legal_person", "party_id_number": COMPANY_CODE},
    {"party_type": "other_organisation", "party_id_number": "52520000MJ00001233"},
    {"party_type": "other_organisation", "party_id_number": None},
    {"decision_number": None, "category": None, "conclusion": None},
])
def test_registration_accepts(overrides):
    assert load(ed.RegistrationSchema, registration(**overrides))["party_name"] == "李四"


# -- clocks ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("decision_type, decided, due, rule", [
    # 9/30 Wed; 10/1-7 off; 10/8(1) 10/9(2) 10/10 Sat make-up(3) 10/12(4) 10/13(5) 10/14(6) 10/15(7)
    ("administrative_penalty", "2026-09-30", "2026-10-15", {"publish_days_licence_penalty": 7}),
    # 9/18 Fri; 9/19 off; 9/20 Sun make-up(1) 9/21-24(2-5) 9/25-27 Mid-autumn off 9/28(6) 9/29(7)
    ("administrative_licence", "2026-09-18", "2026-09-29", {"publish_days_licence_penalty": 7}),
    # 9/30; 10/8(1) 10/9(2) 10/10(3) 10/12-16(4-8) 10/19-23(9-13) 10/26-30(14-18) 11/2(19) 11/3(20)
    ("administrative_inspection", "2026-09-30", "2026-11-03", {"publish_days_other": 20}),
    # 2/13 Fri; 2/14 Sat make-up(1); 2/15-23 off; 2/24-27(2-5) 2/28 Sat make-up(6) 3/1 Sun off 3/2(7)
    ("administrative_licence", "2026-02-13", "2026-03-02", {"publish_days_licence_penalty": 7}),
    # 2/10 Tue; 2/11(1) 2/12(2) 2/13(3) 2/14(4) 2/24-27(5-8) 2/28(9) 3/2-6(10-14) 3/9-13(15-19) 3/16(20)
    ("administrative_enforcement", "2026-02-10", "2026-03-16", {"publish_days_other": 20}),
    ("administrative_confirmation", "2026-02-10", "2026-03-16", {"publish_days_other": 20}),
    ("other", "2026-02-10", "2026-03-16", {"publish_days_other": 20}),
])
def test_the_publication_clock_runs_from_the_decision_date(decision_type, decided, due, rule):
    ctx = opened(decision_type=decision_type, decision_date=decided)
    reading = ctx.reading("publication")
    assert ctx.data["received_on"] == decided
    assert (reading.started_on, reading.due_on, reading.rules) == (decided, D(due), rule)


@pytest.mark.parametrize("event_on, due", [
    # 9/30 Wed; 10/1-7 off; 10/8(1) 10/9(2) 10/10 Sat make-up(3)
    ("2026-09-30", "2026-10-10"),
    # 2/12 Thu; 2/13(1) 2/14 Sat make-up(2) 2/15-23 off 2/24(3)
    ("2026-02-12", "2026-02-24"),
])
def test_the_withdrawal_clock_runs_three_working_days_from_the_revocation_date(event_on, due):
    decided = "2026-02-02" if event_on.startswith("2026-02") else "2026-09-21"
    ctx = opened(decision_date=decided)
    fire(ctx, "publish", decided)
    fire(ctx, "revoke", due, event="ordered_remade", event_on=event_on)  # recorded on a later day
    reading = ctx.reading("withdrawal")
    assert (reading.started_on, reading.due_on, reading.rules) == (event_on, D(due), {"withdrawal_days": 3})
    assert ctx.data["revocation"] == {"event": "ordered_remade", "event_on": event_on}


@pytest.mark.parametrize("decision_type, configured, limit, recorded", [
    # 行政处罚法 Art. 48 ¶2: 3 days for a penalty decision, whatever the rule set says above it.
    ("administrative_penalty", 5, 3, {"withdrawal_days": 5, "penalty_withdrawal_days_statutory": 3}),
    ("administrative_penalty", 2, 2, {"withdrawal_days": 2}),
    ("administrative_licence", 5, 5, {"withdrawal_days": 5}),
])
def test_a_rule_set_cannot_lengthen_the_statutory_withdrawal_limit_of_a_penalty(decision_type, configured, limit,
                                                                               recorded):
    ctx = opened(decision_type=decision_type, rules={"withdrawal_days": configured})
    fire(ctx, "publish", "2026-10-12")
    fire(ctx, "revoke", "2026-10-30", event="revoked", event_on="2026-10-30")
    reading = ctx.reading("withdrawal")
    assert (reading.limit, reading.rules) == (limit, recorded)
    # 10/30 Fri; 11/2(1) 11/3(2) 11/4(3) 11/5(4) 11/6(5)
    assert reading.due_on == D({2: "2026-11-03", 3: "2026-11-04", 5: "2026-11-06"}[limit])


def test_rule_set_overrides_are_used_and_recorded():
    ctx = opened(rules={"publish_days_licence_penalty": 5, "publication_years_natural_person": 3})
    # 9/30; 10/8(1) 10/9(2) 10/10(3) 10/12(4) 10/13(5)
    assert ctx.reading("publication").due_on == D("2026-10-13")
    fire(ctx, "publish", "2026-10-13")
    assert ctx.data["publication"]["period_ends_on"] == "2029-10-13"
    assert ctx.data["publication"]["rules"] == {"publication_years_natural_person": 3}


@pytest.mark.parametrize("published, on_time", [("2026-10-15", True), ("2026-10-16", False),
                                                 ("2026-09-30", True)])
def test_publishing_records_whether_the_deadline_held(published, on_time):
    ctx = opened()  # penalty decided 9/30: due 10/15
    fire(ctx, "publish", published)
    assert ctx.data["publication"]["due_on"] == "2026-10-15"
    assert ctx.data["publication"]["on_time"] is on_time
    assert ctx.reading("publication").met() is on_time


def test_the_published_record_masks_a_natural_persons_id_but_not_a_credit_code():
    person = fire(opened(), "publish", "2026-10-12")
    assert person.data["publication"]["party_id_published"] == "520102********4210"
    company = fire(opened(party_type="legal_person", party_id_number=COMPANY_CODE), "publish", "2026-10-12")
    assert company.data["publication"]["party_id_published"] == COMPANY_CODE


@pytest.mark.parametrize("published, years, last_day", [
    ("2026-10-15", 2, "2028-10-15"),
    ("2028-02-29", 1, "2029-02-28"),  # no corresponding day: the end of the month (民法典 Art. 202)
    ("2028-02-29", 4, "2032-02-29"),
])
def test_the_publication_period_counts_calendar_years(published, years, last_day):
    assert ed.publication_period_end(D(published), years) == D(last_day)
