"""Configuration and migrations: production refuses unsafe settings; the migrations build exactly the
schema the models describe."""
from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import json
import re
from pathlib import Path
from types import SimpleNamespace

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


def production(monkeypatch, folder):
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "a-real-secret-from-the-environment")
    monkeypatch.setattr(ProductionConfig, "SQLALCHEMY_DATABASE_URI", "sqlite://")
    keys = folder / "event_keys.json"
    keys.write_text(json.dumps({"current": "k1", "keys": {"k1": "ab" * 32}}))
    monkeypatch.setattr(ProductionConfig, "EVENT_KEYS_FILE", str(keys))
    return keys


@pytest.mark.parametrize("content, message", [
    (None, "set EVENT_KEYS_FILE"),
    ("missing", "does not exist"),
    ({"current": "k1", "keys": {"k1": "ab" * 16}}, "keys k1 are shorter than 32 bytes"),
    ({"current": "k2", "keys": {"k1": "ab" * 32}}, "the current key 'k2' is not among the keys"),
    ("not json", "Expecting value"),
])
def test_production_refuses_to_start_without_good_event_keys(monkeypatch, tmp_path, content, message):
    keys = production(monkeypatch, tmp_path)
    if content is None:
        monkeypatch.setattr(ProductionConfig, "EVENT_KEYS_FILE", None)
    elif content == "missing":
        keys.unlink()
    else:
        keys.write_text(content if isinstance(content, str) else json.dumps(content))
    with pytest.raises(RuntimeError, match=re.escape(message)):
        create_app(ProductionConfig, {"AGENCIES": {"gzsft": REAL}})


REAL = {**DEMO_GZSFT, "address": "贵州省贵阳市观山湖区某路1号", "phone": "0851-12345678"}


def test_production_refuses_to_start_without_the_agencys_real_contact_details(monkeypatch, tmp_path):
    production(monkeypatch, tmp_path)
    with pytest.raises(RuntimeError, match="agencies gzsft lack real contact details"):
        create_app(ProductionConfig)  # the built-in default ships no address or telephone
    with pytest.raises(RuntimeError, match="agencies gzsft lack real contact details"):
        create_app(ProductionConfig, {"AGENCIES": {"gzsft": DEMO_GZSFT}})  # nor the demonstration's
    assert create_app(ProductionConfig, {"AGENCIES": {"gzsft": REAL}}).config["AGENCIES"]["gzsft"] == REAL


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


def _user_and_case(conn, *, state: str, received_on: str, last_effective_on: str) -> None:
    """User 1 and case 7 (R1) as the early revisions' tables hold them, in plain SQL."""
    conn.exec_driver_sql(
        "INSERT INTO users (id, username, display_name, password_hash, role, department, agency_code, active,"
        " created_at) VALUES (1, 'u', 'u', 'x', 'handler', '', 'gzsft', 1, '2026-11-27 00:00:00')")
    conn.exec_driver_sql(
        "INSERT INTO cases (id, agency_code, process, definition_version, reference, state, version, department,"
        " data, received_on, due_provisional, last_effective_on, created_by_id, created_at, updated_at)"
        f" VALUES (7, 'gzsft', 'disclosure_request', 1, 'R1', '{state}', 2, '', '{{}}', '{received_on}', 0,"
        f" '{last_effective_on}', 1, '2026-11-27 00:00:00', '2026-11-27 00:00:00')")


def test_the_chain_head_migration_backfills_existing_cases(tmp_path):
    from flask_migrate import upgrade

    from config import TestingConfig

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    app = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade(revision="c3a1d2e4f5b6")
        with db.engine.begin() as conn:
            _user_and_case(conn, state="in_progress", received_on="2026-11-20", last_effective_on="2026-11-23")
            for seq, digest in ((1, "a" * 64), (2, "b" * 64)):
                conn.exec_driver_sql(
                    "INSERT INTO events (case_id, seq, trigger, to_state, definition_version, actor_name, role,"
                    " effective_on, recorded_at, data, clocks, prev_hash, hash) VALUES"
                    f" (7, {seq}, 't', 's', 1, 'u', 'handler', '2026-11-23', '2026-11-27 00:00:00', '{{}}', '{{}}',"
                    f" '{'0' * 64}', '{digest}')")
        upgrade(revision="d4b2e6f7a8c9")
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT last_seq, last_hash FROM cases WHERE id = 7").one() == (2, "b" * 64)
        db.engine.dispose()


MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations" / "versions"
ZERO_BYTE_SHA256 = hashlib.sha256(b"\0").hexdigest()


