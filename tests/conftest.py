"""Fixtures: a real database per test (SQLite file copied from a migrated template, or PostgreSQL
truncated between tests when TEST_DATABASE_URL is set), an app with a frozen clock, a client."""
from __future__ import annotations

import os
import shutil

import pytest
import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from app import create_app
from app.extensions import db as _db
from app.services.timesource import FrozenClock
from config import TestingConfig
from tests.factories import START

PG_URL = os.environ.get("TEST_DATABASE_URL")


def _migrate(url: str) -> None:
    from flask_migrate import upgrade

    app = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        _db.engine.dispose()


@pytest.fixture(scope="session")
def database_template(tmp_path_factory):
    """Run the migrations once: into a template SQLite file, or into the PostgreSQL test database."""
    if PG_URL:
        engine = sa.create_engine(PG_URL)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
        _migrate(PG_URL)
        return PG_URL
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    _migrate(f"sqlite:///{path}")
    return path


@pytest.fixture
def database_url(database_template, tmp_path):
    return fresh_database(database_template, tmp_path)


def fresh_database(database_template, folder) -> str:
    """An empty migrated database: a copy of the template in ``folder``, or the PostgreSQL one truncated."""
    if PG_URL:
        engine = sa.create_engine(PG_URL)
        with engine.begin() as conn:
            tables = [t for t in sa.inspect(conn).get_table_names() if t != "alembic_version"]
            conn.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        engine.dispose()
        return PG_URL
    path = folder / "test.sqlite3"
    shutil.copy(database_template, path)
    return f"sqlite:///{path}"


@pytest.fixture(autouse=True)
def quick_hashes(request, monkeypatch):
    """Users are created in most tests: their passwords are hashed with one PBKDF2 round instead of scrypt
    (0.16 s a hash), still hashed and checked. A test marked ``real_password_hashing`` keeps scrypt."""
    if request.node.get_closest_marker("real_password_hashing") is None:
        monkeypatch.setattr("app.models.generate_password_hash",
                            lambda password: generate_password_hash(password, method="pbkdf2:sha256:1"))


@pytest.fixture
def clock():
    return FrozenClock(START)


@pytest.fixture
def app(database_url, clock):
    app = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": database_url, "CLOCK": clock})
    with app.app_context():
        yield app
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()
