"""The dashboard (统计看板, issue 9) through the real app on both backends, with data made through the use cases:
each chart's JSON island and table hold the right numbers (open tasks per stage and day, registrations per drug and
status, the fund paid this year against the limits, applications per round and status); only the oversight roles
read it (403 otherwise); an unknown query parameter is named (422)."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask

from api import create_app
from domain.actors import SYSTEM, Actor
from domain.dates import CHINA_TZ
from workflows import clock, instances, tasks
from workflows.context import Services
from workflows.registration import accounts, settlement
from workflows.registration.settlement import DispensingInput

from ..console_admission_support import AdmissionWorld, build_admission, drafted
from ..console_registration_support import registered
from ..console_support import build_console_world, start_demo
from ..registration_world import RegWorld, build_registration_world
from .test_console_pages import logged_in

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")
OTHER_PSN = "52010000000000000002"


def island(html: str, key: str) -> dict[str, Any]:
    """The chart's data as the page gives it to ECharts."""
    found = re.search(rf'<script type="application/json" id="data-{key}">(.*?)</script>', html, re.S)
    assert found, html
    data: dict[str, Any] = json.loads(found.group(1))
    return data


def table(html: str, key: str) -> list[list[str]]:
    """The chart's table: its header row, then one row per category, each cell's text."""
    found = re.search(rf'<table class="grid" data-table="{key}">(.*?)</table>', html, re.S)
    assert found, html
    return [re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", row) for row in re.findall(r"<tr>(.*?)</tr>", found.group(1),
                                                                                  re.S)]


def series(data: dict[str, Any]) -> dict[str, list[Any]]:
    return {s["name"]: s["values"] for s in data["series"]}


def china(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), CHINA_TZ)


@pytest.fixture
def reg(services: Services) -> RegWorld:
    """The console's world with the registration's hospitals, drugs and payment rules; today 2026-08-31."""
    return build_registration_world(services, world=build_console_world(services).world)


@pytest.fixture
def app(services: Services, reg: RegWorld) -> Flask:
    return create_app(services=services)


def h2_officer(reg: RegWorld) -> Actor:
    return Actor(reg.world.users["h2_officer"], reg.world.orgs["h2"], frozenset({"hospital_officer"}), "h2_officer")


def test_open_tasks_per_stage_change_on_the_day_a_task_is_completed_or_cancelled(app: Flask, services: Services,
                                                                     reg: RegWorld) -> None:
    _, task_id = start_demo(services, reg.world, "h2_officer", "APP-DASH-1")  # 2026-08-31 00:00:01
    cancelled, _ = start_demo(services, reg.world, "h2_officer", "APP-DASH-2")
    clock.set_clock(services, SYSTEM, china(date(2026, 9, 1), 15))
    instances.cancel_instance(services, reg["admin"], cancelled, "重复申请")  # its task is cancelled on 09-01
    clock.set_clock(services, SYSTEM, china(date(2026, 9, 2), 10))
    tasks.complete(services, h2_officer(reg), task_id,
                   {"product_name": "支架", "quantity": 3, "urgent": False, "declaration": True})
    clock.set_clock(services, SYSTEM, china(date(2026, 9, 3), 9))
    answer = logged_in(app, "officer").get("/console/dashboard")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200
    data = island(html, "open_tasks")
    assert data["kind"] == "line" and len(data["categories"]) == 30
    assert data["categories"][0] == "2026-08-05" and data["categories"][-1] == "2026-09-03"
    days = {day: i for i, day in enumerate(data["categories"])}
    by_stage = series(data)
    fill, review = by_stage["填写申请（console_demo）"], by_stage["材料审核（console_demo）"]
    # both created on 08-31; one cancelled on 09-01, the other completed on 09-02
    assert [fill[days[d]] for d in ("2026-08-30", "2026-08-31", "2026-09-01", "2026-09-02", "2026-09-03")] == [
        0, 2, 1, 0, 0]
    assert [review[days[d]] for d in ("2026-09-01", "2026-09-02", "2026-09-03")] == [0, 1, 1]
    rows = table(html, "open_tasks")
    assert rows[0][0] == "日期" and "填写申请（console_demo）" in rows[0]
    column = rows[0].index("填写申请（console_demo）")
    assert {row[0]: row[column] for row in rows[1:]}["2026-09-01"] == "1"
    assert {row[0]: row[column] for row in rows[1:]}["2026-09-02"] == "0"


