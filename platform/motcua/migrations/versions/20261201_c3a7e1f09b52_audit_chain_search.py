"""audit: the history's hash chain (position and hash of each event, existing chains linked)
and append-only triggers on both databases; signed tree heads and their leaves; the auditors'
access log; audit settings; dossier counters for the statistics and a folded applicant name
for search (with a trigram index on PostgreSQL)

A later migration that rebuilds ``history_event`` with ``batch_alter_table`` on SQLite (a
table copy) drops its triggers: it must create them again (``_create_triggers``).

Revision ID: c3a7e1f09b52
Revises: b7e2a9c4d1f0
Create Date: 2026-12-01 16:48:52.093997

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from motcua.db import UTCDateTime
from motcua.folding import fold
from motcua.history.chain import GENESIS, link

# revision identifiers, used by Alembic.
revision = 'c3a7e1f09b52'
down_revision = 'b7e2a9c4d1f0'
branch_labels = None
depends_on = None

REFUSED = "history_event is append-only: UPDATE, DELETE and TRUNCATE are refused"


def _json():
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def _create_tables():
    op.create_table('tree_head',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('signed_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('last_event_id', sa.Integer(), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('root', sa.String(length=64), nullable=False),
        sa.Column('key_id', sa.String(length=64), nullable=False),
        sa.Column('signature', sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_tree_head')))
    op.create_index(op.f('ix_tree_head_day'), 'tree_head', ['day'], unique=False)

    op.create_table('access_log',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('method', sa.String(length=8), nullable=False),
        sa.Column('path', sa.Text(), nullable=False),
        sa.Column('endpoint', sa.String(length=128), nullable=True),
        sa.Column('dossier_code', sa.String(length=64), nullable=True),
        sa.Column('status', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
                                name=op.f('fk_access_log_user_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_access_log')))
    op.create_index(op.f('ix_access_log_at'), 'access_log', ['at'], unique=False)
    op.create_index(op.f('ix_access_log_dossier_code'), 'access_log', ['dossier_code'],
                    unique=False)
    op.create_index('ix_access_log_user_at', 'access_log', ['user_id', 'at'], unique=False)

    op.create_table('audit_setting',
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('value', _json(), nullable=False),
        sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'],
                                name=op.f('fk_audit_setting_updated_by_id_user_account')),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_audit_setting')))

    op.create_table('tree_leaf',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('tree_id', sa.Integer(), nullable=False),
        sa.Column('dossier_id', sa.Integer(), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('head', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(['dossier_id'], ['dossier.id'],
                                name=op.f('fk_tree_leaf_dossier_id_dossier')),
        sa.ForeignKeyConstraint(['tree_id'], ['tree_head.id'],
                                name=op.f('fk_tree_leaf_tree_id_tree_head')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_tree_leaf')))
    op.create_index('ix_tree_leaf_dossier_tree', 'tree_leaf', ['dossier_id', 'tree_id'],
                    unique=False)
    op.create_index(op.f('ix_tree_leaf_tree_id'), 'tree_leaf', ['tree_id'], unique=False)


def _fill_dossiers(bind):
    """The folded names, when results were ready, and the counters from the documents issued
    so far (the clock's minutes of dossiers already under way start from zero)."""
    dossier = sa.table('dossier', sa.column('id', sa.Integer), sa.column('applicant_name'),
                       sa.column('applicant_name_search'), sa.column('supplement_count'),
                       sa.column('apology_count'))
    rows = bind.execute(sa.select(dossier.c.id, dossier.c.applicant_name)).all()
    for ident, name in rows:
        bind.execute(dossier.update().where(dossier.c.id == ident)
                     .values(applicant_name_search=fold(name)[:255]))
    # The result was ready when its document was issued.
    bind.execute(sa.text(
        "UPDATE dossier SET result_at = (SELECT min(d.issued_at) FROM issued_document d "
        "WHERE d.dossier_id = dossier.id AND d.kind = 'result')"))
    for kind, column in (('supplement', 'supplement_count'), ('apology', 'apology_count')):
        bind.execute(sa.text(
            f"UPDATE dossier SET {column} = (SELECT count(*) FROM issued_document d "
            f"WHERE d.dossier_id = dossier.id AND d.kind = :kind)"), {"kind": kind})


def _link_chains(bind):
    """Every existing history, linked in the order it was written."""
    event = sa.table('history_event', *(sa.column(c) for c in (
        'id', 'dossier_id', 'seq', 'hash', 'at', 'actor_id', 'actor_role', 'actor_unit_id',
        'action', 'step', 'step_name', 'from_step', 'to_step', 'unit_id', 'outcome',
        'meaning', 'document', 'note', 'timing', 'started_at', 'due_at', 'task_id')),
        sa.column('to_steps', _json()), sa.column('to_tasks', _json()))
    # Read through the model's column types, so datetimes come back aware on SQLite too.
    typed = {c.name: c for c in event.columns}
    typed['at'] = sa.column('at', UTCDateTime())
    typed['started_at'] = sa.column('started_at', UTCDateTime())
    typed['due_at'] = sa.column('due_at', UTCDateTime())
    query = sa.select(*typed.values()).select_from(event).order_by(
        event.c.dossier_id, event.c.id)
    current, seq, previous = None, 0, GENESIS
    for row in bind.execute(query).mappings():
        if row['dossier_id'] != current:
            current, seq, previous = row['dossier_id'], 0, GENESIS
        seq += 1
        fields = dict(row, seq=seq)
        previous = link(previous, fields)
        bind.execute(event.update().where(event.c.id == row['id'])
                     .values(seq=seq, hash=previous))


def _create_triggers(bind):
    if bind.dialect.name == 'postgresql':
        op.execute(f"""
            CREATE FUNCTION history_event_append_only() RETURNS trigger AS $$
            BEGIN
                IF coalesce(current_setting('motcua.maintenance', true), '') = 'on' THEN
                    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
                    RETURN NEW;
                END IF;
                RAISE EXCEPTION '{REFUSED}' USING ERRCODE = 'insufficient_privilege';
            END $$ LANGUAGE plpgsql""")
        op.execute("CREATE TRIGGER history_event_no_change BEFORE UPDATE OR DELETE "
                   "ON history_event FOR EACH ROW EXECUTE FUNCTION history_event_append_only()")
        op.execute("CREATE TRIGGER history_event_no_truncate BEFORE TRUNCATE ON history_event "
                   "FOR EACH STATEMENT EXECUTE FUNCTION history_event_append_only()")
        return
    # SQLite has no TRUNCATE: DELETE without WHERE fires the row trigger.
    for what in ('UPDATE', 'DELETE'):
        op.execute(f"""
            CREATE TRIGGER history_event_no_{what.lower()} BEFORE {what} ON history_event
            WHEN motcua_maintenance() IS NOT 1
            BEGIN SELECT RAISE(ABORT, '{REFUSED}'); END""")


def _drop_triggers(bind):
    if bind.dialect.name == 'postgresql':
        op.execute("DROP TRIGGER IF EXISTS history_event_no_truncate ON history_event")
        op.execute("DROP TRIGGER IF EXISTS history_event_no_change ON history_event")
        op.execute("DROP FUNCTION IF EXISTS history_event_append_only()")
        return
    op.execute("DROP TRIGGER IF EXISTS history_event_no_update")
    op.execute("DROP TRIGGER IF EXISTS history_event_no_delete")


def upgrade():
    bind = op.get_bind()
    _create_tables()
    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.add_column(sa.Column('applicant_name_search', sa.String(length=255),
                                      nullable=True))
        batch_op.add_column(sa.Column('supplement_count', sa.Integer(), server_default='0',
                                      nullable=False))
        batch_op.add_column(sa.Column('apology_count', sa.Integer(), server_default='0',
                                      nullable=False))
        batch_op.add_column(sa.Column('clocked_minutes', sa.Integer(), server_default='0',
                                      nullable=False))
        batch_op.add_column(sa.Column('result_at', UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('history_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('hash', sa.String(length=64), nullable=True))
    _fill_dossiers(bind)
    _link_chains(bind)
    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.alter_column('applicant_name_search', existing_type=sa.String(length=255),
                              nullable=False)
        batch_op.create_index('ix_dossier_finished', ['finished_at'], unique=False)
        batch_op.create_index('ix_dossier_name_search', ['applicant_name_search'], unique=False)
        batch_op.create_index('ix_dossier_received', ['received_at'], unique=False)
    with op.batch_alter_table('history_event', schema=None) as batch_op:
        batch_op.alter_column('seq', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_index('ix_history_event_dossier_seq', ['dossier_id', 'seq'],
                              unique=False)
    # The dossiers an officer holds or held a task of (the visibility rule).
    op.create_index('ix_task_assignee_dossier', 'task', ['assignee_id', 'dossier_id'],
                    unique=False)
    if bind.dialect.name == 'postgresql':
        # A name searched anywhere in it ("van binh"), not only from its start.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute("CREATE INDEX ix_dossier_name_trgm ON dossier "
                   "USING gin (applicant_name_search gin_trgm_ops)")
        # A code searched by its start (LIKE 'x%' cannot use the unique index's collation).
        op.execute("CREATE INDEX ix_dossier_code_pattern ON dossier (code varchar_pattern_ops)")
    _create_triggers(bind)


def downgrade():
    bind = op.get_bind()
    _drop_triggers(bind)
    if bind.dialect.name == 'postgresql':
        op.execute("DROP INDEX IF EXISTS ix_dossier_name_trgm")
        op.execute("DROP INDEX IF EXISTS ix_dossier_code_pattern")
    op.drop_index('ix_task_assignee_dossier', table_name='task')
    with op.batch_alter_table('history_event', schema=None) as batch_op:
        batch_op.drop_index('ix_history_event_dossier_seq')
        batch_op.drop_column('hash')
        batch_op.drop_column('seq')
    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.drop_index('ix_dossier_received')
        batch_op.drop_index('ix_dossier_name_search')
        batch_op.drop_index('ix_dossier_finished')
        batch_op.drop_column('result_at')
        batch_op.drop_column('clocked_minutes')
        batch_op.drop_column('apology_count')
        batch_op.drop_column('supplement_count')
        batch_op.drop_column('applicant_name_search')
    op.drop_index(op.f('ix_tree_leaf_tree_id'), table_name='tree_leaf')
    op.drop_index('ix_tree_leaf_dossier_tree', table_name='tree_leaf')
    op.drop_table('tree_leaf')
    op.drop_table('audit_setting')
    op.drop_index('ix_access_log_user_at', table_name='access_log')
    op.drop_index(op.f('ix_access_log_dossier_code'), table_name='access_log')
    op.drop_index(op.f('ix_access_log_at'), table_name='access_log')
    op.drop_table('access_log')
    op.drop_index(op.f('ix_tree_head_day'), table_name='tree_head')
    op.drop_table('tree_head')
