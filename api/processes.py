"""Process definitions: states, triggers with the JSON Schema of their data, guards, clocks, rules, the
JSON Schema of the registration data and a mermaid diagram."""
from __future__ import annotations

from flask import g
from marshmallow import Schema, fields

from app.services.agencies import agency_settings, rules_for
from workflow.diagram import mermaid
from workflow.engine import ROLE_TITLES
from workflow.processes import PROCESSES, get_process

from . import bp
from .errors import fails_with
from .jsonschema import json_schema


class ProcessSchema(Schema):
    name = fields.String()
    version = fields.Integer()
    title = fields.String()
    initial = fields.String()
    states = fields.List(fields.Dict())
    triggers = fields.List(fields.Dict(), metadata={
        "description": "每个操作：名称、来源和目标状态、角色、条件，以及 schema（操作数据的 JSON Schema）"})
    clocks = fields.List(fields.Dict())
    letters = fields.Dict()
    rules = fields.Dict()
    mermaid = fields.String()
    registration_schema = fields.Dict(metadata={"description": "登记数据（POST /cases 的 data）的 JSON Schema"})


class ProcessListSchema(Schema):
    items = fields.List(fields.Nested(ProcessSchema))


def describe(process) -> dict:
    return {
        "name": process.name, "version": process.version, "title": process.title, "initial": process.initial,
        "states": [{"name": s.name, "title": s.title, "terminal": s.terminal} for s in process.states],
        "triggers": [{"trigger": t.trigger, "title": t.title, "from": list(t.sources),
                      "to": t.dest or "proposed terminal state", "roles": sorted(t.roles),
                      "role_titles": [ROLE_TITLES[r] for r in sorted(t.roles)],
                      "guards": [gd.to_dict() for gd in t.guards], "letter": t.letter if isinstance(t.letter, str) else None,
                      "reason": t.reason, "schema": json_schema(t.schema)}
                     for t in process.transitions],
        "clocks": [{"name": c.name, "kind": c.kind, "title": c.title} for c in process.clocks],
        "letters": {k: {"title": v.title, "code": v.code, "template": v.template} for k, v in process.letters.items()},
        "rules": rules_for(agency_settings(g.user.agency_code), process.name),
        "mermaid": mermaid(process.name),
        "registration_schema": json_schema(process.registration_schema),
    }


@bp.get("/processes")
@bp.doc(tags=["processes"], summary="流程定义列表")
@bp.response(200, ProcessListSchema, description="每个流程的定义")
@fails_with(401)
def list_processes():
    """Every process definition."""
    return {"items": [describe(p) for p in PROCESSES.values()]}


@bp.get("/processes/<name>")
@bp.doc(tags=["processes"], summary="流程定义", parameters=[{
    "in": "path", "name": "name", "required": True, "schema": {"type": "string", "minLength": 1, "maxLength": 40}}])
@bp.response(200, ProcessSchema, description="流程定义及其 mermaid 图")
@fails_with(401, 422)
def get_process_definition(name: str):
    """One process definition with its mermaid diagram."""
    return describe(get_process(name))
