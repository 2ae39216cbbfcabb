"""Explicit input and output schemas of the API: input schemas refuse unknown fields and answer in
Chinese (workflow.fields.ChineseSchema); output schemas describe what the views dump."""
from __future__ import annotations

from marshmallow import INCLUDE, Schema, fields, validate

from app.services.clocks import case_is_overdue
from workflow.fields import ChineseSchema
from workflow.letters import DELIVERY_METHODS
from workflow.processes import get_process


def _described(title: str, description: str | None = None, **more) -> dict:
    return {"title": title, **({"description": description} if description else {}), **more}


# -- input -------------------------------------------------------------------------------------------
class TokenRequestSchema(ChineseSchema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=80), metadata=_described("用户名"))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200), metadata=_described("密码"))


class CaseCreateSchema(ChineseSchema):
    process = fields.String(required=True, validate=validate.Length(max=40),
                            metadata=_described("流程", "流程名称，见 GET /processes"))
    data = fields.Dict(required=True, metadata=_described(
        "登记数据", "按流程的 registration_schema（GET /processes/{name}）填写"))
    department = fields.String(validate=validate.Length(max=100), metadata=_described("承办部门"))
    assignee = fields.String(validate=validate.Length(max=80), metadata=_described("承办人用户名"))


class BackfillSchema(ChineseSchema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000),
                           metadata=_described("补录理由", "为什么事后登记（例如：纸质告知书已于当日邮寄）"))
    letter_number = fields.String(load_default="", validate=validate.Length(max=100),
                                  metadata=_described("线下文书文号", "线下已发出的文书的文号（如有）"))


class TransitionRequestSchema(ChineseSchema):
    trigger = fields.String(required=True, validate=validate.Length(min=1, max=40), metadata=_described("操作"))
    effective_on = fields.Date(metadata=_described("业务日期", "默认今天；不能晚于今天，也不能早于本案上一事件的业务日期"))
    data = fields.Dict(load_default=dict, metadata=_described(
        "操作数据", "按该操作的 schema（GET /processes/{name} 的 triggers[].schema）填写"))
    version = fields.Integer(strict=True, validate=validate.Range(min=1, max=2**31 - 1),
                             metadata=_described("案件版本", "期望的案件版本（乐观锁），也可用 If-Match 头"))
    backfill = fields.Nested(BackfillSchema, metadata=_described(
        "补录", "线下已办理、文书已在系统外发出的，由审核人按原业务日期补录：不生成文书，事件标明补录"))


class CaseQuerySchema(ChineseSchema):
    process = fields.String(validate=validate.Length(max=40), metadata=_described("流程"))
    state = fields.String(validate=validate.Length(max=40), metadata=_described("状态"))
    department = fields.String(validate=validate.Length(max=100), metadata=_described("承办部门"))
    assignee = fields.String(validate=validate.Length(max=80), metadata=_described("承办人用户名"))
    due_before = fields.Date(metadata=_described("期限早于"))
    overdue = fields.Boolean(metadata=_described("是否逾期"))
    received_from = fields.Date(metadata=_described("收到日期起"))
    received_to = fields.Date(metadata=_described("收到日期止"))
    text = fields.String(data_key="q", validate=validate.Length(max=100),
                         metadata=_described("检索词", "在文号和摘要（申请人、事项）中查找，不区分大小写"))
    open_only = fields.Boolean(data_key="open", metadata=_described("只列未办结的案件"))
    sort = fields.String(validate=validate.Length(max=20),
                         metadata=_described("排序", "id、received_on、due、reference、state、updated_at；前加 - 为倒序"))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000), metadata=_described("页码"))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500),
                              metadata=_described("每页条数"))


class CalendarLoadSchema(ChineseSchema):
    content = fields.String(required=True, validate=validate.Length(min=1, max=20000),
                            metadata=_described("日历文件内容", "docs/calendar.md 所述格式"))


# -- output ------------------------------------------------------------------------------------------
class ErrorSchema(Schema):
    """Every error body; some carry more keys, named below (and possibly others: clients ignore them)."""

    class Meta:
        unknown = INCLUDE

    code = fields.String(required=True, metadata=_described("错误代码"))
    status = fields.Integer(required=True, metadata=_described("HTTP 状态码"))
    message = fields.String(required=True, metadata=_described("说明"))
    errors = fields.Dict(required=True, metadata=_described("各字段的错误", "字段名 -> 错误说明列表（嵌套对象按层级）"))
    allowed = fields.List(fields.String(), metadata=_described("可用的取值或操作"))
    state = fields.String(metadata=_described("案件当前状态"))
    roles = fields.List(fields.String(), metadata=_described("可执行此操作的角色"))
    guards = fields.List(fields.Dict(), metadata=_described("未满足的条件", "每项 {name, message, basis}"))
    current_version = fields.Integer(metadata=_described("案件当前版本"))
    key = fields.String(metadata=_described("重复使用的 Idempotency-Key"))


class TokenSchema(Schema):
    token = fields.String(required=True)
    token_type = fields.String(required=True)


