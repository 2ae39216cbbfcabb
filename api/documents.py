"""Letters as issued: the stored bytes, unchanged."""
from __future__ import annotations

from flask import g

from app.downloads import DOCX, stored_file
from app.services.documents import get_document, get_document_pdf

from . import bp
from .errors import fails_with

SHA256_HEADERS = {"ETag": {"schema": {"type": "string"}}, "X-Content-SHA256": {"schema": {"type": "string"}}}


@bp.get("/documents/<int(max=2147483647):document_id>/content")
@bp.doc(tags=["documents"], summary="下载文书（.docx，与制发时一致）")
@bp.response(200, content_type=DOCX, description="文书文件；ETag 和 X-Content-SHA256 为其 SHA-256",
             headers=SHA256_HEADERS)
@fails_with(401, 404)
def get_document_content(document_id: int):
    """Download a letter (.docx) exactly as issued; the SHA-256 is in the ETag and X-Content-SHA256."""
    doc = get_document(document_id, actor=g.user)
    return stored_file(doc.content, media_type=DOCX, ascii_name=f"document-{doc.id}.docx", filename=doc.filename,
                       sha256=doc.sha256)


@bp.get("/documents/<int(max=2147483647):document_id>/pdf")
@bp.doc(tags=["documents"], summary="下载文书的 PDF 副本（由制发的 .docx 转换）")
@bp.response(200, content_type="application/pdf", description="PDF 副本；ETag 和 X-Content-SHA256 为其 SHA-256",
             headers=SHA256_HEADERS)
@fails_with(401, 404)
def get_document_pdf_content(document_id: int):
    """Download the PDF copy of a letter; 404 when the letter has none (LibreOffice was not installed)."""
    doc = get_document_pdf(document_id, actor=g.user)
    return stored_file(doc.pdf, media_type="application/pdf", ascii_name=f"document-{doc.id}.pdf",
                       filename=doc.filename.removesuffix(".docx") + ".pdf", sha256=doc.pdf_sha256)
