"""procedure revisions: each decision's version of a procedure, in force from its effective
date; backfilled from the procedure rows

Revision ID: 5e7b2c9d4a16
Revises: a1c3e5d7f902
Create Date: 2026-12-01 09:13:46.445234

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '5e7b2c9d4a16'
down_revision = 'a1c3e5d7f902'
branch_labels = None
depends_on = None

STATE = ('name', 'field', 'agency_id', 'handling_unit_id', 'time_limit', 'time_limit_minutes',
         'fee', 'online_level', 'legal_basis', 'documents', 'steps')


def _json():
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade():
    op.create_table('procedure_revision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('procedure_id', sa.Integer(), nullable=False),
    sa.Column('decision_id', sa.Integer(), nullable=False),
    sa.Column('effective', sa.Date(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('field', sa.String(length=255), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('handling_unit_id', sa.Integer(), nullable=True),
    sa.Column('time_limit', sa.String(length=20), nullable=False),
    sa.Column('time_limit_minutes', sa.Integer(), nullable=False),
    sa.Column('fee', sa.Text(), nullable=False),
    sa.Column('online_level', sa.String(length=10), nullable=False),
    sa.Column('legal_basis', _json(), nullable=False),
    sa.Column('documents', _json(), nullable=False),
    sa.Column('steps', _json(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('replaced_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("status IN ('active', 'abolished', 'replaced')", name=op.f('ck_procedure_revision_status')),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_procedure_revision_agency_id_agency')),
    sa.ForeignKeyConstraint(['decision_id'], ['decision.id'], name=op.f('fk_procedure_revision_decision_id_decision')),
    sa.ForeignKeyConstraint(['handling_unit_id'], ['agency.id'], name=op.f('fk_procedure_revision_handling_unit_id_agency')),
    sa.ForeignKeyConstraint(['procedure_id'], ['procedure.id'], name=op.f('fk_procedure_revision_procedure_id_procedure')),
    sa.ForeignKeyConstraint(['replaced_by_id'], ['procedure.id'], name=op.f('fk_procedure_revision_replaced_by_id_procedure')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_procedure_revision')),
    sa.UniqueConstraint('procedure_id', 'decision_id', name=op.f('uq_procedure_revision_procedure_id'))
    )
    with op.batch_alter_table('procedure_revision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_procedure_revision_decision_id'), ['decision_id'], unique=False)
        batch_op.create_index('ix_procedure_revision_procedure_effective', ['procedure_id', 'effective'], unique=False)
    _backfill()


def _backfill():
    """One revision per procedure from its row, in force from its decision's effective date.
    A replaced procedure's row still names the decision that set its state, while the
    replacement took effect with the replacing procedure's decision: that makes a second
    revision (status replaced), unless both are the same decision."""
    procedure = sa.table('procedure', sa.column('id'), sa.column('decision_id'),
                         sa.column('status'), sa.column('replaced_by_id'),
                         *[sa.column(c) for c in STATE])
    decision = sa.table('decision', sa.column('id'), sa.column('effective'))
    columns = ['procedure_id', 'decision_id', 'effective', *STATE, 'status', 'replaced_by_id']
    revision = sa.table('procedure_revision', *[sa.column(c) for c in columns])
    p, by = procedure.alias('p'), procedure.alias('by')
    replaced_later = sa.and_(p.c.status == 'replaced', by.c.decision_id != p.c.decision_id)
    op.execute(revision.insert().from_select(columns, sa.select(
        p.c.id, p.c.decision_id, decision.c.effective, *[p.c[c] for c in STATE],
        sa.case((replaced_later, sa.literal('active')), else_=p.c.status),
        sa.case((replaced_later, sa.null()), else_=p.c.replaced_by_id),
    ).select_from(p.join(decision, decision.c.id == p.c.decision_id)
                  .outerjoin(by, by.c.id == p.c.replaced_by_id))))
    op.execute(revision.insert().from_select(columns, sa.select(
        p.c.id, by.c.decision_id, decision.c.effective, *[p.c[c] for c in STATE],
        sa.literal('replaced'), p.c.replaced_by_id,
    ).select_from(p.join(by, by.c.id == p.c.replaced_by_id)
                  .join(decision, decision.c.id == by.c.decision_id))
     .where(replaced_later)))


def downgrade():
    with op.batch_alter_table('procedure_revision', schema=None) as batch_op:
        batch_op.drop_index('ix_procedure_revision_procedure_effective')
        batch_op.drop_index(batch_op.f('ix_procedure_revision_decision_id'))

    op.drop_table('procedure_revision')
