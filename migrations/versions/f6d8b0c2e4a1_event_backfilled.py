"""events.backfilled: a step recorded afterwards (补录) for something done outside the service

Revision ID: f6d8b0c2e4a1
Revises: e5c7a9b1d3f2
Create Date: 2026-11-30 22:00:00
"""
from alembic import op
import sqlalchemy as sa

revision = 'f6d8b0c2e4a1'
down_revision = 'e5c7a9b1d3f2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('backfilled', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('backfilled')
