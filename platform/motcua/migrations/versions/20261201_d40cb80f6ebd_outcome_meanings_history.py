"""outcome meanings, an auditable history, first_due_at: declared meanings and reasons on
tasks, the membership an actor acted in, the steps handed to, document kinds in their own
field, no cascade from dossiers to their history, CHECK constraints on states

Revision ID: d40cb80f6ebd
Revises: 5e7b2c9d4a16
Create Date: 2026-12-01 09:19:46.805024

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = 'd40cb80f6ebd'
down_revision = '5e7b2c9d4a16'
branch_labels = None
depends_on = None

MEANINGS = ('accept', 'supplement', 'refuse', 'back', 'forward')
CHECKS = {
    'dossier': {
        'status': ('received', 'processing', 'supplement_requested', 'refused', 'stopped',
                   'done', 'returned'),
        'channel': ('direct', 'postal', 'online'),
    },
    'task': {'state': ('ready', 'claimed', 'completed', 'cancelled'), 'meaning': MEANINGS},
    'history_event': {
        'action': ('received', 'claimed', 'completed', 'document', 'timer', 'overdue',
                   'extended', 'stopped', 'error'),
        'meaning': MEANINGS,
        'timing': ('early', 'on_time', 'late'),
    },
}


def _json():
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def _in(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade():
    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.add_column(sa.Column('received_sets', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('first_due_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('refusal_task_id', sa.Integer(), nullable=True))
        batch_op.alter_column('clock_started_at', existing_type=sa.DateTime(timezone=True),
                              nullable=True)

    with op.batch_alter_table('history_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('actor_role', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('actor_unit_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('to_steps', _json(), nullable=True))
        batch_op.add_column(sa.Column('to_tasks', _json(), nullable=True))
        batch_op.add_column(sa.Column('meaning', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('document', sa.String(length=20), nullable=True))
        # A dossier with a history is never deleted with it.
        batch_op.drop_constraint(batch_op.f('fk_history_event_dossier_id_dossier'),
                                 type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_history_event_actor_unit_id_agency'),
                                    'agency', ['actor_unit_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_history_event_dossier_id_dossier'),
                                    'dossier', ['dossier_id'], ['id'])

    with op.batch_alter_table('issued_document', schema=None) as batch_op:
        batch_op.add_column(sa.Column('task_id', sa.Integer(), nullable=True))

    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('returned_from_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('meaning', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('note', sa.Text(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_task_returned_from_id_task'), 'task',
                                    ['returned_from_id'], ['id'])

    # A document event's kind moves from "outcome" to its own field; the appointment the
    # on-time rules count against starts as the one in force.
    op.execute("UPDATE history_event SET document = outcome, outcome = NULL "
               "WHERE action = 'document'")
    op.execute("UPDATE dossier SET first_due_at = due_at")

    for table, columns in CHECKS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column, values in columns.items():
                batch_op.create_check_constraint(column, _in(column, values))


def downgrade():
    for table, columns in CHECKS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.drop_constraint(f'ck_{table}_{column}', type_='check')

    op.execute("UPDATE history_event SET outcome = document WHERE action = 'document'")

    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_task_returned_from_id_task'), type_='foreignkey')
        batch_op.drop_column('note')
        batch_op.drop_column('reason')
        batch_op.drop_column('meaning')
        batch_op.drop_column('returned_from_id')

    with op.batch_alter_table('issued_document', schema=None) as batch_op:
        batch_op.drop_column('task_id')

    with op.batch_alter_table('history_event', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_history_event_dossier_id_dossier'),
                                 type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_history_event_actor_unit_id_agency'),
                                 type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_history_event_dossier_id_dossier'),
                                    'dossier', ['dossier_id'], ['id'], ondelete='CASCADE')
        batch_op.drop_column('document')
        batch_op.drop_column('meaning')
        batch_op.drop_column('to_tasks')
        batch_op.drop_column('to_steps')
        batch_op.drop_column('actor_unit_id')
        batch_op.drop_column('actor_role')

    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.alter_column('clock_started_at', existing_type=sa.DateTime(timezone=True),
                              nullable=False)
        batch_op.drop_column('refusal_task_id')
        batch_op.drop_column('first_due_at')
        batch_op.drop_column('received_sets')
