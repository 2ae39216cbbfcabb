"""report_locks: a reporting year locked by an administrator, with its figures and workbook as published

Revision ID: b0d2f4a6c8e0
Revises: a9c1e3b5d7f9
Create Date: 2026-12-01 05:00:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = 'b0d2f4a6c8e0'
down_revision = 'a9c1e3b5d7f9'
branch_labels = None
depends_on = None


def upgrade():
    json_type = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
    op.create_table(
        'report_locks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('agency_code', sa.String(length=40), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('locked_by_id', sa.Integer(), nullable=False),
        sa.Column('locked_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('figures', json_type, nullable=False),
        sa.Column('workbook', sa.LargeBinary(), nullable=False),
        sa.Column('workbook_sha256', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(['locked_by_id'], ['users.id'], name=op.f('fk_report_locks_locked_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_report_locks')),
        sa.UniqueConstraint('agency_code', 'year', name=op.f('uq_report_locks_agency_code')),
    )


def downgrade():
    op.drop_table('report_locks')
