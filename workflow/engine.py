"""The process engine: processes declared as data, one shared transitions machine per definition.

A definition lists states, transitions (sources, destination, roles, guards, clock effects, letter) and
clocks. The engine hands them to one transitions machine per definition, which is then the only source of
states, transitions and allowed triggers; the engine adds what the library does not know: roles, data
validation and guards that explain themselves. ``fire`` lets the machine check, in order, that the trigger
is allowed from the current state (MachineError otherwise), that it is permitted to the actor's role and
that its data are valid (``prepare_event``), and that every guard holds (a condition that reports every
failing guard at once); only then does it change the state and run the declared effects on the context.
Nothing here touches a database: the service layer persists the result in one transaction.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from marshmallow import Schema, ValidationError
from transitions import Machine, MachineError
from transitions import Transition as _MachineTransition

from .calendar import WorkCalendar
from .clock import Clock, Reading
from .errors import GuardFailed, InvalidData, NotPermitted, TriggerNotAllowed, UnknownTrigger

if TYPE_CHECKING:
    from .letters import LetterInput

REGISTRAR, HANDLER, APPROVER, AUDITOR, ADMIN = "registrar", "handler", "approver", "auditor", "admin"
SUMMARY_LENGTH = 300
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
    check: Callable[[Context], bool]
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
    """A kind of letter: its template (which holds the wording), title, numbering code, the builder of the
    values the template prints, the values that must not be empty (and that the template must print), and
    the names of the builder's own values (with the common ones, all a template may print)."""

    name: str
    title: str
    code: str
    template: str
    build: Callable[[LetterInput], dict]
    required: tuple[str, ...] = ()
    variables: tuple[str, ...] = ()
    # Sent to someone outside the agency (applicant, third party, another agency, the public): dated the day
    # it is generated, so its step cannot carry an earlier business date (letters.md "Dates on letters").
    outgoing: bool = True
    # The clock that counts from the day the addressee receives the letter (a fee notice's payment period, a
    # consultation's 15 working days): a later service record re-dates it.
    served_clock: str | None = None
    # A record (登记表, 备案表, 记录, 公示) laid out as a form of label and value rows rather than a letter: it
    # has no addressee line, so its template need not print the addressee (letters.FORM_REQUIRED).
    form: bool = False


@dataclass(frozen=True)
class Transition:
    trigger: str
    sources: tuple[str, ...]
    dest: str | None
    title: str
    roles: frozenset[str]
    guards: tuple[Guard, ...] = ()
    effects: tuple[Callable[[Context], None], ...] = ()
    schema: type[Schema] | None = None
    letter: str | Callable[[Context], str | tuple[str, ...] | None] | None = None
    reason: str | None = None
    # A destination that depends on the data (approve → the proposed outcome): dest is None, ``destination``
    # computes the state from the context and ``dests`` lists every state it can name, so the machine,
    # the diagrams and the documentation know them in advance.
    destination: Callable[[Context], str] | None = None
    dests: tuple[str, ...] = ()
    comment_required: bool = False

    def __post_init__(self):
        if self.dest is None and not (self.destination and self.dests):
            raise ValueError(f"{self.trigger}: without dest, declare destination and the dests it can choose")
        if self.dest is not None and (self.destination or self.dests):
            raise ValueError(f"{self.trigger}: a fixed dest takes no destination or dests")

    @property
    def destinations(self) -> tuple[str, ...]:
        """Every state this transition can lead to."""
        return (self.dest,) if self.dest is not None else self.dests

    def letters_for(self, ctx: Context) -> tuple[str, ...]:
        """The letters this transition issues now: its letter, or what its letter function chooses (one kind,
        several, or none)."""
        value = self.letter(ctx) if callable(self.letter) else self.letter
        if not value:
            return ()
        return (value,) if isinstance(value, str) else tuple(value)


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
    on_open: tuple[Callable[[Context], None], ...] = ()
    letters: dict[str, LetterKind] = field(default_factory=dict)
    describe: Callable[[dict], str] | None = None  # a one-line summary of a case's data, for listings
    open_roles: frozenset[str] = frozenset({REGISTRAR, HANDLER, APPROVER, ADMIN})  # who may register a case
    statutory: dict = field(default_factory=dict)  # limits fixed by law: in the rules, never overridden
    basis: str = ""  # the legal source of the process, as the process list cites it
    order: int = 100  # where listings, diagrams and documents show the process (the contract's section)
    import_key: tuple[str, ...] = ()  # registration fields that identify a case (bulk-import duplicates)
    # What each rule means, for the administrator's settings page: name → (title, unit, basis). A rule
    # without an entry is shown by its code.
    rule_titles: dict[str, tuple[str, str, str]] = field(default_factory=dict)

    def rules_with(self, overrides: dict) -> dict:
        """The values in force: rule-set defaults, an agency's overrides of them, then the statutory
        limits, which no configuration can change."""
        return {**self.rules, **{k: v for k, v in overrides.items() if k in self.rules}, **self.statutory}

    def state(self, name: str) -> State:
        return next(s for s in self.states if s.name == name)

    def summary(self, data: dict) -> str:
        """A case's one-line summary (applicant and subject) for listings and text search."""
        return (self.describe(data) if self.describe else "")[:SUMMARY_LENGTH]

    @property
    def terminal_states(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.states if s.terminal)


