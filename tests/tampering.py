"""Writing behind the application's back, as someone with the database's password would."""
from __future__ import annotations

import contextlib


@contextlib.contextmanager
def intruder(db):
    """A connection of its own, committed at the end (on PostgreSQL with the triggers that refuse changes to
    events and letters switched off, which takes a superuser); the test's session then reads afresh."""
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        yield conn
    db.session.expire_all()
