"""The auditor's queries (auditors and administrators): events filtered every way, sign-ins and refused
attempts, due-date changes, replies approved by their proposer, a case as of a past date. Each list is
paginated (``has_more`` instead of a count: a count of millions of events costs more than the page) and
exportable as CSV or .xlsx, streamed."""
from __future__ import annotations

import itertools

from flask import g, request
from marshmallow import Schema, fields, validate

from app.downloads import table_download
from app.services import audit
from app.services import cases as case_service
from app.services.audit_log import KIND_TITLES, RecordFilter
from workflow.fields import ChineseSchema

from . import bp
from .errors import ApiError, fails_with
from .schemas import EventSchema, _described

PAGE = {"page": fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000),
                               metadata=_described("页码")),
        "per_page": fields.Integer(load_default=50, validate=validate.Range(min=1, max=500),
                                   metadata=_described("每页条数"))}


class EventQuerySchema(ChineseSchema):
    case = fields.String(validate=validate.Length(max=80), metadata=_described("案件", "案件编号（文号）或案件 id"))
    process = fields.String(validate=validate.Length(max=40), metadata=_described("流程"))
    actor = fields.String(validate=validate.Length(max=80), metadata=_described("操作人用户名"))
    role = fields.String(validate=validate.Length(max=20), metadata=_described("角色"))
    trigger = fields.String(validate=validate.Length(max=40), metadata=_described("操作"))
    state = fields.String(validate=validate.Length(max=40), metadata=_described("操作后的状态"))
    since = fields.Date(metadata=_described("记录日期自", "含当日（北京时间）"))
    until = fields.Date(metadata=_described("记录日期至", "含当日（北京时间）"))


class PagedEventQuerySchema(EventQuerySchema):
    page, per_page = PAGE["page"], PAGE["per_page"]


class RecordQuerySchema(ChineseSchema):
    kind = fields.String(validate=validate.OneOf(list(KIND_TITLES)), metadata=_described("类别", "、".join(
        f"{k}（{t}）" for k, t in KIND_TITLES.items())))
    username = fields.String(validate=validate.Length(max=80), metadata=_described("用户名"))
    status = fields.Integer(validate=validate.Range(min=100, max=599), metadata=_described("状态码"))
    case_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1), metadata=_described("案件 id"))
    since = fields.Date(metadata=_described("日期自", "含当日（北京时间）"))
    until = fields.Date(metadata=_described("日期至", "含当日（北京时间）"))


class PagedRecordQuerySchema(RecordQuerySchema):
    page, per_page = PAGE["page"], PAGE["per_page"]


class PagedQuerySchema(ChineseSchema):
    page, per_page = PAGE["page"], PAGE["per_page"]


class AsOfQuerySchema(ChineseSchema):
    date = fields.Date(required=True, metadata=_described("日期", "当日结束时（北京时间）的案件状态"))


class AuditEventSchema(EventSchema):
    case_reference = fields.String()
    process = fields.String()


class AuditEventPageSchema(Schema):
    items = fields.List(fields.Nested(AuditEventSchema))
    page = fields.Integer()
    per_page = fields.Integer()
    has_more = fields.Boolean(metadata=_described("是否还有下一页"))


class AuditRecordSchema(Schema):
    id = fields.Integer()
    recorded_at = fields.DateTime()
    kind = fields.String()
    channel = fields.String()
    username = fields.String()
    role = fields.String()
    address = fields.String()
    method = fields.String()
    path = fields.String()
    status = fields.Integer(allow_none=True)
    code = fields.String()
    message = fields.String()
    case_id = fields.Integer(allow_none=True)
    trigger = fields.String(allow_none=True)


class AuditRecordPageSchema(Schema):
    items = fields.List(fields.Nested(AuditRecordSchema))
    page = fields.Integer()
    per_page = fields.Integer()
    has_more = fields.Boolean()


class RowPageSchema(Schema):
    columns = fields.List(fields.String(), metadata=_described("列名（与导出的表头相同）"))
    rows = fields.List(fields.List(fields.Raw()))
    page = fields.Integer()
    per_page = fields.Integer()
    has_more = fields.Boolean()


class CaseAsOfSchema(Schema):
    case_id = fields.Integer()
    case_reference = fields.String()
    at = fields.DateTime(metadata=_described("时点", "所查日期结束时"))
    existed = fields.Boolean()
    state = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    data = fields.Dict(allow_none=True, metadata=_described("案件数据", "null：该时点的数据未单独记录（审计升级前的事件）"))
    clocks = fields.Dict(allow_none=True)
    events = fields.List(fields.Nested(EventSchema))


def _page(stmt, query):
    return audit.page_of(stmt, query["page"], query["per_page"])


def _event_filter(query) -> audit.EventFilter:
    return audit.EventFilter(**{k: v for k, v in query.items() if k not in ("page", "per_page")})


