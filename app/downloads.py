"""Stored files (letters, their PDF copies, scans) sent unchanged, for the API and the pages alike."""
from __future__ import annotations

import io
from urllib.parse import quote

from flask import send_file


def stored_file(content: bytes, *, media_type: str, ascii_name: str, filename: str, sha256: str,
                inline: bool = False):
    """A stored file, unchanged, as a download (or, ``inline``, for the browser to show): an ASCII name and
    the real (Chinese) one for browsers that read it (RFC 6266), its SHA-256 as ETag (conditional requests)
    and in X-Content-SHA256."""
    response = send_file(io.BytesIO(content), mimetype=media_type, as_attachment=not inline,
                         download_name=ascii_name, etag=sha256, conditional=True)
    disposition = "inline" if inline else "attachment"
    response.headers["Content-Disposition"] = f"{disposition}; filename={ascii_name}; filename*=UTF-8''{quote(filename)}"
    response.headers["X-Content-SHA256"] = sha256
    return response


def table_download(rows, fmt: str, *, ascii_stem: str, title: str):
    """A table (an iterator of rows, the header first) as a streamed CSV or an .xlsx download, named with
    today's date: ``<ascii_stem>-<date>.<fmt>`` and, for browsers that read it, ``<title>-<date>.<fmt>``."""
    from flask import Response, stream_with_context

    from app.services import exports, timesource

    stamp = timesource.today().isoformat()
    if fmt == "csv":
        response = Response(stream_with_context(exports.csv_chunks(rows)), mimetype="text/csv")
    else:
        response = Response(_sent(exports.xlsx_file(rows, sheet=title[:31])), mimetype=XLSX)
    response.headers["Content-Disposition"] = (f"attachment; filename={ascii_stem}-{stamp}.{fmt}; "
                                               f"filename*=UTF-8''{quote(f'{title}-{stamp}.{fmt}')}")
    return response


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _sent(file, size: int = 64 * 1024):
    """A file's bytes in blocks, the file closed once they are sent (or the client went away)."""
    with file:
        while block := file.read(size):
            yield block


def made_download(content: bytes, *, ascii_name: str, filename: str, media_type: str = XLSX):
    """A file made for the request (an .xlsx workbook unless ``media_type`` says otherwise) as a download: an
    ASCII name, and the real one for browsers that read it."""
    from flask import Response

    return Response(content, mimetype=media_type, headers={
        "Content-Disposition": f"attachment; filename={ascii_name}; filename*=UTF-8''{quote(filename)}"})
