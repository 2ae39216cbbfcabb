"""cases.due_by, cases.search_text and search_grams, and the indexes the case lists need: one due key for
"overdue", "due before" and the order by urgency; partial indexes on the open cases; (agency, state, id) and
(agency, department, id); trigram and character-pair indexes for the text search on PostgreSQL; the
single-column indexes these replace and the ones that repeated a unique constraint's leading column are dropped

Revision ID: e2c4a6b8d0f3
Revises: d0b2f4a6c8e1
Create Date: 2026-12-01 03:30:00
"""
import datetime as dt
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

revision = 'e2c4a6b8d0f3'
down_revision = 'd0b2f4a6c8e1'
branch_labels = None
depends_on = None

OPEN = sa.text("closed_on IS NULL")
REPLACED = [('cases', 'ix_cases_agency_code', ['agency_code']), ('cases', 'ix_cases_state', ['state']),
            ('cases', 'ix_cases_department', ['department']), ('cases', 'ix_cases_due_on', ['due_on']),
            ('cases', 'ix_cases_due_at', ['due_at']), ('events', 'ix_events_case_id', ['case_id']),
            ('clocks', 'ix_clocks_case_id', ['case_id'])]


def _zone() -> dt.tzinfo:
    try:
        from flask import current_app
        return ZoneInfo(current_app.config["TIMEZONE"])
    except (ImportError, RuntimeError, KeyError):
        return ZoneInfo("Asia/Shanghai")


def upgrade():
    from app.models import bigrams, folded
    from workflow.clock import last_instant_in_time

    bind, zone = op.get_bind(), _zone()
    postgresql = bind.dialect.name == "postgresql"
    grams_type = ARRAY(sa.Text) if postgresql else sa.JSON()
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('due_by', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('search_text', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('search_grams', grams_type, nullable=True))
    # Every case, in batches of ids: its search text, and for an open case its due key.
    cases = sa.table('cases', sa.column('id', sa.Integer), sa.column('reference', sa.String),
                     sa.column('summary', sa.String), sa.column('due_on', sa.Date),
                     sa.column('due_at', sa.DateTime(timezone=True)), sa.column('due_by', sa.DateTime(timezone=True)),
                     sa.column('search_text', sa.Text), sa.column('search_grams', grams_type))
    last = 0
    while True:
        rows = bind.execute(sa.select(cases.c.id, cases.c.reference, cases.c.summary, cases.c.due_on, cases.c.due_at)
                            .where(cases.c.id > last).order_by(cases.c.id).limit(1000)).all()
        if not rows:
            break
        values = []
        for row in rows:
            due_at = row.due_at
            if due_at is not None and due_at.tzinfo is None:  # SQLite keeps UTC without its zone
                due_at = due_at.replace(tzinfo=dt.UTC)
            due_by = last_instant_in_time(row.due_on, due_at, zone)
            if due_by is not None and not postgresql:
                due_by = due_by.replace(tzinfo=None)
            text = f"{row.reference} {row.summary or ''}"
            values.append({"b_id": row.id, "due_by": due_by, "search_text": folded(text),
                           "search_grams": bigrams(text) if postgresql else None})
        bind.execute(cases.update().where(cases.c.id == sa.bindparam("b_id")), values)
        last = rows[-1].id

    for table, name, _ in REPLACED:
        op.drop_index(name, table_name=table)
    op.create_index('ix_cases_open_due', 'cases', ['agency_code', 'due_by', 'id'],
                    postgresql_where=OPEN, sqlite_where=OPEN)
    op.create_index('ix_cases_open_department', 'cases', ['agency_code', 'department', 'due_by'],
                    postgresql_where=OPEN, sqlite_where=OPEN)
    op.create_index('ix_cases_open_assignee', 'cases', ['assignee_id', 'due_by'],
                    postgresql_where=OPEN, sqlite_where=OPEN)
    op.create_index('ix_cases_agency_id', 'cases', ['agency_code', 'id', 'department', 'assignee_id'])
    op.create_index('ix_cases_agency_state', 'cases', ['agency_code', 'state', 'id'])
    op.create_index('ix_cases_agency_department', 'cases', ['agency_code', 'department', 'id'])
    if postgresql:
        # The text search: trigrams (pg_trgm, a trusted extension the database owner may create) from three
        # characters on, the pairs of characters for two.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute("CREATE INDEX ix_cases_search_trgm ON cases USING gin (search_text gin_trgm_ops)")
        op.create_index('ix_cases_search_grams', 'cases', ['search_grams'], postgresql_using='gin')


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index('ix_cases_search_grams', table_name='cases')
        op.drop_index('ix_cases_search_trgm', table_name='cases')
    for name in ('ix_cases_agency_department', 'ix_cases_agency_state', 'ix_cases_agency_id',
                 'ix_cases_open_assignee', 'ix_cases_open_department', 'ix_cases_open_due'):
        op.drop_index(name, table_name='cases')
    for table, name, columns in REPLACED:
        op.create_index(name, table, columns)
    with op.batch_alter_table('cases', schema=None) as batch_op:
        for column in ('search_grams', 'search_text', 'due_by'):
            batch_op.drop_column(column)
