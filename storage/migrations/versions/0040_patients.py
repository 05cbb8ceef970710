"""insured patients by psn_no, the national ID number kept only as a keyed digest: patients

Revision ID: 0040
Revises: 0032
Create Date: 2026-12-07 09:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0040'
down_revision = '0032'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('patients',
    sa.Column('psn_no', sa.String(length=64), nullable=False),
    sa.Column('insurance_type', sa.String(length=16), nullable=False),
    sa.Column('insurance_region', sa.String(length=6), nullable=False),
    sa.Column('entitled', sa.Boolean(), nullable=False),
    sa.Column('national_id_digest', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=36), nullable=False),
    sa.Column('updated_by_org', sa.String(length=36), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('psn_no', name=op.f('pk_patients'))
    )
    op.create_index(op.f('ix_patients_national_id_digest'), 'patients', ['national_id_digest'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_patients_national_id_digest'), table_name='patients')
    op.drop_table('patients')
