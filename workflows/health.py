"""Readiness: the database answers and carries the migrated schema."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from domain.errors import Unavailable

from .context import Services


def check_database(services: Services) -> None:
    """Raise Unavailable unless the database answers and the migrations were applied."""
    try:
        with services.db.connect() as conn:
            version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError as exc:
        raise Unavailable(f"the database does not answer: {type(exc).__name__}", code="database_unavailable") from None
    if not version:
        raise Unavailable("the database is not migrated; run `yibao db upgrade`", code="database_not_migrated")
