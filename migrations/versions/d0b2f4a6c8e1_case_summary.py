"""cases.summary: the process's one-line summary of a case (applicant, subject), for the text search

Revision ID: d0b2f4a6c8e1
Revises: c9a1e3f5b7d2
Create Date: 2026-12-01 00:30:00
"""
from alembic import op
import sqlalchemy as sa

revision = 'd0b2f4a6c8e1'
down_revision = 'c9a1e3f5b7d2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('summary', sa.String(length=300), nullable=False, server_default=''))
    # Existing cases get their summary from their process's definition, in batches of ids.
    from workflow.processes import PROCESSES

    bind = op.get_bind()
    cases = sa.table('cases', sa.column('id', sa.Integer), sa.column('process', sa.String),
                     sa.column('data', sa.JSON), sa.column('summary', sa.String))
    last = 0
    while True:
        rows = bind.execute(sa.select(cases.c.id, cases.c.process, cases.c.data).where(cases.c.id > last)
                            .order_by(cases.c.id).limit(1000)).all()
        if not rows:
            break
        for row in rows:
            process = PROCESSES.get(row.process)
            if process is not None:
                bind.execute(cases.update().where(cases.c.id == row.id).values(summary=process.summary(row.data)))
        last = rows[-1].id


def downgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('summary')
