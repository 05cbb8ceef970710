"""a dispenser's latest dispensings by index (the console's 结算 page lists them newest first):
dispensings(dispenser_id, dispensed_at)

Revision ID: 0043
Revises: 0042
Create Date: 2026-12-07 15:10:00
"""

from __future__ import annotations

from alembic import op

revision = '0043'
down_revision = '0042'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_dispensings_dispenser_recent', 'dispensings', ['dispenser_id', 'dispensed_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_dispensings_dispenser_recent', table_name='dispensings')
