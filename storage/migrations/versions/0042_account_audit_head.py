"""the annual account keeps its audit chain's head (seq and hash), as an instance row does, so a settlement appends
its entry without locking the chain or reading its last entry: annual_accounts.audit_seq, audit_head

Revision ID: 0042
Revises: 0041
Create Date: 2026-12-07 11:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0042'
down_revision = '0041'
branch_labels = None
depends_on = None

GENESIS = "0" * 64


def upgrade() -> None:
    op.add_column('annual_accounts', sa.Column('audit_seq', sa.Integer(), nullable=False, server_default='0'))
    op.add_column('annual_accounts', sa.Column('audit_head', sa.String(length=64), nullable=False,
                                               server_default=GENESIS))
    # The accounts settled before: their head is their chain's last entry.
    op.execute(
        "UPDATE annual_accounts SET "
        "audit_seq = (SELECT a.seq FROM audit_log a WHERE a.aggregate_type = 'annual_account' "
        "AND a.aggregate_id = annual_accounts.id ORDER BY a.seq DESC LIMIT 1), "
        "audit_head = (SELECT a.hash FROM audit_log a WHERE a.aggregate_type = 'annual_account' "
        "AND a.aggregate_id = annual_accounts.id ORDER BY a.seq DESC LIMIT 1) "
        "WHERE EXISTS (SELECT 1 FROM audit_log a WHERE a.aggregate_type = 'annual_account' "
        "AND a.aggregate_id = annual_accounts.id)"
    )


def downgrade() -> None:
    with op.batch_alter_table('annual_accounts') as batch:
        batch.drop_column('audit_head')
        batch.drop_column('audit_seq')
