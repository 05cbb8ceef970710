"""The task page on both backends. A task form's draft (保存草稿): the typed values are kept unchecked for their
author only, shown again when they come back, and dropped when the task is completed; a draft of a task one may not
see is a 404. The tabs: the instance's data and history; the instance page's data."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from sqlalchemy import select

from api import create_app
from domain.actors import Actor
from storage.task_models import TaskDraft
from workflows import housekeeping, tasks
from workflows.context import Services

from ..console_support import ConsoleWorld, build_console_world, start_demo
from .test_console_pages import csrf_of, logged_in


@pytest.fixture
def console_world(services: Services) -> ConsoleWorld:
    return build_console_world(services)


@pytest.fixture
def app(services: Services, console_world: ConsoleWorld) -> Flask:
    return create_app(services=services)


def value_of(html: str, name: str) -> str:
    found = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html)
    return found.group(1) if found else ""


def test_a_draft_is_kept_for_its_author_and_dropped_on_completion(app: Flask, console_world: ConsoleWorld) -> None:
    client = logged_in(app, "h1_officer")
    path = f"/console/tasks/{console_world.task_id}"
    token = csrf_of(client, path)
    kept = client.post(path, data={"csrf_token": token, "_draft": "1", "product_name": "x" * 25, "quantity": "abc"})
    assert kept.status_code == 302  # unchecked: a draft may be wrong
    again = client.get(path).get_data(as_text=True)
    assert value_of(again, "product_name") == "x" * 25 and value_of(again, "quantity") == "abc"
    assert "草稿保存于" in again and "已保存草稿" in again
    colleague = logged_in(app, "admin").get(path)  # another user who may see the task: not their draft
    assert colleague.status_code == 200 and "x" * 25 not in colleague.get_data(as_text=True)
    other = logged_in(app, "h2_officer")  # another hospital: the task is not theirs to see
    assert other.post(path, data={"csrf_token": csrf_of(other, "/console/"), "_draft": "1"}).status_code == 404
    done = client.post(path, data={"csrf_token": token, "product_name": "支架", "quantity": "3", "urgent": "false",
                                   "declaration": "on"})
    assert done.status_code == 302
    assert "草稿保存于" not in client.get(path).get_data(as_text=True)


def test_a_draft_too_large_or_with_control_characters_is_refused(app: Flask, console_world: ConsoleWorld) -> None:
    client = logged_in(app, "h1_officer")
    path = f"/console/tasks/{console_world.task_id}"
    token = csrf_of(client, path)
    for data in ({"product_name": "x" * 70_000}, {"product_name": "a\x00b"},
                 {f"f{i}": "1" for i in range(201)}):
        refused = client.post(path, data={"csrf_token": token, "_draft": "1", **data})
        assert refused.status_code == 422 and "未保存" in refused.get_data(as_text=True)
    assert "草稿保存于" not in client.get(path).get_data(as_text=True)


def test_a_draft_with_names_no_form_has_still_shows_the_page(app: Flask, console_world: ConsoleWorld) -> None:
    """A draft is unchecked, so it may hold any names: the page is drawn from the schema and ignores the rest."""
    client = logged_in(app, "h1_officer")
    path = f"/console/tasks/{console_world.task_id}"
    token = csrf_of(client, path)
    names = {"x[99999999999999999999]": "1", "a.b.c.d.e.f.g.h": "2", "product_name[0]": "3", "x[-1]": "4"}
    assert client.post(path, data={"csrf_token": token, "_draft": "1", **names}).status_code == 302
    page = client.get(path)
    assert page.status_code == 200 and "草稿保存于" in page.get_data(as_text=True)


def test_the_task_tabs_show_the_instance_data_and_history(app: Flask, console_world: ConsoleWorld) -> None:
    """The task page's tabs: the instance's data the caller may read (ACC-4) and its history; an unknown tab 422."""
    client = logged_in(app, "h1_officer")
    path = f"/console/tasks/{console_world.task_id}"
    data = client.get(f"{path}?tab=data").get_data(as_text=True)
    assert 'id="instance-data"' in data and 'id="task-form"' not in data and 'aria-current="page"' in data
    history = client.get(f"{path}?tab=history").get_data(as_text=True)
    assert "instance.started" in history and 'id="task-form"' not in history
    assert 'id="task-form"' in client.get(path).get_data(as_text=True)
    refused = client.get(f"{path}?tab=secrets")
    assert refused.status_code == 422 and "没有该页签" in refused.get_data(as_text=True)
    assert logged_in(app, "h2_officer").get(f"{path}?tab=data").status_code == 404


def test_the_instance_page_shows_the_data_the_caller_may_read(app: Flask, console_world: ConsoleWorld) -> None:
    client = logged_in(app, "h1_officer")
    path = f"/console/tasks/{console_world.task_id}"
    done = client.post(path, data={"csrf_token": csrf_of(client, path), "product_name": "冠脉支架", "quantity": "3",
                                   "urgent": "false", "declaration": "on"})
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    shown = page.split('id="instance-data"')[1].split("</section>")[0]
    assert "<dt>product_name</dt><dd>冠脉支架</dd>" in shown and "<dt>urgent</dt><dd>否</dd>" in shown


def test_drafts_of_a_task_completed_through_the_api_are_dropped_by_the_workers_housekeeping(
    app: Flask, console_world: ConsoleWorld, services: Services
) -> None:
    client = logged_in(app, "h1_officer")
    _, other_task = start_demo(services, console_world.world, "h1_officer", "APP-CONSOLE-2")
    for task_id in (console_world.task_id, other_task):
        path = f"/console/tasks/{task_id}"
        assert client.post(path, data={"csrf_token": csrf_of(client, path), "_draft": "1",
                                       "product_name": f"草稿 {task_id}"}).status_code == 302
    world = console_world.world
    officer = Actor(world.users["h1_officer"], world.orgs["h1"], frozenset({"hospital_officer"}), "h1_officer")
    tasks.complete(services, officer, console_world.task_id, {"product_name": "支架", "quantity": 3,
                                                               "urgent": False, "declaration": True})
    assert housekeeping.run_jobs(services)["console.finished_task_drafts"] == 1
    with services.uow(read_only=True) as uow:
        kept = {d.task_id for d in uow.session.scalars(select(TaskDraft))}
    assert kept == {other_task}  # the open task's draft stays
    assert "草稿保存于" in client.get(f"/console/tasks/{other_task}").get_data(as_text=True)
