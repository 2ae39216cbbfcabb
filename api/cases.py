"""Cases: register, list, read, fire triggers, and read their events, clocks and letters."""
from __future__ import annotations

import hashlib

from flask import g, jsonify, request, url_for

from app.services import cases as service
from app.services.registration import open_case
from app.services.transaction import Idempotency, Result
from app.services.users import find_user

from . import bp
from .errors import ApiError, fails_with, refusal_body
from .schemas import (
    CaseCreateSchema,
    CasePageSchema,
    CaseQuerySchema,
    CaseResultSchema,
    CaseSchema,
    ClockListSchema,
    DocumentListSchema,
    DocumentSchema,
    EventListSchema,
    EventSchema,
    TransitionRequestSchema,
    TriggerListSchema,
)

# Ids are 32-bit in the database: a larger one is no case (404), never an overflow.
case_schema, event_schema, document_schema = CaseSchema(), EventSchema(), DocumentSchema()

IDEMPOTENCY_KEY = {"in": "header", "name": "Idempotency-Key", "required": False,
                   "description": "同一请求重试时使用同一键，服务只执行一次并重放第一次的答复",
                   "schema": {"type": "string", "maxLength": 200}}  # empty: none
IF_MATCH = {"in": "header", "name": "If-Match", "required": False, "description": "期望的案件版本号（乐观锁）",
            "schema": {"type": "string", "pattern": r'^"?\d{1,10}"?$'}}
# Examples in the document: a client (or a fuzzer) can register a real case and move it on.
CASE_EXAMPLE = {"process": "disclosure_request", "data": {
    "applicant_type": "natural_person", "applicant_name": "张三", "id_type": "resident_id_card",
    "id_number": "11010519491231002X", "phone": "13800000000", "address": "贵州省贵阳市云岩区中华北路1号",
    "description": "2025年度全省律师事务所年度考核结果", "form": "paper", "delivery": "post", "channel": "in_person",
    "arrived_on": "2026-11-20"}}
TRANSITION_EXAMPLE = {"trigger": "accept", "data": {}}
LOCATION = {"Location": {"description": "新案件的地址", "schema": {"type": "string"}}}


def _idempotency(render) -> Idempotency | None:
    key = request.headers.get("Idempotency-Key")
    if not key:
        return None
    if len(key) > 200:
        raise ApiError(400, "invalid_idempotency_key", "Idempotency-Key 不能超过 200 个字符")
    fingerprint = hashlib.sha256(request.method.encode() + request.path.encode() + request.get_data()).hexdigest()
    return Idempotency(key, fingerprint, render, render_refusal=refusal_body)


def _user(username: str | None, field: str):
    return find_user(username, agency_code=g.user.agency_code, field=field) if username else None


def _reply(result: Result, status: int, headers=None):
    # The body is built once (it is also what an Idempotency-Key replays), so it is returned as JSON here.
    code, body = result.replay if result.replay is not None else _render(result, status)
    if code == 201 and request.endpoint == "api.create_case":
        headers = {"Location": url_for("api.get_case", case_id=body["case"]["id"])}
    return jsonify(body), code, headers or {}


def _render(result: Result, status: int) -> tuple[int, dict]:
    return status, {"case": case_schema.dump(result.case), "event": event_schema.dump(result.event),
                    "documents": document_schema.dump(result.documents, many=True)}


@bp.post("/cases")
@bp.doc(tags=["cases"], summary="登记案件", parameters=[IDEMPOTENCY_KEY])
@bp.arguments(CaseCreateSchema, example=CASE_EXAMPLE)
@bp.response(201, CaseResultSchema, description="案件及其登记事件", headers=LOCATION)
@fails_with(400, 401, 403, 409, 413, 422)
def create_case(body):
    """Register a case; the answer's Location is the new case."""
    result = open_case(body["process"], body["data"], actor=g.user, department=body.get("department"),
                       assignee=_user(body.get("assignee"), "assignee"),
                       idempotency=_idempotency(lambda r: _render(r, 201)))
    return _reply(result, 201)


