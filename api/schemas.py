"""Explicit input and output schemas of the API."""
from __future__ import annotations

import json

from flask import request
from marshmallow import RAISE, Schema, ValidationError, fields, validate

from app.services.clocks import case_is_overdue
from workflow.processes import get_process

from .errors import ApiError

MAX_DATA_BYTES = 1_000_000


def load_json(schema: type[Schema]) -> dict:
    """Parse the request body as a JSON object and load it; 400 for malformed JSON, 422 for bad fields."""
    raw = request.get_data(cache=True)
    if len(raw) > MAX_DATA_BYTES:
        raise ApiError(413, "payload_too_large", f"请求体不能超过 {MAX_DATA_BYTES} 字节")
    try:
        body = json.loads(raw or b"{}")
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise ApiError(400, "malformed_json", f"请求体不是合法的 JSON：{exc}") from None
    if not isinstance(body, dict):
        raise ApiError(400, "malformed_json", "请求体应为 JSON 对象")
    try:
        return schema().load(body)
    except ValidationError as exc:
        raise ApiError(422, "invalid_data", "提交的数据有误", _zh(exc.messages)) from None


def _zh(messages):
    if isinstance(messages, dict):
        return {k: _zh(v) for k, v in messages.items()}
    if isinstance(messages, list):
        return [{"Unknown field.": "未知字段", "Missing data for required field.": "必填",
                 "Not a valid string.": "应为文本", "Not a valid integer.": "应为整数",
                 "Not a valid mapping type.": "应为 JSON 对象", "Not a valid date.": "应为日期，格式 YYYY-MM-DD",
                 "Field may not be null.": "不能为空"}.get(m, m) if isinstance(m, str) else _zh(m)
                for m in messages]
    return messages


class Strict(Schema):
    class Meta:
        unknown = RAISE


class TokenRequestSchema(Strict):
    username = fields.String(required=True, validate=validate.Length(min=1, max=80))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))


class CaseCreateSchema(Strict):
    process = fields.String(required=True, validate=validate.Length(max=40))
    data = fields.Dict(required=True)
    department = fields.String(validate=validate.Length(max=100))
    assignee = fields.String(validate=validate.Length(max=80))


class TransitionRequestSchema(Strict):
    trigger = fields.String(required=True, validate=validate.Length(min=1, max=40))
    effective_on = fields.Date()
    data = fields.Dict(load_default=dict)
    version = fields.Integer(strict=True)


class CaseQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    process = fields.String()
    state = fields.String()
    department = fields.String()
    assignee = fields.String()
    due_before = fields.Date()
    overdue = fields.Boolean()
    received_from = fields.Date()
    received_to = fields.Date()
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class ClockSchema(Schema):
    name = fields.String()
    party = fields.String()
    kind = fields.String()
    title = fields.String()
    status = fields.String()
    limit = fields.Integer()
    extension = fields.Integer()
    used = fields.Integer()
    remaining = fields.Integer(allow_none=True)
    started_on = fields.String(allow_none=True)
    stopped_on = fields.String(allow_none=True)
    due_on = fields.String(allow_none=True)
    due_at = fields.String(allow_none=True)
    provisional = fields.Boolean()
    provisional_years = fields.List(fields.Integer())
    rules = fields.Dict()
    met = fields.Boolean(allow_none=True)
    explanation = fields.Dict()


class DocumentSchema(Schema):
    id = fields.Integer(dump_only=True)
    case_id = fields.Integer()
    event_id = fields.Integer()
    kind = fields.String()
    number = fields.String()
    title = fields.String()
    addressee = fields.String()
    filename = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    issued_on = fields.Date()
    created_at = fields.DateTime()


class EventSchema(Schema):
    id = fields.Integer(dump_only=True)
    seq = fields.Integer()
    trigger = fields.String()
    from_state = fields.String(allow_none=True)
    to_state = fields.String()
    reason = fields.String(allow_none=True)
    definition_version = fields.Integer()
    actor = fields.String(attribute="actor_name")
    role = fields.String()
    effective_on = fields.Date()
    recorded_at = fields.DateTime()
    data = fields.Dict()
    clocks = fields.Dict()
    prev_hash = fields.String()
    hash = fields.String()


class CaseSchema(Schema):
    id = fields.Integer(dump_only=True)
    reference = fields.String()
    process = fields.String()
    definition_version = fields.Integer()
    state = fields.String()
    state_title = fields.Method("get_state_title")
    terminal = fields.Method("get_terminal")
    summary = fields.Method("get_summary")
    reason = fields.String(allow_none=True)
    version = fields.Integer()
    agency = fields.String(attribute="agency_code")
    department = fields.String()
    assignee = fields.Method("get_assignee")
    received_on = fields.Date()
    due_on = fields.Date(allow_none=True)
    due_at = fields.DateTime(allow_none=True)
    due_provisional = fields.Boolean()
    overdue = fields.Method("get_overdue")
    closed_on = fields.Date(allow_none=True)
    due_dates = fields.Method("get_due_dates")
    data = fields.Dict()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()

    def get_state_title(self, case):
        return get_process(case.process).state(case.state).title

    def get_terminal(self, case):
        return get_process(case.process).state(case.state).terminal

    def get_summary(self, case):
        describe = get_process(case.process).describe
        return describe(case.data) if describe else ""

    def get_assignee(self, case):
        return case.assignee.username if case.assignee else None

    def get_overdue(self, case):
        return case_is_overdue(case)

    def get_due_dates(self, case):
        return [{"clock": c.name, "title": c.title, "status": c.status, "party": c.party,
                 "due_on": c.due_on.isoformat() if c.due_on else None,
                 "due_at": c.due_at.isoformat() if c.due_at else None, "provisional": c.provisional}
                for c in case.clocks]


class TriggerStatusSchema(Schema):
    trigger = fields.String()
    title = fields.String()
    allowed = fields.Boolean()
    why = fields.List(fields.Dict())


class CalendarLoadSchema(Strict):
    content = fields.String(required=True, validate=validate.Length(min=1, max=20000))

