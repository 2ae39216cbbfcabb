"""The registry of process definitions: every module of this package that defines ``PROCESS`` is a
process, so adding a process is adding one module (plus its templates and tests)."""
from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache

from ..engine import Engine, Process
from ..errors import UnknownProcess


def _discover() -> dict[str, Process]:
    found = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        process = getattr(module, "PROCESS", None)
        if isinstance(process, Process):
            found[process.name] = process
    # The contract's order (processes.md §1-§4) for listings and diagrams.
    order = ["disclosure_request", "policy_interpretation", "enforcement_disclosure", "opinion_response"]
    return dict(sorted(found.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order)))


PROCESSES: dict[str, Process] = _discover()


def get_process(name: str) -> Process:
    try:
        return PROCESSES[name]
    except KeyError:
        message = f"未知流程：{name}；可用流程：{', '.join(PROCESSES)}"
        raise UnknownProcess(message, allowed=list(PROCESSES), errors={"process": [message]}) from None


@lru_cache(maxsize=None)
def get_engine(name: str) -> Engine:
    """The engine (and its transitions machine) for a process, built once per process."""
    return Engine(get_process(name))
