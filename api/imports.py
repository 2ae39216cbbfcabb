"""Bulk imports: register many cases from one CSV or .xlsx file, and the column layout of each process."""
from __future__ import annotations

from flask import g, request
from marshmallow import Schema, fields, validate

from app.services import bulk_import as service
from app.services.import_columns import NotImportable, columns, import_key
from workflow.fields import ChineseSchema
from workflow.processes import get_process

from . import bp
from .errors import ApiError, error_response, fails_with
from .schemas import ErrorSchema

UPLOAD = {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {"file": {"type": "string", "format": "binary", "description": "CSV（UTF-8）或 .xlsx 文件"}}}}}}


class ImportQuerySchema(ChineseSchema):
    process = fields.String(required=True, validate=validate.Length(min=1, max=40), metadata={"title": "流程"})
    mode = fields.String(load_default=service.ALL_OR_NOTHING,
                         validate=validate.OneOf(service.MODES, error="取值应为：{choices}"),
                         metadata={"title": "导入方式", "description": "all_or_nothing：文件有错误则不导入；"
                                                                   "good_rows_only：导入正确的行"})


class ColumnsQuerySchema(ChineseSchema):
    process = fields.String(required=True, validate=validate.Length(min=1, max=40), metadata={"title": "流程"})


class ImportReportSchema(Schema):
    process = fields.String()
    mode = fields.String()
    file = fields.String()
    rows = fields.Integer()
    valid = fields.Integer()
    imported = fields.Integer()
    errors = fields.List(fields.Dict())
    cases = fields.List(fields.Dict())


class ImportRejectedSchema(ErrorSchema):
    report = fields.Nested(ImportReportSchema)


class ColumnsSchema(Schema):
    process = fields.String()
    title = fields.String()
    import_key = fields.List(fields.String())
    columns = fields.List(fields.Dict())


@bp.post("/imports")
@bp.doc(tags=["imports"], summary="批量导入案件", requestBody=UPLOAD)
@bp.arguments(ImportQuerySchema, location="query")
@bp.response(201, ImportReportSchema, description="导入报告 {process, mode, file, rows, valid, imported, errors, cases}")
@bp.alt_response(422, schema=ImportRejectedSchema,
                 description="未导入：{code, status, message, errors}，文件被拒绝时另有 report，逐行列出错误")
@fails_with(401, 403, 413)
def create_import(args):
    """Register cases from a CSV (UTF-8) or .xlsx file; every bad row is reported with its line and reasons."""
    upload = request.files.get("file")
    if upload is None:
        raise ApiError(422, "invalid_data", "提交的数据有误", {"file": ["请以 multipart/form-data 的 file 字段上传文件"]})
    report = service.import_cases(args["process"], upload.read(), filename=upload.filename or "", actor=g.user,
                                  mode=args["mode"])
    if report["imported"]:
        return report, 201
    bad = service.bad_rows(report)
    message = (f"文件有 {bad} 行错误，未导入任何案件" if bad else "文件无法导入：" + "；".join(
        f"{k}：{'、'.join(v)}" for e in report["errors"] for k, v in e["errors"].items()))
    return error_response(422, "import_rejected", message, report=report)


@bp.get("/imports/columns")
@bp.doc(tags=["imports"], summary="导入文件的列")
@bp.arguments(ColumnsQuerySchema, location="query")
@bp.response(200, ColumnsSchema, description="列名、中文名、是否必填、格式和可选值")
@fails_with(401, 422)
def list_import_columns(args):
    """The columns of an import file for a process: name, label, required, format and allowed values."""
    process = get_process(args["process"])
    try:
        cols = columns(process)
    except NotImportable as exc:
        raise ApiError(422, "not_importable", str(exc)) from None
    return {"process": process.name, "title": process.title, "import_key": list(import_key(process)),
            "columns": [c.to_dict() for c in cols]}
