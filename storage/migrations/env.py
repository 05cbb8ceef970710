"""Alembic environment: the URL comes from the caller (storage.migrate), never from a file."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, pool

from storage.db import make_engine
from storage.schema import Base
from storage.task_models import EXPRESSION_INDEXES

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(str(config.get_main_option("sqlalchemy.url")), poolclass=pool.NullPool)
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


def _include(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    # Autogenerate cannot compare indexes on expressions (priority DESC): they are left to their migration.
    return not (type_ == "index" and name in EXPRESSION_INDEXES)


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True,
                      compare_type=True, include_object=_include)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
