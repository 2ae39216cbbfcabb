"""Letters as issued: the stored bytes, unchanged."""
from __future__ import annotations

import io
from urllib.parse import quote

from flask import g, send_file

from app.services.documents import get_document

from . import bp
from .errors import fails_with

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@bp.get("/documents/<int(max=2147483647):document_id>/content")
@bp.doc(tags=["documents"], summary="下载文书（.docx，与制发时一致）")
@bp.response(200, content_type=DOCX, description="文书文件；ETag 和 X-Content-SHA256 为其 SHA-256", headers={
    "ETag": {"schema": {"type": "string"}}, "X-Content-SHA256": {"schema": {"type": "string"}}})
@fails_with(401, 404)
def get_document_content(document_id: int):
    """Download a letter (.docx) exactly as issued; the SHA-256 is in the ETag and X-Content-SHA256."""
    doc = get_document(document_id, actor=g.user)
    response = send_file(io.BytesIO(doc.content), mimetype=DOCX, as_attachment=True,
                         download_name=f"document-{doc.id}.docx", etag=doc.sha256, conditional=True)
    response.headers["Content-Disposition"] = (f"attachment; filename=document-{doc.id}.docx; "
                                               f"filename*=UTF-8''{quote(doc.filename)}")
    response.headers["X-Content-SHA256"] = doc.sha256
    return response
