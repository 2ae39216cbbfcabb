"""audit_records: sign-ins, failed sign-ins, sign-outs, refused requests and attempts to open a case out of
scope, for the auditor

Revision ID: a9c1e3b5d7f9
Revises: f3d5b7c9e1a2
Create Date: 2026-12-01 04:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'a9c1e3b5d7f9'
down_revision = 'f3d5b7c9e1a2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'audit_records',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('agency_code', sa.String(length=40), nullable=True),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('channel', sa.String(length=10), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('username', sa.String(length=80), nullable=False),
        sa.Column('role', sa.String(length=20), nullable=False),
        sa.Column('address', sa.String(length=64), nullable=False),
        sa.Column('method', sa.String(length=10), nullable=False),
        sa.Column('path', sa.String(length=300), nullable=False),
        sa.Column('status', sa.Integer(), nullable=True),
        sa.Column('code', sa.String(length=60), nullable=False),
        sa.Column('message', sa.String(length=500), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=True),
        sa.Column('trigger', sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_audit_records_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_records')),
    )
    op.create_index('ix_audit_records_agency_id', 'audit_records', ['agency_code', 'id'])


def downgrade():
    op.drop_index('ix_audit_records_agency_id', table_name='audit_records')
    op.drop_table('audit_records')
