"""reminders: the e-mails the sweeper sent, once per clock, kind and due date; users.email; partial indexes of
the running clocks by due date (the sweeper's work grows with the clocks due, not with the cases)

Revision ID: f7b9d1e3a5c7
Revises: e6a8c0d2f4b5
Create Date: 2026-12-01 07:20:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = 'f7b9d1e3a5c7'
down_revision = 'e6a8c0d2f4b5'
branch_labels = None
depends_on = None

RUNNING = sa.text("status = 'running'")


def upgrade():
    json_type = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('email', sa.String(length=200), nullable=False, server_default=''))
    op.create_table(
        'reminders',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('clock_id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('due_key', sa.String(length=40), nullable=False),
        sa.Column('recipients', json_type, nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_reminders_case_id_cases')),
        sa.ForeignKeyConstraint(['clock_id'], ['clocks.id'], name=op.f('fk_reminders_clock_id_clocks')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_reminders')),
        sa.UniqueConstraint('clock_id', 'kind', 'due_key', name=op.f('uq_reminders_clock_id')),
    )
    op.create_index(op.f('ix_reminders_case_id'), 'reminders', ['case_id'])
    # Replaces the index of every clock's due date: only the running clocks' are looked up.
    with op.batch_alter_table('clocks') as batch:
        batch.drop_index('ix_clocks_due_on')
    op.create_index('ix_clocks_running_due_on', 'clocks', ['due_on', 'id'], postgresql_where=RUNNING,
                    sqlite_where=RUNNING)
    op.create_index('ix_clocks_running_due_at', 'clocks', ['due_at', 'id'], postgresql_where=RUNNING,
                    sqlite_where=RUNNING)


def downgrade():
    op.drop_index('ix_clocks_running_due_at', table_name='clocks')
    op.drop_index('ix_clocks_running_due_on', table_name='clocks')
    with op.batch_alter_table('clocks') as batch:
        batch.create_index('ix_clocks_due_on', ['due_on'], unique=False)
    op.drop_index(op.f('ix_reminders_case_id'), table_name='reminders')
    op.drop_table('reminders')
    with op.batch_alter_table('users') as batch:
        batch.drop_column('email')
