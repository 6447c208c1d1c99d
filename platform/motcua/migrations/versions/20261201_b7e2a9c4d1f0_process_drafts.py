"""process drafts with numbered revisions; retired process versions; a CHECK on a version's
status

Revision ID: b7e2a9c4d1f0
Revises: d40cb80f6ebd
Create Date: 2026-12-01 12:50:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = 'b7e2a9c4d1f0'
down_revision = 'd40cb80f6ebd'
branch_labels = None
depends_on = None


def _json():
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade():
    op.create_table(
        'process_draft',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('procedure_id', sa.Integer(), nullable=False),
        sa.Column('revision', sa.Integer(), nullable=False),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('bpmn_xml', sa.Text(), nullable=False),
        sa.Column('forms', _json(), nullable=False),
        sa.Column('problems', _json(), nullable=False),
        sa.Column('origin', sa.String(length=16), nullable=False),
        sa.Column('copied_from_id', sa.Integer(), nullable=True),
        sa.Column('published_version_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['copied_from_id'], ['process_version.id'],
                                name=op.f('fk_process_draft_copied_from_id_process_version')),
        sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'],
                                name=op.f('fk_process_draft_created_by_id_user_account')),
        sa.ForeignKeyConstraint(['procedure_id'], ['procedure.id'],
                                name=op.f('fk_process_draft_procedure_id_procedure')),
        sa.ForeignKeyConstraint(['published_version_id'], ['process_version.id'],
                                name=op.f('fk_process_draft_published_version_id_process_version')),
        sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'],
                                name=op.f('fk_process_draft_updated_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_process_draft')),
    )
    with op.batch_alter_table('process_draft', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_process_draft_procedure_id'), ['procedure_id'],
                              unique=False)
    op.create_table(
        'draft_revision',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('draft_id', sa.Integer(), nullable=False),
        sa.Column('revision', sa.Integer(), nullable=False),
        sa.Column('bpmn_xml', sa.Text(), nullable=False),
        sa.Column('forms', _json(), nullable=False),
        sa.Column('saved_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('saved_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['draft_id'], ['process_draft.id'],
                                name=op.f('fk_draft_revision_draft_id_process_draft')),
        sa.ForeignKeyConstraint(['saved_by_id'], ['user_account.id'],
                                name=op.f('fk_draft_revision_saved_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_draft_revision')),
        sa.UniqueConstraint('draft_id', 'revision',
                            name=op.f('uq_draft_revision_draft_id')),
    )
    with op.batch_alter_table('process_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('retired_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_process_version_retired_by_id_user_account'),
                                    'user_account', ['retired_by_id'], ['id'])
        batch_op.create_check_constraint('status', "status IN ('draft', 'published', 'retired')")


def downgrade():
    with op.batch_alter_table('process_version', schema=None) as batch_op:
        batch_op.drop_constraint('ck_process_version_status', type_='check')
        batch_op.drop_constraint(batch_op.f('fk_process_version_retired_by_id_user_account'),
                                 type_='foreignkey')
        batch_op.drop_column('retired_by_id')
        batch_op.drop_column('retired_at')
    op.drop_table('draft_revision')
    with op.batch_alter_table('process_draft', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_process_draft_procedure_id'))
    op.drop_table('process_draft')
