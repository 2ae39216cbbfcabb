"""The REST API under /api/v1: JSON in and out, bearer tokens, errors as {code, status, message, errors}.

The views are declared on a flask-smorest blueprint, so the OpenAPI document is generated from the same
schemas that parse requests (``@bp.arguments``) and dump responses (``@bp.response``)."""
from flask_smorest import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from .arguments import Parser  # noqa: E402

bp.ARGUMENTS_PARSER = Parser()  # before any view is declared: @bp.arguments binds it

from . import (  # noqa: E402,F401
    attachments,
    audit,
    auth,
    calendar,
    cases,
    deliveries,
    documents,
    errors,
    imports,
    openapi,
    processes,
    reports,
    tokens,
)
from .openapi import init_app  # noqa: E402,F401
