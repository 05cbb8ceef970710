"""The console's pages through the real app on both backends: the / redirect, login with CSRF, the queue, a task's
form with Chinese errors beside its fields, the instance page, the public catalog (SV-1)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient

from api import create_app
from domain.actors import SYSTEM
from workflows import clock
from workflows.context import Services

from ..console_support import ConsoleWorld, build_console_world
from ..factories import PASSWORD

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


@pytest.fixture
def console_world(services: Services) -> ConsoleWorld:
    return build_console_world(services)


@pytest.fixture
def app(services: Services, console_world: ConsoleWorld) -> Flask:
    return create_app(services=services)


def csrf_of(client: FlaskClient, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


def logged_in(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    token = csrf_of(client, "/console/login")
    response = client.post("/console/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/console/"
    return client


def test_root_redirects_browsers_and_still_answers_api_clients_with_a_problem(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/", headers=BROWSER).headers["Location"] == "/console/"
    for accept in ({}, {"Accept": "application/json"}, {"Accept": "*/*"}):
        answer = client.get("/", headers=accept)
        assert answer.status_code == 404 and answer.get_json()["code"] == "not_found"


def test_login_sets_an_http_only_lax_cookie_and_the_queue_shows_the_task(app: Flask,
                                                                          console_world: ConsoleWorld) -> None:
    client = app.test_client()
    assert client.get("/console/").headers["Location"].startswith("/console/login")
    token = csrf_of(client, "/console/login")
    response = client.post("/console/login", data={"username": "h1_officer", "password": PASSWORD,
                                                   "csrf_token": token})
    cookie = response.headers["Set-Cookie"]
    assert "yibao_console=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # YIBAO_SESSION_COOKIE_SECURE is off by default
    home = client.get("/console/").get_data(as_text=True)
    assert "填写申请" in home and f'data-task-id="{console_world.task_id}"' in home and "共 1 条" in home


def test_the_session_cookie_is_secure_when_configured(services: Services, console_world: ConsoleWorld) -> None:
    secure = create_app(replace(services.settings, session_cookie_secure=True), services=services)
    client = secure.test_client()
    token = csrf_of(client, "/console/login")
    response = client.post("/console/login", data={"username": "h1_officer", "password": PASSWORD,
                                                   "csrf_token": token})
    assert "; Secure" in response.headers["Set-Cookie"]


def test_a_post_without_its_csrf_token_is_refused_with_a_400_page(app: Flask, console_world: ConsoleWorld) -> None:
    refused = app.test_client().post("/console/login", data={"username": "h1_officer", "password": PASSWORD})
    assert refused.status_code == 400 and "安全令牌" in refused.get_data(as_text=True)
    client = logged_in(app, "h1_officer")
    claim = client.post(f"/console/tasks/{console_world.task_id}/claim", data={})
    assert claim.status_code == 400 and 'data-code="csrf_failed"' in claim.get_data(as_text=True)


def test_a_wrong_password_is_refused_in_chinese_and_counts_for_the_throttle(app: Flask) -> None:
    client = app.test_client()
    token = csrf_of(client, "/console/login")
    wrong = client.post("/console/login", data={"username": "h1_officer", "password": "nope", "csrf_token": token})
    assert wrong.status_code == 401 and "用户名或密码错误" in wrong.get_data(as_text=True)
    admin = app.test_client()
    assert admin.get("/console/").status_code == 302  # no session was made


def test_the_task_form_shows_each_error_beside_its_field_then_completes(app: Flask,
                                                                         console_world: ConsoleWorld) -> None:
    client = logged_in(app, "h1_officer")
    path = f"/console/tasks/{console_world.task_id}"
    token = csrf_of(client, path)
    bad = client.post(path, data={"csrf_token": token, "product_name": "x" * 21, "quantity": "1.5"})
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert "请输入整数" in html  # quantity: not an integer, caught before the schema
    bad = client.post(path, data={"csrf_token": token, "product_name": "x" * 21, "quantity": "0"})
    html = bad.get_data(as_text=True)
    assert re.search(r'data-field="product_name">.*?产品名称最多20个字符', html, re.S)
    assert re.search(r'data-field="quantity">.*?申请数量不能小于1', html, re.S)
    assert re.search(r'data-field="urgent">.*?请填写是否加急', html, re.S)
    assert re.search(r'data-field="declaration">.*?请填写确认所填信息真实有效', html, re.S)
    done = client.post(path, data={"csrf_token": token, "product_name": "支架", "quantity": "3", "urgent": "false",
                                   "declaration": "on"})
    assert done.status_code == 302 and done.headers["Location"] == f"/console/instances/{console_world.instance_id}"
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "已提交：填写申请" in page and "材料审核" in page and "task.completed:fill" in page
    assert "&#34;review&#34;" in page  # the active element, for the diagram's marker


def test_another_hospitals_user_gets_404_for_the_instance_task_and_diagram(app: Flask,
                                                                           console_world: ConsoleWorld) -> None:
    other = logged_in(app, "h2_officer")
    for path in (f"/console/instances/{console_world.instance_id}", f"/console/tasks/{console_world.task_id}",
                 f"/console/instances/{console_world.instance_id}/diagram.bpmn"):
        answer = other.get(path)
        assert answer.status_code == 404 and "未找到" in answer.get_data(as_text=True), path
    own = logged_in(app, "h1_officer").get(f"/console/instances/{console_world.instance_id}/diagram.bpmn")
    assert own.status_code == 200 and own.mimetype == "application/xml" and b"BPMNShape" in own.data


def test_claim_and_unclaim_from_the_queue(app: Flask, console_world: ConsoleWorld) -> None:
    client = logged_in(app, "h1_officer")
    token = csrf_of(client, "/console/")
    claimed = client.post(f"/console/tasks/{console_world.task_id}/claim", data={"csrf_token": token})
    assert claimed.status_code == 302
    assert "办理中（我）" in client.get("/console/").get_data(as_text=True)
    client.post(f"/console/tasks/{console_world.task_id}/unclaim", data={"csrf_token": token})
    assert "待领取" in client.get("/console/").get_data(as_text=True)


def test_logout_revokes_the_session(app: Flask) -> None:
    client = logged_in(app, "h1_officer")
    token = csrf_of(client, "/console/")
    assert client.post("/console/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/console/").headers["Location"].startswith("/console/login")


@pytest.mark.parametrize(("q", "found"), [("支架", "C01010100101001"), ("C0101010010", "C01010100102001")])
def test_the_public_catalog_finds_entries_by_chinese_name_or_code_without_login(app: Flask, q: str,
                                                                               found: str) -> None:
    """SV-1: the published catalog is readable by anyone."""
    page = app.test_client().get("/console/catalog", query_string={"q": q})
    assert page.status_code == 200 and found in page.get_data(as_text=True)
    entry = app.test_client().get(f"/console/catalog/{found}")
    assert entry.status_code == 200 and "¥" in entry.get_data(as_text=True)


def test_an_unknown_catalog_code_is_a_404_page(app: Flask) -> None:
    assert app.test_client().get("/console/catalog/C99999999999999").status_code == 404
    assert app.test_client().get("/console/catalog/nonsense").status_code == 404


def test_the_reviewers_queue_marks_an_overdue_task(app: Flask, services: Services,
                                                    console_world: ConsoleWorld) -> None:
    hospital = logged_in(app, "h1_officer")
    path = f"/console/tasks/{console_world.task_id}"
    hospital.post(path, data={"csrf_token": csrf_of(hospital, path), "product_name": "支架", "quantity": "1",
                              "urgent": "true", "declaration": "on"})
    officer = logged_in(app, "officer")
    home = officer.get("/console/").get_data(as_text=True)
    assert "材料审核" in home and "tag overdue" not in home
    clock.set_clock(services, SYSTEM, datetime(2099, 1, 1, tzinfo=UTC))
    assert '<span class="tag overdue">逾期</span>' in officer.get("/console/").get_data(as_text=True)
