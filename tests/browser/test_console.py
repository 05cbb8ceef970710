"""The console in a real browser against a served app: login and the queue, the public catalog (SV-1), a form
without its CSRF token, the diagram's markers, and another hospital's pages (404)."""

from __future__ import annotations

from typing import Any

import pytest

from ..console_support import start_demo
from ..factories import PASSWORD
from .conftest import Served

pytestmark = pytest.mark.browser


def log_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/console/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(f"{base}/console/")


def test_root_sends_the_browser_to_login_and_the_queue_shows_the_task(page: Any, served: Served) -> None:
    base, world = served.base, served.world
    page.goto(f"{base}/")
    assert page.url.startswith(f"{base}/console/login")
    log_in(page, base, "h1_officer")
    row = page.locator(f"#queue tr[data-task-id='{world.task_id}']")
    assert row.locator("td").first.inner_text() == "填写申请"
    assert "医院医保办" in page.locator(".who .user").inner_text()


def test_the_public_catalog_finds_an_entry_by_chinese_name(page: Any, served: Served) -> None:
    """SV-1: no login needed."""
    base = served.base
    page.goto(f"{base}/console/catalog")
    page.fill("input[name=q]", "支架")
    page.click("button.primary")
    page.click("text=C01010100101001")
    assert page.locator("h1").inner_text().startswith("支架")
    assert "¥8,085.00" in page.locator(".facts").inner_text()


def test_a_form_posted_without_its_csrf_token_is_refused(page: Any, served: Served) -> None:
    base, world = served.base, served.world
    log_in(page, base, "h1_officer")
    page.goto(f"{base}/console/tasks/{world.task_id}")
    page.evaluate("document.querySelector('#task-form input[name=csrf_token]').remove()")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.click("#task-form button.primary")
    assert posted.value.status == 400
    assert "安全令牌" in page.locator(".error").inner_text()


def test_the_diagram_marks_the_current_step_and_moves_on_after_the_form(page: Any, served: Served) -> None:
    base, world = served.base, served.world
    instance_id, task_id = start_demo(served.services, world.world, "h1_officer", "APP-CONSOLE-2")
    log_in(page, base, "h1_officer")
    page.goto(f"{base}/console/instances/{instance_id}")
    page.wait_for_selector("#diagram[data-ready=true]")
    assert "yb-active" in page.get_attribute("g[data-element-id=fill]", "class")
    assert page.locator("a.bjs-powered-by").count() == 1  # the bpmn.io watermark stays (bpmn-js licence)
    page.goto(f"{base}/console/tasks/{task_id}")
    page.fill("#f-product_name", "支架")
    page.fill("#f-quantity", "0")
    page.click("#task-form button.primary")
    assert "申请数量不能小于1" in page.locator("[data-field=quantity] .field-error").inner_text()
    page.fill("#f-quantity", "2")
    page.check("input[name=urgent][value=false]")
    page.check("#f-declaration")
    page.click("#task-form button.primary")
    page.wait_for_url(f"{base}/console/instances/{instance_id}")
    page.wait_for_selector("#diagram[data-ready=true]")
    assert "yb-active" in page.get_attribute("g[data-element-id=review]", "class")
    assert "yb-completed" in page.get_attribute("g[data-element-id=fill]", "class")


def test_another_hospitals_user_cannot_open_the_instance_page(page: Any, served: Served) -> None:
    base, world = served.base, served.world
    log_in(page, base, "h2_officer")
    response = page.goto(f"{base}/console/instances/{world.instance_id}")
    assert response.status == 404
    assert "未找到" in page.locator(".error").inner_text()
