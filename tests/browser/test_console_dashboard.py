"""The dashboard in a real browser: the vendored ECharts draws every chart (a canvas in each chart's box) from
its JSON island, with no script error, and the tables under the charts hold the same numbers."""

from __future__ import annotations

from typing import Any

import pytest

from ..console_registration_support import add_registration_data, registered
from .conftest import Served
from .test_console import log_in

pytestmark = pytest.mark.browser
KEYS = ("open_tasks", "registrations", "fund", "applications")


def test_the_dashboard_draws_every_chart_without_a_script_error(page: Any, served: Served) -> None:
    add_registration_data(served.services, served.world.world)
    registered(served.services, served.world.world, "52010000000000000088")
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # the browser's own favicon request is the only 404 a console page causes (the console ships no favicon)
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" and not str(
        msg.location.get("url", "")).endswith("/favicon.ico") else None)
    log_in(page, served.base, "officer")
    page.click("header nav >> text=统计看板")
    page.wait_for_url(f"{served.base}/console/dashboard")
    assert page.locator("h1").inner_text() == "统计看板"
    for key in KEYS:
        page.wait_for_selector(f"[data-chart={key}][data-ready=true]")
        box = page.locator(f"[data-chart={key}]")
        assert box.locator("canvas").count() >= 1, key
        assert box.bounding_box()["height"] > 200, key
    # the registration just made is counted under its drug, in the table as in the data the chart drew
    page.click("#card-registrations summary")
    row = page.locator("[data-table=registrations] tbody tr", has_text="托法替布")
    assert row.count() == 1
    active = int(row.locator("td").nth(1).inner_text())
    assert active >= 1
    drawn = page.evaluate("""() => {
        const chart = echarts.getInstanceByDom(document.querySelector('[data-chart=registrations]'));
        const option = chart.getOption();
        const at = option.xAxis[0].data.indexOf('托法替布');
        return option.series.find(s => s.name === '有效').data[at];
    }""")
    assert drawn == active
    assert errors == []
