"""Error handlers scoped to the API blueprint, so pages keep HTML errors."""
from __future__ import annotations

from flask import jsonify, request
from werkzeug.exceptions import HTTPException

from app.services.errors import ConcurrentUpdate, IdempotencyMismatch, NotFound
from workflow.errors import (GuardFailed, InvalidData, LetterIncomplete, NotPermitted, TriggerNotAllowed,
                             UnknownProcess, UnknownTrigger, WorkflowError)

from . import bp

STATUS = {
    InvalidData: 422, GuardFailed: 422, LetterIncomplete: 422, UnknownProcess: 422, UnknownTrigger: 422,
    IdempotencyMismatch: 422, TriggerNotAllowed: 409, ConcurrentUpdate: 409, NotPermitted: 403, NotFound: 404,
}


def error_response(status: int, code: str, message: str, errors=None, **extra):
    body = {"code": code, "status": status, "message": message, "errors": errors or {}}
    body.update(extra)
    return jsonify(body), status


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, errors=None):
        super().__init__(message)
        self.status, self.code, self.message, self.errors = status, code, message, errors


@bp.errorhandler(ApiError)
def handle_api_error(exc: ApiError):
    return error_response(exc.status, exc.code, exc.message, exc.errors)


@bp.errorhandler(WorkflowError)
def handle_workflow_error(exc: WorkflowError):
    status = next((s for cls, s in STATUS.items() if isinstance(exc, cls)), 422)
    errors = getattr(exc, "errors", None) or exc.details.get("errors") or {}
    details = {k: v for k, v in exc.details.items() if k != "errors"}
    return error_response(status, exc.code, exc.message, errors, **details)


@bp.errorhandler(HTTPException)
def handle_http_error(exc: HTTPException):
    return error_response(exc.code or 500, exc.name.lower().replace(" ", "_"), exc.description or exc.name)


@bp.app_errorhandler(404)
@bp.app_errorhandler(405)
def handle_routing_error(exc: HTTPException):
    """Routing errors happen before any blueprint is chosen: answer JSON under the API's prefix only,
    so other pages keep their HTML errors."""
    if request.path.startswith(bp.url_prefix):
        return handle_http_error(exc)
    return exc
