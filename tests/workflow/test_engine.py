"""The engine on a small made-up process: the transitions machine is the one source of states, transitions
and allowed triggers, its refusals become TriggerNotAllowed, every failing guard is reported at once before
anything changes, and a guard that raises is a bug that propagates instead of reading as a legal refusal."""
from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from workflow.calendar import WorkCalendar
from workflow.clock import Clock
from workflow.diagram import mermaid
from workflow.engine import (
    APPROVER,
    HANDLER,
    ClockSpec,
    Context,
    Engine,
    Guard,
    Process,
    State,
    Transition,
    start_clock,
)
from workflow.errors import GuardFailed, NotPermitted, TriggerNotAllowed, UnknownTrigger
from workflow.fields import Base, Text
from workflow.processes import get_engine
from workflow.processes.disclosure_request import PROPOSABLE

DAY = dt.date(2026, 11, 3)
NOW = dt.datetime(2026, 11, 3, 2, 0, tzinfo=dt.UTC)
SEEN: list[str] = []  # what the sketch's effect saw, in order


class DecisionSchema(Base):
    outcome = Text(required=True)


def holds(ctx: Context) -> bool:
    return True


def refuses(ctx: Context) -> bool:
    return False


def has_approval(ctx: Context) -> bool:
    return bool(ctx.data.get("approved"))


def reads_missing_key(ctx: Context) -> bool:
    return ctx.data["no_such_key"] == "x"  # a bug: the key is never recorded


def record_state(ctx: Context):
    SEEN.append(ctx.state)


def sketch(*, guards=(), decide_guards=()) -> Process:
    """open → decide → granted | refused (chosen from the data), and a reopen back to open."""
    return Process(
        name="sketch", version=1, title="示例", reference_code="示例", initial="open",
        states=(State("open", "办理中"), State("granted", "同意", terminal=True), State("refused", "不同意", terminal=True),
                State("archived", "归档", terminal=True)),
        clocks=(ClockSpec("reply", "working_days", "答复期限"),),
        registration_schema=Base, rules={"reply_days": 20},
        transitions=(
            Transition("check", ("open",), "open", "核对", frozenset({HANDLER, APPROVER}), guards=guards,
                       effects=(record_state, start_clock("reply", "reply_days"))),
            Transition("decide", ("open",), None, "决定", frozenset({APPROVER}), guards=decide_guards,
                       destination=lambda ctx: ctx.params["outcome"], dests=("granted", "refused"),
                       effects=(record_state,), schema=DecisionSchema, reason="decided"),
            Transition("archive", ("granted", "refused"), "archived", "归档", frozenset({HANDLER})),
        ),
    )


def context(process: Process, state: str = "open", *, role: str = APPROVER, params: dict | None = None,
            data: dict | None = None) -> Context:
    clocks = {spec.name: Clock(spec.name, spec.kind, spec.title) for spec in process.clocks}
    return Context(process=process, state=state, data=dict(data or {}), params=dict(params or {}),
                   effective_on=DAY, now=NOW, calendar=WorkCalendar(), rules=process.rules,
                   role=role, history=[], clocks=clocks)


def guard(name: str, check, *, needs_data: bool = False) -> Guard:
    return Guard(name, check, f"{name} 不满足", f"{name} 的依据", needs_data=needs_data)


# -- the machine is the source of triggers and transitions -------------------------------------------------
def test_the_allowed_triggers_come_from_the_machine():
    engine = Engine(sketch())
    assert engine.triggers() == ["check", "decide", "archive"]
    assert engine.allowed_from("open") == ["check", "decide"]
    assert engine.allowed_from("granted") == engine.machine.get_triggers("granted") == ["archive"]
    assert engine.allowed_from("archived") == []
    # Asking does not teach the machine anything (its transitions are a defaultdict).
    assert engine.step("archive", "open") is None and "open" not in engine.machine.events["archive"].transitions


def test_a_data_dependent_destination_is_one_machine_transition_per_declared_destination():
    engine = Engine(sketch())
    steps = engine.machine.events["decide"].transitions["open"]
    assert [s.dest for s in steps] == ["granted", "refused"]
    assert {s.spec.trigger for s in steps} == {"decide"}


def test_approve_can_lead_exactly_to_the_outcomes_a_proposal_can_name():
    engine = get_engine("disclosure_request")
    steps = engine.machine.events["approve"].transitions["under_review"]
    assert [s.dest for s in steps] == list(PROPOSABLE)
    assert set(engine.machine.events["approve"].transitions) == {"under_review"}


def test_the_diagram_draws_the_machines_edges():
    engine = get_engine("disclosure_request")
    text = mermaid("disclosure_request")
    for source, steps in engine.machine.events["approve"].transitions.items():
        for step in steps:
            assert f"{source} --> {step.dest}: approve" in text


def test_a_transition_without_dest_must_declare_where_it_can_lead():
    with pytest.raises(ValueError):
        Transition("decide", ("open",), None, "决定", frozenset({APPROVER}), destination=lambda ctx: "granted")
    with pytest.raises(ValueError):
        Transition("decide", ("open",), "granted", "决定", frozenset({APPROVER}), dests=("granted",))


