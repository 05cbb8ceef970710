"""each user's saved task-queue filters, kept across sessions (the console's 保存筛选): saved_task_filters; and each
user's unfinished task forms (保存草稿): task_drafts

Revision ID: 0044
Revises: 0043
Create Date: 2026-12-07 17:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0044'
down_revision = '0043'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'saved_task_filters',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('user_id', sa.String(length=36), nullable=False),
        sa.Column('name', sa.String(length=30), nullable=False),
        sa.Column('query', sa.String(length=500), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_saved_task_filters_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_task_filters')),
        sa.UniqueConstraint('user_id', 'name', name=op.f('uq_saved_task_filters_user_id_name')),
    )
    op.create_table(
        'task_drafts',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('task_id', sa.String(length=36), nullable=False),
        sa.Column('user_id', sa.String(length=36), nullable=False),
        sa.Column('values_json', sa.Text(), nullable=False),
        sa.Column('saved_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['task_id'], ['human_tasks.id'], name=op.f('fk_task_drafts_task_id_human_tasks')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_task_drafts_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_task_drafts')),
        sa.UniqueConstraint('task_id', 'user_id', name=op.f('uq_task_drafts_task_id_user_id')),
    )


def downgrade() -> None:
    op.drop_table('task_drafts')
    op.drop_table('saved_task_filters')
