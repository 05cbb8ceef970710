"""The console's oversight pages on both backends: the audit log with filters and the chain verification (SV-2),
the queues per role and organization (ACC-13), reassignment (ACC-12), incidents with retry (ACC-6) and the diagram
versions with a deploy (ACC-7) — each refused to the roles the use cases refuse."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import text

from api import create_app
from workflows.context import Services

from ..bpmn import diagrams
from ..console_support import ConsoleWorld, build_console_world
from ..factories import login
from .test_console_pages import csrf_of, logged_in


@pytest.fixture
def console_world(services: Services) -> ConsoleWorld:
    return build_console_world(services)


@pytest.fixture
def app(services: Services, console_world: ConsoleWorld) -> Flask:
    return create_app(services=services)


def test_the_audit_log_lists_filters_and_pages_for_auditors(app: Flask, console_world: ConsoleWorld) -> None:
    auditor = logged_in(app, "auditor")
    page = auditor.get("/console/audit").get_data(as_text=True)
    assert "instance.started" in page and "共 " in page
    one = auditor.get(f"/console/audit?aggregate_type=instance&aggregate_id={console_world.instance_id}")
    assert one.status_code == 200
    assert console_world.instance_id in one.get_data(as_text=True)
    none = auditor.get("/console/audit?action=no.such.action").get_data(as_text=True)
    assert "暂无数据" in none
    assert "暂无数据" in auditor.get("/console/audit?until=2000-01-01").get_data(as_text=True)
    assert "审计日志" in logged_in(app, "admin").get("/console/").get_data(as_text=True)  # in the admin's menu


@pytest.mark.parametrize(("query", "field", "message"), [
    ("since=2026-13-01", "since", "日期格式"),
    ("until=0001-01-01", "until", "1900"),
    ("until=9999-12-31", "until", "1900"),
    ("aggregate_id=a%E2%80%8Bb", "aggregate_id", "不可见字符"),
    ("action=" + "a" * 201, "action", "最多200个"),
    ("page=-1", "page", "页码"),
    ("colour=red", "colour", "不支持的查询参数"),
])
def test_a_bad_audit_filter_is_named_and_the_log_still_shows(app: Flask, query: str, field: str,
                                                             message: str) -> None:
    response = logged_in(app, "auditor").get(f"/console/audit?{query}")
    assert response.status_code == 422
    assert re.search(rf'<li data-field="{field}">[^<]*{message}', response.get_data(as_text=True))


def test_the_verification_passes_then_finds_a_rewritten_entry(app: Flask, services: Services,
                                                             console_world: ConsoleWorld) -> None:
    auditor = logged_in(app, "auditor")
    token = csrf_of(auditor, "/console/audit")
    passed = auditor.post("/console/audit/verification", data={"csrf_token": token}).get_data(as_text=True)
    assert 'data-ok="true"' in passed
    with services.db.begin() as conn:
        conn.execute(text("UPDATE audit_log SET reason = 'rewritten' WHERE aggregate_id = :id"),
                     {"id": console_world.instance_id})
    failed = auditor.post("/console/audit/verification", data={"csrf_token": token}).get_data(as_text=True)
    assert 'data-ok="false"' in failed and console_world.instance_id in failed
    assert auditor.post("/console/audit/verification").status_code == 400  # no CSRF token


@pytest.mark.parametrize("username", ["h1_officer", "officer", "h1_doctor"])
def test_other_roles_may_not_read_the_audit_log(app: Flask, username: str) -> None:
    client = logged_in(app, username)
    assert client.get("/console/audit").status_code == 403
    token = csrf_of(client, "/console/")
    assert client.post("/console/audit/verification", data={"csrf_token": token}).status_code == 403
    assert "审计日志" not in client.get("/console/").get_data(as_text=True)


def test_the_queues_page_counts_per_role_and_organization(app: Flask, console_world: ConsoleWorld) -> None:
    page = logged_in(app, "officer").get("/console/admin/queues").get_data(as_text=True)
    h1 = console_world.world.orgs["h1"]
    row = re.search(rf'<tr data-role="hospital_officer" data-org="{h1}">(.*?)</tr>', page, re.S)
    assert row and re.findall(r'<td class="money">(\d+)</td>', row.group(1)) == ["1", "0"]
    assert logged_in(app, "h1_officer").get("/console/admin/queues").status_code == 403


def test_a_bureau_officer_reassigns_a_task_to_an_eligible_user(app: Flask, console_world: ConsoleWorld) -> None:
    officer = logged_in(app, "officer")
    path = f"/console/admin/tasks/{console_world.task_id}/assignment"
    form = officer.get(path).get_data(as_text=True)
    h1_officer = console_world.world.users["h1_officer"]
    assert h1_officer in form
    token = csrf_of(officer, path)
    for user_id, message in (("", "请选择一个有效的用户"), ("nobody", "请选择一个有效的用户"),
                             (console_world.world.users["h2_officer"], "岗位或机构与任务不符")):
        refused = officer.post(path, data={"csrf_token": token, "user_id": user_id})
        assert refused.status_code == 422 and message in refused.get_data(as_text=True)
    done = officer.post(path, data={"csrf_token": token, "user_id": h1_officer})
    assert done.status_code == 302
    home = logged_in(app, "h1_officer").get("/console/?status=mine").get_data(as_text=True)
    assert console_world.task_id in home
    hospital = logged_in(app, "h2_officer")
    assert hospital.get(path).status_code == 404  # another hospital's task: no hint it exists


def test_an_incident_is_listed_and_retried(app: Flask, services: Services, console_world: ConsoleWorld,
                                           more_services: Callable[..., Services]) -> None:
    strict = login(create_app(services=more_services(script_max_iterations=1000)), "admin")
    source = diagrams.script_task("n = 0\nwhile n < limit:\n    n = n + 1", "count_up")
    assert strict.post("/process-definitions", json={"bpmn": source}).status_code == 201
    started = strict.post("/process-instances", json={"definition_key": "tiny", "data": {"limit": 5000}})
    (incident,) = started.get_json()["incidents"]
    admin = logged_in(app, "admin")
    page = admin.get("/console/admin/incidents").get_data(as_text=True)
    assert f'data-incident-id="{incident["id"]}"' in page and "script_iterations" in page
    assert admin.get("/console/admin/incidents?status=gone").status_code == 422
    retried = admin.post(f"/console/admin/incidents/{incident['id']}/retry",
                         data={"csrf_token": csrf_of(admin, "/console/admin/incidents")})
    assert retried.status_code == 302  # this app allows the loop: the retry succeeds
    assert "暂无数据" in admin.get("/console/admin/incidents").get_data(as_text=True)
    again = admin.post(f"/console/admin/incidents/{incident['id']}/retry",
                       data={"csrf_token": csrf_of(admin, "/console/admin/incidents")})
    assert again.status_code == 409
    assert logged_in(app, "officer").get("/console/admin/incidents").status_code == 403


def test_diagram_versions_are_listed_viewed_and_deployed(app: Flask, console_world: ConsoleWorld) -> None:
    admin = logged_in(app, "admin")
    page = admin.get("/console/admin/definitions").get_data(as_text=True)
    assert "console_demo" in page
    definition_id = re.search(r'href="/console/admin/definitions/([^"]+)"', page).group(1)  # type: ignore[union-attr]
    assert "填写申请" in admin.get(f"/console/admin/definitions/{definition_id}").get_data(as_text=True)
    xml = admin.get(f"/console/admin/definitions/{definition_id}/diagram.bpmn")
    assert xml.mimetype == "application/xml" and b"console_demo" in xml.data
    token = csrf_of(admin, "/console/admin/definitions")

    def deploy(content: bytes, client: object = admin) -> tuple[int, str]:
        response = client.post("/console/admin/definitions",  # type: ignore[attr-defined]
                               data={"csrf_token": token, "bpmn": (io.BytesIO(content), "tiny.bpmn")},
                               content_type="multipart/form-data", follow_redirects=True)
        return response.status_code, response.get_data(as_text=True)

    assert deploy(b"") == (422, deploy(b"")[1]) and "请选择一个 BPMN 文件" in deploy(b"")[1]
    assert "不是 UTF-8" in deploy(b"\xff\xfe")[1]
    status, refused = deploy(diagrams.script_task("import os", "calc").encode())
    assert status == 422 and "流程图被拒绝" in refused
    status, done = deploy(diagrams.script_task("x = 1", "calc").encode())
    assert status == 200 and "已部署 tiny 第 1 版" in done
    assert "已是该版本" in deploy(diagrams.script_task("x = 1", "calc").encode())[1]
    officer = logged_in(app, "officer")
    assert officer.post("/console/admin/definitions", data={"csrf_token": csrf_of(officer, "/console/"),
                        "bpmn": (io.BytesIO(diagrams.script_task("x = 2", "calc").encode()), "t.bpmn")},
                        content_type="multipart/form-data").status_code == 403
    assert admin.get("/console/admin/definitions/nothing").status_code == 404
