"""Shared fixtures: a migrated database per backend (SQLite always, PostgreSQL when it answers), services, app."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from storage.migrate import upgrade
from storage.schema import Base
from workflows.context import Services, build_services
from workflows.settings import Settings, load_settings

DIAGRAMS = Path(__file__).parent / "diagrams"
POSTGRES_ADMIN_URL = os.environ.get("YIBAO_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REQUIRE_POSTGRES = os.environ.get("YIBAO_REQUIRE_POSTGRES", "").lower() in ("1", "true", "yes")


def _postgres_answers() -> str | None:
    """None when PostgreSQL answers, else the reason it does not."""
    try:
        engine = create_engine(POSTGRES_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as exc:
        return f"PostgreSQL at {make_url(POSTGRES_ADMIN_URL).render_as_string()} does not answer: {type(exc).__name__}"


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this test session; skips (or fails in CI) without a server."""
    reason = _postgres_answers()
    if reason is not None:
        if REQUIRE_POSTGRES:
            pytest.fail(f"{reason}; YIBAO_REQUIRE_POSTGRES=1 forbids skipping", pytrace=False)
        pytest.skip(reason)
    name = f"yibao_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated SQLite database file for this test session."""
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'yibao.db'}"
    upgrade(url)
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    """Each test using it runs on SQLite and on PostgreSQL."""
    fixture = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    url: str = request.getfixturevalue(fixture)
    return url


def _clear(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())
    engine.dispose()


def make_settings(url: str, **overrides: object) -> Settings:
    """Test settings: the given database, clock control on, everything else default."""
    # Cheap password hashing keeps the suite fast; the algorithm is the same argon2id as in production.
    values: dict[str, object] = {"env": "test", "database_url": url, "allow_clock_control": True,
                                 "argon2_time_cost": 1, "argon2_memory_kib": 1024}
    values.update(overrides)
    return load_settings({}, **values)


def _fresh_services(url: str) -> Iterator[Services]:
    _clear(url)
    built = build_services(make_settings(url))
    yield built
    built.dispose()


@pytest.fixture
def services(database_url: str) -> Iterator[Services]:
    """Services on a cleared database of the backend under test."""
    yield from _fresh_services(database_url)


@pytest.fixture
def postgres_services(postgres_url: str) -> Iterator[Services]:
    """Services on a cleared PostgreSQL database (for tests of PostgreSQL's own behaviour)."""
    yield from _fresh_services(postgres_url)


def diagram_text(name: str = "foundation.bpmn") -> str:
    """The text of a test diagram."""
    return (DIAGRAMS / name).read_text(encoding="utf-8")


@pytest.fixture
def more_services(database_url: str) -> Iterator[Callable[..., Services]]:
    """Build further services on the same database (another process, other settings); all closed afterwards."""
    built: list[Services] = []

    def build(**overrides: object) -> Services:
        services = build_services(make_settings(database_url, **overrides))
        built.append(services)
        return services

    yield build
    for services in built:
        services.dispose()


def diagram_forms() -> dict[str, Any]:
    """The forms of the test diagrams, as sent in a deploy request."""
    return {p.name: json.loads(p.read_text(encoding="utf-8")) for p in (DIAGRAMS / "forms").glob("*.json")}


def diagram_form_texts() -> dict[str, str]:
    """The forms of the test diagrams, as the deploy use case takes them."""
    return {p.name: p.read_text(encoding="utf-8") for p in (DIAGRAMS / "forms").glob("*.json")}


class FakeClock:
    """The machine clock as the identity use cases read it (``system_now``), moved by hand."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def machine_clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """Stop the machine clock of login and its throttle; the test moves it."""
    from workflows import identity, login_throttle

    fake = FakeClock()
    monkeypatch.setattr(identity, "system_now", fake)
    monkeypatch.setattr(login_throttle, "system_now", fake)
    return fake
