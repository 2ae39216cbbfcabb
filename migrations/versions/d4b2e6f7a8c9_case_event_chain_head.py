"""case event chain head (last_seq, last_hash): appending an event needs no read of the history

Revision ID: d4b2e6f7a8c9
Revises: c3a1d2e4f5b6
Create Date: 2026-11-27 08:45:00
"""
from alembic import op
import sqlalchemy as sa

revision = 'd4b2e6f7a8c9'
down_revision = 'c3a1d2e4f5b6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_seq', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('last_hash', sa.String(length=64), nullable=False, server_default='0' * 64))
    # Existing cases: the head of each chain from its events.
    op.execute("UPDATE cases SET last_seq = COALESCE((SELECT MAX(seq) FROM events WHERE events.case_id = cases.id), 0)")
    op.execute("UPDATE cases SET last_hash = (SELECT hash FROM events WHERE events.case_id = cases.id "
               "AND events.seq = cases.last_seq) WHERE last_seq > 0")


def downgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('last_hash')
        batch_op.drop_column('last_seq')