@dataclass(kw_only=True)
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
    letters: tuple[str, ...]
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


class _Step(_MachineTransition):
    """A machine transition that carries the declared Transition it was built from (roles, schema,
    guards, effects, letter), so the machine is the one place that says which declaration applies."""

    def __init__(self, *args, spec: Transition, **kwargs):
        super().__init__(*args, **kwargs)
        self.spec = spec


class _Machine(Machine):
    transition_cls = _Step


class Engine:
    """One process definition with its machine, built once and shared by every case.

    The machine is fired as ``machine.events[trigger].trigger(model, ctx=..., failures=[])`` on a throwaway
    ``_Model``; its callbacks receive the EventData (``send_event``) and find the context in its kwargs.
    Read ``event.transitions`` with ``.get(state)`` only: it is a defaultdict, and indexing it with a state
    that has no transition would add an empty entry that makes the trigger look allowed there.
    """

    def __init__(self, process: Process):
        self.process = process
        self.machine = _Machine(model=None, states=[s.name for s in process.states], initial=process.initial,
                                auto_transitions=False, send_event=True, prepare_event=[_admit])
        for t in process.transitions:
            for source in t.sources:
                if self.step(t.trigger, source) is not None:
                    raise ValueError(f"{process.name}: {t.trigger} is declared twice from {source}")
            for dest in t.destinations:
                self.machine.get_state(dest)  # ValueError for a state the process does not declare
                choose = [] if t.dest is not None else [_chosen(dest)]
                # Clock and data effects run as the transition's ``after`` callbacks: only once the machine
                # has accepted the trigger, every guard held and the state changed, in the order declared.
                # They change only the context (clocks, data, reason); events and letters are the service's.
                self.machine.add_transition(t.trigger, list(t.sources), dest, spec=t,
                                            conditions=[*choose, _guards_hold],
                                            after=[_arrive, *(_on_context(e) for e in t.effects)])

    # -- queries: all answered by the machine --------------------------------------------------------
    def triggers(self) -> list[str]:
        """Every trigger of the process, in the order of the definition."""
        return list(self.machine.events)

    def allowed_from(self, state: str) -> list[str]:
        """The triggers the machine accepts from a state (before roles, data and guards)."""
        return self.machine.get_triggers(state)

    def step(self, trigger: str, state: str) -> Transition | None:
        """The declared transition the machine takes for a trigger from a state, if any."""
        event = self.machine.events.get(trigger)
        steps = event.transitions.get(state) if event else None
        return steps[0].spec if steps else None

    def statuses(self, ctx: Context) -> list[TriggerStatus]:
        """Every trigger of the process with whether it is allowed now and why not."""
        out = []
        for trigger, event in self.machine.events.items():
            t = self.step(trigger, ctx.state)
            if t is None:
                title = next(iter(event.transitions.values()))[0].spec.title
                out.append(TriggerStatus(trigger, title, False, [{
                    "name": "state", "message": f"当前状态“{self.process.state(ctx.state).title}”下不能执行此操作",
                    "basis": "流程定义"}]))
                continue
            why = []
            if ctx.role not in t.roles:
                why.append({"name": "role", "message": "需要角色：" + "、".join(ROLE_TITLES[r] for r in sorted(t.roles)),
                            "basis": "岗位职责"})
            why += [g.to_dict() for g in _failing(t.guards, ctx, known_data=False)]
            out.append(TriggerStatus(trigger, t.title, not why, why))
        return out

    # -- the one command -------------------------------------------------------------------------
    def fire(self, trigger: str, ctx: Context) -> Outcome:
        event = self.machine.events.get(trigger)
        if event is None:
            message = f"流程 {self.process.name} 没有操作 {trigger}；操作应为：{', '.join(self.triggers())}"
            raise UnknownTrigger(message, allowed=self.allowed_from(ctx.state), errors={"trigger": [message]})
        from_state, failures = ctx.state, []
        try:
            moved = event.trigger(_Model(ctx.state), ctx=ctx, failures=failures)
        except MachineError:  # no transition for this trigger from the current state
            allowed = self.allowed_from(ctx.state)
            raise TriggerNotAllowed(
                f"当前状态“{self.process.state(ctx.state).title}”（{ctx.state}）下不能执行 {trigger}；"
                f"可以执行：{', '.join(allowed) or '无（已办结）'}", state=ctx.state, allowed=allowed) from None
        if failures:
            raise GuardFailed(failures)
        if not moved:  # no declared destination matches the one computed from the data
            raise TriggerNotAllowed(f"{trigger} 未能执行", state=ctx.state, allowed=self.allowed_from(ctx.state))
        return Outcome(trigger, from_state, ctx.state, ctx.reason, self.step(trigger, from_state).letters_for(ctx),
                       ctx.params)

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


