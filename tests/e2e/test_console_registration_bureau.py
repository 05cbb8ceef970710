"""The bureau's registration pages through the real app on both backends: the negotiated-drug list (ND-1: each
change a new version; ND-12: a delisted drug's registrations end), and the payment configuration (ND-15: each
version checked, then applied to the next settlement). Bad input is refused beside its field and changes nothing;
only the bureau maintains either."""

from __future__ import annotations

import re
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient

from api import create_app
from workflows import reference_data
from workflows.context import Services
from workflows.registration import payment, queries
from workflows.registration.queries import RegistrationFilter

from ..console_registration_support import h1_doctor, registered
from ..console_support import build_console_world
from ..factories import World
from ..registration_world import build_registration_world
from .test_console_pages import csrf_of, logged_in

DRUG = {"name": "测试用药", "dosage_form": "注射剂", "restriction": "限成人重度斑块状银屑病。",
        "annual_limit": "20000.00", "agreement_start": "2026-01-01", "agreement_end": "2027-12-31",
        "required_specialty": "", "specialty_exempt_indications": "", "effective_date": ""}


@pytest.fixture
def world(services: Services) -> World:
    return build_registration_world(services, world=build_console_world(services).world).world


@pytest.fixture
def app(services: Services, world: World) -> Flask:
    return create_app(services=services)


def send(client: FlaskClient, path: str, data: dict[str, str], form_page: str | None = None) -> tuple[int, str]:
    """Post a form as a browser encodes it (a lone surrogate as its UTF-8-like bytes, which are not UTF-8)."""
    body = urlencode({**data, "csrf_token": csrf_of(client, form_page or path)}, errors="surrogatepass")
    answer = client.post(path, data=body, content_type="application/x-www-form-urlencoded")
    return answer.status_code, answer.get_data(as_text=True)


def beside(html: str, field: str) -> str:
    found = re.search(rf'data-field="{re.escape(field)}">.*?field-error" role="alert">([^<]*)<', html, re.S)
    assert found, f"no error beside {field}"
    return found.group(1)


def versions(services: Services) -> int:
    return len(reference_data.list_drug_versions(services))


def test_nd1_the_bureau_adds_and_changes_a_drug_each_a_new_version(app: Flask, services: Services) -> None:
    officer = logged_in(app, "officer")
    before = versions(services)
    listed = officer.get("/console/drug-list").get_data(as_text=True)
    assert "托法替布" in listed and "¥" in listed and "新增药品" in listed
    status, page = send(officer, "/console/drug-list/new", {"seq": "900", **DRUG})
    assert status == 302 or status == 200, page
    assert versions(services) == before + 1
    drug = next(d for d in reference_data.list_drugs(services).drugs if d.seq == 900)
    assert (drug.name, drug.annual_limit, str(drug.agreement_end)) == ("测试用药", Decimal("20000.00"), "2027-12-31")
    form = officer.get("/console/drug-list/900").get_data(as_text=True)
    assert 'value="20000.00"' in form and "测试用药" in form
    status, _ = send(officer, "/console/drug-list/900", {**DRUG, "annual_limit": "25000.50"})
    assert status == 302 and versions(services) == before + 2
    shown = officer.get("/console/drug-list").get_data(as_text=True)
    assert "¥25,000.50" in shown.split('data-seq="900"')[1].split("</tr>")[0]
    assert "¥20,000.00" in officer.get(f"/console/drug-list?version={before + 1}").get_data(as_text=True)


@pytest.mark.parametrize(("field", "value", "message"), [
    ("annual_limit", "NaN", "年度最高支付限额"),
    ("annual_limit", "Infinity", "年度最高支付限额"),
    ("annual_limit", "9223372036854775808", "年度最高支付限额"),
    ("annual_limit", "1.001", "年度最高支付限额"),
    ("annual_limit", "0", "ND-1"),
    ("agreement_end", "9999-12-31", "协议结束日期"),
    ("agreement_start", "0001-01-01", "协议开始日期"),
    ("agreement_end", "2025-01-01", "ND-1"),  # before its start
    ("name", "", "药品名称"),
    ("name", "托法替布", "ND-1：现行目录中已有同名药品"),
    ("name", "x\x00y", "药品名称"),
    ("name", "\ud800", "无法识别的字符"),  # not UTF-8: refused before the page reads the form
    ("name", "长" * 101, "药品名称"),
    ("required_specialty", "Rheumatology!", "限定专科"),
    ("specialty_exempt_indications", "斑块状银屑病", "ND-1"),  # an exemption without a required specialty
    ("seq", "0", "序号"),
    ("seq", "1", "已有该序号"),
])
def test_a_bad_drug_is_refused_beside_its_field_and_nothing_is_published(
        app: Flask, services: Services, field: str, value: str, message: str) -> None:
    officer = logged_in(app, "officer")
    before = versions(services)
    status, page = send(officer, "/console/drug-list/new", {"seq": "901", **DRUG, field: value})
    assert status == 422, page
    assert message in (page if "\ud800" in value else beside(page, field))
    assert versions(services) == before


