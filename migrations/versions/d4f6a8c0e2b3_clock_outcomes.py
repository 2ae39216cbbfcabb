"""clock outcomes: a stopped clock keeps whether it was met, the time it took and whether it was extended (the
timeliness statistics aggregate them); an index of the applications by agency, process and closing date
(table 三 of the annual report) and one of the fee steps (its section 六)

Revision ID: d4f6a8c0e2b3
Revises: c2e4a6b8d0f1
Create Date: 2026-12-01 07:00:00

The stopped clocks already stored are evaluated once here, from their operations, with the engine's clock and
the calendar in force (the package's data and the years an administrator loaded), as the statistics did on
every request before: in batches by id, so the upgrade runs in constant memory at any size.
"""
import datetime as dt
import json
import logging

import sqlalchemy as sa
from alembic import op

revision = 'd4f6a8c0e2b3'
down_revision = 'c2e4a6b8d0f1'
branch_labels = None
depends_on = None

BATCH = 5000
FEE_STEPS = "trigger IN ('issue_fee_notice', 'fee_paid')"
log = logging.getLogger("alembic.runtime.migration")


def upgrade():
    with op.batch_alter_table('clocks') as batch:
        batch.add_column(sa.Column('met', sa.Boolean(), nullable=True))
        batch.add_column(sa.Column('time_used', sa.Float(), nullable=True))
        batch.add_column(sa.Column('extended', sa.Boolean(), nullable=True))
    op.create_index('ix_cases_agency_process_closed', 'cases', ['agency_code', 'process', 'closed_on'])
    op.create_index('ix_events_fee_steps', 'events', ['effective_on', 'case_id'],
                    postgresql_where=sa.text(FEE_STEPS), sqlite_where=sa.text(FEE_STEPS))
    _backfill()


def _backfill():
    # The engine as it is at this revision: a later change of the clock's rules is a later migration's concern.
    from workflow.calendar import WorkCalendar, YearData
    from workflow.clock import Clock

    conn = op.get_bind()
    years = [YearData(year, {dt.date.fromisoformat(k): v for k, v in _json(holidays).items()},
                      {dt.date.fromisoformat(k): v for k, v in _json(workdays).items()})
             for year, holidays, workdays in conn.execute(sa.text(
                 "SELECT year, holidays, workdays FROM calendar_years"))]
    calendar = WorkCalendar(years)
    clocks = sa.table('clocks', sa.column('id'), sa.column('met'), sa.column('time_used'), sa.column('extended'))
    update = (clocks.update().where(clocks.c.id == sa.bindparam('clock_id'))
              .values(met=sa.bindparam('met'), time_used=sa.bindparam('time_used'), extended=sa.bindparam('extended')))
    after, done = 0, 0
    while True:
        rows = conn.execute(sa.text(
            "SELECT id, name, kind, title, ops FROM clocks WHERE status = 'stopped' AND id > :after "
            "ORDER BY id LIMIT :batch"), {"after": after, "batch": BATCH}).all()
        if not rows:
            break
        values = []
        for clock_id, name, kind, title, ops in rows:
            reading = Clock(name, kind, title, list(_json(ops))).evaluate(calendar)
            values.append({"clock_id": clock_id, "met": reading.met(), "time_used": reading.time_used(),
                           "extended": reading.extension > 0 if reading.met() is not None else None})
        conn.execute(update, values)
        after, done = rows[-1][0], done + len(rows)
        log.info("clock outcomes: %d stopped clock(s) evaluated", done)


def _json(value):
    """A JSON column read in plain SQL: parsed on PostgreSQL, text on SQLite."""
    return json.loads(value) if isinstance(value, str) else value


def downgrade():
    op.drop_index('ix_events_fee_steps', table_name='events')
    op.drop_index('ix_cases_agency_process_closed', table_name='cases')
    with op.batch_alter_table('clocks') as batch:
        batch.drop_column('extended')
        batch.drop_column('time_used')
        batch.drop_column('met')
