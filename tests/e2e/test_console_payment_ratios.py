"""The bureau's page of the regions' payment ratios for consumables on both backends (PAY-4): a new version from the
rows of the form, applied by the calculator; bad rows refused beside their cells; a stale form refused; only the
bureau publishes."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient

from api import create_app
from workflows.admission import payment
from workflows.context import Services

from ..console_support import ConsoleWorld, build_console_world
from .test_console_pages import csrf_of, logged_in

PATH = "/console/payment-ratios"
FIRST = {"rows": "2", "r0.region": "520000", "r0.name": "贵州省", "r0.fund_ratio": "0.8", "r0.b_prepay_ratio": "0.1",
         "r1.region": "520100", "r1.name": "贵阳市", "r1.fund_ratio": "0.85", "r1.b_prepay_ratio": "0.1",
         "expected_version": "0"}


@pytest.fixture
def console_world(services: Services) -> ConsoleWorld:
    return build_console_world(services)


@pytest.fixture
def app(services: Services, console_world: ConsoleWorld) -> Flask:
    return create_app(services=services)


def send(client: FlaskClient, data: dict[str, str]) -> tuple[int, str]:
    answer = client.post(PATH, data={**data, "csrf_token": csrf_of(client, "/console/")})
    return answer.status_code, answer.get_data(as_text=True)


def beside(html: str, field: str) -> str:
    found = re.search(rf'data-field="{re.escape(field)}">.*?field-error" role="alert">([^<]*)<', html, re.S)
    assert found, f"no error beside {field}"
    return found.group(1)


def test_pay4_the_bureau_publishes_a_version_the_calculator_applies(app: Flask, services: Services) -> None:
    officer = logged_in(app, "officer")
    assert "尚未发布" in officer.get(PATH).get_data(as_text=True)
    status, _ = send(officer, FIRST)
    assert status == 302
    published = payment.get_ratios(services)
    assert published.version == 1
    assert [(r.region, r.fund_ratio) for r in published.regions] == [("520000", Decimal("0.8")),
                                                                       ("520100", Decimal("0.85"))]
    page = officer.get(PATH).get_data(as_text=True)
    assert "85.00%" in page and 'name="expected_version" value="1"' in page and 'value="贵阳市"' in page
    quote = app.test_client().get("/console/public/payment?code=C01010100101001&unit_price=100.00&quantity=1"
                                  "&region=520102").get_data(as_text=True)
    assert "贵阳市" in quote  # the county takes its city's line (PAY-4)
    # a second version; the first stays readable
    status, _ = send(officer, {**FIRST, "r1.fund_ratio": "0.9", "expected_version": "1"})
    assert status == 302 and payment.get_ratios(services).version == 2
    assert "85.00%" in officer.get(f"{PATH}?version=1").get_data(as_text=True)
    assert officer.get(f"{PATH}?version=9").status_code == 404


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"r0.fund_ratio": "NaN"}, "0.fund_ratio", "基金支付比例"),
    ({"r0.fund_ratio": "Infinity"}, "0.fund_ratio", "基金支付比例"),
    ({"r0.fund_ratio": "1.5"}, "0.fund_ratio", "基金支付比例"),
    ({"r0.fund_ratio": "9223372036854775808"}, "0.fund_ratio", "基金支付比例"),
    ({"r0.b_prepay_ratio": ""}, "0.b_prepay_ratio", "请填写"),
    ({"r1.region": "52"}, "1.region", "参保地"),
    ({"r1.region": "520000"}, "1.region", "参保地重复"),
    ({"r0.name": "x" * 101}, "0.name", "名称"),
])
def test_a_bad_row_is_refused_beside_its_cell(app: Flask, services: Services, change: dict[str, str], field: str,
                                              message: str) -> None:
    officer = logged_in(app, "officer")
    status, page = send(officer, {**FIRST, **change})
    assert status == 422, page
    assert message in beside(page, field)
    assert "尚未发布" in officer.get(PATH).get_data(as_text=True)


def test_a_stale_form_an_empty_one_and_another_role_are_refused(app: Flask, services: Services) -> None:
    officer = logged_in(app, "officer")
    assert send(officer, FIRST)[0] == 302
    status, page = send(officer, FIRST)  # expected_version 0, but 1 is in force
    assert status == 422 and "已被他人修改" in page and payment.get_ratios(services).version == 1
    status, page = send(officer, {"rows": "3", "expected_version": "1"})
    assert status == 422 and "请至少填写" in page
    hospital = logged_in(app, "h1_officer")
    assert send(hospital, {**FIRST, "expected_version": "1"})[0] == 403
    assert 'id="ratios-form"' not in hospital.get(PATH).get_data(as_text=True)
    assert payment.get_ratios(services).version == 1
