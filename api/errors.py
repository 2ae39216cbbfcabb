"""Error handlers scoped to the API blueprint, so pages keep HTML errors; every refusal is logged."""
from __future__ import annotations

import json
import logging
from http import HTTPStatus

from flask import g, jsonify, request
from werkzeug.exceptions import HTTPException

from app.services import audit_log
from app.services.deliveries import AlreadyServed
from app.services.errors import ConcurrentUpdate, IdempotencyMismatch, NotFound, OutOfScope
from workflow.errors import (
    GuardFailed,
    InvalidData,
    LetterIncomplete,
    NotPermitted,
    TriggerNotAllowed,
    UnknownProcess,
    UnknownTrigger,
    WorkflowError,
)

from . import bp

log = logging.getLogger("api")

STATUS = {
    InvalidData: 422, GuardFailed: 422, LetterIncomplete: 422, UnknownProcess: 422, UnknownTrigger: 422,
    IdempotencyMismatch: 422, TriggerNotAllowed: 409, ConcurrentUpdate: 409, AlreadyServed: 409, NotPermitted: 403, NotFound: 404,
}
LOGGED = {403, 409, 422}  # refusals and conflicts: a caseworker or an auditor may ask why


def error_response(status: int, code: str, message: str, errors=None, headers=None, **extra):
    body = {"code": code, "status": status, "message": message, "errors": errors or {}}
    body.update(extra)
    if status in LOGGED:
        log_refusal(status, code, message, body["errors"])
    if status in audit_log.RECORDED_STATUSES:
        record_refusal(status, code, message)
    return jsonify(body), status, headers or {}


def attempt() -> audit_log.Attempt:
    return audit_log.Attempt(channel="api", method=request.method, path=request.path,
                             address=request.remote_addr or "")


def record_refusal(status: int, code: str, message: str) -> None:
    """The auditor's record of a refused request; a refused token request is a failed sign-in."""
    view_args = request.view_args or {}
    if request.endpoint == "api.create_token" and status == 401:
        body = request.get_json(silent=True)
        username = body.get("username") if isinstance(body, dict) and isinstance(body.get("username"), str) else ""
        audit_log.record(audit_log.SIGN_IN_FAILED, attempt(), user=None, username=username, status=status,
                         code=code, message=message)
        return
    trigger = _trigger_of(request) if request.endpoint == "api.fire_trigger" else None
    audit_log.record(audit_log.REFUSED, attempt(), user=g.get("user"), status=status, code=code, message=message,
                     case_id=view_args.get("case_id"), trigger=trigger)


def log_refusal(status: int, code: str, message: str, errors) -> None:
    """One INFO line per refused request: who, which case and trigger, and why."""
    view_args = request.view_args or {}
    trigger = _trigger_of(request) if request.endpoint == "api.fire_trigger" else None
    user = g.get("user")
    actor = user.username if user is not None else None
    log.info("refused %s %s: %s %s case=%s trigger=%s actor=%s reason=%s", request.method, request.path, status,
             code, view_args.get("case_id"), trigger, actor, message,
             extra={"event": "refusal", "status": status, "code": code, "reason": message, "errors": errors,
                    "case_id": view_args.get("case_id"), "trigger": trigger,
                    "actor": actor, "method": request.method, "path": request.path})


def _trigger_of(req) -> str | None:
    try:
        body = json.loads(req.get_data(cache=True)[:1_000_000] or b"{}")
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    trigger = body.get("trigger") if isinstance(body, dict) else None
    return trigger if isinstance(trigger, str) else None


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, errors=None):
        super().__init__(message)
        self.status, self.code, self.message, self.errors = status, code, message, errors


@bp.errorhandler(ApiError)
def handle_api_error(exc: ApiError):
    return error_response(exc.status, exc.code, exc.message, exc.errors)


@bp.errorhandler(WorkflowError)
def handle_workflow_error(exc: WorkflowError):
    if isinstance(exc, OutOfScope):
        audit_log.record(audit_log.DENIED, attempt(), user=g.get("user"), status=404, code=exc.code,
                         message=exc.message, case_id=exc.case_id)
    status, body = refusal_body(exc)
    return error_response(status, exc.code, exc.message, body["errors"], **{
        k: v for k, v in body.items() if k not in ("code", "status", "message", "errors")})


def refusal_body(exc: WorkflowError) -> tuple[int, dict]:
    """The status and the error body of a refusal: answered now, and kept under an Idempotency-Key."""
    status = next((s for cls, s in STATUS.items() if isinstance(exc, cls)), 422)
    errors = getattr(exc, "errors", None) or exc.details.get("errors") or {}
    details = {k: v for k, v in exc.details.items() if k != "errors"}
    return status, {"code": exc.code, "status": status, "message": exc.message, "errors": errors, **details}


@bp.errorhandler(HTTPException)
def handle_http_error(exc: HTTPException):
    status = exc.code or 500
    if status >= 500:
        # The traceback of an unexpected failure: Flask passes it here as original_exception.
        original = getattr(exc, "original_exception", None) or exc
        log.error("server error on %s %s", request.method, request.path,
                  exc_info=(type(original), original, original.__traceback__),
                  extra={"event": "server_error", "status": status, "method": request.method,
                         "path": request.path, "actor": g.user.username if g.get("user") else None})
    # Keep the exception's own headers (Allow on a 405, Retry-After ...), not its HTML content type.
    headers = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}
    code = exc.name.lower().replace(" ", "_")
    message = MESSAGES.get(status) or exc.description or exc.name
    return error_response(status, code, message, headers=headers)


MESSAGES = {
    404: "请求的地址不存在",
    405: "此地址不支持该请求方法",
    413: "请求体过大",
    500: "服务器内部错误，请稍后重试或联系管理员",
}


@bp.app_errorhandler(404)
@bp.app_errorhandler(405)
@bp.app_errorhandler(413)
def handle_routing_error(exc: HTTPException):
    """Routing errors happen before any blueprint is chosen: answer JSON under the API's prefix only,
    so other pages keep their HTML errors."""
    if request.path.startswith(bp.url_prefix):
        return handle_http_error(exc)
    return exc


def fails_with(*statuses: int):
    """Document the error statuses a view can answer, each with the error body (and Allow on a 405).
    Every operation can also answer 405 on its path, and 503 while the database cannot be reached (with
    Retry-After); authenticated ones 401."""
    def decorator(func):
        for status in sorted(set(statuses) | {405, 503}, reverse=True):
            func = bp.alt_response(status, HTTPStatus(status).name)(func)
        return func
    return decorator
