"""Mermaid diagrams of process definitions, drawn by transitions' GraphMachine from the engine's machine
(its states and transitions, one edge per source and destination), so that a diagram and the engine read
the same definition. Cached per definition."""
from __future__ import annotations

from functools import cache

from transitions.extensions import GraphMachine

from .processes import get_engine


class _Sketch:
    """A throwaway model for drawing; cases never meet a GraphMachine."""


@cache
def mermaid(process_name: str) -> str:
    engine = get_engine(process_name)
    process = engine.process
    edges = [{"trigger": trigger, "source": source, "dest": step.dest}
             for trigger, event in engine.machine.events.items()
             for source, steps in event.transitions.items() for step in steps]
    machine = GraphMachine(model=_Sketch(), states=list(engine.machine.states), initial=engine.machine.initial,
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


def svg(process, *, current=None, path=()):  # TEMPORARY placeholder, replaced by the diagram branch
    return "<svg role='img' aria-label='流程图'><title>流程图</title></svg>"
