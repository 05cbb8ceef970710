"""identity, task queue, forms, audit checkpoints, reference data

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 05:09:19.079513
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_checkpoints',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('chains', sa.Integer(), nullable=False),
    sa.Column('entries', sa.BigInteger(), nullable=False),
    sa.Column('heads_digest', sa.String(length=64), nullable=False),
    sa.Column('signature', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_checkpoints'))
    )
    op.create_table('catalog_versions',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('effective_date', sa.Date(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('entries', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalog_versions')),
    sa.UniqueConstraint('version', name=op.f('uq_catalog_versions_version'))
    )
    op.create_table('drug_list_versions',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('effective_date', sa.Date(), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_drug_list_versions')),
    sa.UniqueConstraint('version', name=op.f('uq_drug_list_versions_version'))
    )
    op.create_table('organizations',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('tier', sa.Integer(), nullable=True),
    sa.Column('specialized', sa.Boolean(), nullable=True),
    sa.Column('cross_province', sa.Boolean(), nullable=True),
    sa.Column('designated', sa.Boolean(), nullable=False),
    sa.Column('dual_channel', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organizations')),
    sa.UniqueConstraint('code', name=op.f('uq_organizations_code'))
    )
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organizations_kind'), ['kind'], unique=False)

    op.create_table('catalog_entries',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('version_id', sa.String(length=36), nullable=False),
    sa.Column('code', sa.String(length=15), nullable=False),
    sa.Column('primary_class', sa.String(length=100), nullable=False),
    sa.Column('secondary_class', sa.String(length=100), nullable=False),
    sa.Column('tertiary_class', sa.String(length=100), nullable=False),
    sa.Column('common_name', sa.String(length=100), nullable=False),
    sa.Column('material', sa.String(length=100), nullable=False),
    sa.Column('characteristics', sa.String(length=200), nullable=False),
    sa.Column('payment_category', sa.String(length=4), nullable=False),
    sa.Column('payment_standard', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['version_id'], ['catalog_versions.id'], name=op.f('fk_catalog_entries_version_id_catalog_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalog_entries')),
    sa.UniqueConstraint('version_id', 'code', name=op.f('uq_catalog_entries_version_id_code'))
    )
    with op.batch_alter_table('catalog_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_catalog_entries_code'), ['code'], unique=False)
        batch_op.create_index(batch_op.f('ix_catalog_entries_version_id'), ['version_id'], unique=False)

    op.create_table('negotiated_drugs',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('version_id', sa.String(length=36), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('dosage_form', sa.String(length=100), nullable=False),
    sa.Column('restriction', sa.Text(), nullable=False),
    sa.Column('annual_limit', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('agreement_start', sa.Date(), nullable=True),
    sa.Column('agreement_end', sa.Date(), nullable=True),
    sa.Column('required_specialty', sa.String(length=64), nullable=True),
    sa.Column('specialty_exempt_indications', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['version_id'], ['drug_list_versions.id'], name=op.f('fk_negotiated_drugs_version_id_drug_list_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_negotiated_drugs')),
    sa.UniqueConstraint('version_id', 'seq', name=op.f('uq_negotiated_drugs_version_id_seq'))
    )
    with op.batch_alter_table('negotiated_drugs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_negotiated_drugs_version_id'), ['version_id'], unique=False)

    op.create_table('pharmacy_designations',
    sa.Column('pharmacy_id', sa.String(length=36), nullable=False),
    sa.Column('hospital_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['hospital_id'], ['organizations.id'], name=op.f('fk_pharmacy_designations_hospital_id_organizations')),
    sa.ForeignKeyConstraint(['pharmacy_id'], ['organizations.id'], name=op.f('fk_pharmacy_designations_pharmacy_id_organizations')),
    sa.PrimaryKeyConstraint('pharmacy_id', 'hospital_id', name=op.f('pk_pharmacy_designations'))
    )
    op.create_table('process_forms',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('definition_id', sa.String(length=36), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('schema_text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['definition_id'], ['process_definitions.id'], name=op.f('fk_process_forms_definition_id_process_definitions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_process_forms')),
    sa.UniqueConstraint('definition_id', 'filename', name=op.f('uq_process_forms_definition_id_filename'))
    )
    op.create_table('users',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('org_id', sa.String(length=36), nullable=False),
    sa.Column('physician_code', sa.String(length=13), nullable=True),
    sa.Column('title', sa.String(length=16), nullable=True),
    sa.Column('specialty', sa.String(length=64), nullable=True),
    sa.Column('expert_fields', sa.Text(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('failed_logins', sa.Integer(), nullable=False),
    sa.Column('last_failed_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_users_org_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('physician_code', name=op.f('uq_users_physician_code')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_org_id'), ['org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_users_role'), ['role'], unique=False)

    op.create_table('api_tokens',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index('ix_api_tokens_user', ['user_id'], unique=False)

    op.create_table('human_tasks',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('instance_id', sa.String(length=36), nullable=False),
    sa.Column('process_key', sa.String(length=200), nullable=False),
    sa.Column('business_key', sa.String(length=200), nullable=True),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('bpmn_id', sa.String(length=200), nullable=False),
    sa.Column('lane_role', sa.String(length=32), nullable=False),
    sa.Column('org_scope', sa.String(length=36), nullable=True),
    sa.Column('candidate_user_id', sa.String(length=36), nullable=True),
    sa.Column('assignee_id', sa.String(length=36), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('form', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_by', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instances.id'], name=op.f('fk_human_tasks_instance_id_process_instances')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_human_tasks'))
    )
    with op.batch_alter_table('human_tasks', schema=None) as batch_op:
        batch_op.create_index('ix_human_tasks_assignee', ['assignee_id', 'status'], unique=False)
        batch_op.create_index('ix_human_tasks_candidate', ['candidate_user_id', 'status'], unique=False)
        batch_op.create_index('ix_human_tasks_due', ['status', 'due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_human_tasks_instance_id'), ['instance_id'], unique=False)
        batch_op.create_index('ix_human_tasks_queue', ['lane_role', 'org_scope', 'status', 'priority', 'created_at'], unique=False)
        batch_op.create_index('ix_human_tasks_open_queue', ['lane_role', 'org_scope', 'status', 'candidate_user_id'],
                              unique=False, postgresql_where=sa.text("status IN ('open', 'claimed')"),
                              sqlite_where=sa.text("status IN ('open', 'claimed')"))
        batch_op.create_index('ix_human_tasks_open_priority', [sa.text('priority DESC'), 'created_at', 'id'],
                              unique=False, postgresql_where=sa.text("status IN ('open', 'claimed')"),
                              sqlite_where=sa.text("status IN ('open', 'claimed')"))



def downgrade() -> None:
    with op.batch_alter_table('human_tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_human_tasks_open_priority')
        batch_op.drop_index('ix_human_tasks_open_queue')
        batch_op.drop_index('ix_human_tasks_queue')
        batch_op.drop_index(batch_op.f('ix_human_tasks_instance_id'))
        batch_op.drop_index('ix_human_tasks_due')
        batch_op.drop_index('ix_human_tasks_candidate')
        batch_op.drop_index('ix_human_tasks_assignee')

    op.drop_table('human_tasks')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index('ix_api_tokens_user')

    op.drop_table('api_tokens')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_role'))
        batch_op.drop_index(batch_op.f('ix_users_org_id'))

    op.drop_table('users')
    op.drop_table('process_forms')
    op.drop_table('pharmacy_designations')
    with op.batch_alter_table('negotiated_drugs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_negotiated_drugs_version_id'))

    op.drop_table('negotiated_drugs')
    with op.batch_alter_table('catalog_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_catalog_entries_version_id'))
        batch_op.drop_index(batch_op.f('ix_catalog_entries_code'))

    op.drop_table('catalog_entries')
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organizations_kind'))

    op.drop_table('organizations')
    op.drop_table('drug_list_versions')
    op.drop_table('catalog_versions')
    op.drop_table('audit_checkpoints')
