"""Bulk imports: register many cases from one CSV or .xlsx file, and the column layout of each process."""
from __future__ import annotations

from flask import g, jsonify, request
from marshmallow import RAISE, Schema, ValidationError, fields, validate

from app.services import bulk_import as service
from app.services.import_columns import NotImportable, columns, import_key
from workflow.processes import get_process

from . import bp
from .errors import ApiError, error_response
from .schemas import _zh


class ImportQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    process = fields.String(required=True, validate=validate.Length(min=1, max=40))
    mode = fields.String(load_default=service.ALL_OR_NOTHING,
                         validate=validate.OneOf(service.MODES, error="取值应为：{choices}"))


class ColumnsQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    process = fields.String(required=True, validate=validate.Length(min=1, max=40))


def _query(schema: type[Schema]) -> dict:
    try:
        return schema().load(request.args.to_dict())
    except ValidationError as exc:
        raise ApiError(422, "invalid_query", "查询参数有误", _zh(exc.messages)) from None


@bp.post("/imports")
def create_import():
    """Register cases from a CSV (UTF-8) or .xlsx file; every bad row is reported with its line and reasons.
    ---
    post:
      tags: [imports]
      parameters:
        - {in: query, name: process, required: true, schema: {type: string}}
        - in: query
          name: mode
          schema: {type: string, enum: [all_or_nothing, good_rows_only], default: all_or_nothing}
          description: all_or_nothing imports nothing from a file with an error; good_rows_only imports the valid rows
      requestBody:
        required: true
        content:
          multipart/form-data:
            schema: {type: object, required: [file], properties: {file: {type: string, format: binary}}}
      responses:
        201: {description: "the report {process, mode, file, rows, valid, imported, errors, cases}; rows imported"}
        403: {description: "the role may not import (registrar, handler and admin may)"}
        422: {description: "nothing imported: {code, status, message, errors, report}; report.errors lists each bad line"}
    """
    args = _query(ImportQuerySchema)
    upload = request.files.get("file")
    if upload is None:
        raise ApiError(422, "invalid_data", "提交的数据有误", {"file": ["请以 multipart/form-data 的 file 字段上传文件"]})
    report = service.import_cases(args["process"], upload.read(), filename=upload.filename or "", actor=g.user,
                                  mode=args["mode"])
    if report["imported"]:
        return jsonify(report), 201
    bad = service.bad_rows(report)
    message = (f"文件有 {bad} 行错误，未导入任何案件" if bad else "文件无法导入：" + "；".join(
        f"{k}：{'、'.join(v)}" for e in report["errors"] for k, v in e["errors"].items()))
    return error_response(422, "import_rejected", message, report=report)


@bp.get("/imports/columns")
def list_import_columns():
    """The columns of an import file for a process: name, label, required, format and allowed values.
    ---
    get:
      tags: [imports]
      parameters: [{in: query, name: process, required: true, schema: {type: string}}]
      responses: {200: {description: the columns}, 422: {description: unknown or non-importable process}}
    """
    process = get_process(_query(ColumnsQuerySchema)["process"])
    try:
        cols = columns(process)
    except NotImportable as exc:
        raise ApiError(422, "not_importable", str(exc)) from None
    return jsonify({"process": process.name, "title": process.title, "import_key": list(import_key(process)),
                    "columns": [c.to_dict() for c in cols]})
