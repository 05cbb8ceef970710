"""The bureau officer in a real browser: a hospital officer files an application; the bureau officer finds it in
the queue (/console/) and opens its instance page, where bpmn-js draws the real admission diagram
(bpmn/admission/consumable_application.bpmn) with the current step (材料审核) marked ``yb-active`` and the steps
done marked ``yb-completed``; and the round page shows the experts' votes side by side (DA-5)."""

from __future__ import annotations

from typing import Any

import pytest

from workflows.admission import applications, rounds

from ..admission_support import NEW_ENTRY, OTHER_NEW_ENTRY, actor, code
from ..console_admission_support import PANELS, AdmissionWorld, drafted
from .conftest import Served
from .test_console import log_in

pytestmark = pytest.mark.browser


def test_the_bureau_finds_a_filed_application_in_its_queue_and_sees_its_current_step_on_the_diagram(
        page: Any, served: Served, admission: AdmissionWorld) -> None:
    base, world = served.base, served.world.world
    app_id = drafted(served.services, world, "h1_officer", code=code(NEW_ENTRY, model="0000088"),
                     product_name="一次性使用导管（浏览器）")
    log_in(page, base, "h1_officer")
    page.goto(f"{base}/console/admission/applications/{app_id}")
    with page.expect_navigation():
        page.click("#submit-form button.primary")
    assert "材料审核中" in page.locator("main").inner_text()
    assert applications.get_application(served.services, actor(world, "h1_officer"), app_id).status == \
        "material_review"
    page.click(".who button")  # log out
    log_in(page, base, "officer")
    row = page.locator("#queue tr[data-task-id]", has_text=app_id)
    assert row.count() == 1 and row.locator("td").first.inner_text() == "材料审核"
    row.locator("td:nth-child(2) a").click()
    page.wait_for_selector("#diagram[data-ready=true]")
    assert "yb-active" in page.get_attribute("g[data-element-id=material_review]", "class")
    for done in ("submit", "precheck_passed"):
        assert "yb-completed" in page.get_attribute(f"g[data-element-id={done}]", "class"), done
    assert "yb-active" not in page.get_attribute("g[data-element-id=supplement]", "class")
    assert "yb-completed" not in page.get_attribute("g[data-element-id=supplement]", "class")


def test_the_bureau_sees_the_experts_votes_side_by_side(page: Any, served: Served,
                                                         admission: AdmissionWorld) -> None:
    base, world, services = served.base, served.world.world, served.services
    first, second, missing = (world.users[u] for u in PANELS[OTHER_NEW_ENTRY])
    rounds.submit_review(services, actor(world, "e_clinical2"), admission.round_id, OTHER_NEW_ENTRY,
                         {"include": True, "category": "甲", "max_payment_standard": "1300.00",
                          "reasoning": "临床急需"})
    rounds.submit_review(services, actor(world, "e_insurance"), admission.round_id, OTHER_NEW_ENTRY,
                         {"include": False, "reasoning": "基金负担过重"})
    log_in(page, base, "officer")
    page.click("header nav >> text=调整轮次")
    page.click(f"#rounds tr[data-round-id='{admission.round_id}'] >> text=办理")
    votes = page.locator(f"#votes-{OTHER_NEW_ENTRY}")
    headers = votes.locator("thead th[data-expert-id]")
    assert sorted(headers.nth(i).inner_text() for i in range(headers.count())) == ["e_clinical2", "e_economics",
                                                                                  "e_insurance"]

    def cell(row: str, expert: str) -> str:
        return str(votes.locator(f"tr[data-row={row}] td[data-expert-id='{expert}']").inner_text())

    assert (cell("include", first), cell("include", second), cell("include", missing)) == ("纳入", "不纳入", "未提交")
    assert (cell("category", first), cell("max_payment_standard", first)) == ("甲类", "¥1,300.00")
    assert (cell("reasoning", first), cell("reasoning", second)) == ("临床急需", "基金负担过重")
    assert "赞成纳入 1 票，反对 1 票，未提交 1 人" in page.locator(
        f".summary[data-entry-code='{OTHER_NEW_ENTRY}']").inner_text()
