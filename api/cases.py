"""Cases: register, list, read, fire triggers, and read their events, clocks and letters."""
from __future__ import annotations

import hashlib

from flask import g, jsonify, request
from marshmallow import ValidationError

from app.services import cases as service
from app.services.registration import open_case
from app.services.transaction import Idempotency, Result
from app.services.users import find_user

from . import bp
from .errors import ApiError
from .schemas import (CaseCreateSchema, CaseQuerySchema, CaseSchema, ClockSchema, DocumentSchema, EventSchema,
                      TransitionRequestSchema, TriggerStatusSchema, _zh, load_json)

case_schema, event_schema, document_schema = CaseSchema(), EventSchema(), DocumentSchema()


def _idempotency(render) -> Idempotency | None:
    key = request.headers.get("Idempotency-Key")
    if not key:
        return None
    if len(key) > 200:
        raise ApiError(400, "invalid_idempotency_key", "Idempotency-Key 不能超过 200 个字符")
    fingerprint = hashlib.sha256(request.method.encode() + request.path.encode() + request.get_data()).hexdigest()
    return Idempotency(key, fingerprint, render)


def _user(username: str | None, field: str):
    return find_user(username, agency_code=g.user.agency_code, field=field) if username else None


def _reply(result: Result, status: int):
    if result.replay is not None:
        code, body = result.replay
        return jsonify(body), code
    return jsonify(_render(result, status)[1]), status


def _render(result: Result, status: int) -> tuple[int, dict]:
    return status, {"case": case_schema.dump(result.case), "event": event_schema.dump(result.event),
                    "documents": document_schema.dump(result.documents, many=True)}


@bp.post("/cases")
def create_case():
    """Register a case.
    ---
    post:
      tags: [cases]
      parameters: [{in: header, name: Idempotency-Key, schema: {type: string}}]
      requestBody: {content: {application/json: {schema: CaseCreate}}}
      responses: {201: {description: the case and its opening event}, 422: {description: invalid data}}
    """
    body = load_json(CaseCreateSchema)
    result = open_case(body["process"], body["data"], actor=g.user, department=body.get("department"),
                       assignee=_user(body.get("assignee"), "assignee"),
                       idempotency=_idempotency(lambda r: _render(r, 201)))
    return _reply(result, 201)


@bp.get("/cases")
def list_cases():
    """List cases with filters and pagination.
    ---
    get:
      tags: [cases]
      parameters:
        - {in: query, name: process, schema: {type: string}}
        - {in: query, name: state, schema: {type: string}}
        - {in: query, name: department, schema: {type: string}}
        - {in: query, name: assignee, schema: {type: string}}
        - {in: query, name: due_before, schema: {type: string, format: date}}
        - {in: query, name: overdue, schema: {type: boolean}}
        - {in: query, name: received_from, schema: {type: string, format: date}}
        - {in: query, name: received_to, schema: {type: string, format: date}}
        - {in: query, name: page, schema: {type: integer}}
        - {in: query, name: per_page, schema: {type: integer}}
      responses: {200: {description: a page of cases}}
    """
    try:
        q = CaseQuerySchema().load(request.args.to_dict())
    except ValidationError as exc:
        raise ApiError(422, "invalid_query", "查询参数有误", _zh(exc.messages)) from None
    page = service.list_cases(actor=g.user, **q)
    return jsonify({"items": case_schema.dump(page.items, many=True), "total": page.total, "page": page.page,
                    "per_page": page.per_page})


@bp.get("/cases/<int:case_id>")
def get_case(case_id: int):
    """One case: state, version, reference, due dates with provisional flags, data.
    ---
    get:
      tags: [cases]
      responses: {200: {description: the case}, 404: {description: not found}}
    """
    return jsonify(case_schema.dump(service.get_case(case_id, actor=g.user)))


@bp.get("/cases/<int:case_id>/triggers")
def list_triggers(case_id: int):
    """Every trigger of the process, allowed or not, and why.
    ---
    get:
      tags: [cases]
      responses: {200: {description: trigger statuses}}
    """
    case = service.get_case(case_id, actor=g.user)
    statuses = service.triggers_of(case, actor=g.user)
    return jsonify({"state": case.state, "version": case.version,
                    "triggers": TriggerStatusSchema().dump(statuses, many=True)})


@bp.post("/cases/<int:case_id>/transitions")
def fire_trigger(case_id: int):
    """Fire a trigger: the new case state, the event and the letters issued.
    ---
    post:
      tags: [cases]
      parameters:
        - {in: header, name: Idempotency-Key, schema: {type: string}}
        - {in: header, name: If-Match, schema: {type: string}, description: expected case version}
      requestBody: {content: {application/json: {schema: TransitionRequest}}}
      responses:
        201: {description: fired}
        409: {description: "not allowed in the current state, or a concurrent update"}
        422: {description: a guard failed or the data are invalid}
    """
    body = load_json(TransitionRequestSchema)
    case = service.get_case(case_id, actor=g.user)
    expected = body.get("version")
    if_match = request.headers.get("If-Match", "").strip('"')
    if if_match:
        if not if_match.isdigit():
            raise ApiError(400, "invalid_if_match", "If-Match 应为案件版本号")
        expected = int(if_match)
    result = service.fire(case, body["trigger"], actor=g.user, params=body["data"],
                          effective_on=body.get("effective_on"), expected_version=expected,
                          idempotency=_idempotency(lambda r: _render(r, 201)))
    return _reply(result, 201)


@bp.get("/cases/<int:case_id>/events")
def list_events(case_id: int):
    """The case's history, oldest first, with the hash chain and whether it verifies.
    ---
    get:
      tags: [cases]
      responses: {200: {description: events}}
    """
    case = service.get_case(case_id, actor=g.user)
    events, verified = service.case_events(case)
    return jsonify({"items": event_schema.dump(events, many=True), "chain_verified": verified})


@bp.get("/cases/<int:case_id>/clocks")
def list_clocks(case_id: int):
    """The case's clocks with the explanation of each due date.
    ---
    get:
      tags: [cases]
      responses: {200: {description: clocks}}
    """
    case = service.get_case(case_id, actor=g.user)
    return jsonify({"items": ClockSchema().dump(service.case_clocks(case), many=True)})


@bp.get("/cases/<int:case_id>/documents")
def list_documents(case_id: int):
    """The letters issued for a case.
    ---
    get:
      tags: [documents]
      responses: {200: {description: documents}}
    """
    case = service.get_case(case_id, actor=g.user)
    return jsonify({"items": document_schema.dump(service.case_documents(case), many=True)})
