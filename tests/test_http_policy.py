"""Production configuration and what every response carries (issue 10.4): weak secrets, an unknown environment
name and SQLite under several workers refused at start-up with the reason; security headers, no caching of
case data or tokens, HSTS behind TLS; a health check that asks the database; 503 with Retry-After, never 500,
when the database is gone."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from app import create_app
from config import DEFAULT_SECRET, ProductionConfig, TestingConfig, from_environment
from tests import factories as f
from tests.api.helpers import Api
from tests.test_config_and_schema import REAL, production
from tests.web.conftest import browser_for

# A PostgreSQL server that is not there: nothing listens on port 1.
GONE = "postgresql+psycopg://postgres@127.0.0.1:1/disclosure_gone"


@pytest.mark.parametrize("secret, reason", [
    (DEFAULT_SECRET, "the default secret is refused"),
    ("", "it has 0 characters; at least 32 are needed"),
    ("x", "it has 1 characters; at least 32 are needed"),
    ("correct-horse-battery", "it has 21 characters; at least 32 are needed"),
    ("ab" * 20, "it repeats 2 different characters"),
    ("0123456789" * 4, "it repeats 10 different characters"),
])
def test_production_refuses_a_weak_secret_key_saying_why(monkeypatch, tmp_path, secret, reason):
    production(monkeypatch, tmp_path)
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", secret)
    with pytest.raises(RuntimeError, match="set SECRET_KEY to a long random value: " + reason):
        create_app(ProductionConfig, {"AGENCIES": {"gzsft": REAL}})


def test_a_long_random_secret_is_accepted(monkeypatch, tmp_path):
    production(monkeypatch, tmp_path)
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "kT3v9Qx_2mWb8ZpL-r4NcY7hJsE1uGdA6fVo0iXq")
    assert create_app(ProductionConfig, {"AGENCIES": {"gzsft": REAL}}).config["SECRET_KEY"].startswith("kT3v")


def test_production_refuses_sqlite_for_several_workers(monkeypatch, tmp_path):
    production(monkeypatch, tmp_path)  # SQLite
    monkeypatch.setenv("WEB_CONCURRENCY", "4")
    with pytest.raises(RuntimeError, match=r"SQLite serves one worker process only \(WEB_CONCURRENCY=4\)"):
        create_app(ProductionConfig, {"AGENCIES": {"gzsft": REAL}})
    monkeypatch.setenv("WEB_CONCURRENCY", "1")
    assert create_app(ProductionConfig, {"AGENCIES": {"gzsft": REAL}})


def test_production_refuses_per_worker_sign_in_counts_for_several_workers(monkeypatch, tmp_path):
    production(monkeypatch, tmp_path)
    monkeypatch.setattr(ProductionConfig, "SQLALCHEMY_DATABASE_URI", GONE)  # PostgreSQL (not reached here)
    monkeypatch.setenv("WEB_CONCURRENCY", "4")
    with pytest.raises(RuntimeError, match="set RATELIMIT_STORAGE_URI to a shared store"):
        create_app(ProductionConfig, {"AGENCIES": {"gzsft": REAL}})
    monkeypatch.setattr(ProductionConfig, "RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/15")
    assert create_app(ProductionConfig, {"AGENCIES": {"gzsft": REAL}})


def test_an_unknown_environment_name_is_explained(monkeypatch):
    monkeypatch.setenv("APP_ENV", "prod")
    with pytest.raises(RuntimeError, match="APP_ENV='prod' is not an environment of this service: use one of "
                                           "development, testing, production"):
        from_environment()
    monkeypatch.setenv("APP_ENV", "production")
    assert from_environment() is ProductionConfig


def test_pooled_postgresql_connections_are_checked_before_use():
    app = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": GONE})
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is True
    assert "pool_pre_ping" not in create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": "sqlite://"}).config[
        "SQLALCHEMY_ENGINE_OPTIONS"]


def test_every_response_carries_the_security_headers_and_case_data_is_never_cached(app, db):
    f.user("handler", role="handler")
    case = f.open_case(f.user("registrar", role="registrar"))
    page = browser_for(app, "handler").get(f"/cases/{case.id}")
    api = Api(app, "handler").get("api.get_case", case_id=case.id)
    token = app.test_client().post("/api/v1/tokens", json={"username": "handler", "password": f.PASSWORD})
    for response in (page, api, token):
        assert response.status_code in (200, 201)
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert "script-src 'self';" in response.headers["Content-Security-Policy"]
        assert response.headers["Cache-Control"] == "no-store"
        assert "Strict-Transport-Security" not in response.headers  # plain HTTP: HSTS would mean nothing
    static = app.test_client().get("/static/web/app.css")
    assert static.status_code == 200 and static.headers.get("Cache-Control") != "no-store"
    static.close()
    secure = app.test_client().get("/login", base_url="https://disclosure.example.gov.cn")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_the_health_check_asks_the_database(app, db):
    answer = app.test_client().get("/healthz")
    assert (answer.status_code, answer.get_json()) == (200, {"status": "ok", "database": "ok"})


def test_without_its_database_the_service_answers_503_with_retry_after_never_500():
    app = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": GONE,
                                     "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"connect_timeout": 2}}})
    client = app.test_client()
    health = client.get("/healthz")
    assert (health.status_code, health.get_json()["database"]) == (503, "unavailable")
    assert health.headers["Retry-After"] == "5"
    api = client.post("/api/v1/tokens", json={"username": "handler", "password": "whatever-it-is"})
    # (Flask-Limiter, counting sign-ins here, rewrites Retry-After from the same instant, rounded down.)
    assert api.status_code == 503 and int(api.headers["Retry-After"]) >= 4
    assert api.get_json() == {"code": "service_unavailable", "status": 503, "message": "数据库暂时无法访问，请稍后重试",
                              "errors": {}}
    listed = client.get("/api/v1/cases", headers={"Authorization": "Bearer some-token"})
    assert listed.status_code == 503
    assert client.get("/login").status_code == 200  # the sign-in page itself needs no database
    with client.session_transaction() as session:  # a signed-in caseworker's cookie
        session["_user_id"] = "a-session-key"
    page = client.get("/cases")
    assert page.status_code == 503 and page.headers["Retry-After"] == "5"
    assert "数据库暂时无法访问，请稍后重试" in page.get_data(as_text=True)
    with app.app_context():
        from app.extensions import db
        db.engine.dispose()


def test_behind_a_trusted_proxy_the_client_address_and_https_come_from_its_headers(database_url, clock):
    from app.extensions import db as _db
    from app.models import AuditRecord

    app = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": database_url, "CLOCK": clock, "TRUSTED_PROXIES": 1})
    with app.app_context():
        f.user("handler", role="handler")
        forwarded = {"X-Forwarded-For": "203.0.113.5", "X-Forwarded-Proto": "https"}
        answer = app.test_client().post("/api/v1/tokens", json={"username": "handler", "password": "wrong-one"},
                                        headers=forwarded)
        assert answer.status_code == 401
        assert answer.headers["Strict-Transport-Security"].startswith("max-age=")
        assert _db.session.scalar(sa.select(AuditRecord.address)) == "203.0.113.5"
        _db.session.remove()
        _db.engine.dispose()
    # Without the setting the headers are anybody's: not believed.
    plain = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": "sqlite://"}).test_client()
    assert "Strict-Transport-Security" not in plain.get("/login", headers={"X-Forwarded-Proto": "https"}).headers
