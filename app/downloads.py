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
