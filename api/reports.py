"""The annual report's table 三 (政府信息公开工作年度报告, 国办公开办函〔2021〕30号): the table, each cell's
cases, and the table as .xlsx in the official layout. Approvers, auditors and administrators."""
from __future__ import annotations

from flask import g
from marshmallow import Schema, fields, validate

from app.downloads import DOCX, made_download
from app.services import annual_report as report
from app.services import cases as case_service
from app.services import proceedings, timeliness
from workflow import annual_report as layout
from workflow.fields import ChineseSchema

from . import bp
from .audit import PAGE
from .errors import fails_with
from .schemas import CaseSchema, _described

YEAR = "<int(min=2008, max=2100):year>"


class ReportRowSchema(Schema):
    key = fields.String()
    label = fields.String()
    level = fields.Integer(metadata=_described("层级", "0：一、二、三、四；1：（一）至（七）；2：其下的 1. 2. ..."))
    values = fields.Dict(keys=fields.String(), values=fields.Integer(), allow_none=True,
                         metadata=_described("各列的数", "列名见 columns；“三、本年度办理结果”为标题行，无数"))


class ReportProblemSchema(Schema):
    case_id = fields.Integer()
    reference = fields.String()
    what = fields.String()


class TableThreeSchema(Schema):
    year = fields.Integer()
    format = fields.String()
    title = fields.String()
    columns = fields.Dict(keys=fields.String(), values=fields.String())
    rows = fields.List(fields.Nested(ReportRowSchema))
    balanced = fields.Boolean(metadata=_described("各列是否满足勾稽关系", layout.BALANCE_NOTE))
    imbalances = fields.Dict(keys=fields.String(), values=fields.List(fields.Integer()),
                             metadata=_described("不平衡的列", "列名 -> [第一项加第二项, 第三项（七）加第四项]"))
    problems = fields.List(fields.Nested(ReportProblemSchema),
                           metadata=_described("无法归入表中的案件", "办结结果或申请人类型不属于表中任何一行或一列"))
    locked = fields.Nested(lambda: ReportLockSchema(), allow_none=True,
                           metadata=_described("锁定", "null：未锁定；锁定后数字不再改变，Excel 为锁定时所存"))


class ReportLockSchema(Schema):
    year = fields.Integer()
    locked_at = fields.DateTime()
    locked_by = fields.Function(lambda lock: lock.locked_by.username, metadata={"type": "string"})
    workbook_sha256 = fields.String(metadata=_described("锁定时所存 Excel 的 SHA-256"))


class CellCasesSchema(Schema):
    year = fields.Integer()
    row = fields.String()
    column = fields.String()
    cases = fields.List(fields.Nested(CaseSchema), metadata=_described("本页案件", "按案件 id 排列"))
    total = fields.Integer(metadata=_described("该格的案件数"))
    page = fields.Integer()
    per_page = fields.Integer()


def table_json(table: report.TableThree) -> dict:
    return {"year": table.year, "format": layout.FORMAT, "title": layout.TITLE, "columns": layout.COLUMNS,
            "rows": [{"key": r.key, "label": r.label, "level": r.level,
                      "values": None if r.key == "results" else {c: table.value(r.key, c) for c in layout.COLUMNS}}
                     for r in layout.ROWS],
            "balanced": not table.imbalances and not table.problems,
            "imbalances": {c: list(v) for c, v in table.imbalances.items()}, "problems": table.problems,
            "locked": report.lock_of(table.agency_code, table.year)}


@bp.get(f"/reports/annual/{YEAR}/table-3")
@bp.doc(tags=["reports"], summary="年度报告：三、收到和处理政府信息公开申请情况")
@bp.response(200, TableThreeSchema, description="按国办公开办函〔2021〕30号格式的表三，及勾稽关系检查")
@fails_with(401, 403, 404)
def annual_table_three(year: int):
    return table_json(report.table_three(g.user, year))