def test_nd12_a_delisted_drugs_registrations_end_at_the_ending_run(app: Flask, services: Services,
                                                                   world: World) -> None:
    made = registered(services, world)
    officer = logged_in(app, "officer")
    seq = next(d.seq for d in reference_data.list_drugs(services).drugs if d.name == made.drug)
    answer = officer.post(f"/console/drug-list/{seq}/removal",
                          data={"effective_date": "", "csrf_token": csrf_of(officer, f"/console/drug-list/{seq}")})
    assert answer.status_code == 302
    assert made.drug not in [d.name for d in reference_data.list_drugs(services).drugs]
    answer = officer.post("/console/drug-list/agreement-endings",
                          data={"csrf_token": csrf_of(officer, "/console/drug-list")}, follow_redirects=True)
    assert "ND-12：已终止 1 个登记" in answer.get_data(as_text=True)
    found = queries.list_registrations(services, h1_doctor(world), RegistrationFilter(), 10, 0).items
    assert [(r.id, r.status) for r in found] == [(made.id, "ended")]


def test_only_the_bureau_maintains_the_list_and_the_configuration(app: Flask, services: Services) -> None:
    doctor = logged_in(app, "h1_doctor")
    page = doctor.get("/console/drug-list").get_data(as_text=True)
    assert "托法替布" in page and "新增药品" not in page  # everyone logged in reads the list
    assert doctor.get("/console/drug-list/new").status_code == 403
    before = versions(services)
    status, _ = send(doctor, "/console/drug-list/new", {"seq": "902", **DRUG}, form_page="/console/drug-list")
    assert status == 403 and versions(services) == before
    config = payment.get_payment_config(services).version
    status, _ = send(doctor, "/console/payment-config", {"employee.3.deductible": "1.00",
                                                         "employee.3.fund_ratio": "0.5"}, "/console/drug-list")
    assert status == 403 and payment.get_payment_config(services).version == config
    assert 'id="config-form"' not in doctor.get("/console/payment-config").get_data(as_text=True)
    # a form without its CSRF token changes nothing either
    officer = logged_in(app, "officer")
    assert officer.post("/console/drug-list/new", data={"seq": "903", **DRUG}).status_code == 400
    assert versions(services) == before


def test_nd15_the_bureau_publishes_a_configuration_version(app: Flask, services: Services) -> None:
    officer = logged_in(app, "officer")
    before = payment.get_payment_config(services)
    page = officer.get("/console/payment-config").get_data(as_text=True)
    assert f"第 {before.version} 版" in page and "职工基本医疗保险" in page
    data = {"employee.3.deductible": "600.00", "employee.3.fund_ratio": "0.8", "resident.3.deductible": "900",
            "resident.3.fund_ratio": "0.55", "note": "2027 年度"}
    status, _ = send(officer, "/console/payment-config", data)
    assert status == 302
    after = payment.get_payment_config(services)
    assert after.version == before.version + 1 and after.note == "2027 年度"
    assert {(r.insurance_type, r.tier): (r.deductible, r.fund_ratio) for r in after.rules} == {
        ("employee", 3): (Decimal("600.00"), Decimal("0.8")), ("resident", 3): (Decimal("900"), Decimal("0.55"))}
    shown = officer.get("/console/payment-config").get_data(as_text=True)
    assert "¥600.00" in shown and "80.00%" in shown and "55.00%" in shown
    earlier = officer.get(f"/console/payment-config?version={before.version}").get_data(as_text=True)
    assert f"第 {before.version} 版" in earlier
    assert officer.get("/console/payment-config?version=99").status_code == 404
    assert officer.get("/console/payment-config?version=x").status_code == 404


@pytest.mark.parametrize(("cells", "field", "message"), [
    ({"employee.3.deductible": "NaN", "employee.3.fund_ratio": "0.8"}, "employee.3.deductible", "起付标准"),
    ({"employee.3.deductible": "Infinity", "employee.3.fund_ratio": "0.8"}, "employee.3.deductible", "起付标准"),
    ({"employee.3.deductible": "9223372036854775808", "employee.3.fund_ratio": "0.8"}, "employee.3.deductible",
     "起付标准"),
    ({"employee.3.deductible": "500", "employee.3.fund_ratio": "1.5"}, "employee.3.fund_ratio", "比例"),
    ({"employee.3.deductible": "500", "employee.3.fund_ratio": "-0.1"}, "employee.3.fund_ratio", "比例"),
    ({"employee.3.deductible": "500"}, "employee.3.fund_ratio", "须同时填写"),
    ({"employee.2.deductible": "", "employee.2.fund_ratio": "0.8"}, "employee.2.deductible", "须同时填写"),
    ({"employee.3.deductible": "50\x000", "employee.3.fund_ratio": "0.8"}, "employee.3.deductible", "起付标准"),
])
def test_a_bad_configuration_is_refused_beside_its_cell(app: Flask, services: Services, cells: dict[str, str],
                                                       field: str, message: str) -> None:
    officer = logged_in(app, "officer")
    before = payment.get_payment_config(services).version
    status, page = send(officer, "/console/payment-config", cells)
    assert status == 422, page
    assert message in beside(page, field)
    assert payment.get_payment_config(services).version == before


def test_an_empty_configuration_and_a_long_note_are_refused(app: Flask, services: Services) -> None:
    officer = logged_in(app, "officer")
    status, page = send(officer, "/console/payment-config", {})
    assert status == 422 and "请至少填写" in page
    status, page = send(officer, "/console/payment-config", {"employee.3.deductible": "1", "employee.3.fund_ratio":
                                                             "0.5", "note": "长" * 301})
    assert status == 422 and "说明最多 300 个字符" in beside(page, "note")
