"""Scans of letters issued outside the service, kept with their 补录 event."""
from __future__ import annotations

from flask import g, request
from marshmallow import Schema, fields

from app.downloads import stored_file
from app.services import attachments as service

from . import bp
from .documents import SHA256_HEADERS
from .errors import ApiError, fails_with

UPLOAD = {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {"file": {"type": "string", "format": "binary", "description": "线下文书的扫描件（PDF、JPEG 或 PNG）"}}}}}}


class AttachmentSchema(Schema):
    id = fields.Integer()
    filename = fields.String()
    media_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    uploaded_by = fields.String()
    uploaded_at = fields.DateTime()


@bp.post("/cases/<int(max=2147483647):case_id>/events/<int(max=2147483647):seq>/attachments")
@bp.doc(tags=["cases"], summary="上传补录文书的扫描件", requestBody=UPLOAD)
@bp.response(201, AttachmentSchema, description="保存的扫描件；其 SHA-256 记入案件历史")
@fails_with(401, 403, 404, 409, 413, 422)
def attach_scan(case_id: int, seq: int):
    """Keep the scan of a letter issued outside the service with the 补录 event that recorded its step."""
    upload = request.files.get("file")
    if upload is None:
        raise ApiError(422, "invalid_data", "提交的数据有误", {"file": ["请以 multipart/form-data 的 file 字段上传文件"]})
    return service.attach_scan(case_id, seq, actor=g.user, filename=upload.filename or "", content=upload.read()), 201


@bp.get("/attachments/<int(max=2147483647):attachment_id>/content")
@bp.doc(tags=["cases"], summary="下载扫描件")
@bp.response(200, content_type="application/octet-stream", description="扫描件，ETag 和 X-Content-SHA256 为其 SHA-256",
             headers=SHA256_HEADERS)
@fails_with(401, 404)
def get_attachment_content(attachment_id: int):
    """Download a scan exactly as uploaded."""
    attachment = service.get_attachment(attachment_id, actor=g.user)
    return stored_file(attachment.content, media_type=attachment.media_type,
                       ascii_name=f"attachment-{attachment.id}", filename=attachment.filename, sha256=attachment.sha256)
