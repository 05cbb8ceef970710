"""consumable admission: applications, documents, rounds, candidates, experts, filings, objections, products,
catalog entry facts, catalog changes

Revision ID: 0020
Revises: 0010
Create Date: 2026-11-30 01:22:49.989673
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('document_blobs',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('media_type', sa.String(length=100), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('sha256', name=op.f('pk_document_blobs'))
    )
    op.create_table('catalog_products',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('version_id', sa.String(length=36), nullable=False),
    sa.Column('code', sa.String(length=27), nullable=False),
    sa.Column('entry_code', sa.String(length=15), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('manufacturer', sa.String(length=200), nullable=False),
    sa.Column('specification', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['catalog_versions.id'], name=op.f('fk_catalog_products_version_id_catalog_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalog_products')),
    sa.UniqueConstraint('version_id', 'code', name=op.f('uq_catalog_products_version_id_code'))
    )
    with op.batch_alter_table('catalog_products', schema=None) as batch_op:
        batch_op.create_index('ix_catalog_products_entry', ['version_id', 'entry_code'], unique=False)

    op.create_table('catalog_entry_facts',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('version_id', sa.String(length=36), nullable=False),
    sa.Column('code', sa.String(length=15), nullable=False),
    sa.Column('leaves_on', sa.Date(), nullable=True),
    sa.Column('procurement', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['version_id'], ['catalog_versions.id'], name=op.f('fk_catalog_entry_facts_version_id_catalog_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalog_entry_facts')),
    sa.UniqueConstraint('version_id', 'code', name=op.f('uq_catalog_entry_facts_version_id_code'))
    )
    op.create_table('catalog_changes',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('instance_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('entry_code', sa.String(length=15), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('change', sa.Text(), nullable=False),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('leaves_on', sa.Date(), nullable=True),
    sa.Column('published_version', sa.Integer(), nullable=True),
    sa.Column('expired_version', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instances.id'], name=op.f('fk_catalog_changes_instance_id_process_instances')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalog_changes')),
    sa.UniqueConstraint('instance_id', name=op.f('uq_catalog_changes_instance_id'))
    )
    with op.batch_alter_table('catalog_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_catalog_changes_status'), ['status'], unique=False)

    op.create_table('rounds',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('instance_id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('opens_on', sa.Date(), nullable=False),
    sa.Column('closes_on', sa.Date(), nullable=False),
    sa.Column('stage', sa.String(length=20), nullable=False),
    sa.Column('notice_working_days', sa.Integer(), nullable=False),
    sa.Column('notice_last_day', sa.Date(), nullable=True),
    sa.Column('notice_warnings', sa.Text(), nullable=True),
    sa.Column('retirements', sa.Text(), nullable=True),
    sa.Column('published_version', sa.Integer(), nullable=True),
    sa.Column('effective_on', sa.Date(), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instances.id'], name=op.f('fk_rounds_instance_id_process_instances')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rounds')),
    sa.UniqueConstraint('instance_id', name=op.f('uq_rounds_instance_id'))
    )
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rounds_stage'), ['stage'], unique=False)

    op.create_table('applications',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('instance_id', sa.String(length=36), nullable=False),
    sa.Column('hospital_id', sa.String(length=36), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=40), nullable=False),
    sa.Column('code', sa.String(length=27), nullable=True),
    sa.Column('entry_code', sa.String(length=15), nullable=True),
    sa.Column('product_name', sa.String(length=200), nullable=True),
    sa.Column('manufacturer', sa.String(length=200), nullable=True),
    sa.Column('facts', sa.Text(), nullable=False),
    sa.Column('existing_entry', sa.Boolean(), nullable=False),
    sa.Column('fast_path', sa.Boolean(), nullable=False),
    sa.Column('review_note', sa.Text(), nullable=True),
    sa.Column('supplement_last_day', sa.Date(), nullable=True),
    sa.Column('round_id', sa.String(length=36), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('accepted_on', sa.Date(), nullable=True),
    sa.Column('outcome_kind', sa.String(length=40), nullable=True),
    sa.Column('outcome', sa.Text(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['hospital_id'], ['organizations.id'], name=op.f('fk_applications_hospital_id_organizations')),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instances.id'], name=op.f('fk_applications_instance_id_process_instances')),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_applications_round_id_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_applications')),
    sa.UniqueConstraint('instance_id', name=op.f('uq_applications_instance_id'))
    )
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_applications_entry_code'), ['entry_code'], unique=False)
        batch_op.create_index('ix_applications_hospital_status', ['hospital_id', 'status'], unique=False)
        batch_op.create_index('ix_applications_round_status', ['round_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_applications_status'), ['status'], unique=False)

    op.create_table('candidates',
    sa.Column('round_id', sa.String(length=36), nullable=False),
    sa.Column('entry_code', sa.String(length=15), nullable=False),
    sa.Column('in_catalog', sa.Boolean(), nullable=False),
    sa.Column('applications', sa.Integer(), nullable=False),
    sa.Column('include', sa.Boolean(), nullable=True),
    sa.Column('category', sa.String(length=4), nullable=True),
    sa.Column('max_payment_standard', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('restricted_scope', sa.Text(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('names', sa.Text(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_candidates_round_id_rounds')),
    sa.PrimaryKeyConstraint('round_id', 'entry_code', name=op.f('pk_candidates'))
    )
    op.create_table('expert_assignments',
    sa.Column('round_id', sa.String(length=36), nullable=False),
    sa.Column('entry_code', sa.String(length=15), nullable=False),
    sa.Column('expert_id', sa.String(length=36), nullable=False),
    sa.Column('task_id', sa.String(length=36), nullable=True),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['expert_id'], ['users.id'], name=op.f('fk_expert_assignments_expert_id_users')),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_expert_assignments_round_id_rounds')),
    sa.PrimaryKeyConstraint('round_id', 'entry_code', 'expert_id', name=op.f('pk_expert_assignments'))
    )
    with op.batch_alter_table('expert_assignments', schema=None) as batch_op:
        batch_op.create_index('ix_expert_assignments_expert', ['expert_id', 'round_id'], unique=False)

    op.create_table('expert_reviews',
    sa.Column('round_id', sa.String(length=36), nullable=False),
    sa.Column('entry_code', sa.String(length=15), nullable=False),
    sa.Column('expert_id', sa.String(length=36), nullable=False),
    sa.Column('include', sa.Boolean(), nullable=False),
    sa.Column('category', sa.String(length=4), nullable=True),
    sa.Column('max_payment_standard', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('restricted_scope', sa.Text(), nullable=False),
    sa.Column('reasoning', sa.Text(), nullable=False),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['expert_id'], ['users.id'], name=op.f('fk_expert_reviews_expert_id_users')),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_expert_reviews_round_id_rounds')),
    sa.PrimaryKeyConstraint('round_id', 'entry_code', 'expert_id', name=op.f('pk_expert_reviews'))
    )
    op.create_table('filings',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('round_id', sa.String(length=36), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('filing_number', sa.String(length=100), nullable=True),
    sa.Column('reasons', sa.Text(), nullable=True),
    sa.Column('answered_by', sa.String(length=200), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_filings_round_id_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_filings')),
    sa.UniqueConstraint('round_id', 'seq', name=op.f('uq_filings_round_id_seq'))
    )
    with op.batch_alter_table('filings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_filings_round_id'), ['round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_filings_status'), ['status'], unique=False)

    op.create_table('objections',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('round_id', sa.String(length=36), nullable=False),
    sa.Column('entry_code', sa.String(length=15), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('lodged_by', sa.String(length=200), nullable=False),
    sa.Column('lodged_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('task_id', sa.String(length=36), nullable=True),
    sa.Column('upheld', sa.Boolean(), nullable=True),
    sa.Column('resolution', sa.Text(), nullable=True),
    sa.Column('resolved_by', sa.String(length=200), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_objections_round_id_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_objections'))
    )
    with op.batch_alter_table('objections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_objections_round_id'), ['round_id'], unique=False)

    op.create_table('application_documents',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('application_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by', sa.String(length=200), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_application_documents_application_id_applications')),
    sa.ForeignKeyConstraint(['sha256'], ['document_blobs.sha256'], name=op.f('fk_application_documents_sha256_document_blobs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_documents')),
    sa.UniqueConstraint('application_id', 'kind', 'sha256', name=op.f('uq_application_documents_application_id_kind_sha256'))
    )
    with op.batch_alter_table('application_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_documents_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_application_documents_sha256'), ['sha256'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('application_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_documents_sha256'))
        batch_op.drop_index(batch_op.f('ix_application_documents_application_id'))

    op.drop_table('application_documents')
    with op.batch_alter_table('objections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_objections_round_id'))

    op.drop_table('objections')
    with op.batch_alter_table('filings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_filings_status'))
        batch_op.drop_index(batch_op.f('ix_filings_round_id'))

    op.drop_table('filings')
    op.drop_table('expert_reviews')
    with op.batch_alter_table('expert_assignments', schema=None) as batch_op:
        batch_op.drop_index('ix_expert_assignments_expert')

    op.drop_table('expert_assignments')
    op.drop_table('candidates')
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_applications_status'))
        batch_op.drop_index('ix_applications_round_status')
        batch_op.drop_index('ix_applications_hospital_status')
        batch_op.drop_index(batch_op.f('ix_applications_entry_code'))

    op.drop_table('applications')
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rounds_stage'))

    op.drop_table('rounds')
    with op.batch_alter_table('catalog_products', schema=None) as batch_op:
        batch_op.drop_index('ix_catalog_products_entry')

    op.drop_table('catalog_products')
    with op.batch_alter_table('catalog_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_catalog_changes_status'))

    op.drop_table('catalog_changes')
    op.drop_table('catalog_entry_facts')
    op.drop_table('document_blobs')
