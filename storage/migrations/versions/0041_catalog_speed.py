"""catalog speed (issue 7): the search index keyed by (version, term, code), so one term's entries come out in code
order, and the number of entries having each term; both filled for the versions already stored

Revision ID: 0041
Revises: 0040
Create Date: 2026-12-07 08:30:00
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from domain.reference_data import CatalogRow, search_terms

revision = '0041'
down_revision = '0040'
branch_labels = None
depends_on = None

_ENTRIES = sa.table('catalog_entries', *(sa.column(name) for name in ('id', 'version_id', *CatalogRow.__dataclass_fields__)))


def _terms_table(key: str, key_type: sa.types.TypeEngine[Any]) -> None:
    # The index is derived from the entries: it is rebuilt from them rather than converted.
    op.drop_table('catalog_entry_terms')
    columns = ['version_id', 'code'] if key == 'code' else ['entry_id']
    source = 'id' if key == 'entry_id' else key  # the entry column the key is taken from
    op.create_table('catalog_entry_terms',
    sa.Column('version_id', sa.String(length=36), nullable=False),
    sa.Column('term', sa.String(length=2), nullable=False),
    sa.Column(key, key_type, nullable=False),
    sa.ForeignKeyConstraint(columns, [f'catalog_entries.{"id" if c == "entry_id" else c}' for c in columns],
                            name=op.f(f'fk_catalog_entry_terms_{columns[0]}_catalog_entries')),
    sa.ForeignKeyConstraint(['version_id'], ['catalog_versions.id'], name=op.f('fk_catalog_entry_terms_version_id_catalog_versions')),
    sa.PrimaryKeyConstraint('version_id', 'term', key, name=op.f('pk_catalog_entry_terms')),
    sqlite_with_rowid=key != 'code',
    )
    terms = sa.table('catalog_entry_terms', sa.column('version_id'), sa.column('term'), sa.column(key))
    connection = op.get_bind()
    rows: list[dict[str, object]] = []
    for entry in connection.execute(sa.select(_ENTRIES)).mappings():
        row = CatalogRow(**{name: entry[name] for name in CatalogRow.__dataclass_fields__})
        rows.extend({'version_id': entry['version_id'], 'term': t, key: entry[source]} for t in search_terms(row))
    if rows:
        connection.execute(sa.insert(terms), rows)


def upgrade() -> None:
    _terms_table('code', sa.String(length=15))
    op.create_table('catalog_term_counts',
    sa.Column('version_id', sa.String(length=36), nullable=False),
    sa.Column('term', sa.String(length=2), nullable=False),
    sa.Column('entries', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['catalog_versions.id'], name=op.f('fk_catalog_term_counts_version_id_catalog_versions')),
    sa.PrimaryKeyConstraint('version_id', 'term', name=op.f('pk_catalog_term_counts')),
    sqlite_with_rowid=False,
    )
    op.execute('INSERT INTO catalog_term_counts (version_id, term, entries) '
               'SELECT version_id, term, count(*) FROM catalog_entry_terms GROUP BY version_id, term')


def downgrade() -> None:
    op.drop_table('catalog_term_counts')
    _terms_table('entry_id', sa.Integer())
