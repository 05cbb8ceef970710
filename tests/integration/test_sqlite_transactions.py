"""SQLite: a writing unit of work holds the write lock from its first statement; a read-only one never waits."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy.engine import make_url

from workflows.context import build_services

from ..conftest import make_settings


def test_a_writing_unit_of_work_takes_the_write_lock_up_front_and_a_reader_does_not(sqlite_url: str) -> None:
    services = build_services(make_settings(sqlite_url))
    other = sqlite3.connect(str(make_url(sqlite_url).database), timeout=0, isolation_level=None)
    try:
        with services.uow() as writer:
            writer.session.connection()  # the transaction has begun, nothing written yet
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
            with services.uow(read_only=True) as reader:  # reads beside the writer, without waiting
                assert reader.store.definition_ref("no_such_process") is None
        other.execute("BEGIN IMMEDIATE")  # released with the writer's transaction
        other.execute("ROLLBACK")
        with services.uow(read_only=True) as reader:
            reader.session.connection()
            other.execute("BEGIN IMMEDIATE")  # a reader does not hold the write lock
            other.execute("ROLLBACK")
    finally:
        other.close()
        services.dispose()
