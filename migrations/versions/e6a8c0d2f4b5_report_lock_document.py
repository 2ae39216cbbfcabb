"""report_locks.document: the annual report as .docx, stored when the year is locked (as the workbook is)

Revision ID: e6a8c0d2f4b5
Revises: d4f6a8c0e2b3
Create Date: 2026-12-01 07:10:00

Years locked before this revision have none: their .docx is made from the figures stored with the lock.
"""
import sqlalchemy as sa
from alembic import op

revision = 'e6a8c0d2f4b5'
down_revision = 'd4f6a8c0e2b3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('report_locks') as batch:
        batch.add_column(sa.Column('document', sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column('document_sha256', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('report_locks') as batch:
        batch.drop_column('document_sha256')
        batch.drop_column('document')