class DueDateSchema(Schema):
    name = fields.String(metadata=_described("时钟"))
    title = fields.String()
    status = fields.String()
    party = fields.String()
    due_on = fields.Date(allow_none=True)
    due_at = fields.DateTime(allow_none=True)
    provisional = fields.Boolean()


class ClockSchema(Schema):
    name = fields.String()
    party = fields.String()
    kind = fields.String()
    title = fields.String()
    status = fields.String()
    limit = fields.Integer(allow_none=True)
    extension = fields.Integer()
    used = fields.Integer(allow_none=True)
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
    delivery = fields.Nested("DeliverySchema", allow_none=True, dump_default=None,
                             metadata=_described("送达情况", "尚未登记送达的为 null"))


class DeliverySchema(Schema):
    method = fields.String(metadata=_described("送达方式"))
    tracking_number = fields.String(metadata=_described("邮件单号"))
    served_on = fields.Date(metadata=_described("送达日期"))
    note = fields.String(metadata=_described("备注"))
    recorded_by = fields.String(metadata=_described("登记人"))
    recorded_at = fields.DateTime(metadata=_described("登记时间"))


class DeliveryRequestSchema(ChineseSchema):
    method = fields.String(required=True, validate=validate.OneOf(list(DELIVERY_METHODS)),
                           metadata=_described("送达方式", **{"x-enum-titles": DELIVERY_METHODS}))
    served_on = fields.Date(required=True, metadata=_described("送达日期", "收件人收到文书之日；邮寄的为签收之日"))
    tracking_number = fields.String(load_default="", validate=validate.Length(max=100),
                                    metadata=_described("邮件单号", "邮寄送达必填"))
    note = fields.String(load_default="", validate=validate.Length(max=2000), metadata=_described("备注"))


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
    backfilled = fields.Boolean(metadata=_described("补录", "事后登记线下已办理的步骤"))
    prev_hash = fields.String()
    hash = fields.String()


class CaseSchema(Schema):
    id = fields.Integer(dump_only=True)
    reference = fields.String()
    process = fields.String()
    definition_version = fields.Integer()
    state = fields.String()
    state_title = fields.Method("get_state_title", metadata={"type": "string"})
    terminal = fields.Method("get_terminal", metadata={"type": "boolean"})
    summary = fields.Method("get_summary", metadata={"type": "string"})
    reason = fields.String(allow_none=True)
    version = fields.Integer()
    agency = fields.String(attribute="agency_code")
    department = fields.String(allow_none=True)
    assignee = fields.Method("get_assignee", metadata={"type": "string", "nullable": True})
    received_on = fields.Date()
    due_on = fields.Date(allow_none=True)
    due_at = fields.DateTime(allow_none=True)
    due_provisional = fields.Boolean()
    overdue = fields.Method("get_overdue", metadata={"type": "boolean"})
    closed_on = fields.Date(allow_none=True)
    due_dates = fields.List(fields.Nested(DueDateSchema), attribute="clocks")
    data = fields.Dict()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()

    def get_state_title(self, case):
        return get_process(case.process).state(case.state).title

    def get_terminal(self, case):
        return get_process(case.process).state(case.state).terminal

    def get_summary(self, case):
        return case.summary

    def get_assignee(self, case):
        return case.assignee.username if case.assignee else None

    def get_overdue(self, case):
        return case_is_overdue(case)


class CasePageSchema(Schema):
    items = fields.List(fields.Nested(CaseSchema))
    total = fields.Integer()
    total_exact = fields.Boolean(metadata={"description": "false：检索词命中超过 total 件（文本检索最多计数到 1000）"})
    page = fields.Integer()
    per_page = fields.Integer()


class CaseResultSchema(Schema):
    """What registering a case or firing a trigger answers: the case, its new event and any letters."""

    case = fields.Nested(CaseSchema)
    event = fields.Nested(EventSchema)
    documents = fields.List(fields.Nested(DocumentSchema))


class TriggerStatusSchema(Schema):
    trigger = fields.String()
    title = fields.String()
    allowed = fields.Boolean()
    why = fields.List(fields.Dict())


class TriggerListSchema(Schema):
    state = fields.String()
    version = fields.Integer()
    triggers = fields.List(fields.Nested(TriggerStatusSchema))


class EventListSchema(Schema):
    items = fields.List(fields.Nested(EventSchema))
    chain_verified = fields.Boolean()


class ClockListSchema(Schema):
    items = fields.List(fields.Nested(ClockSchema))


class DocumentListSchema(Schema):
    items = fields.List(fields.Nested(DocumentSchema))


class CalendarYearSchema(Schema):
    year = fields.Integer()
    source = fields.String(allow_none=True)
    provisional = fields.Boolean()
    holidays = fields.Dict(keys=fields.String(), values=fields.String())
    workdays = fields.Dict(keys=fields.String(), values=fields.String())


class CalendarLoadResultSchema(Schema):
    year = fields.Integer()
    holidays = fields.Integer()
    workdays = fields.Integer()
    cases_redated = fields.Integer()
