"""The registry of process definitions: one module each, one shared engine each."""
from __future__ import annotations

from functools import lru_cache

from ..engine import Engine, Process
from ..errors import UnknownProcess
from . import disclosure_request

PROCESSES: dict[str, Process] = {p.name: p for p in (disclosure_request.PROCESS,)}


def get_process(name: str) -> Process:
    try:
        return PROCESSES[name]
    except KeyError:
        raise UnknownProcess(f"未知流程：{name}；可用流程：{', '.join(PROCESSES)}", allowed=list(PROCESSES)) from None


@lru_cache(maxsize=None)
def get_engine(name: str) -> Engine:
    """The engine (and its transitions machine) for a process, built once per process."""
    return Engine(get_process(name))
