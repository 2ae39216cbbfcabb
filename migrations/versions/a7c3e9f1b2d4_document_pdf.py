"""documents.pdf, documents.pdf_sha256: the PDF copy of a letter, when LibreOffice made one

Revision ID: a7c3e9f1b2d4
Revises: f6d8b0c2e4a1
Create Date: 2026-12-01 10:00:00
"""
from alembic import op
import sqlalchemy as sa

revision = 'a7c3e9f1b2d4'
down_revision = 'f6d8b0c2e4a1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pdf', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('pdf_sha256', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_column('pdf_sha256')
        batch_op.drop_column('pdf')
