"""proceedings: reconsiderations and lawsuits about a reply, with their results (table 四 of the annual report)

Revision ID: c2e4a6b8d0f1
Revises: b0d2f4a6c8e0
Create Date: 2026-12-01 05:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'c2e4a6b8d0f1'
down_revision = 'b0d2f4a6c8e0'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'proceedings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('agency_code', sa.String(length=40), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('body', sa.String(length=200), nullable=False),
        sa.Column('filed_on', sa.Date(), nullable=False),
        sa.Column('result', sa.String(length=20), nullable=True),
        sa.Column('decided_on', sa.Date(), nullable=True),
        sa.Column('recorded_by_id', sa.Integer(), nullable=False),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_proceedings_case_id_cases')),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_proceedings_recorded_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_proceedings')),
    )
    op.create_index(op.f('ix_proceedings_case_id'), 'proceedings', ['case_id'])


def downgrade():
    op.drop_index(op.f('ix_proceedings_case_id'), table_name='proceedings')
    op.drop_table('proceedings')
