"""The console's queue on both backends: filters by status, process, role and organization, overdue only, sorting
and paging, saved filters, and every bad query value named in Chinese (422) without failing the page."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient

from api import create_app
from domain.actors import SYSTEM
from workflows import clock
from workflows.context import Services

from ..console_support import ConsoleWorld, build_console_world, start_demo
from .test_console_pages import csrf_of, logged_in


@pytest.fixture
def console_world(services: Services) -> ConsoleWorld:
    return build_console_world(services)


@pytest.fixture
def app(services: Services, console_world: ConsoleWorld) -> Flask:
    return create_app(services=services)


def rows(page: str) -> list[str]:
    return re.findall(r'<tr data-task-id="([^"]+)"', page)


def test_the_queue_filters_by_status_and_counts_per_stage(app: Flask, services: Services,
                                                          console_world: ConsoleWorld) -> None:
    _, second = start_demo(services, console_world.world, "h1_officer", "APP-Q-2")
    client = logged_in(app, "h1_officer")
    client.post(f"/console/tasks/{second}/claim", data={"csrf_token": csrf_of(client, "/console/")})
    everything = client.get("/console/").get_data(as_text=True)
    assert set(rows(everything)) == {console_world.task_id, second}
    assert "<span>填写申请</span> <b>2</b>" in everything
    claimed = client.get("/console/?status=claimed").get_data(as_text=True)
    assert rows(claimed) == [second]
    assert rows(client.get("/console/?status=mine").get_data(as_text=True)) == [second]
    assert rows(client.get("/console/?status=open").get_data(as_text=True)) == [console_world.task_id]
    assert rows(client.get("/console/?process=no_such_process").get_data(as_text=True)) == []
    assert len(rows(client.get("/console/?process=console_demo").get_data(as_text=True))) == 2


def test_overdue_only_follows_the_service_clock(app: Flask, services: Services, console_world: ConsoleWorld) -> None:
    hospital = logged_in(app, "h1_officer")
    path = f"/console/tasks/{console_world.task_id}"
    hospital.post(path, data={"csrf_token": csrf_of(hospital, path), "product_name": "支架", "quantity": "1",
                              "urgent": "true", "declaration": "on"})
    officer = logged_in(app, "officer")
    assert rows(officer.get("/console/?overdue=1").get_data(as_text=True)) == []
    clock.set_clock(services, SYSTEM, datetime(2099, 1, 1, tzinfo=UTC))
    assert len(rows(officer.get("/console/?overdue=1").get_data(as_text=True))) == 1


def test_paging_and_sorting(app: Flask, services: Services, console_world: ConsoleWorld) -> None:
    made = [console_world.task_id] + [start_demo(services, console_world.world, "h1_officer", f"APP-P-{i}")[1]
                                      for i in range(51)]
    client = logged_in(app, "h1_officer")
    first = client.get("/console/?sort=created").get_data(as_text=True)
    second = client.get("/console/?sort=created&page=2").get_data(as_text=True)
    assert rows(first) == made[:50] and rows(second) == made[50:]
    assert "共 52 条，第 1 / 2 页" in first and 'rel="next" href="?sort=created&amp;page=2"' in first
    assert rows(client.get("/console/?sort=-created").get_data(as_text=True))[0] == made[-1]
    assert rows(client.get("/console/?sort=created&page=3").get_data(as_text=True)) == []


@pytest.mark.parametrize(("query", "field", "message"), [
    ("status=deleted", "status", "状态只能是"),
    ("sort=name", "sort", "排序方式不正确"),
    ("page=0", "page", "页码应为"),
    ("page=99999999999999999999", "page", "页码应为"),
    ("page=%EF%BC%91", "page", "页码应为"),  # a full-width digit
    ("overdue=maybe", "overdue", "逾期筛选"),
    ("process=" + "x" * 1500, "process", "流程标识不正确"),
    ("role=physician", "role", "只有可查看全部机构的角色"),
    ("org=H1", "org", "只有可查看全部机构的角色"),
    ("colour=red", "colour", "不支持的查询参数"),
])
def test_a_bad_query_value_is_named_beside_the_filters_and_the_queue_still_shows(
        app: Flask, console_world: ConsoleWorld, query: str, field: str, message: str) -> None:
    response = logged_in(app, "h1_officer").get(f"/console/?{query}")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(rf'<li data-field="{field}">[^<]*{message}', page), page
    assert console_world.task_id in rows(page)  # the rest of the query still applies


def test_a_nul_byte_in_the_query_is_refused_by_the_request_check_as_a_console_page(app: Flask) -> None:
    response = logged_in(app, "h1_officer").get("/console/?process=%00")
    assert response.status_code == 422 and response.mimetype == "text/html"
    assert "NUL" in response.get_data(as_text=True)
    assert logged_in(app, "h1_officer").get("/console/?process=" + "x" * 5000).status_code == 414


def test_oversight_roles_filter_by_role_and_organization(app: Flask, services: Services,
                                                         console_world: ConsoleWorld) -> None:
    admin = logged_in(app, "admin")
    h1 = console_world.world.orgs["h1"]
    h2 = console_world.world.orgs["h2"]
    assert rows(admin.get(f"/console/?org={h1}&role=hospital_officer").get_data(as_text=True)) == [
        console_world.task_id]
    assert rows(admin.get(f"/console/?org={h2}").get_data(as_text=True)) == []
    assert rows(admin.get("/console/?role=bureau_officer").get_data(as_text=True)) == []
    bad = admin.get("/console/?org=nope&role=king")
    assert bad.status_code == 422
    assert "没有该机构" in bad.get_data(as_text=True) and "没有该角色" in bad.get_data(as_text=True)


def test_a_filter_is_saved_listed_and_deleted(app: Flask, console_world: ConsoleWorld) -> None:
    client = logged_in(app, "h1_officer")
    token = csrf_of(client, "/console/")
    saved = client.post("/console/filters", data={"csrf_token": token, "name": "我的逾期",
                                                  "query": "status=mine&overdue=1"}, follow_redirects=True)
    page = saved.get_data(as_text=True)
    assert '<a href="/console/?status=mine&amp;overdue=1">我的逾期</a>' in page
    for name, message in (("", "请填写筛选名称"), ("x" * 31, "最多30个字符"), ("a\x00b", "控制字符")):
        refused = client.post("/console/filters", data={"csrf_token": token, "name": name, "query": ""},
                              follow_redirects=True).get_data(as_text=True)
        assert message in refused
    for i in range(9):
        client.post("/console/filters", data={"csrf_token": token, "name": f"f{i}", "query": ""})
    full = client.post("/console/filters", data={"csrf_token": token, "name": "one more", "query": ""},
                       follow_redirects=True).get_data(as_text=True)
    assert "最多保存10个筛选" in full and "one more" not in full
    gone = client.post("/console/filters/delete", data={"csrf_token": token, "name": "我的逾期"},
                       follow_redirects=True).get_data(as_text=True)
    assert "我的逾期" not in gone
    assert client.post("/console/filters", data={"name": "no token"}).status_code == 400


def test_the_saved_filters_belong_to_the_user_and_survive_a_new_login(app: Flask,
                                                                        console_world: ConsoleWorld) -> None:
    client = logged_in(app, "h1_officer")
    client.post("/console/filters", data={"csrf_token": csrf_of(client, "/console/"), "name": "mine",
                                          "query": "status=mine"})
    other: FlaskClient = logged_in(app, "h2_officer")
    assert "status=mine" not in other.get("/console/").get_data(as_text=True)
    client.post("/console/logout", data={"csrf_token": csrf_of(client, "/console/")})
    again = logged_in(app, "h1_officer").get("/console/").get_data(as_text=True)
    assert '<a href="/console/?status=mine">mine</a>' in again
