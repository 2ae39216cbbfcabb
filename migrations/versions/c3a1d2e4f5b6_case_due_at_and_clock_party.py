"""case due_at (hour clocks) and clock party (whose time limit)

Revision ID: c3a1d2e4f5b6
Revises: bef8fa89c91b
Create Date: 2026-11-27 08:00:00
"""
from alembic import op
import sqlalchemy as sa

revision = 'c3a1d2e4f5b6'
down_revision = 'bef8fa89c91b'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('due_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_cases_due_at'), ['due_at'], unique=False)
    with op.batch_alter_table('clocks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('party', sa.String(length=20), nullable=False, server_default='agency'))


def downgrade():
    with op.batch_alter_table('clocks', schema=None) as batch_op:
        batch_op.drop_column('party')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_due_at'))
        batch_op.drop_column('due_at')
