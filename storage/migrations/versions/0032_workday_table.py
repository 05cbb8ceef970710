"""the bureau's working-day table: workday_years, workday_days

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-07 08:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0032'
down_revision = '0031'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('workday_years',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('entered_by', sa.String(length=36), nullable=False),
    sa.Column('entered_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_workday_years'))
    )
    op.create_table('workday_days',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('workday', sa.Boolean(), nullable=False),
    sa.Column('name', sa.String(length=30), nullable=True),
    sa.ForeignKeyConstraint(['year'], ['workday_years.year'], name=op.f('fk_workday_days_year_workday_years'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_workday_days'))
    )
    op.create_index(op.f('ix_workday_days_year'), 'workday_days', ['year'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_workday_days_year'), table_name='workday_days')
    op.drop_table('workday_days')
    op.drop_table('workday_years')