def test_registrations_per_drug_and_status_and_the_fund_paid_against_the_limits(
        app: Flask, services: Services, reg: RegWorld) -> None:
    registered(services, reg.world)
    registered(services, reg.world, OTHER_PSN)
    pharmacist = reg["p1_pharmacist"]
    first = settlement.dispense(services, pharmacist, DispensingInput(
        "52010000000000000001", "托法替布", "D520102000001", "56", "3000.00", "HIS-1"))
    settlement.dispense(services, pharmacist, DispensingInput(
        OTHER_PSN, "托法替布", "D520102000001", "56", "3000.00", "HIS-2"))
    third = settlement.dispense(services, pharmacist, DispensingInput(
        OTHER_PSN, "托法替布", "D520102000001", "28", "1000.50", "HIS-3"))
    accounts.reverse_dispensing(services, pharmacist, first.id, "录入错误")
    html = logged_in(app, "auditor").get("/console/dashboard").get_data(as_text=True)

    statuses = island(html, "registrations")
    assert statuses["kind"] == "stacked" and statuses["categories"] == ["托法替布"]
    assert series(statuses)["有效"] == [2] and series(statuses)["终止"] == [0]
    assert table(html, "registrations")[1][:3] == ["托法替布", "0", "2"]  # 待生效 0, 有效 2

    fund = island(html, "fund")
    assert fund["kind"] == "bar" and fund["unit"] == "yuan" and fund["categories"] == ["托法替布"]
    # 1 875.00 + 1 875.00 + the third's fund part, minus the reversed 1 875.00; limit 13 000 × 2 active
    paid = series(fund)["本年基金已支付"][0]
    assert series(fund)["年度限额合计（单人限额×有效登记数）"] == ["26000.00"]
    assert third.fund == Decimal("750.38") and paid == "2625.38"
    assert table(html, "fund")[1] == ["托法替布", "¥2,625.38", "¥26,000.00"]


def test_only_the_oversight_roles_read_the_dashboard_and_see_its_menu_entry(app: Flask) -> None:
    for username in ("officer", "admin", "auditor"):
        page = logged_in(app, username).get("/console/dashboard")
        assert page.status_code == 200, username
        html = page.get_data(as_text=True)
        assert 'href="/console/dashboard">统计看板</a>' in html
        assert all(f'data-chart="{key}"' in html for key in ("open_tasks", "registrations", "fund", "applications"))
    for username in ("h1_officer", "h1_doctor", "p1_pharmacist"):
        client = logged_in(app, username)
        refused = client.get("/console/dashboard")
        assert refused.status_code == 403, username
        assert "无权执行该操作" in refused.get_data(as_text=True) and "data-chart" not in refused.get_data(as_text=True)
        assert "统计看板" not in client.get("/console/").get_data(as_text=True)


def test_an_unknown_query_parameter_is_named_and_the_charts_still_shown(app: Flask) -> None:
    answer = logged_in(app, "officer").get("/console/dashboard?days=7&org=x")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "不支持的查询参数：days" in html and "不支持的查询参数：org" in html
    assert len(island(html, "open_tasks")["categories"]) == 30


def test_applications_per_round_and_status(services: Services) -> None:
    console = build_console_world(services)
    made: AdmissionWorld = build_admission(services, console.world)
    drafted(services, console.world, "h1_officer")  # a draft in no round: not counted
    app = create_app(services=services)
    html = logged_in(app, "officer").get("/console/dashboard").get_data(as_text=True)
    data = island(html, "applications")
    assert data["kind"] == "stacked" and data["categories"] == ["2026年度耗材目录调整"]
    assert series(data) == {"已受理，等待轮次结果": [2]}
    assert table(html, "applications") == [["类别", "已受理，等待轮次结果"], ["2026年度耗材目录调整", "2"]]
    assert len(made.applications) == 2
