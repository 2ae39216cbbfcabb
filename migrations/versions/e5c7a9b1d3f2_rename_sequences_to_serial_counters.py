"""rename sequences to serial_counters: the table holds the last serial number issued per agency, year
and kind, and its old name read like a database sequence

Revision ID: e5c7a9b1d3f2
Revises: d4b2e6f7a8c9
Create Date: 2026-11-30 21:00:00
"""
from alembic import op

revision = 'e5c7a9b1d3f2'
down_revision = 'd4b2e6f7a8c9'
branch_labels = None
depends_on = None


def upgrade():
    op.rename_table('sequences', 'serial_counters')
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE serial_counters RENAME CONSTRAINT pk_sequences TO pk_serial_counters')


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE serial_counters RENAME CONSTRAINT pk_serial_counters TO pk_sequences')
    op.rename_table('serial_counters', 'sequences')
