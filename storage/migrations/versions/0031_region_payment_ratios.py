"""regions' payment ratios by version (PAY-4): payment_ratio_versions, region_payment_ratios

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-07 04:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('payment_ratio_versions',
    sa.Column('version', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=36), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=True),
    sa.PrimaryKeyConstraint('version', name=op.f('pk_payment_ratio_versions'))
    )
    op.create_table('region_payment_ratios',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('region', sa.String(length=6), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('fund_ratio', sa.Numeric(precision=5, scale=4), nullable=False),
    sa.Column('b_prepay_ratio', sa.Numeric(precision=5, scale=4), nullable=False),
    sa.ForeignKeyConstraint(['version'], ['payment_ratio_versions.version'], name=op.f('fk_region_payment_ratios_version_payment_ratio_versions')),
    sa.PrimaryKeyConstraint('version', 'region', name=op.f('pk_region_payment_ratios'))
    )


def downgrade() -> None:
    op.drop_table('region_payment_ratios')
    op.drop_table('payment_ratio_versions')
