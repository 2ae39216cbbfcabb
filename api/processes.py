"""Process definitions: states, triggers, guards, clocks, rules and a mermaid diagram."""
from __future__ import annotations

from flask import g, jsonify

from app.services.agencies import agency_settings, rules_for
from workflow.diagram import mermaid
from workflow.engine import ROLE_TITLES
from workflow.processes import PROCESSES, get_process

from . import bp


def describe(process) -> dict:
    return {
        "name": process.name, "version": process.version, "title": process.title, "initial": process.initial,
        "states": [{"name": s.name, "title": s.title, "terminal": s.terminal} for s in process.states],
        "triggers": [{"trigger": t.trigger, "title": t.title, "from": list(t.sources),
                      "to": t.dest or "proposed terminal state", "roles": sorted(t.roles),
                      "role_titles": [ROLE_TITLES[r] for r in sorted(t.roles)],
                      "guards": [gd.to_dict() for gd in t.guards], "letter": t.letter if isinstance(t.letter, str) else None,
                      "reason": t.reason}
                     for t in process.transitions],
        "clocks": [{"name": c.name, "kind": c.kind, "title": c.title} for c in process.clocks],
        "letters": {k: {"title": v.title, "code": v.code, "template": v.template} for k, v in process.letters.items()},
        "rules": rules_for(agency_settings(g.user.agency_code), process.name),
        "mermaid": mermaid(process.name),
    }


@bp.get("/processes")
def list_processes():
    """Every process definition.
    ---
    get:
      tags: [processes]
      responses: {200: {description: process definitions}}
    """
    return jsonify({"items": [describe(p) for p in PROCESSES.values()]})


@bp.get("/processes/<name>")
def get_process_definition(name: str):
    """One process definition with its mermaid diagram.
    ---
    get:
      tags: [processes]
      responses: {200: {description: the definition}, 422: {description: unknown process}}
    """
    return jsonify(describe(get_process(name)))
