"""What every response of the service carries and how it answers when its database is gone: security headers
(no sniffing, no framing, a content security policy that fits the pages, HSTS behind TLS, no caching of
anything but static files), a health check that asks the database, and 503 — not 500 — with Retry-After when
the database cannot be reached."""
from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import Flask, current_app, jsonify, request
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.middleware.proxy_fix import ProxyFix

from .extensions import db

log = logging.getLogger(__name__)

# The pages load their scripts, styles, fonts and images from this origin only (Bootstrap is served locally);
# inline style attributes remain (the process diagrams' SVG), inline scripts do not exist and are refused.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                           "img-src 'self' data:; font-src 'self'; object-src 'none'; base-uri 'self'; "
                           "form-action 'self'; frame-ancestors 'none'")
HSTS = "max-age=31536000; includeSubDomains"
RETRY_AFTER_SECONDS = 5


def init_app(app: Flask) -> None:
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:
        # Behind nginx: the client's address (for the sign-in limits and the audit records) and the scheme
        # (HTTPS: HSTS, secure cookies) come from the proxy's X-Forwarded-* headers, trusted that many hops.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    app.after_request(_headers)
    app.add_url_rule("/healthz", "healthz", healthz)
    for error in (OperationalError, PoolTimeout):
        app.register_error_handler(error, _database_unavailable)
    app.register_error_handler(DBAPIError, _database_error)


def _headers(response):
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", HSTS)
    # Case data, letters, tokens and reports are personal and official: kept by no cache, the browser's
    # included. Only the static files (CSS, Bootstrap) may be cached.
    if request.endpoint is None or not request.endpoint.endswith("static"):
        headers["Cache-Control"] = "no-store"
        headers.setdefault("Pragma", "no-cache")
    return response


def healthz():
    """200 when the service can read its database, 503 when it cannot (for a load balancer or a monitor)."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except (OperationalError, PoolTimeout, DBAPIError) as exc:
        db.session.rollback()
        log.warning("health check: database unavailable: %s", type(exc).__name__,
                    extra={"event": "health_failed"})
        return jsonify(status="unavailable", database="unavailable"), 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}
    return jsonify(status="ok", database="ok")


def _database_error(exc: DBAPIError):
    """A connection lost in the middle of a request is unavailability; any other database error is a fault."""
    if exc.connection_invalidated:
        return _database_unavailable(exc)
    raise exc


def _database_unavailable(exc):
    db.session.rollback()
    log.error("database unavailable on %s %s: %s", request.method, request.path, type(exc).__name__,
              extra={"event": "database_unavailable", "method": request.method, "path": request.path})
    message = "数据库暂时无法访问，请稍后重试"
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if request.path.startswith("/api/"):
        body = {"code": "service_unavailable", "status": 503, "message": message, "errors": {}}
        return jsonify(body), 503, headers
    # The template alone, without the context processors: they would ask the database who is signed in.
    page = current_app.jinja_env.get_template("unavailable.html").render(message=message)
    return page, 503, headers