def _record_filter(query) -> RecordFilter:
    return RecordFilter(**{k: v for k, v in query.items() if k not in ("page", "per_page")})


@bp.get("/audit/events")
@bp.doc(tags=["audit"], summary="审计：事件查询")
@bp.arguments(PagedEventQuerySchema, location="query")
@bp.response(200, AuditEventPageSchema, description="一页事件，按记录先后")
@fails_with(401, 403, 422)
def audit_events(query):
    rows, more = _page(audit.events_query(g.user, _event_filter(query)), query)
    items = []
    for event, reference, process in rows:
        event.case_reference, event.process = reference, process
        items.append(event)
    return {"items": items, "page": query["page"], "per_page": query["per_page"], "has_more": more}


@bp.get("/audit/records")
@bp.doc(tags=["audit"], summary="审计：登录与被拒绝的操作")
@bp.arguments(PagedRecordQuerySchema, location="query")
@bp.response(200, AuditRecordPageSchema, description="一页记录，最新的在前")
@fails_with(401, 403, 422)
def audit_records(query):
    rows, more = _page(audit.audit_records(g.user, _record_filter(query)), query)
    return {"items": [r for (r,) in rows], "page": query["page"], "per_page": query["per_page"], "has_more": more}


def _row_page(rows, query):
    header = next(rows)
    per_page, page = query["per_page"], query["page"]
    chunk = list(itertools.islice(rows, (page - 1) * per_page, page * per_page + 1))
    rows.close()  # the rest is not read: the database cursor ends here
    return {"columns": header, "rows": chunk[:per_page], "page": page, "per_page": per_page,
            "has_more": len(chunk) > per_page}


@bp.get("/audit/due-date-changes")
@bp.doc(tags=["audit"], summary="审计：期限变更及原因")
@bp.arguments(PagedEventQuerySchema, location="query")
@bp.response(200, RowPageSchema, description="每次时限的期限或状态变化：延期、暂停、恢复、重新计算、日历调整")
@fails_with(401, 403, 422)
def audit_due_date_changes(query):
    return _row_page(audit.due_date_changes(g.user, _event_filter(query)), query)


@bp.get("/audit/self-approved")
@bp.doc(tags=["audit"], summary="审计：提出人自行批准的答复")
@bp.arguments(PagedQuerySchema, location="query")
@bp.response(200, RowPageSchema, description="审核人批准了自己提出的答复意见的案件")
@fails_with(401, 403, 422)
def audit_self_approved(query):
    return _row_page(audit.self_approved_rows(g.user), query)


EXPORTS = {
    "events": (EventQuerySchema, lambda q: audit.event_rows(g.user, _event_filter(q)), "事件"),
    "records": (RecordQuerySchema, lambda q: audit.record_rows(g.user, _record_filter(q)), "登录与被拒绝的操作"),
    "due-date-changes": (EventQuerySchema, lambda q: audit.due_date_changes(g.user, _event_filter(q)), "期限变更"),
    "self-approved": (None, lambda q: audit.self_approved_rows(g.user), "自行批准的答复"),
}


@bp.get("/audit/<any('events', 'records', 'due-date-changes', 'self-approved'):table>.<any(csv, xlsx):fmt>")
@bp.doc(tags=["audit"], summary="审计：导出（CSV 或 Excel，与查询相同的条件）")
@bp.response(200, description="CSV（UTF-8，带 BOM）或 .xlsx", content_type="application/octet-stream")
@fails_with(401, 403, 422)
def audit_export(table: str, fmt: str):
    schema, rows_of, title = EXPORTS[table]
    query = {}
    if schema is not None:
        errors = schema().validate(request.args)
        if errors:
            raise ApiError(422, "invalid_data", "查询参数有误", errors)
        query = schema().load(request.args)
    rows = rows_of(query)
    first = next(rows)  # the filters and the role are checked here, before the response starts
    return table_download(itertools.chain([first], rows), fmt, ascii_stem=f"audit-{table}", title=title)


@bp.get("/cases/<int(max=2147483647):case_id>/as-of")
@bp.doc(tags=["audit"], summary="审计：案件在某日的状态")
@bp.arguments(AsOfQuerySchema, location="query")
@bp.response(200, CaseAsOfSchema, description="所查日期结束时的状态、办结原因、数据、时限和此前的事件")
@fails_with(401, 403, 404, 422)
def case_as_of(query, case_id: int):
    case = case_service.get_case(case_id, actor=g.user)
    then = audit.case_as_of(g.user, case, query["date"])
    last = then.event
    return {"case_id": case.id, "case_reference": case.reference, "at": then.at, "existed": last is not None,
            "state": last.to_state if last else None, "reason": last.reason if last else None, "data": then.data,
            "clocks": last.clocks if last else None, "events": then.events}
