"""The application factory: configuration, extensions, blueprints, CLI and logging, each a short step."""
from __future__ import annotations

import logging
import os

from flask import Flask
from sqlalchemy import event

from config import ProductionConfig, from_environment

from . import http_policy
from .extensions import db, migrate
from .limits import limiter
from .log_format import formatter

MIGRATIONS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "migrations")


def create_app(config_class=None, overrides: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.json.ensure_ascii = False  # Chinese text as text, not \uXXXX escapes
    configure(app, config_class or from_environment(), overrides or {})
    configure_extensions(app)
    register_blueprints(app)
    http_policy.init_app(app)
    register_cli(app)
    configure_logging(app)
    return app


def configure(app: Flask, config_class, overrides: dict) -> None:
    app.config.from_object(config_class)
    app.config.update(overrides)
    if config_class is ProductionConfig or issubclass(config_class, ProductionConfig):
        config_class.check(app.config["AGENCIES"])
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        os.makedirs(app.instance_path, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(app.instance_path, "disclosure.sqlite3")
    # Copies: the class-level dicts are shared by every app created in this process.
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        options["connect_args"] = {"timeout": 30, **options.get("connect_args", {})}
    else:
        # A pooled connection the server dropped (restart, fail-over, idle timeout) is noticed and replaced
        # before a request uses it.
        options.setdefault("pool_pre_ping", True)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def configure_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS, render_as_batch=True)
    limiter.init_app(app)
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets readers run beside the single writer; the busy timeout makes a second writer wait
    # instead of failing; foreign keys are off by default in SQLite.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def register_blueprints(app: Flask) -> None:
    from api import init_app as init_api
    from web import init_app as init_web

    init_api(app)  # the API blueprint, registered through flask-smorest (its OpenAPI document)
    init_web(app)  # the caseworker pages at /


def register_cli(app: Flask) -> None:
    from .cli import register

    register(app)


def configure_logging(app: Flask) -> None:
    kind = formatter(app.config.get("LOG_FORMAT", "text"))  # refuse an unknown format at start-up
    if not app.debug and not app.testing:
        handler = logging.StreamHandler()
        handler.setFormatter(kind)
        logging.basicConfig(level=logging.INFO, handlers=[handler])  # no-op when the server configured logging
    # transitions logs every state change at INFO; the event history is the record that matters.
    logging.getLogger("transitions").setLevel(logging.WARNING)
