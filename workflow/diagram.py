"""Mermaid diagrams of process definitions, drawn by transitions' GraphMachine and cached per definition."""
from __future__ import annotations

from functools import lru_cache

from transitions.extensions import GraphMachine

from .processes import get_process


class _Sketch:
    """A throwaway model for drawing; cases never meet a GraphMachine."""


@lru_cache(maxsize=None)
def mermaid(process_name: str) -> str:
    process = get_process(process_name)
    edges = []
    for t in process.transitions:
        for source in t.sources:
            for dest in ([t.dest] if t.dest else process.terminal_states):
                edges.append({"trigger": t.trigger, "source": source, "dest": dest})
    machine = GraphMachine(model=_Sketch(), states=[s.name for s in process.states], initial=process.initial,
                           transitions=edges, auto_transitions=False, graph_engine="mermaid",
                           title=f"{process.title} ({process.name} v{process.version})")
    text = machine.get_graph().draw(None)
    # transitions writes the title as a bare front-matter scalar, which mermaid does not accept; the
    # documents carry the title in their own heading. The sketch model's "active" state means nothing here.
    if text.startswith("---"):
        text = text.split("---", 2)[2].lstrip("\n")
    text = text.replace(" s_active", " s_default")
    ends = "".join(f"  {state} --> [*]\n" for state in process.terminal_states)
    return text.rstrip("\n") + "\n" + ends
