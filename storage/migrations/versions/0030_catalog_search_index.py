"""catalog search index: 1- and 2-character terms of each entry's names (SV-1), filled for the versions already
stored

Revision ID: 0030
Revises: 0020
Create Date: 2026-12-07 01:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from domain.reference_data import CatalogRow, search_terms

revision = '0030'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('catalog_entry_terms',
    sa.Column('version_id', sa.String(length=36), nullable=False),
    sa.Column('term', sa.String(length=2), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['catalog_entries.id'], name=op.f('fk_catalog_entry_terms_entry_id_catalog_entries')),
    sa.ForeignKeyConstraint(['version_id'], ['catalog_versions.id'], name=op.f('fk_catalog_entry_terms_version_id_catalog_versions')),
    sa.PrimaryKeyConstraint('version_id', 'term', 'entry_id', name=op.f('pk_catalog_entry_terms'))
    )
    entries = sa.table('catalog_entries', *(sa.column(name) for name in (
        'id', 'version_id', *CatalogRow.__dataclass_fields__)))
    terms = sa.table('catalog_entry_terms', sa.column('version_id'), sa.column('term'), sa.column('entry_id'))
    connection = op.get_bind()
    rows: list[dict[str, object]] = []
    for entry in connection.execute(sa.select(entries)).mappings():
        row = CatalogRow(**{name: entry[name] for name in CatalogRow.__dataclass_fields__})
        rows.extend({'version_id': entry['version_id'], 'term': t, 'entry_id': entry['id']} for t in search_terms(row))
    if rows:
        connection.execute(sa.insert(terms), rows)


def downgrade() -> None:
    op.drop_table('catalog_entry_terms')
