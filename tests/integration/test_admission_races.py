"""Races of the admission process settled by PostgreSQL with real concurrent connections: an application accepted
while its round closes is counted in that round or left for the next, never lost between them (DA-1, DA-3); a
withdrawal racing the close either happens or is refused (DA-1)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path

import pytest

from domain.actors import SYSTEM
from domain.errors import PolicyViolation
from workflows import clock
from workflows.admission import applications, documents, rounds
from workflows.context import Services

from ..admission_support import (
    NEW_ENTRY,
    PDF,
    REQUIRED_KINDS,
    actor,
    admission_world,
    deploy,
    facts,
    load_small_catalog,
)
from ..concurrency import contend
from ..factories import World

pytestmark = pytest.mark.postgres
ROUNDS = 4


@pytest.fixture
def world(postgres_services: Services, tmp_path: Path) -> World:
    deploy(postgres_services)
    load_small_catalog(postgres_services, tmp_path)
    clock.set_clock(postgres_services, SYSTEM, datetime(2026, 1, 5, 2, tzinfo=UTC))
    return admission_world(postgres_services)




def reviewed_application(services: Services, world: World) -> str:
    hospital = actor(world, "h1_officer")
    app = applications.create_application(services, hospital, facts())
    for kind in REQUIRED_KINDS:
        documents.upload_document(services, hospital, app.id, kind, f"{kind}.pdf", PDF + kind.encode())
    applications.submit_application(services, hospital, app.id)
    return app.id


def open_round(services: Services, world: World, index: int) -> str:
    start = date(2026, 1, 5) + timedelta(days=40 * index)
    return rounds.open_round(services, actor(world, "officer"), f"第{index}轮", start, start + timedelta(days=30)).id


def counted(services: Services, world: World, round_id: str) -> list[str]:
    return [c.entry_code for c in rounds.list_candidates(services, actor(world, "officer"), round_id)]


def test_da1_da3_an_acceptance_racing_the_close_is_counted_or_left_for_the_next_round(
        postgres_services: Services, postgres_url: str, world: World) -> None:
    bureau = actor(world, "officer")
    app_ids: list[str] = []
    for index in range(ROUNDS):
        clock.set_clock(postgres_services, SYSTEM,
                        datetime(2026, 1, 5, 2, tzinfo=UTC) + timedelta(days=40 * index))
        round_id = open_round(postgres_services, world, index)
        app_id = reviewed_application(postgres_services, world)
        app_ids.append(app_id)
        results = contend(postgres_url, [
            partial(applications.review_materials, actor=bureau, application_id=app_id, decision="accept"),
            partial(rounds.close_window, actor=bureau, round_id=round_id)])
        assert not [r for r in results if isinstance(r, Exception)], results
        assert applications.get_application(postgres_services, bureau, app_id).round_id in (round_id, None)
        # An application the close left for the next round may join this one (all share NEW_ENTRY): what the
        # round counts is exactly the applications that joined it, this race's included or not.
        joined = [a for a in app_ids
                  if applications.get_application(postgres_services, bureau, a).round_id == round_id]
        candidates = rounds.list_candidates(postgres_services, bureau, round_id)
        assert sum(c.applications for c in candidates) == len(joined), (index, joined)
        assert [c.entry_code for c in candidates] == ([NEW_ENTRY] if joined else [])


def test_da1_a_withdrawal_racing_the_close_happens_or_is_refused(postgres_services: Services, postgres_url: str,
                                                                 world: World) -> None:
    bureau, hospital = actor(world, "officer"), actor(world, "h1_officer")
    for index in range(ROUNDS):
        clock.set_clock(postgres_services, SYSTEM,
                        datetime(2026, 1, 5, 2, tzinfo=UTC) + timedelta(days=40 * index))
        round_id = open_round(postgres_services, world, index)
        app_id = reviewed_application(postgres_services, world)
        applications.review_materials(postgres_services, bureau, app_id, "accept")
        results = contend(postgres_url, [
            partial(applications.withdraw_application, actor=hospital, application_id=app_id),
            partial(rounds.close_window, actor=bureau, round_id=round_id)])
        withdrawn = not isinstance(results[0], Exception)
        assert withdrawn or isinstance(results[0], PolicyViolation), results
        assert not isinstance(results[1], Exception), results
        assert counted(postgres_services, world, round_id) == ([] if withdrawn else [NEW_ENTRY]), index
