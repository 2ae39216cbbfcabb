"""The REST API under /api/v1: JSON in and out, bearer tokens, errors as {code, status, message, errors}."""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from . import auth, errors  # noqa: E402,F401  (registers hooks on bp)
from . import calendar, cases, documents, imports, openapi, processes, tokens  # noqa: E402,F401