def test_a_destination_outside_the_process_is_refused_when_the_engine_is_built():
    process = sketch()
    bad = Transition("decide", ("open",), None, "决定", frozenset({APPROVER}), destination=lambda ctx: "lost",
                     dests=("lost",))
    with pytest.raises(ValueError):
        Engine(dataclasses.replace(process, transitions=(bad,)))


# -- machine refusals --------------------------------------------------------------------------------------
def test_a_trigger_the_machine_has_no_transition_for_is_not_allowed():
    ctx = context(sketch(), "granted", role=HANDLER)
    with pytest.raises(TriggerNotAllowed) as info:
        Engine(sketch()).fire("check", ctx)
    assert info.value.details == {"state": "granted", "allowed": ["archive"]}
    assert info.value.message == "当前状态“同意”（granted）下不能执行 check；可以执行：archive"
    assert ctx.state == "granted"


def test_a_destination_the_machine_does_not_know_is_not_allowed():
    ctx = context(sketch(), params={"outcome": "postponed"})
    with pytest.raises(TriggerNotAllowed) as info:
        Engine(sketch()).fire("decide", ctx)
    assert info.value.message == "decide 未能执行"
    assert info.value.details == {"state": "open", "allowed": ["check", "decide"]}
    assert ctx.state == "open" and ctx.reason is None and not SEEN


def test_an_unknown_trigger_names_the_processes_triggers():
    with pytest.raises(UnknownTrigger) as info:
        Engine(sketch()).fire("jump", context(sketch()))
    assert info.value.details["allowed"] == ["check", "decide"]


def test_the_state_is_checked_before_the_role():
    with pytest.raises(TriggerNotAllowed):
        Engine(sketch()).fire("archive", context(sketch(), role=APPROVER))
    with pytest.raises(NotPermitted):
        Engine(sketch()).fire("archive", context(sketch(), "granted", role=APPROVER))


# -- firing ------------------------------------------------------------------------------------------------
def test_the_destination_is_chosen_from_the_data_and_the_effects_see_the_new_state():
    SEEN.clear()
    ctx = context(sketch(), params={"outcome": "refused"})
    outcome = Engine(sketch()).fire("decide", ctx)
    assert (outcome.from_state, outcome.to_state, ctx.state, ctx.reason) == ("open", "refused", "refused", "decided")
    assert SEEN == ["refused"]


def test_clock_effects_run_after_the_machine_accepts_the_trigger():
    SEEN.clear()
    ctx = context(sketch(), role=HANDLER)
    Engine(sketch()).fire("check", ctx)
    assert ctx.clocks["reply"].started and SEEN == ["open"]


def test_every_failing_guard_is_reported_together_before_anything_changes():
    SEEN.clear()
    process = sketch(guards=(guard("first", refuses), guard("second", holds), guard("third", refuses)))
    ctx = context(process, role=HANDLER)
    with pytest.raises(GuardFailed) as info:
        Engine(process).fire("check", ctx)
    assert [g["name"] for g in info.value.details["guards"]] == ["first", "third"]
    assert info.value.message == "first 不满足（依据：first 的依据）；third 不满足（依据：third 的依据）"
    assert ctx.state == "open" and not ctx.clocks["reply"].started and not SEEN


def test_a_guard_on_a_data_dependent_destination_is_checked_once():
    calls = []
    process = sketch(decide_guards=(guard("counted", lambda ctx: calls.append(1) or has_approval(ctx)),))
    with pytest.raises(GuardFailed):
        Engine(process).fire("decide", context(process, params={"outcome": "refused"}))
    assert calls == [1]
    ctx = context(process, params={"outcome": "refused"}, data={"approved": True})
    assert Engine(process).fire("decide", ctx).to_state == "refused"


def test_statuses_skip_guards_that_need_data_and_report_the_others():
    process = sketch(guards=(guard("now", refuses), guard("later", refuses, needs_data=True)))
    statuses = {s.trigger: s for s in Engine(process).statuses(context(process, role=HANDLER))}
    assert [w["name"] for w in statuses["check"].why] == ["now"]
    assert [w["name"] for w in statuses["decide"].why] == ["role"]
    assert statuses["archive"].why[0]["name"] == "state"


# -- a guard that raises is a bug, not a refusal -------------------------------------------------------------
@pytest.mark.parametrize("needs_data", [False, True])
def test_a_guard_raising_key_error_propagates_out_of_fire(needs_data):
    process = sketch(guards=(guard("buggy", reads_missing_key, needs_data=needs_data),))
    ctx = context(process, role=HANDLER)
    with pytest.raises(KeyError, match="no_such_key"):
        Engine(process).fire("check", ctx)
    assert ctx.state == "open" and not ctx.clocks["reply"].started


def test_a_guard_raising_key_error_propagates_out_of_statuses():
    process = sketch(guards=(guard("buggy", reads_missing_key),))
    with pytest.raises(KeyError, match="no_such_key"):
        Engine(process).statuses(context(process, role=HANDLER))


def test_a_guard_raising_type_error_propagates_out_of_fire():
    process = sketch(guards=(guard("buggy", lambda ctx: ctx.effective_on <= None),))
    with pytest.raises(TypeError):
        Engine(process).fire("check", context(process, role=HANDLER))
