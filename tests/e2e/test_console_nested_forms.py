"""The console's generic task page with a nested form, through the real app on both backends: an expert completes
their review of a round's candidate (``round-expert-review``: the ``review`` object as a fieldset) and the review is
recorded; a bad nested field is shown beside its input (422, nothing completed); "添加一行" re-renders a rows
field with one more row and completes nothing; bounds are refused with 422."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from api import create_app
from storage.task_store import TaskFilter
from workflows import tasks
from workflows.admission import rounds
from workflows.context import Services

from ..admission_support import NEW_ENTRY, OTHER_NEW_ENTRY, actor
from ..console_admission_support import NAMES, PANELS, AdmissionWorld, build_admission
from ..console_support import ConsoleWorld, build_console_world
from .test_console_pages import csrf_of, logged_in

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


@pytest.fixture
def console_world(services: Services) -> ConsoleWorld:
    return build_console_world(services)


@pytest.fixture
def admission(services: Services, console_world: ConsoleWorld) -> AdmissionWorld:
    return build_admission(services, console_world.world)


@pytest.fixture
def app(services: Services, admission: AdmissionWorld) -> Flask:
    return create_app(services=services)


def review_task(services: Services, console_world: ConsoleWorld, admission: AdmissionWorld) -> str:
    found = rounds.get_candidate(services, actor(console_world.world, "expert"), admission.round_id, NEW_ENTRY)
    assert found.review_task_id
    return found.review_task_id


def beside(page: str, name: str) -> str:
    found = re.search(rf'<div class="field[^"]*" data-field="{re.escape(name)}">(.*?)</div>', page, re.S)
    assert found, f"no field {name}"
    return found.group(1)


def test_an_expert_completes_the_nested_review_form_and_the_review_is_recorded(
        app: Flask, services: Services, console_world: ConsoleWorld, admission: AdmissionWorld) -> None:
    task_id = review_task(services, console_world, admission)
    client = logged_in(app, "expert")
    path = f"/console/tasks/{task_id}"
    page = client.get(path).get_data(as_text=True)
    assert "暂不支持" not in page
    assert '<fieldset class="nested fieldset" data-field="review">' in page and "<legend>评审意见" in page
    assert 'name="review.include"' in page and 'name="review.reasoning"' in page
    answer = client.post(path, data={"csrf_token": csrf_of(client, path), "review.include": "true",
                                     "review.category": "乙", "review.max_payment_standard": "1200.00",
                                     "review.restricted_scope": "", "review.reasoning": "临床必需"})
    assert answer.status_code == 302
    mine = rounds.get_candidate(services, actor(console_world.world, "expert"), admission.round_id, NEW_ENTRY)
    assert [(r.include, r.category, str(r.max_payment_standard), r.restricted_scope or None, r.reasoning)
            for r in mine.reviews] == [(True, "乙", "1200.00", None, "临床必需")]


def test_a_bad_nested_field_is_shown_beside_its_input_and_nothing_is_completed(
        app: Flask, services: Services, console_world: ConsoleWorld, admission: AdmissionWorld) -> None:
    task_id = review_task(services, console_world, admission)
    client = logged_in(app, "expert")
    path = f"/console/tasks/{task_id}"
    answer = client.post(path, data={"csrf_token": csrf_of(client, path), "review.include": "true",
                                     "review.max_payment_standard": "12.345", "review.reasoning": ""})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "建议最高支付标准（元）格式不正确" in beside(page, "review.max_payment_standard")
    assert "请填写评审理由" in beside(page, "review.reasoning")
    assert 'value="12.345"' in beside(page, "review.max_payment_standard")  # what was entered is kept
    mine = rounds.get_candidate(services, actor(console_world.world, "expert"), admission.round_id, NEW_ENTRY)
    assert mine.reviews == [] and mine.review_task_id == task_id
    assert client.get(path).status_code == 200 and "提交" in client.get(path).get_data(as_text=True)


def test_bounds_are_refused_before_any_data_is_built(
        app: Flask, services: Services, console_world: ConsoleWorld, admission: AdmissionWorld) -> None:
    task_id = review_task(services, console_world, admission)
    client = logged_in(app, "expert")
    path = f"/console/tasks/{task_id}"
    for extra, message in (({"review[-1].include": "true"}, "表单字段名不正确"),
                           ({"a.b.c.d.e.f.g": "x"}, "表单嵌套过深（最多6层）"),
                           ({f"x{i}": "1" for i in range(201)}, "表单字段过多（最多200个）")):
        answer = client.post(path, data={"csrf_token": csrf_of(client, path), "review.include": "true",
                                         "review.reasoning": "临床必需", **extra})
        assert answer.status_code == 422 and message in answer.get_data(as_text=True)
    mine = rounds.get_candidate(services, actor(console_world.world, "expert"), admission.round_id, NEW_ENTRY)
    assert mine.reviews == []


def test_add_a_row_redraws_the_form_and_completes_nothing(
        app: Flask, services: Services, console_world: ConsoleWorld, admission: AdmissionWorld) -> None:
    task_id = review_task(services, console_world, admission)
    client = logged_in(app, "expert")
    path = f"/console/tasks/{task_id}"
    answer = client.post(path, data={"csrf_token": csrf_of(client, path), "review.include": "true",
                                     "review.reasoning": "临床必需", "_add": "review"})
    assert answer.status_code == 200 and "临床必需</textarea>" in answer.get_data(as_text=True)
    mine = rounds.get_candidate(services, actor(console_world.world, "expert"), admission.round_id, NEW_ENTRY)
    assert mine.reviews == []


def test_the_bureau_consolidates_through_map_rows_with_a_nested_names_fieldset(
        app: Flask, services: Services, console_world: ConsoleWorld, admission: AdmissionWorld) -> None:
    world = console_world.world
    for entry, panel in PANELS.items():
        for username in panel:
            rounds.submit_review(services, actor(world, username), admission.round_id, entry,
                                 {"include": True, "category": "乙", "reasoning": "临床必需"})
    officer = actor(world, "officer")
    task = next(t for t in tasks.list_tasks(services, officer, TaskFilter(status=["open", "claimed"])).items
                if t.bpmn_id == "consolidate")
    client = logged_in(app, "officer")
    path = f"/console/tasks/{task.id}"
    page = client.get(path).get_data(as_text=True)
    assert 'data-field="decisions[0]._key"' in page and 'name="decisions[1].names.common_name"' in page
    assert 'name="_add" value="decisions"' in page and "添加一行" in page
    names = {f"decisions[0].names.{k}": v for k, v in NAMES.items()}
    posted = {"decisions[0]._key": NEW_ENTRY, "decisions[0].include": "true", "decisions[0].category": "乙",
              "decisions[0].max_payment_standard": "1200.00", **names,
              "decisions[1]._key": OTHER_NEW_ENTRY, "decisions[1].include": "true", "decisions[1].category": "乙",
              "decisions[1].max_payment_standard": "900.00",
              "decisions[1].restricted_scope": "限三级医院", **{k.replace("[0]", "[1]"): v for k, v in names.items()},
              "decisions[2]._key": "", "decisions[2].reason": ""}
    bad = client.post(path, data={"csrf_token": csrf_of(client, path), **posted,
                                  "decisions[0].names.primary_class": ""})
    assert bad.status_code == 422 and "请填写一级分类" in beside(bad.get_data(as_text=True),
                                                           "decisions[0].names.primary_class")
    added = client.post(path, data={"csrf_token": csrf_of(client, path), **posted, "_add": "decisions"})
    assert added.status_code == 200 and 'name="decisions[2]._key"' in added.get_data(as_text=True)
    assert all(c.include is None for c in rounds.list_candidates(services, officer, admission.round_id))
    done = client.post(path, data={"csrf_token": csrf_of(client, path), **posted})
    assert done.status_code == 302
    decided = {c.entry_code: (c.include, c.category, {k: v for k, v in (c.names or {}).items() if v},
                              c.restricted_scope or None)
               for c in rounds.list_candidates(services, officer, admission.round_id)}
    assert decided == {NEW_ENTRY: (True, "乙", NAMES, None), OTHER_NEW_ENTRY: (True, "乙", NAMES, "限三级医院")}
