"""Persistence of Yibao Flow: SQLAlchemy 2 models, the unit of work, Alembic migrations."""