@bp.get(f"/reports/annual/{YEAR}/table-3.xlsx")
@bp.doc(tags=["reports"], summary="年度报告表三（Excel，官方格式）")
@bp.response(200, description=".xlsx", content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
@fails_with(401, 403, 404)
def annual_table_three_xlsx(year: int):
    content, filename = report.table_three_workbook(g.user, year)
    return made_download(content, ascii_name=f"annual-report-{year}-table-3.xlsx", filename=filename)


@bp.get(f"/reports/annual/{YEAR}/report.docx")
@bp.doc(tags=["reports"], summary="年度报告（Word，官方格式：表三、表四、收费情况）")
@bp.response(200, description=".docx；已锁定的年度为锁定时所存文件", content_type=DOCX)
@fails_with(401, 403, 404, 422)
def annual_report_docx(year: int):
    content, filename = report.table_three_document(g.user, year)
    return made_download(content, ascii_name=f"annual-report-{year}.docx", filename=filename, media_type=DOCX)


@bp.get(f"/reports/annual/{YEAR}/table-3/<row>/<column>")
@bp.doc(tags=["reports"], summary="年度报告表三：某一格的案件")
@bp.response(200, CellCasesSchema, description="计入该格的案件（合计行为其各分项的案件，总计列为各列的案件）")
@bp.arguments(Schema.from_dict(PAGE, name="CellPageQuery"), location="query")
@fails_with(401, 403, 404, 422)
def annual_table_three_cell(query: dict, year: int, row: str, column: str):
    page = report.cell_cases(g.user, year, row, column, page=query["page"], per_page=query["per_page"])
    return {"year": year, "row": row, "column": column, "cases": page.items, "total": page.total,
            "page": page.page, "per_page": page.per_page}


@bp.post(f"/reports/annual/{YEAR}/lock")
@bp.doc(tags=["reports"], summary="锁定年度报告（管理员）")
@bp.response(201, ReportLockSchema, description="已锁定：数字与 Excel 按此时保存，此后改变任一格的操作均被拒绝")
@fails_with(401, 403, 404, 413, 422)
def lock_annual_report(year: int):
    return report.lock_year(g.user, year)


class ProceedingSchema(Schema):
    id = fields.Integer()
    case_id = fields.Integer()
    kind = fields.String(metadata=_described("类别", "、".join(f"{k}（{t}）" for k, t in layout.PROCEEDING_KINDS.items())))
    body = fields.String(metadata=_described("复议机关或法院"))
    filed_on = fields.Date()
    result = fields.String(allow_none=True, metadata=_described("结果", "、".join(
        f"{k}（{t}）" for k, t in layout.RESULTS.items()) + "；null：尚未审结"))
    decided_on = fields.Date(allow_none=True)


class ProceedingListSchema(Schema):
    items = fields.List(fields.Nested(ProceedingSchema))


class ProceedingCreateSchema(ChineseSchema):
    kind = fields.String(required=True, validate=validate.OneOf(list(layout.PROCEEDING_KINDS)),
                         metadata=_described("类别"))
    filed_on = fields.Date(required=True, metadata=_described("提起日期"))
    body = fields.String(required=True, validate=validate.Length(min=1, max=200), metadata=_described("复议机关或法院"))


class ProceedingDecisionSchema(ChineseSchema):
    result = fields.String(required=True, validate=validate.OneOf(list(layout.RESULTS)), metadata=_described("结果"))
    decided_on = fields.Date(required=True, metadata=_described("结果日期"))
    note = fields.String(load_default="", validate=validate.Length(max=2000), metadata=_described("说明"))


class TableFourSchema(Schema):
    year = fields.Integer()
    title = fields.String()
    groups = fields.Dict(keys=fields.String(), values=fields.String())
    columns = fields.Dict(keys=fields.String(), values=fields.String())
    values = fields.Dict(keys=fields.String(), values=fields.Dict(keys=fields.String(), values=fields.Integer()))


class FeesSchema(Schema):
    year = fields.Integer()
    notices = fields.Integer(metadata=_described("本年发出收费通知件数"))
    notice_amount = fields.Integer(metadata=_described("收费通知金额（元）"))
    paid = fields.Integer(metadata=_described("本年实际收取件数"))
    paid_amount = fields.Integer(metadata=_described("实际收取金额（元）"))


@bp.get("/cases/<int(max=2147483647):case_id>/proceedings")
@bp.doc(tags=["reports"], summary="案件的行政复议、行政诉讼")
@bp.response(200, ProceedingListSchema, description="就本案答复提起的复议和诉讼")
@fails_with(401, 404)
def list_proceedings(case_id: int):
    return {"items": proceedings.case_proceedings(case_service.get_case(case_id, actor=g.user))}


@bp.post("/cases/<int(max=2147483647):case_id>/proceedings")
@bp.doc(tags=["reports"], summary="登记行政复议或行政诉讼（审核人、管理员）")
@bp.arguments(ProceedingCreateSchema)
@bp.response(201, ProceedingSchema, description="已登记，并记入案件的事件")
@fails_with(400, 401, 403, 404, 413, 422)
def create_proceeding(body, case_id: int):
    return proceedings.record_proceeding(case_id, actor=g.user, **body).proceeding


@bp.post("/proceedings/<int(max=2147483647):proceeding_id>/decision")
@bp.doc(tags=["reports"], summary="登记复议或诉讼的结果（审核人、管理员）")
@bp.arguments(ProceedingDecisionSchema)
@bp.response(201, ProceedingSchema, description="已登记结果，并记入案件的事件")
@fails_with(400, 401, 403, 404, 413, 422)
def decide_proceeding(body, proceeding_id: int):
    return proceedings.decide_proceeding(proceeding_id, actor=g.user, **body).proceeding


@bp.get(f"/reports/annual/{YEAR}/table-4")
@bp.doc(tags=["reports"], summary="年度报告：四、政府信息公开行政复议、行政诉讼情况")
@bp.response(200, TableFourSchema, description="每组：结果维持、结果纠正、其他结果（本年审结）、尚未审结（年末）、总计")
@fails_with(401, 403, 404)
def annual_table_four(year: int):
    return {"year": year, "title": layout.TABLE_FOUR_TITLE, "groups": layout.GROUPS, "columns": layout.FOUR_COLUMNS,
            "values": report.table_four(g.user, year)}


@bp.get(f"/reports/annual/{YEAR}/fees")
@bp.doc(tags=["reports"], summary="年度报告：六、信息处理费")
@bp.response(200, FeesSchema, description="本年发出的收费通知及金额、实际收取的件数及金额")
@fails_with(401, 403, 404)
def annual_fees(year: int):
    return {"year": year, **report.fees(g.user, year)}


class TimelinessQuerySchema(ChineseSchema):
    since = fields.Date(required=True, metadata=_described("办结日期自"))
    until = fields.Date(required=True, metadata=_described("办结日期至"))
    process = fields.String(validate=validate.Length(max=40), metadata=_described("流程"))
    department = fields.String(validate=validate.Length(max=100), metadata=_described("承办部门"))


class LimitFiguresSchema(Schema):
    process = fields.String()
    clock = fields.String()
    title = fields.String()
    unit = fields.String(metadata=_described("用时单位", "工作日（暂停期间不计）或小时"))
    count = fields.Integer(metadata=_described("办结件数"))
    met = fields.Integer(metadata=_described("按时"))
    late = fields.Integer(metadata=_described("逾期"))
    share = fields.Float(allow_none=True, metadata=_described("按时率", "0 至 1；null：无办结"))
    mean = fields.Float(allow_none=True, metadata=_described("平均用时"))
    median = fields.Float(allow_none=True, metadata=_described("中位用时"))
    extended = fields.Integer(metadata=_described("延期件数"))


class TimelinessSchema(Schema):
    items = fields.List(fields.Nested(LimitFiguresSchema))


@bp.get("/reports/timeliness")
@bp.doc(tags=["reports"], summary="办理时效统计")
@bp.arguments(TimelinessQuerySchema, location="query")
@bp.response(200, TimelinessSchema, description="期间内办结的案件，每个流程的每个法定时限：按时、逾期、按时率、用时、延期")
@fails_with(401, 403, 422)
def timeliness_report(query):
    return {"items": timeliness.timeliness(g.user, **query)}
