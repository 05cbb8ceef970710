"""The admission slice through its use cases on SQLite and PostgreSQL: the projectors keep the tables in step with
the diagrams and refuse, with the rule, what the domain refuses; a refused step changes nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from domain.actors import SYSTEM
from domain.errors import Conflict, Forbidden, PolicyViolation
from storage.admission_repository import Applications
from workflows import clock, messages, tasks, timers
from workflows.admission import applications, documents, round_messages, rounds
from workflows.context import Services

from ..admission_support import (
    EXISTING_ENTRY,
    NEW_ENTRY,
    PDF,
    REQUIRED_KINDS,
    actor,
    admission_world,
    code,
    deploy,
    facts,
    load_small_catalog,
)
from ..factories import World

T0 = datetime(2026, 9, 1, 2, tzinfo=UTC)
NAMES = {"primary_class": "血管介入治疗类材料", "secondary_class": "导管类", "tertiary_class": "中心静脉导管",
         "common_name": "导管"}
PANEL = ("e_clinical2", "e_admin", "e_supervision")


@pytest.fixture
def world(services: Services, tmp_path: Path) -> World:
    deploy(services)
    load_small_catalog(services, tmp_path)
    clock.set_clock(services, SYSTEM, T0)
    return admission_world(services)


def drafted(services: Services, world: World, hospital: str = "h1_officer", **overrides: object) -> str:
    officer = actor(world, hospital)
    app = applications.create_application(services, officer, facts(**overrides))
    for kind in REQUIRED_KINDS:
        documents.upload_document(services, officer, app.id, kind, f"{kind}.pdf", PDF + kind.encode())
    return app.id


def submitted(services: Services, world: World, hospital: str = "h1_officer", **overrides: object) -> str:
    app_id = drafted(services, world, hospital, **overrides)
    applications.submit_application(services, actor(world, hospital), app_id)
    return app_id


def reviewed(services: Services, world: World, round_id: str, include: bool = True) -> None:
    bureau = actor(world, "officer")
    rounds.close_window(services, bureau, round_id)
    rounds.assign_experts(services, bureau, round_id, {NEW_ENTRY: [world.users[u] for u in PANEL]})
    for username in PANEL:
        rounds.submit_review(services, actor(world, username), round_id, NEW_ENTRY,
                             {"include": include, "category": "乙", "max_payment_standard": "1200.00",
                              "reasoning": "临床必需" if include else "存在可替代产品"})


def test_cm6_da9_a_round_runs_from_applications_to_a_published_catalog_version(services: Services,
                                                                                 world: World) -> None:
    bureau = actor(world, "officer")
    opened = rounds.open_round(services, bureau, "2026年度", date(2026, 9, 1), date(2026, 9, 30))
    app_id = submitted(services, world)
    assert applications.get_application(services, bureau, app_id).status == "material_review"
    applications.review_materials(services, bureau, app_id, "accept")
    fast_id = submitted(services, world, "h2_officer", code=code(EXISTING_ENTRY))
    assert applications.get_application(services, bureau, fast_id).existing_entry is True
    applications.confirm_fast_path(services, bureau, fast_id, True)
    applications.review_materials(services, bureau, fast_id, "accept")
    assert applications.get_application(services, bureau, fast_id).round_id == opened.id
    reviewed(services, world, opened.id)
    assert [c.entry_code for c in rounds.list_candidates(services, bureau, opened.id)] == [NEW_ENTRY]
    rounds.consolidate(services, bureau, opened.id, {NEW_ENTRY: {
        "include": True, "category": "乙", "max_payment_standard": "1200.00", "names": NAMES}})
    round_messages.answer_filing(services, actor(world, "nhsa"), opened.id, True, filing_number="国医保备2026-1")
    assert rounds.get_round(services, bureau, opened.id).stage == "notice"
    timers.run_until(services, datetime(2026, 10, 20, tzinfo=UTC))
    assert rounds.get_round(services, bureau, opened.id).stage == "publishing"
    rounds.publish_round(services, bureau, opened.id, date(2026, 11, 1))
    included = applications.get_application(services, bureau, app_id)
    assert (included.status, included.outcome["effective_on"]) == ("included", "2026-11-01")  # type: ignore[index]
    assert applications.get_application(services, bureau, fast_id).status == "included_automatically"
    (publication,) = round_messages.list_publications(services)
    assert (publication.version, publication.added, publication.removed, publication.changed) == (
        2, [NEW_ENTRY], [], [])
    assert publication.products_added == sorted([code(NEW_ENTRY), code(EXISTING_ENTRY)])


def test_sv3_da5_an_assignment_breaking_the_rules_is_refused_naming_the_rule_and_changes_nothing(
        services: Services, world: World) -> None:
    bureau = actor(world, "officer")
    opened = rounds.open_round(services, bureau, "2026年度", date(2026, 9, 1), date(2026, 9, 30))
    applications.review_materials(services, bureau, submitted(services, world), "accept")
    rounds.close_window(services, bureau, opened.id)
    conflicted = [world.users[u] for u in ("e_clinical", "e_admin", "e_supervision")]  # e_clinical works at h1
    with pytest.raises(PolicyViolation) as refused:
        rounds.assign_experts(services, bureau, opened.id, {NEW_ENTRY: conflicted})
    assert (refused.value.rule, refused.value.code, refused.value.field) == (
        "SV-3", "assignment_refused", f"assignments.{NEW_ENTRY}.experts[0]")
    with pytest.raises(PolicyViolation) as too_few:
        rounds.assign_experts(services, bureau, opened.id, {NEW_ENTRY: [world.users["e_admin"]]})
    assert too_few.value.rule == "DA-5"
    (candidate,) = rounds.list_candidates(services, bureau, opened.id)
    assert candidate.experts == [] and rounds.get_round(services, bureau, opened.id).stage == "assigning"


def test_da2_the_same_file_uploaded_twice_is_stored_once(services: Services, world: World) -> None:
    first, second = drafted(services, world), drafted(services, world, "h2_officer")
    again, created = documents.upload_document(services, actor(world, "h1_officer"), first, "instructions", "x.pdf",
                                               PDF + b"instructions")
    assert created is False and again.filename == "instructions.pdf"
    with services.uow(read_only=True) as uow:
        assert uow.repository(Applications).blob_count() == len(REQUIRED_KINDS)  # shared by both applications
    theirs = applications.get_application(services, actor(world, "h2_officer"), second).documents
    mine = applications.get_application(services, actor(world, "h1_officer"), first).documents
    assert {d.sha256 for d in theirs} == {d.sha256 for d in mine} and {d.id for d in theirs}.isdisjoint(
        {d.id for d in mine})
    theirs = theirs[0]
    content = documents.download_document(services, actor(world, "h2_officer"), second, theirs.id)
    assert content.media_type == "application/pdf" and content.content.startswith(b"%PDF")


def test_da2_facts_other_than_the_record_are_refused_when_submitted_through_the_task_queue(
        services: Services, world: World) -> None:
    hospital = actor(world, "h1_officer")
    app_id = drafted(services, world)
    app = applications.get_application(services, hospital, app_id)
    assert app.step is not None and app.submission is not None
    altered = {**app.submission, "application": {**app.submission["application"], "price": "1.00"}}
    with pytest.raises(PolicyViolation) as refused:
        tasks.complete(services, hospital, app.step.task_id, altered)
    assert (refused.value.rule, refused.value.code) == ("DA-2", "submission_not_recorded")
    with pytest.raises(PolicyViolation) as flag:
        tasks.complete(services, hospital, app.step.task_id, {**app.submission, "existing_entry": True})
    assert (flag.value.rule, flag.value.field) == ("DA-4", "existing_entry")
    assert applications.get_application(services, hospital, app_id).status == "draft"
    tasks.complete(services, hospital, app.step.task_id, app.submission)  # the record as it is: accepted
    assert applications.get_application(services, hospital, app_id).status == "material_review"


def test_da1_an_application_accepted_outside_every_window_joins_the_next_round(services: Services,
                                                                               world: World) -> None:
    bureau = actor(world, "officer")
    app_id = submitted(services, world)
    applications.review_materials(services, bureau, app_id, "accept")
    assert applications.get_application(services, bureau, app_id).round_id is None
    opened = rounds.open_round(services, bureau, "2027年度", date(2026, 10, 1), date(2026, 10, 31))
    assert applications.get_application(services, bureau, app_id).round_id == opened.id


def test_the_hospital_withdraws_until_the_round_review_starts(services: Services, world: World) -> None:
    bureau, hospital = actor(world, "officer"), actor(world, "h1_officer")
    opened = rounds.open_round(services, bureau, "2026年度", date(2026, 9, 1), date(2026, 9, 30))
    early, late = submitted(services, world), submitted(services, world)
    for app_id in (early, late):
        applications.review_materials(services, bureau, app_id, "accept")
    withdrawn = applications.withdraw_application(services, hospital, early, "产品停产")
    assert (withdrawn.status, withdrawn.outcome["reason"]) == ("withdrawn_by_hospital", "产品停产")  # type: ignore
    rounds.close_window(services, bureau, opened.id)
    with pytest.raises(PolicyViolation) as refused:
        applications.withdraw_application(services, hospital, late)
    assert (refused.value.rule, refused.value.code) == ("DA-1", "round_review_started")
    with pytest.raises(Conflict):
        applications.withdraw_application(services, hospital, early)


def test_da6_only_the_nhsa_answers_a_filing_even_through_the_generic_messages(services: Services,
                                                                             world: World) -> None:
    bureau = actor(world, "officer")
    opened = rounds.open_round(services, bureau, "2026年度", date(2026, 9, 1), date(2026, 9, 30))
    applications.review_materials(services, bureau, submitted(services, world), "accept")
    reviewed(services, world, opened.id, include=False)
    rounds.consolidate(services, bureau, opened.id, {NEW_ENTRY: {"include": False, "reason": "存在可替代产品"}})
    with pytest.raises(Forbidden) as refused:
        messages.deliver_message(services, bureau, "filing_acknowledged", opened.id, {"filing_number": "假"})
    assert refused.value.rule == "DA-6"
    round_messages.answer_filing(services, actor(world, "nhsa"), opened.id, False, reasons="理由不足")
    assert rounds.get_round(services, bureau, opened.id).stage == "consolidating"
    (filing,) = round_messages.list_filings(services, actor(world, "nhsa"), opened.id)
    assert (filing.status, filing.reasons) == ("rejected", "理由不足")


def test_sv1_objections_are_lodged_only_during_the_notice_and_each_is_resolved(services: Services,
                                                                              world: World) -> None:
    bureau, hospital = actor(world, "officer"), actor(world, "h2_officer")
    opened = rounds.open_round(services, bureau, "2026年度", date(2026, 9, 1), date(2026, 9, 30))
    applications.review_materials(services, bureau, submitted(services, world), "accept")
    with pytest.raises(PolicyViolation) as early:
        round_messages.lodge_objection(services, hospital, opened.id, "价格过高")
    assert early.value.rule == "SV-1"
    reviewed(services, world, opened.id)
    rounds.consolidate(services, bureau, opened.id, {NEW_ENTRY: {"include": True, "category": "乙",
                                                                "max_payment_standard": "1200.00", "names": NAMES}})
    round_messages.answer_filing(services, actor(world, "nhsa"), opened.id, True, filing_number="F-1")
    objection = round_messages.lodge_objection(services, hospital, opened.id, "价格过高", NEW_ENTRY)
    assert [o.id for o in round_messages.list_objections(services, actor(world, "h1_officer"), opened.id)] == []
    timers.run_until(services, datetime(2026, 10, 20, tzinfo=UTC))
    assert rounds.get_round(services, bureau, opened.id).stage == "objections"
    with pytest.raises(PolicyViolation) as unresolved:
        rounds.resolve_objections(services, bureau, opened.id, {})
    assert unresolved.value.rule == "SV-1"
    rounds.resolve_objections(services, bureau, opened.id, {objection.id: {"upheld": False,
                                                                           "resolution": "价格在合理区间"}})
    assert rounds.get_round(services, bureau, opened.id).stage == "publishing"
    (resolved,) = round_messages.list_objections(services, hospital, opened.id)
    assert (resolved.status, resolved.upheld) == ("resolved", False)
