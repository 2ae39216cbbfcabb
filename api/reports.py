"""The annual report's table 三 (政府信息公开工作年度报告, 国办公开办函〔2021〕30号): the table, each cell's
cases, and the table as .xlsx in the official layout. Approvers, auditors and administrators."""
from __future__ import annotations

from flask import g
from marshmallow import Schema, fields

from app.downloads import workbook_download
from app.services import annual_report as report
from workflow import annual_report as layout

from . import bp
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
    cases = fields.List(fields.Nested(CaseSchema))


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
    return workbook_download(content, ascii_name=f"annual-report-{year}-table-3.xlsx", filename=filename)


@bp.get(f"/reports/annual/{YEAR}/table-3/<row>/<column>")
@bp.doc(tags=["reports"], summary="年度报告表三：某一格的案件")
@bp.response(200, CellCasesSchema, description="计入该格的案件（合计行为其各分项的案件，总计列为各列的案件）")
@fails_with(401, 403, 404, 422)
def annual_table_three_cell(year: int, row: str, column: str):
    return {"year": year, "row": row, "column": column, "cases": report.cell_cases(g.user, year, row, column)}


@bp.post(f"/reports/annual/{YEAR}/lock")
@bp.doc(tags=["reports"], summary="锁定年度报告（管理员）")
@bp.response(201, ReportLockSchema, description="已锁定：数字与 Excel 按此时保存，此后改变任一格的操作均被拒绝")
@fails_with(401, 403, 404, 413, 422)
def lock_annual_report(year: int):
    return report.lock_year(g.user, year)