# -- the machine's callbacks: each receives the EventData and finds the context in its kwargs -----------
def _admit(event) -> None:
    """prepare_event: runs once the machine has found a transition for the trigger from the current state,
    before any condition. Checks the role and the data, then computes a data-dependent destination."""
    ctx: Context = event.kwargs["ctx"]
    t: Transition = event.event.transitions[event.state.name][0].spec  # present: the machine checked the source
    if ctx.role not in t.roles:
        raise NotPermitted(f"角色 {ctx.role} 不能执行 {t.trigger}；需要："
                           + "、".join(ROLE_TITLES[r] for r in sorted(t.roles)), roles=sorted(t.roles))
    ctx.params = load(t.schema, ctx.params)
    if t.comment_required and not (ctx.params.get("comment") or "").strip():
        raise InvalidData("缺少必填字段", {"comment": ["必须填写意见"]})
    if t.destination is not None:
        ctx.destination = t.destination(ctx)


def _chosen(dest: str) -> Callable:
    """A condition: the destination computed from the data is this transition's."""
    def condition(event) -> bool:
        return event.kwargs["ctx"].destination == dest
    condition.__name__ = f"chosen_{dest}"
    return condition


def _guards_hold(event) -> bool:
    """A condition that evaluates every guard, not just up to the first that fails, and hands the failures
    to the engine, which reports them all together (GuardFailed)."""
    failures = _failing(event.transition.spec.guards, event.kwargs["ctx"], known_data=True)
    event.kwargs["failures"].extend(failures)
    return not failures


def _arrive(event) -> None:
    """The first after-callback: the context takes the machine's new state and the transition's reason."""
    ctx: Context = event.kwargs["ctx"]
    ctx.state = event.model.state
    if event.transition.spec.reason:
        ctx.reason = event.transition.spec.reason


def _on_context(effect: Callable[[Context], None]) -> Callable:
    def callback(event) -> None:
        effect(event.kwargs["ctx"])
    callback.__name__ = getattr(effect, "__name__", "effect")
    return callback


def _failing(guards: Iterable[Guard], ctx: Context, *, known_data: bool) -> list[Guard]:
    """The guards that do not hold. A guard that raises is a bug and propagates; guards that read data
    which may be absent check for it themselves. Without the trigger's data (``known_data`` False) the
    guards that need them are skipped."""
    return [g for g in guards if (known_data or not g.needs_data) and not g.check(ctx)]


def as_json(value):
    """A value as case data and events store it: dates and instants as ISO strings, at any depth."""
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [as_json(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


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
