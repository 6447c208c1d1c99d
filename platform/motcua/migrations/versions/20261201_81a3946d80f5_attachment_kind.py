"""attachment kind: a dossier's document, or the electronic copy of its result (Decision 766
counts digitised results apart from digitised dossiers); every existing file is a document.
Each dossier counts its files of each kind, for the indicators' scans of a period

Revision ID: 81a3946d80f5
Revises: c3a7e1f09b52
Create Date: 2026-12-01 16:57:35.697037

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '81a3946d80f5'
down_revision = 'c3a7e1f09b52'
branch_labels = None
depends_on = None

KINDS = ('dossier', 'result')


def upgrade():
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=10), server_default='dossier',
                                      nullable=False))
        batch_op.create_check_constraint(
            'kind', f"kind IN ({', '.join(repr(k) for k in KINDS)})")
    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dossier_files', sa.Integer(), server_default='0',
                                      nullable=False))
        batch_op.add_column(sa.Column('result_files', sa.Integer(), server_default='0',
                                      nullable=False))
    op.execute("UPDATE dossier SET dossier_files = (SELECT count(*) FROM attachment "
               "WHERE attachment.dossier_id = dossier.id) "
               "WHERE id IN (SELECT dossier_id FROM attachment)")


def downgrade():
    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.drop_column('result_files')
        batch_op.drop_column('dossier_files')
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_attachment_kind'), type_='check')
        batch_op.drop_column('kind')