@bp.get("/cases")
@bp.doc(tags=["cases"], summary="案件列表")
@bp.arguments(CaseQuerySchema, location="query")
@bp.response(200, CasePageSchema, description="一页案件，最新的在前")
@fails_with(401, 422)
def list_cases(query):
    """List cases with filters and pagination."""
    return service.list_cases(actor=g.user, **query)


@bp.get("/cases/<int(max=2147483647):case_id>")
@bp.doc(tags=["cases"], summary="案件详情")
@bp.response(200, CaseSchema, description="案件")
@fails_with(401, 404)
def get_case(case_id: int):
    """One case: state, version, reference, due dates with provisional flags, data."""
    return service.get_case(case_id, actor=g.user)


@bp.get("/cases/<int(max=2147483647):case_id>/triggers")
@bp.doc(tags=["cases"], summary="可执行的操作")
@bp.response(200, TriggerListSchema, description="每个操作是否可执行及原因")
@fails_with(401, 404)
def list_triggers(case_id: int):
    """Every trigger of the process, allowed or not, and why."""
    case = service.get_case(case_id, actor=g.user)
    return {"state": case.state, "version": case.version, "triggers": service.triggers_of(case, actor=g.user)}


@bp.post("/cases/<int(max=2147483647):case_id>/transitions")
@bp.doc(tags=["cases"], summary="执行操作", parameters=[IDEMPOTENCY_KEY, IF_MATCH])
@bp.arguments(TransitionRequestSchema, example=TRANSITION_EXAMPLE)
@bp.response(201, CaseResultSchema, description="新的案件状态、事件和制发的文书")
@fails_with(400, 401, 403, 404, 409, 413, 422)
def fire_trigger(body, case_id: int):
    """Fire a trigger: the new case state, the event and the letters issued."""
    case = service.get_case(case_id, actor=g.user)
    expected = body.get("version")
    if_match = request.headers.get("If-Match", "").strip('"')
    if if_match:
        # ASCII digits only: str.isdigit() also takes "²" and "①", which int() refuses.
        if not (if_match.isascii() and if_match.isdigit()) or len(if_match) > 10:
            raise ApiError(400, "invalid_if_match", "If-Match 应为案件版本号")
        expected = int(if_match)
    backfill = service.Backfill(**body["backfill"]) if "backfill" in body else None
    result = service.fire(case, body["trigger"], actor=g.user, params=body["data"],
                          effective_on=body.get("effective_on"), expected_version=expected,
                          idempotency=_idempotency(lambda r: _render(r, 201)), backfill=backfill)
    return _reply(result, 201)


@bp.get("/cases/<int(max=2147483647):case_id>/events")
@bp.doc(tags=["cases"], summary="案件历史")
@bp.response(200, EventListSchema, description="事件，最早的在前，及哈希链是否完好")
@fails_with(401, 404)
def list_events(case_id: int):
    """The case's history, oldest first, with the hash chain and whether it verifies."""
    case = service.get_case(case_id, actor=g.user)
    events, verified = service.case_events(case)
    return {"items": events, "chain_verified": verified}


@bp.get("/cases/<int(max=2147483647):case_id>/clocks")
@bp.doc(tags=["cases"], summary="案件时钟")
@bp.response(200, ClockListSchema, description="每个时钟及期限的逐日说明")
@fails_with(401, 404)
def list_clocks(case_id: int):
    """The case's clocks with the explanation of each due date."""
    case = service.get_case(case_id, actor=g.user)
    return {"items": service.case_clocks(case)}


@bp.get("/cases/<int(max=2147483647):case_id>/documents")
@bp.doc(tags=["documents"], summary="案件文书")
@bp.response(200, DocumentListSchema, description="已制发的文书")
@fails_with(401, 404)
def list_documents(case_id: int):
    """The letters issued for a case."""
    case = service.get_case(case_id, actor=g.user)
    return {"items": service.case_documents(case)}
