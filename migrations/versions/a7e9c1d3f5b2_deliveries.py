"""deliveries: how and when each letter was served, and who recorded it

Revision ID: a7e9c1d3f5b2
Revises: a7c3e9f1b2d4
Create Date: 2026-11-30 22:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'a7e9c1d3f5b2'
down_revision = 'a7c3e9f1b2d4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=20), nullable=False),
    sa.Column('tracking_number', sa.String(length=100), nullable=False),
    sa.Column('served_on', sa.Date(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_by', sa.String(length=80), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_deliveries_document_id_documents')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_deliveries_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deliveries')),
    sa.UniqueConstraint('document_id', name=op.f('uq_deliveries_document_id'))
    )


def downgrade():
    op.drop_table('deliveries')
