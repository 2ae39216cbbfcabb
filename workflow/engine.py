"""The process engine: processes declared as data, one shared transitions machine per definition.

A definition lists states, transitions (sources, destination, roles, guards, clock effects, letter) and
clocks. ``fire`` checks, in order, that the trigger exists, is allowed from the current state, is
permitted to the actor's role, that its data are valid and that every guard holds; only then does the
machine change the state and the declared effects run on the context. Nothing here touches a database:
the service layer persists the result in one transaction.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Callable, Iterable

from marshmallow import Schema, ValidationError
from transitions import Machine

from .calendar import WorkCalendar
from .clock import Clock, Reading
from .errors import GuardFailed, InvalidData, NotPermitted, TriggerNotAllowed, UnknownTrigger

if TYPE_CHECKING:
    from .letters import LetterInput

REGISTRAR, HANDLER, APPROVER, AUDITOR, ADMIN = "registrar", "handler", "approver", "auditor", "admin"
ROLES = (REGISTRAR, HANDLER, APPROVER, AUDITOR, ADMIN)
ROLE_TITLES = {REGISTRAR: "登记人员", HANDLER: "承办人员", APPROVER: "审核人（公开办负责人）", AUDITOR: "审计人员",
               ADMIN: "系统管理员"}


@dataclass(frozen=True)
class State:
    name: str
    title: str
    terminal: bool = False


@dataclass(frozen=True)
class Guard:
    """A named rule with the words a caseworker understands and its legal basis."""

    name: str
    check: Callable[["Context"], bool]
    message: str
    basis: str
    needs_data: bool = False  # evaluated only when the trigger's data are known

    def to_dict(self) -> dict:
        return {"name": self.name, "message": self.message, "basis": self.basis}


AGENCY, COUNTERPART = "agency", "counterpart"


@dataclass(frozen=True)
class ClockSpec:
    """A clock a process may run. ``party`` says whose time limit it is: the agency's (a running
    agency clock past its due date makes the case overdue) or the applicant's / a third party's (its
    lapse only opens a trigger such as correction_lapsed)."""

    name: str
    kind: str
    title: str
    party: str = AGENCY


@dataclass(frozen=True)
class LetterKind:
    """A kind of letter: template, title, numbering code and how its context is built."""

    name: str
    title: str
    code: str
    template: str
    build: Callable[["LetterInput"], dict]
    required: tuple[str, ...] = ()


@dataclass(frozen=True)
class Transition:
    trigger: str
    sources: tuple[str, ...]
    dest: str | None
    title: str
    roles: frozenset[str]
    guards: tuple[Guard, ...] = ()
    effects: tuple[Callable[["Context"], None], ...] = ()
    schema: type[Schema] | None = None
    letter: str | Callable[["Context"], str | None] | None = None
    reason: str | None = None
    destination: Callable[["Context"], str] | None = None  # when dest is None: chosen from the data
    comment_required: bool = False

    def letter_for(self, ctx: "Context") -> str | None:
        return self.letter(ctx) if callable(self.letter) else self.letter


@dataclass(frozen=True)
class Process:
    name: str
    version: int
    title: str
    reference_code: str
    states: tuple[State, ...]
    initial: str
    transitions: tuple[Transition, ...]
    clocks: tuple[ClockSpec, ...]
    registration_schema: type[Schema]
    rules: dict  # rule-set defaults; an agency's configuration overrides them
    on_open: tuple[Callable[["Context"], None], ...] = ()
    letters: dict[str, LetterKind] = field(default_factory=dict)
    describe: Callable[[dict], str] | None = None  # a one-line summary of a case's data, for listings
    open_roles: frozenset[str] = frozenset({REGISTRAR, HANDLER, APPROVER, ADMIN})  # who may register a case
    statutory: dict = field(default_factory=dict)  # limits fixed by law: in the rules, never overridden
    basis: str = ""  # the legal source of the process, as the process list cites it
    order: int = 100  # where listings, diagrams and documents show the process (the contract's section)
    import_key: tuple[str, ...] = ()  # registration fields that identify a case (bulk-import duplicates)

    def rules_with(self, overrides: dict) -> dict:
        """The values in force: rule-set defaults, an agency's overrides of them, then the statutory
        limits, which no configuration can change."""
        return {**self.rules, **{k: v for k, v in overrides.items() if k in self.rules}, **self.statutory}

    def state(self, name: str) -> State:
        return next(s for s in self.states if s.name == name)

    @property
    def terminal_states(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.states if s.terminal)

    def triggers(self) -> list[str]:
        seen: list[str] = []
        for t in self.transitions:
            if t.trigger not in seen:
                seen.append(t.trigger)
        return seen

    def transition(self, trigger: str, state: str) -> Transition | None:
        return next((t for t in self.transitions if t.trigger == trigger and state in t.sources), None)

    def allowed_from(self, state: str) -> list[str]:
        return [t for t in self.triggers() if self.transition(t, state)]


@dataclass
class Context:
    """Everything a guard or an effect may look at; effects change ``data``, ``clocks`` and ``reason``."""

    process: Process
    state: str
    data: dict
    params: dict
    effective_on: dt.date
    now: dt.datetime
    calendar: WorkCalendar
    rules: dict
    role: str
    history: Sequence[dict]  # earlier events {"trigger", "effective_on", "data"}; may load lazily
    clocks: dict[str, Clock]
    reason: str | None = None
    destination: str | None = None
    notes: dict = field(default_factory=dict)  # values computed during the fire, for letters and events

    def reading(self, name: str) -> Reading:
        return self.clocks[name].evaluate(self.calendar)

    def fired(self, trigger: str) -> list[dict]:
        return [e for e in self.history if e["trigger"] == trigger]


@dataclass
class Outcome:
    trigger: str
    from_state: str
    to_state: str
    reason: str | None
    letter: str | None
    params: dict


@dataclass
class TriggerStatus:
    trigger: str
    title: str
    allowed: bool
    why: list[dict]


class _Model:
    """The object the machine moves: only a state attribute, so the ORM object gets no generated methods."""

    __slots__ = ("state",)

    def __init__(self, state: str):
        self.state = state


class Engine:
    """One process definition with its machine, built once and shared by every case."""

    def __init__(self, process: Process):
        self.process = process
        self.machine = Machine(model=None, states=[s.name for s in process.states], initial=process.initial,
                               transitions=list(self._machine_transitions()), auto_transitions=False,
                               send_event=True)

    def _machine_transitions(self) -> Iterable[dict]:
        for t in self.process.transitions:
            for source in t.sources:
                if t.dest is not None:
                    yield {"trigger": t.trigger, "source": source, "dest": t.dest}
                    continue
                # A destination chosen from the data (approve → the proposed terminal state): one machine
                # transition per terminal state, selected by the destination the engine computed.
                for dest in self.process.terminal_states:
                    yield {"trigger": t.trigger, "source": source, "dest": dest,
                           "conditions": [lambda event, d=dest: event.kwargs["ctx"].destination == d]}

    # -- queries ---------------------------------------------------------------------------------
    def statuses(self, ctx: Context) -> list[TriggerStatus]:
        """Every trigger of the process with whether it is allowed now and why not."""
        out = []
        for trigger in self.process.triggers():
            t = self.process.transition(trigger, ctx.state)
            title = next(x.title for x in self.process.transitions if x.trigger == trigger)
            if t is None:
                out.append(TriggerStatus(trigger, title, False, [{
                    "name": "state", "message": f"当前状态“{self.process.state(ctx.state).title}”下不能执行此操作",
                    "basis": "流程定义"}]))
                continue
            why = []
            if ctx.role not in t.roles:
                why.append({"name": "role", "message": "需要角色：" + "、".join(ROLE_TITLES[r] for r in sorted(t.roles)),
                            "basis": "岗位职责"})
            why += [g.to_dict() for g in t.guards if not g.needs_data and not _holds(g, ctx)]
            out.append(TriggerStatus(trigger, t.title, not why, why))
        return out

    # -- the one command -------------------------------------------------------------------------
    def fire(self, trigger: str, ctx: Context) -> Outcome:
        process = self.process
        if trigger not in process.triggers():
            message = f"流程 {process.name} 没有操作 {trigger}；操作应为：{', '.join(process.triggers())}"
            raise UnknownTrigger(message, allowed=process.allowed_from(ctx.state), errors={"trigger": [message]})
        t = process.transition(trigger, ctx.state)
        if t is None:
            allowed = process.allowed_from(ctx.state)
            raise TriggerNotAllowed(
                f"当前状态“{process.state(ctx.state).title}”（{ctx.state}）下不能执行 {trigger}；"
                f"可以执行：{', '.join(allowed) or '无（已办结）'}", state=ctx.state, allowed=allowed)
        if ctx.role not in t.roles:
            raise NotPermitted(f"角色 {ctx.role} 不能执行 {trigger}；需要："
                               + "、".join(ROLE_TITLES[r] for r in sorted(t.roles)), roles=sorted(t.roles))
        ctx.params = load(t.schema, ctx.params)
        if t.comment_required and not (ctx.params.get("comment") or "").strip():
            raise InvalidData("缺少必填字段", {"comment": ["必须填写意见"]})
        if t.destination is not None:
            ctx.destination = t.destination(ctx)
        failures = [g for g in t.guards if not _holds(g, ctx)]
        if failures:
            raise GuardFailed(failures)
        from_state = ctx.state
        model = _Model(ctx.state)
        if not self.machine.events[trigger].trigger(model, ctx=ctx):  # pragma: no cover - guarded above
            raise TriggerNotAllowed(f"{trigger} 未能执行", state=ctx.state, allowed=process.allowed_from(ctx.state))
        ctx.state = model.state
        if t.reason:
            ctx.reason = t.reason
        for effect in t.effects:
            effect(ctx)
        return Outcome(trigger, from_state, ctx.state, ctx.reason, t.letter_for(ctx), ctx.params)

    def check_open_role(self, role: str) -> None:
        """Raise NotPermitted when the role may not register a case of this process."""
        if role not in self.process.open_roles:
            raise NotPermitted(f"角色 {role} 不能登记“{self.process.title}”；需要："
                               + "、".join(ROLE_TITLES[r] for r in sorted(self.process.open_roles)),
                               roles=sorted(self.process.open_roles))

    def open(self, ctx: Context) -> None:
        """Check the role, then run the process's opening effects (start clocks) on a new case's context."""
        self.check_open_role(ctx.role)
        for effect in self.process.on_open:
            effect(ctx)


def as_json(value):
    """A value as case data and events store it: dates and instants as ISO strings, at any depth."""
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [as_json(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def _holds(guard: Guard, ctx: Context) -> bool:
    try:
        return bool(guard.check(ctx))
    except (KeyError, TypeError):
        return False


def load(schema: type[Schema] | None, data: dict | None) -> dict:
    """Validate data with a marshmallow schema (unknown fields refused); raise InvalidData with
    field-level messages."""
    if schema is None:
        if data:
            raise InvalidData("此操作不接受数据", {k: ["未知字段"] for k in data})
        return {}
    try:
        return schema().load(data or {})
    except ValidationError as exc:
        raise InvalidData("提交的数据有误", _flatten(exc.messages)) from None


def _flatten(messages: Any) -> dict:
    return messages if isinstance(messages, dict) else {"_schema": messages}


# -- clock effects: small constructors so definitions read like the contract's table ---------------
def start_clock(name: str, rule: str, *, note: str = "", on: Callable[[Context], dt.date] | None = None):
    def effect(ctx: Context):
        clock = ctx.clocks[name]
        day = on(ctx) if on else ctx.effective_on
        limit = ctx.rules[rule]
        (clock.restart if clock.started else clock.start)(day, limit, note=note, rules={rule: limit})
    effect.__name__ = f"start_{name}"
    return effect


def restart_clock_named(name: str, rule: str, *, note: str = ""):
    """A new clock of the full limit from the effective date (processes.md: restart)."""
    def effect(ctx: Context):
        limit = ctx.rules[rule]
        ctx.clocks[name].restart(ctx.effective_on, limit, note=note, rules={rule: limit})
    return effect


def start_hour_clock(name: str, rule: str, *, at: Callable[[Context], dt.datetime], note: str = ""):
    def effect(ctx: Context):
        limit = ctx.rules[rule]
        ctx.clocks[name].start(at(ctx), limit, note=note, rules={rule: limit})
    return effect


def pause_clock(name: str, note: str = ""):
    def effect(ctx: Context):
        ctx.clocks[name].pause(ctx.effective_on, note=note)
    return effect


def resume_clock(name: str, note: str = ""):
    def effect(ctx: Context):
        ctx.clocks[name].resume(ctx.effective_on, note=note)
    return effect


def stop_clock(name: str, note: str = "", *, at: Callable[[Context], dt.datetime] | None = None):
    """Stop a running or paused clock: a working-day clock on the business date, an hour clock at the
    instant ``at`` gives (default: now)."""
    def effect(ctx: Context):
        clock = ctx.clocks[name]
        if not clock.started or clock.evaluate(ctx.calendar).status not in ("running", "paused"):
            return
        clock.stop((at(ctx) if at else ctx.now) if clock.kind == "hours" else ctx.effective_on, note=note)
    return effect


def stop_all_clocks(note: str = "办结"):
    def effect(ctx: Context):
        for name in ctx.clocks:
            stop_clock(name, note)(ctx)
    return effect


def set_data(**values: Callable[[Context], Any]):
    """Record values in the case data (e.g. the proposed outcome), computed from the context."""
    def effect(ctx: Context):
        for key, fn in values.items():
            ctx.data[key] = fn(ctx)
    return effect
