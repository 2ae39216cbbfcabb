"""How the API reads a request: the body as one JSON object (400 when it is not, 413 when too large) and
every schema's refusal as a 422 naming the fields, in Chinese."""
from __future__ import annotations

import json

from webargs.flaskparser import FlaskParser

from .errors import ApiError

MAX_DATA_BYTES = 1_000_000


class Parser(FlaskParser):
    """webargs' Flask parser with the API's rules: the schemas decide about unknown fields (they refuse
    them), a body is JSON whatever its content type says, and errors become ApiError."""

    DEFAULT_UNKNOWN_BY_LOCATION: dict = {}

    def _raw_load_json(self, req):
        raw = req.get_data(cache=True)
        if len(raw) > MAX_DATA_BYTES:
            raise ApiError(413, "payload_too_large", f"请求体不能超过 {MAX_DATA_BYTES} 字节")
        try:
            body = json.loads(raw or b"{}")
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            raise ApiError(400, "malformed_json", f"请求体不是合法的 JSON：{exc}") from None
        if not isinstance(body, dict):
            raise ApiError(400, "malformed_json", "请求体应为 JSON 对象")
        return body

    def handle_error(self, error, req, schema, *, error_status_code, error_headers):
        # webargs files the messages under the location: {"json": {...}} or {"query": {...}}
        ((location, messages),) = error.messages.items()
        if location in ("query", "querystring"):
            raise ApiError(422, "invalid_query", "查询参数有误", messages)
        raise ApiError(422, "invalid_data", "提交的数据有误", messages)
