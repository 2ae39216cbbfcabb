"""The caseworker pages: server-rendered, in Simplified Chinese, on the same services as the API. Like
``api/``, this package never touches the models' session or queries: it reads forms, calls one service and
renders what it returns."""
from __future__ import annotations

from flask import Blueprint, Flask
from flask_bootstrap import Bootstrap5
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

bp = Blueprint("web", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/web")
login_manager = LoginManager()
csrf = CSRFProtect()
bootstrap = Bootstrap5()


def init_app(app: Flask) -> None:
    app.config.setdefault("BOOTSTRAP_SERVE_LOCAL", True)  # Bootstrap from the package: no CDN
    login_manager.init_app(app)
    csrf.init_app(app)
    bootstrap.init_app(app)
    from . import (  # noqa: F401  (routes and template helpers register on import)
        admin,
        audit,
        auth,
        filters,
        imports,
        reports,
        views,
    )

    app.register_blueprint(bp)
    csrf.exempt(app.blueprints["api"])  # the API authenticates with bearer tokens, not cookies
