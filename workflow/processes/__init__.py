"""The registry of process definitions: every module of this package that defines ``PROCESS`` is a
process, so adding a process is adding one module (plus its templates and tests)."""
from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from ..engine import Engine, Process
from ..errors import UnknownProcess


def _discover() -> dict[str, Process]:
    found = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        process = getattr(module, "PROCESS", None)
        if isinstance(process, Process):
            found[process.name] = process
    return _ordered(found)


def _ordered(processes: dict[str, Process]) -> dict[str, Process]:
    """Listings, diagrams and documents show processes by their declared ``order`` (the contract's
    section numbers), then by name."""
    return dict(sorted(processes.items(), key=lambda kv: (kv[1].order, kv[0])))


PROCESSES: dict[str, Process] = _discover()


def register(process: Process) -> None:
    """Add a process defined outside this package (a test's, or an agency's own module) to the registry."""
    if process.name in PROCESSES:
        raise ValueError(f"process {process.name} is already registered")
    PROCESSES[process.name] = process
    ordered = _ordered(PROCESSES)
    PROCESSES.clear()
    PROCESSES.update(ordered)


def unregister(name: str) -> None:
    """Remove a process added by ``register`` (tests clean up after themselves)."""
    PROCESSES.pop(name)
    get_engine.cache_clear()


def letter_templates() -> list[str]:
    """Every .docx template the registered processes' letters use, each once, sorted."""
    return sorted({letter.template for process in PROCESSES.values() for letter in process.letters.values()})


def get_process(name: str) -> Process:
    try:
        return PROCESSES[name]
    except KeyError:
        message = f"未知流程：{name}；可用流程：{', '.join(PROCESSES)}"
        raise UnknownProcess(message, allowed=list(PROCESSES), errors={"process": [message]}) from None


@cache
def get_engine(name: str) -> Engine:
    """The engine (and its transitions machine) for a process, built once per process."""
    return Engine(get_process(name))
