"""The engine's view of a case: one factory builds the Context every command and query hands the engine."""
from __future__ import annotations

import copy
import datetime as dt

from workflow.calendar import WorkCalendar
from workflow.engine import Context, Process, as_json

from ..models import Case
from .clocks import load_clocks
from .events import History


def context_for(process: Process, case: Case | None, *, role: str, effective_on: dt.date, now: dt.datetime,
                calendar: WorkCalendar, rules: dict, params: dict | None = None) -> Context:
    """A Context for a new case (``case=None``: the initial state, data from the registration) or for an
    existing one (its state, a copy of its data the engine may change, its clocks and lazily read history)."""
    params = params or {}
    if case is None:
        return Context(process=process, state=process.initial, data=as_json(params), params=params,
                       effective_on=effective_on, now=now, calendar=calendar, rules=rules, role=role, history=[],
                       clocks=load_clocks(process, None))
    return Context(process=process, state=case.state, data=copy.deepcopy(case.data), params=params,
                   effective_on=effective_on, now=now, calendar=calendar, rules=rules, role=role,
                   history=History(case.id), clocks=load_clocks(process, case), reason=case.reason)