def _old_database(tmp_path, *, tamper: bool):
    """A database as revision e2c4a6b8d0f3 left it, with a case whose two events are chained with round 1's
    plain SHA-256 hashes and a letter issued by the second."""
    from flask_migrate import upgrade

    from config import TestingConfig

    spec = importlib.util.spec_from_file_location("keyed", MIGRATIONS / "f3d5b7c9e1a2_keyed_event_chain.py")
    keyed = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(keyed)
    app = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.sqlite3'}"})
    with app.app_context():
        upgrade(revision="e2c4a6b8d0f3")
        with db.engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO users (id, username, display_name, password_hash, role, department, agency_code, active,"
                " created_at) VALUES (1, 'u', 'u', 'x', 'handler', '', 'gzsft', 1, '2026-11-27 00:00:00')")
            prev, rows = "0" * 64, []
            for seq, trigger, state in ((1, "register", "received"), (2, "accept", "in_progress")):
                event = SimpleNamespace(case_id=7, seq=seq, trigger=trigger, from_state=None, to_state=state,
                                        reason=None, actor_name="u", role="handler",
                                        effective_on=dt.date(2026, 11, 23),
                                        recorded_at=dt.datetime(2026, 11, 27, seq, tzinfo=dt.UTC),
                                        data={"n": seq}, clocks={}, backfilled=False)
                digest = keyed._plain_hash(prev, event)
                rows.append((seq, trigger, state, prev, digest if not (tamper and seq == 1) else "f" * 64))
                prev = digest
            conn.exec_driver_sql(
                "INSERT INTO cases (id, agency_code, process, definition_version, reference, state, version, department,"
                " data, received_on, due_provisional, last_effective_on, last_seq, last_hash, created_by_id, created_at,"
                f" updated_at) VALUES (7, 'gzsft', 'disclosure_request', 1, 'R1', 'in_progress', 2, '', '{{}}',"
                f" '2026-11-20', 0, '2026-11-23', 2, '{prev}', 1, '2026-11-27 00:00:00', '2026-11-27 00:00:00')")
            for seq, trigger, state, prev_hash, digest in rows:
                conn.exec_driver_sql(
                    "INSERT INTO events (id, case_id, seq, trigger, to_state, definition_version, actor_name, role,"
                    " effective_on, recorded_at, data, clocks, backfilled, prev_hash, hash) VALUES"
                    f" ({seq}, 7, {seq}, '{trigger}', '{state}', 1, 'u', 'handler', '2026-11-23',"
                    f" '2026-11-27 0{seq}:00:00.000000', '{{\"n\": {seq}}}', '{{}}', 0, '{prev_hash}', '{digest}')")
            conn.exec_driver_sql(
                "INSERT INTO documents (id, case_id, event_id, agency_code, kind, year, serial, number, title, addressee,"
                " filename, content, size, sha256, issued_on, created_at) VALUES (1, 7, 2, 'gzsft', 'reply', 2026, 1,"
                f" 'N1', 'T', 'A', 'f.docx', X'00', 1, '{ZERO_BYTE_SHA256}', '2026-11-23',"
                " '2026-11-27 02:00:00')")
    return app


def test_the_keyed_chain_migration_remakes_every_chain_under_the_key_after_checking_it(tmp_path):
    from flask_migrate import upgrade

    from app.models import Case
    from app.services.integrity import check_case

    app = _old_database(tmp_path, tamper=False)
    with app.app_context():
        upgrade()
        case = db.session.get(Case, 7)
        assert check_case(case) is None
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT DISTINCT key_id FROM events").all() == [("test-1",)]
            assert conn.exec_driver_sql("SELECT key_id, length(mac) FROM documents").all() == [("test-1", 64)]
        db.engine.dispose()


def test_the_keyed_chain_migration_refuses_a_history_altered_before_it(tmp_path):
    from flask_migrate import upgrade

    app = _old_database(tmp_path, tamper=True)
    with app.app_context(), pytest.raises(SystemExit) as stopped:  # Flask-Migrate logs the error and exits
        upgrade()
    assert "case R1 (id 7): event 1 does not match its hash: the history was altered before this upgrade" \
        in str(stopped.value.__context__)
    with app.app_context():
        assert db.session.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == "e2c4a6b8d0f3"
        db.engine.dispose()


def test_the_clock_outcome_migration_evaluates_every_stopped_clock_once(tmp_path):
    """Clocks stored before revision d4f6a8c0e2b3 get the outcome the statistics now add up, worked out by
    hand: replied on 11/13 to an application of Mon 10/12 with 20 + 5 working days (10/13-11/13: 24 used); a
    public-opinion response 3½ hours after detection against 24; a clock still running has none."""
    from flask_migrate import upgrade

    from config import TestingConfig

    app = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.sqlite3'}"})
    reply = [{"op": "start", "on": "2026-10-12", "limit": 20, "note": "", "rules": {}},
             {"op": "extend", "on": "2026-11-06", "days": 5, "note": ""},
             {"op": "stop", "on": "2026-11-13", "note": ""}]
    response = [{"op": "start", "on": "2026-11-20T10:00:00+08:00", "limit": 24, "note": "", "rules": {}},
                {"op": "stop", "on": "2026-11-20T13:30:00+08:00", "note": ""}]
    running = [{"op": "start", "on": "2026-11-20", "limit": 15, "note": "", "rules": {}}]
    with app.app_context():
        upgrade(revision="c2e4a6b8d0f1")
        with db.engine.begin() as conn:
            _user_and_case(conn, state="disclosed", received_on="2026-10-12", last_effective_on="2026-11-13")
            for n, (name, kind, status, ops) in enumerate((("reply", "working_days", "stopped", reply),
                                                           ("response", "hours", "stopped", response),
                                                           ("other", "working_days", "running", running)), 1):
                conn.exec_driver_sql(
                    "INSERT INTO clocks (id, case_id, name, kind, title, party, ops, status, provisional) VALUES"
                    f" ({n}, 7, '{name}', '{kind}', 't', 'agency', ?, '{status}', 0)", (json.dumps(ops),))
        upgrade()
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT id, met, time_used, extended FROM clocks ORDER BY id").all() == [
                (1, 1, 24.0, 1), (2, 1, 3.5, 0), (3, None, None, None)]
        db.engine.dispose()
