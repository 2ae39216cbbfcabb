"""Configuration and migrations: production refuses unsafe settings; the migrations build exactly the
schema the models describe."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app import create_app
from app.extensions import db
from config import DEFAULT_SECRET, DEMO_GZSFT, ProductionConfig, database_url


def test_production_refuses_to_start_with_the_default_secret(monkeypatch):
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", DEFAULT_SECRET)
    monkeypatch.setattr(ProductionConfig, "SQLALCHEMY_DATABASE_URI", "postgresql+psycopg://x@127.0.0.1/x")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(ProductionConfig)


def test_production_refuses_to_start_without_a_database_url(monkeypatch):
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "a-real-secret-from-the-environment")
    monkeypatch.setattr(ProductionConfig, "SQLALCHEMY_DATABASE_URI", None)
    with pytest.raises(RuntimeError, match="DATABASE_URL"):
        create_app(ProductionConfig)


def production(monkeypatch):
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "a-real-secret-from-the-environment")
    monkeypatch.setattr(ProductionConfig, "SQLALCHEMY_DATABASE_URI", "sqlite://")


def test_production_refuses_to_start_without_the_agencys_real_contact_details(monkeypatch):
    production(monkeypatch)
    with pytest.raises(RuntimeError, match="agencies gzsft lack real contact details"):
        create_app(ProductionConfig)  # the built-in default ships no address or telephone
    with pytest.raises(RuntimeError, match="agencies gzsft lack real contact details"):
        create_app(ProductionConfig, {"AGENCIES": {"gzsft": DEMO_GZSFT}})  # nor the demonstration's
    real = {**DEMO_GZSFT, "address": "贵州省贵阳市观山湖区某路1号", "phone": "0851-12345678"}
    assert create_app(ProductionConfig, {"AGENCIES": {"gzsft": real}}).config["AGENCIES"]["gzsft"] == real


@pytest.mark.parametrize("given, expected", [
    ("postgres://u@h/d", "postgresql+psycopg://u@h/d"),
    ("postgresql://u@h/d", "postgresql+psycopg://u@h/d"),
    ("sqlite:///x.db", "sqlite:///x.db"),
])
def test_database_url_is_normalised_for_psycopg(monkeypatch, given, expected):
    monkeypatch.setenv("DATABASE_URL", given)
    assert database_url() == expected


# Built by the migrations on PostgreSQL only, so not among the models: the indexes of the text search.
POSTGRESQL_ONLY = {"ix_cases_search_grams", "ix_cases_search_trgm"}


def test_migrations_build_the_schema_the_models_describe(app):
    def described(obj, name, type_, reflected, compare_to):
        return not (type_ == "index" and name in POSTGRESQL_ONLY and db.engine.dialect.name == "postgresql")

    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"include_object": described}), db.metadata)
    assert diff == []
    with db.engine.connect() as conn:
        indexes = {i["name"] for i in sa.inspect(conn).get_indexes("cases")}
    assert POSTGRESQL_ONLY <= indexes if db.engine.dialect.name == "postgresql" else not POSTGRESQL_ONLY & indexes


def test_the_chain_head_migration_backfills_existing_cases(tmp_path):
    from flask_migrate import upgrade

    from config import TestingConfig

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    app = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade(revision="c3a1d2e4f5b6")
        with db.engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO users (id, username, display_name, password_hash, role, department, agency_code, active,"
                " created_at) VALUES (1, 'u', 'u', 'x', 'handler', '', 'gzsft', 1, '2026-11-27 00:00:00')")
            conn.exec_driver_sql(
                "INSERT INTO cases (id, agency_code, process, definition_version, reference, state, version, department,"
                " data, received_on, due_provisional, last_effective_on, created_by_id, created_at, updated_at)"
                " VALUES (7, 'gzsft', 'disclosure_request', 1, 'R1', 'in_progress', 2, '', '{}', '2026-11-20', 0,"
                " '2026-11-23', 1, '2026-11-27 00:00:00', '2026-11-27 00:00:00')")
            for seq, digest in ((1, "a" * 64), (2, "b" * 64)):
                conn.exec_driver_sql(
                    "INSERT INTO events (case_id, seq, trigger, to_state, definition_version, actor_name, role,"
                    " effective_on, recorded_at, data, clocks, prev_hash, hash) VALUES"
                    f" (7, {seq}, 't', 's', 1, 'u', 'handler', '2026-11-23', '2026-11-27 00:00:00', '{{}}', '{{}}',"
                    f" '{'0' * 64}', '{digest}')")
        upgrade()
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT last_seq, last_hash FROM cases WHERE id = 7").one() == (2, "b" * 64)
        db.engine.dispose()
