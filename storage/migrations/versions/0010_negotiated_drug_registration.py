"""negotiated-drug registration: registrations, revisions, annual accounts, dispensings, payment configuration

Revision ID: 0010
Revises: 0003
Create Date: 2026-11-30 01:24:44.627645

The partial unique index uq_registrations_current lets one registration per patient and drug be in force at a
time (ND-3): of two hospitals registering the same patient at once, exactly one commits.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('annual_accounts',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('psn_no', sa.String(length=64), nullable=False),
    sa.Column('drug', sa.String(length=100), nullable=False),
    sa.Column('year_start', sa.Date(), nullable=False),
    sa.Column('year_end', sa.Date(), nullable=False),
    sa.Column('annual_limit', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('fund_paid', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('deductible_met', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_annual_accounts')),
    sa.UniqueConstraint('psn_no', 'drug', 'year_start', name=op.f('uq_annual_accounts_psn_no_drug_year_start'))
    )
    op.create_table('payment_configs',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('insurance_type', sa.String(length=16), nullable=False),
    sa.Column('tier', sa.Integer(), nullable=False),
    sa.Column('deductible', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('fund_ratio', sa.Numeric(precision=5, scale=4), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=36), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_configs')),
    sa.UniqueConstraint('version', 'insurance_type', 'tier', name=op.f('uq_payment_configs_version_insurance_type_tier'))
    )
    with op.batch_alter_table('payment_configs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_configs_version'), ['version'], unique=False)

    op.create_table('registrations',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('instance_id', sa.String(length=36), nullable=True),
    sa.Column('psn_no', sa.String(length=64), nullable=False),
    sa.Column('insurance_type', sa.String(length=16), nullable=False),
    sa.Column('insurance_region', sa.String(length=6), nullable=False),
    sa.Column('off_site', sa.Boolean(), nullable=False),
    sa.Column('drug', sa.String(length=100), nullable=False),
    sa.Column('hospital_id', sa.String(length=36), nullable=False),
    sa.Column('hospital_code', sa.String(length=32), nullable=False),
    sa.Column('physician_id', sa.String(length=36), nullable=False),
    sa.Column('physician_code', sa.String(length=13), nullable=False),
    sa.Column('diagnosis_code', sa.String(length=16), nullable=False),
    sa.Column('diagnosis_name', sa.String(length=200), nullable=False),
    sa.Column('diagnostic_basis', sa.Text(), nullable=False),
    sa.Column('indication', sa.Text(), nullable=False),
    sa.Column('dose', sa.String(length=100), nullable=False),
    sa.Column('frequency', sa.String(length=100), nullable=False),
    sa.Column('quantity_per_fill', sa.Numeric(precision=7, scale=2), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('benefit_year_start', sa.Date(), nullable=False),
    sa.Column('last_reassessed_on', sa.Date(), nullable=True),
    sa.Column('next_reassessment_due', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('end_reason', sa.String(length=32), nullable=True),
    sa.Column('end_note', sa.String(length=500), nullable=True),
    sa.Column('replaces_id', sa.String(length=36), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=36), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['hospital_id'], ['organizations.id'], name=op.f('fk_registrations_hospital_id_organizations')),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instances.id'], name=op.f('fk_registrations_instance_id_process_instances')),
    sa.ForeignKeyConstraint(['physician_id'], ['users.id'], name=op.f('fk_registrations_physician_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registrations'))
    )
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.create_index('ix_registrations_drug', ['drug', 'status'], unique=False)
        batch_op.create_index('ix_registrations_due', ['next_reassessment_due'], unique=False)
        batch_op.create_index('ix_registrations_hospital', ['hospital_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_registrations_instance_id'), ['instance_id'], unique=False)
        batch_op.create_index('ix_registrations_patient', ['psn_no', 'drug'], unique=False)
        batch_op.create_index('uq_registrations_current', ['psn_no', 'drug'], unique=True, postgresql_where=sa.text("status IN ('active', 'suspended')"), sqlite_where=sa.text("status IN ('active', 'suspended')"))

    op.create_table('dispensings',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('dispenser_id', sa.String(length=36), nullable=False),
    sa.Column('dispenser_code', sa.String(length=32), nullable=False),
    sa.Column('dispenser_kind', sa.String(length=16), nullable=False),
    sa.Column('external_ref', sa.String(length=64), nullable=False),
    sa.Column('registration_id', sa.String(length=36), nullable=False),
    sa.Column('account_id', sa.String(length=36), nullable=False),
    sa.Column('psn_no', sa.String(length=64), nullable=False),
    sa.Column('drug', sa.String(length=100), nullable=False),
    sa.Column('physician_code', sa.String(length=13), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=7, scale=2), nullable=False),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('fund', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('deductible_part', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('ratio_part', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('over_limit_part', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('config_version', sa.Integer(), nullable=False),
    sa.Column('dispensed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('dispensed_by', sa.String(length=36), nullable=False),
    sa.Column('reversed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reversed_by', sa.String(length=36), nullable=True),
    sa.Column('reversal_reason', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['annual_accounts.id'], name=op.f('fk_dispensings_account_id_annual_accounts')),
    sa.ForeignKeyConstraint(['dispenser_id'], ['organizations.id'], name=op.f('fk_dispensings_dispenser_id_organizations')),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_dispensings_registration_id_registrations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dispensings')),
    sa.UniqueConstraint('dispenser_id', 'external_ref', name=op.f('uq_dispensings_dispenser_id_external_ref'))
    )
    with op.batch_alter_table('dispensings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dispensings_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dispensings_registration_id'), ['registration_id'], unique=False)

    op.create_table('registration_revisions',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('registration_id', sa.String(length=36), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.String(length=36), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.Column('previous', sa.Text(), nullable=True),
    sa.Column('current', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_registration_revisions_registration_id_registrations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registration_revisions')),
    sa.UniqueConstraint('registration_id', 'seq', name=op.f('uq_registration_revisions_registration_id_seq'))
    )


def downgrade() -> None:
    op.drop_table('registration_revisions')
    with op.batch_alter_table('dispensings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dispensings_registration_id'))
        batch_op.drop_index(batch_op.f('ix_dispensings_account_id'))

    op.drop_table('dispensings')
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_index('uq_registrations_current', postgresql_where=sa.text("status IN ('active', 'suspended')"), sqlite_where=sa.text("status IN ('active', 'suspended')"))
        batch_op.drop_index('ix_registrations_patient')
        batch_op.drop_index(batch_op.f('ix_registrations_instance_id'))
        batch_op.drop_index('ix_registrations_hospital')
        batch_op.drop_index('ix_registrations_due')
        batch_op.drop_index('ix_registrations_drug')

    op.drop_table('registrations')
    with op.batch_alter_table('payment_configs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_configs_version'))

    op.drop_table('payment_configs')
    op.drop_table('annual_accounts')
