"""Cases: register, list, read, fire triggers, and read their events, clocks and letters."""
from __future__ import annotations

import datetime as dt
import hashlib

import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from flask import g, jsonify, request

from app.extensions import db
from app.models import Case, Document, Event, User
from app.services import cases as service
from app.services import timesource
from workflow.processes import get_process

from . import bp
from .errors import ApiError
from .schemas import (CaseCreateSchema, CaseQuerySchema, CaseSchema, ClockSchema, DocumentSchema, EventSchema,
                      TransitionRequestSchema, TriggerStatusSchema, _zh, load_json)

case_schema, event_schema, document_schema = CaseSchema(), EventSchema(), DocumentSchema()


def _idempotency(render) -> service.Idempotency | None:
    key = request.headers.get("Idempotency-Key")
    if not key:
        return None
    if len(key) > 200:
        raise ApiError(400, "invalid_idempotency_key", "Idempotency-Key 不能超过 200 个字符")
    fingerprint = hashlib.sha256(request.method.encode() + request.path.encode() + request.get_data()).hexdigest()
    return service.Idempotency(key, fingerprint, render)


def _user(username: str | None, field: str) -> User | None:
    if not username:
        return None
    user = db.session.scalar(sa.select(User).where(User.username == username, User.agency_code == g.user.agency_code))
    if user is None:
        raise ApiError(422, "invalid_data", "提交的数据有误", {field: [f"用户 {username} 不存在"]})
    return user


def _reply(result: service.Result, status: int):
    if result.replay is not None:
        code, body = result.replay
        return jsonify(body), code
    return jsonify(_render(result, status)[1]), status


def _render(result: service.Result, status: int) -> tuple[int, dict]:
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
    result = service.open_case(body["process"], body["data"], actor=g.user, department=body.get("department"),
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
    except Exception as exc:  # marshmallow.ValidationError
        raise ApiError(422, "invalid_query", "查询参数有误", _zh(getattr(exc, "messages", {}))) from None
    stmt = sa.select(Case).where(Case.agency_code == g.user.agency_code)
    for name in ("process", "state", "department"):
        if name in q:
            stmt = stmt.where(getattr(Case, name) == q[name])
    if "assignee" in q:
        stmt = stmt.join(User, Case.assignee_id == User.id).where(User.username == q["assignee"])
    if "due_before" in q:
        midnight = dt.datetime.combine(q["due_before"], dt.time(), timesource.local_zone())
        stmt = stmt.where(sa.or_(Case.due_on < q["due_before"], Case.due_at < midnight))
    if "overdue" in q:
        # Overdue is derived, never stored: an agency clock still running past its due date or instant.
        overdue = sa.or_(Case.due_on < timesource.today(), Case.due_at < timesource.now())
        stmt = stmt.where(overdue if q["overdue"] else sa.not_(sa.func.coalesce(overdue, False)))
    if "received_from" in q:
        stmt = stmt.where(Case.received_on >= q["received_from"])
    if "received_to" in q:
        stmt = stmt.where(Case.received_on <= q["received_to"])
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery()))
    rows = db.session.scalars(stmt.options(selectinload(Case.clocks), selectinload(Case.assignee))
                              .order_by(Case.id.desc()).limit(q["per_page"])
                              .offset((q["page"] - 1) * q["per_page"])).all()
    return jsonify({"items": case_schema.dump(rows, many=True), "total": total, "page": q["page"],
                    "per_page": q["per_page"]})


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
    events = db.session.scalars(sa.select(Event).where(Event.case_id == case.id).order_by(Event.seq)).all()
    return jsonify({"items": event_schema.dump(events, many=True), "chain_verified": not service.verify_chain(case)})


@bp.get("/cases/<int:case_id>/clocks")
def list_clocks(case_id: int):
    """The case's clocks with the explanation of each due date.
    ---
    get:
      tags: [cases]
      responses: {200: {description: clocks}}
    """
    case = service.get_case(case_id, actor=g.user)
    parties = {spec.name: spec.party for spec in get_process(case.process).clocks}
    readings = service.readings_of(case)
    return jsonify({"items": ClockSchema().dump([r.to_dict(explain=True) | {"party": parties[name]}
                                                 for name, r in readings.items()], many=True)})


@bp.get("/cases/<int:case_id>/documents")
def list_documents(case_id: int):
    """The letters issued for a case.
    ---
    get:
      tags: [documents]
      responses: {200: {description: documents}}
    """
    case = service.get_case(case_id, actor=g.user)
    docs = db.session.scalars(sa.select(Document).where(Document.case_id == case.id).order_by(Document.id)).all()
    return jsonify({"items": document_schema.dump(docs, many=True)})
