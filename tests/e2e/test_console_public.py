"""The console's public pages on both backends, no login (SV-1): catalog versions and the diff between two (CM-6),
an entry in an earlier version, the payment calculator (PAY-1…PAY-4) with its input checked as GET /catalog/payment
checks it, and the published round results."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from flask import Flask

from api import create_app
from domain.actors import SYSTEM, Actor
from workflows import reference_data
from workflows.admission import catalog_changes, payment
from workflows.context import Services

from ..admission_support import code, deploy
from ..console_support import HERE, ConsoleWorld, build_console_world

RATIOS = {"520000": {"name": "贵州省", "fund_ratio": "0.8", "b_prepay_ratio": "0.1"},
          "520100": {"name": "贵阳市", "fund_ratio": "0.85", "b_prepay_ratio": "0.1"}}
STENT = "C01010100101001"


@pytest.fixture
def console_world(services: Services, tmp_path: Path) -> ConsoleWorld:
    world = build_console_world(services)
    lines = (HERE / "catalog-sample.csv").read_text(encoding="utf-8").splitlines()
    changed = [lines[0], lines[1].replace("8085.00", "7900.00"), *lines[3:]]  # one changed, one removed
    path = tmp_path / "v2.csv"
    path.write_text("\n".join(changed) + "\n", encoding="utf-8")
    reference_data.load_catalog(services, SYSTEM, path, date(2026, 7, 1), "v2.csv")
    return world


@pytest.fixture
def app(services: Services, console_world: ConsoleWorld) -> Flask:
    return create_app(services=services)


def test_the_versions_and_the_diff_between_two(app: Flask) -> None:
    client = app.test_client()
    versions = client.get("/console/catalog/versions").get_data(as_text=True)
    assert "第 1 版" in versions and "第 2 版" in versions and "2026-07-01" in versions
    diff = client.get("/console/catalog/diff?from=1&to=2")
    page = diff.get_data(as_text=True)
    assert diff.status_code == 200
    assert "新增 0 条，移出 1 条，变更 1 条" in page
    assert re.search(r"<td>C01010100101001</td><td>最高支付标准</td><td>8085.00</td><td>7900.00</td>", page)
    assert "C01010100101004" in page.split('id="removed"')[1].split("</table>")[0]


@pytest.mark.parametrize(("query", "message"), [
    ("from=1&to=9", "没有该目录版本"),
    ("from=x&to=2", "版本号应为正整数"),
    ("from=1&to=99999999999999999999", "版本号应为正整数"),
    ("from=1", "请选择要比较的两个版本"),
])
def test_a_bad_diff_request_is_explained(app: Flask, query: str, message: str) -> None:
    response = app.test_client().get(f"/console/catalog/diff?{query}")
    assert response.status_code == 422 and message in response.get_data(as_text=True)


def test_an_entry_in_an_earlier_version(app: Flask) -> None:
    client = app.test_client()
    assert "¥7,900.00" in client.get(f"/console/catalog/{STENT}").get_data(as_text=True)
    assert "¥8,085.00" in client.get(f"/console/catalog/{STENT}?version=1").get_data(as_text=True)
    assert client.get("/console/catalog/C01010100101004").status_code == 404  # removed in version 2
    assert client.get("/console/catalog/C01010100101004?version=1").status_code == 200
    assert client.get(f"/console/catalog/{STENT}?version=0").status_code == 404


def test_the_calculator_splits_a_charge_between_fund_and_patient(app: Flask, services: Services,
                                                                console_world: ConsoleWorld) -> None:
    client = app.test_client()
    before = client.get(f"/console/public/payment?code={STENT}&unit_price=9000.00&quantity=1&region=520102")
    assert before.status_code == 422 and "PAY-4" in before.get_data(as_text=True)  # no ratios yet
    officer = Actor(console_world.world.users["officer"], console_world.world.orgs["bureau"],
                    frozenset({"bureau_officer"}), "officer")
    payment.publish_ratios(services, officer, RATIOS, 0)
    api = client.get(f"/catalog/payment?code={STENT}&unit_price=9000.00&quantity=1&region=520102").get_json()
    page = client.get(f"/console/public/payment?code={STENT}&unit_price=9000.00&quantity=1&region=520102")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    fund = "{:,.2f}".format(float(api["fund"]))
    patient = "{:,.2f}".format(float(api["patient"]))
    assert f'id="q-fund">¥{fund}<' in text and f'id="q-patient">¥{patient}<' in text
    assert "贵阳市" in text


@pytest.mark.parametrize(("query", "field", "message"), [
    ("code=X1&unit_price=1&quantity=1&region=520102", "code", "耗材编码"),
    ("code=C01010100101001&unit_price=NaN&quantity=1&region=520102", "unit_price", "单价"),
    ("code=C01010100101001&unit_price=Infinity&quantity=1&region=520102", "unit_price", "单价"),
    ("code=C01010100101001&unit_price=1.001&quantity=1&region=520102", "unit_price", "单价"),
    ("code=C01010100101001&unit_price=1&quantity=9223372036854775808&region=520102", "quantity", "数量"),
    ("code=C01010100101001&unit_price=1&quantity=1&region=52", "region", "参保地"),
    ("code=C99999999999999&unit_price=1&quantity=1&region=520102", "code", "目录中没有该编码"),
    ("code=C01010100101001&unit_price=1&quantity=1&region=520102&version=7", "version", "没有该目录版本"),
])
def test_the_calculator_names_each_bad_field(app: Flask, query: str, field: str, message: str) -> None:
    response = app.test_client().get(f"/console/public/payment?{query}")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(rf'data-field="{field}">.*?<span class="field-error">[^<]*{message}', page, re.S), page


def test_the_calculator_refuses_unknown_parameters_and_shows_an_empty_form(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/console/public/payment").status_code == 200
    refused = client.get("/console/public/payment?colour=red")
    assert refused.status_code == 422 and "不支持的查询参数" in refused.get_data(as_text=True)


def test_the_results_page_and_the_public_menu(app: Flask) -> None:
    page = app.test_client().get("/console/public/results").get_data(as_text=True)
    assert "尚无公布的调整结果" in page
    assert "支付计算器" in page and "结果公布" in page and "耗材目录查询" in page
    assert "待办任务" not in page  # a visitor sees only the public menu


def test_an_entry_shows_its_products_and_where_its_standard_comes_from(app: Flask, services: Services,
                                                                       console_world: ConsoleWorld) -> None:
    """SV-1, CM-5, VBP-1: after a VBP inclusion the entry lists its 27-character product and its selected price."""
    deploy(services)
    officer = Actor(console_world.world.users["officer"], console_world.world.orgs["bureau"],
                    frozenset({"bureau_officer"}), "officer")
    product = code(STENT, "01234")
    change = catalog_changes.propose_change(services, officer, {
        "kind": "vbp", "reason": "国家组织集中带量采购中选结果", "entry_code": STENT,
        "terms": {"category": "乙", "max_payment_standard": "5000.00"},
        "procurement": {"selected": True, "selected_price": "5000.00"},
        "products": [{"code": product, "name": "气管支架", "manufacturer": "南京法迈特科技发展有限公司",
                      "specification": "全覆膜 18×60mm"}], "effective_on": "2026-10-01"})
    catalog_changes.approve_change(services, officer, change.id, True)
    client = app.test_client()
    page = client.get(f"/console/catalog/{STENT}").get_data(as_text=True)
    products = page.split('id="products"')[1].split("</table>")[0]
    assert product in products and "南京法迈特科技发展有限公司" in products and "全覆膜 18×60mm" in products
    assert "VBP-1：中选产品" in page and "¥5,000.00" in page.split('id="procurement"')[1]
    earlier = client.get(f"/console/catalog/{STENT}?version=1").get_data(as_text=True)
    assert "本版本未在该目录条目下登记产品" in earlier and 'id="procurement"' not in earlier
    assert "CM-2：乙类最高支付标准" in earlier and "¥8,085.00" in earlier
    # the search links each entry to this page
    assert f'href="/console/catalog/{STENT}"' in client.get("/console/catalog?q=C0101").get_data(as_text=True)
