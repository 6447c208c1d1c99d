"""attachments, received documents, the desk's tracking-book index, reopened tasks,
worklist by reception

Revision ID: a1c3e5d7f902
Revises: 818abeb999d3
Create Date: 2026-11-22 15:27:48.937799

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = 'a1c3e5d7f902'
down_revision = '818abeb999d3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('storage_key', sa.String(length=100), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossier.id'], name=op.f('fk_attachment_dossier_id_dossier'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'], name=op.f('fk_attachment_uploaded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachment')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_attachment_storage_key'))
    )
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attachment_dossier_id'), ['dossier_id'], unique=False)

    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.add_column(sa.Column('received_documents', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True))
        batch_op.drop_index(batch_op.f('ix_dossier_desk_id'))
        batch_op.create_index('ix_dossier_desk_received', ['desk_id', 'received_at'], unique=False)

    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reopened', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_index('ix_task_open_assignee_dossier', ['assignee_id', 'dossier_id', 'id'], unique=False, postgresql_where=sa.text("state IN ('ready', 'claimed')"), sqlite_where=sa.text("state IN ('ready', 'claimed')"))
        batch_op.create_index('ix_task_open_unit_dossier', ['role', 'unit_id', 'dossier_id', 'id'], unique=False, postgresql_where=sa.text("state IN ('ready', 'claimed') AND assignee_id IS NULL"), sqlite_where=sa.text("state IN ('ready', 'claimed') AND assignee_id IS NULL"))
        batch_op.create_index('ix_task_open_reopened', ['assignee_id', 'role', 'unit_id'], unique=False, postgresql_where=sa.text("state IN ('ready', 'claimed') AND reopened"), sqlite_where=sa.text("state IN ('ready', 'claimed') AND reopened"))



def downgrade():
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_index('ix_task_open_unit_dossier', postgresql_where=sa.text("state IN ('ready', 'claimed') AND assignee_id IS NULL"), sqlite_where=sa.text("state IN ('ready', 'claimed') AND assignee_id IS NULL"))
        batch_op.drop_index('ix_task_open_assignee_dossier', postgresql_where=sa.text("state IN ('ready', 'claimed')"), sqlite_where=sa.text("state IN ('ready', 'claimed')"))
        batch_op.drop_index('ix_task_open_reopened', postgresql_where=sa.text("state IN ('ready', 'claimed') AND reopened"), sqlite_where=sa.text("state IN ('ready', 'claimed') AND reopened"))
        batch_op.drop_column('reopened')

    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.drop_index('ix_dossier_desk_received')
        batch_op.create_index(batch_op.f('ix_dossier_desk_id'), ['desk_id'], unique=False)
        batch_op.drop_column('received_documents')

    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachment_dossier_id'))

    op.drop_table('attachment')
