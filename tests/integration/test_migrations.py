"""Migrations build exactly the models' schema, and go down and up again, on both backends."""

from __future__ import annotations

import uuid

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from storage.migrate import alembic_config, downgrade, upgrade
from storage.schema import Base

from ..conftest import POSTGRES_ADMIN_URL


@pytest.fixture
def empty_url(database_url: str, tmp_path):  # type: ignore[no-untyped-def]
    """A database with nothing in it, on the backend of ``database_url``."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    name = f"yibao_mig_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_upgrade_builds_the_models_schema_and_downgrade_removes_it(empty_url: str) -> None:
    upgrade(empty_url)
    command.check(alembic_config(empty_url))  # raises when models and migrations differ
    engine = create_engine(empty_url)
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    engine.dispose()
    downgrade(empty_url, "base")
    engine = create_engine(empty_url)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()
    upgrade(empty_url)


def test_0042_gives_each_annual_account_the_head_of_its_audit_chain(empty_url: str) -> None:
    """Accounts settled before 0042 get their chain's last entry as head; an account with no entry gets GENESIS."""
    upgrade(empty_url, "0041")
    engine = create_engine(empty_url)
    with engine.begin() as conn:
        for account in ("acc-1", "acc-2"):
            conn.execute(text(
                "INSERT INTO annual_accounts (id, psn_no, drug, year_start, year_end, annual_limit, fund_paid, "
                "deductible_met, updated_at) VALUES (:id, :psn, 'D', '2027-01-01', '2028-01-01', 100, 0, 0, "
                "'2027-01-01T00:00:00+00:00')"), {"id": account, "psn": account})
        for seq, digest in ((1, "a" * 64), (2, "b" * 64)):
            conn.execute(text(
                "INSERT INTO audit_log (aggregate_type, aggregate_id, seq, at, actor, action, object_type, "
                "object_id, prev_hash, hash) VALUES ('annual_account', 'acc-1', :seq, '2027-01-01T00:00:00+00:00', "
                "'u', 'dispensing.settled', 'dispensing', 'd', :prev, :hash)"),
                {"seq": seq, "prev": "0" * 64 if seq == 1 else "a" * 64, "hash": digest})
    engine.dispose()
    upgrade(empty_url)
    engine = create_engine(empty_url)
    with engine.connect() as conn:
        heads = dict(conn.execute(text("SELECT id, audit_seq || ':' || audit_head FROM annual_accounts")).all())
    engine.dispose()
    assert heads == {"acc-1": "2:" + "b" * 64, "acc-2": "0:" + "0" * 64}
