"""Issue 9: an accessibility scan of the console's main pages of each role in a real browser. The vendored axe-core
(tests/browser/vendor/, scripts/vendor_axe.sh) is injected into each page and run with the WCAG 2.0/2.1 A and AA
rules; a page fails when axe finds any violation of impact "serious" or "critical", listed by rule, impact and the
first elements it names. Each page must also fit a 1366×768 office screen: the document never scrolls
horizontally (a wide data table scrolls inside its own container, which does not widen the document)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ..admission_support import NEW_ENTRY
from ..console_admission_support import AdmissionWorld
from ..console_registration_support import add_registration_data, registered
from .conftest import Served
from .test_console import log_in

pytestmark = pytest.mark.browser
AXE = Path(__file__).parent / "vendor" / "axe-core-4.14.1" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("serious", "critical")
# Nothing is excluded: bpmn-js's drawn SVG (the instance page) and ECharts' canvas (the dashboard) pass the scan as
# they are. Should a library's own drawing ever fail a rule we cannot fix, exclude only it here, e.g.
# [["#diagram .djs-container"]] or [["[data-chart] canvas"]], and say which rule in this comment.
EXCLUDE: list[list[str]] = []


@dataclass(frozen=True)
class Scan:
    user: str | None  # None: a public page, no login
    path: Callable[[Served, AdmissionWorld], str]
    ready: str | None = None  # a selector to wait for before scanning
    act: Callable[[Any], None] | None = None  # what to do on the page before scanning


def fixed(path: str) -> Callable[[Served, AdmissionWorld], str]:
    return lambda served, admission: path


def refuse_dispensing(page: Any) -> None:
    """A pharmacy the hospital did not designate is refused (ND-13): the refusal and the form's errors are scanned."""
    for name, value in (("psn_no", "52010000000000000079"), ("drug", "托法替布"), ("physician_code", "D520102000001"),
                        ("quantity", "56"), ("amount", "3000.00"), ("external_ref", "POS-A11Y")):
        page.fill(f"#r-{name}", value)
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.click("#dispensing-form button.primary")
    assert posted.value.status == 422
    page.wait_for_selector("#refusal")


def submit_invalid(form: str, **fills: str) -> Callable[[Any], None]:
    """Post the form empty, or with ``fills`` (field id → a wrong value): the errors beside the fields are scanned."""
    def act(page: Any) -> None:
        for field, value in fills.items():
            page.fill(f"#{field}", value)
        with page.expect_response(lambda r: r.request.method == "POST") as posted:
            page.click(f"{form} button.primary")
        assert posted.value.status == 422
        page.wait_for_selector(".field-error")
    return act


def registration(served: Served, admission: AdmissionWorld) -> str:
    return f"/console/registrations/{registered(served.services, served.world.world, '52010000000000000079').id}"


PAGES: dict[str, Scan] = {
    "login": Scan(None, fixed("/console/login")),
    "home-hospital-officer": Scan("h1_officer", fixed("/console/")),
    "home-bureau-officer": Scan("officer", fixed("/console/")),
    "home-physician": Scan("h1_doctor", fixed("/console/")),
    "home-pharmacist": Scan("p1_pharmacist", fixed("/console/")),
    "home-expert": Scan("expert", fixed("/console/")),
    "home-admin": Scan("admin", fixed("/console/")),
    "home-auditor": Scan("auditor", fixed("/console/")),
    "home-nhsa": Scan("nhsa", fixed("/console/")),
    "task": Scan("h1_officer", lambda s, a: f"/console/tasks/{s.world.task_id}"),
    "task-refused": Scan("h1_officer", lambda s, a: f"/console/tasks/{s.world.task_id}",
                         act=submit_invalid("#task-form")),
    "instance": Scan("h1_officer", lambda s, a: f"/console/instances/{s.world.instance_id}",
                     ready="#diagram[data-ready=true]"),
    "catalog-search": Scan(None, fixed("/console/catalog?q=%E6%94%AF%E6%9E%B6")),
    "catalog-entry": Scan(None, fixed("/console/catalog/C01010100101001")),
    "catalog-versions": Scan(None, fixed("/console/catalog/versions")),
    "catalog-diff": Scan(None, fixed("/console/catalog/diff?from=1&to=1")),
    "public-payment": Scan(None, fixed("/console/public/payment")),
    "public-results": Scan(None, fixed("/console/public/results")),
    "registrations": Scan("h1_doctor", fixed("/console/registrations")),
    "registration-new": Scan("h1_doctor", fixed("/console/registrations/new")),
    "registration-new-refused": Scan("h1_doctor", fixed("/console/registrations/new"),
                                     act=submit_invalid("#registration-form")),
    "registration-detail": Scan("h1_doctor", registration),
    "dispensing-refused": Scan("pu_pharmacist", fixed("/console/dispensings"), act=refuse_dispensing),
    "applications": Scan("h1_officer", fixed("/console/admission/applications")),
    "application-new": Scan("h1_officer", fixed("/console/admission/applications/new")),
    "application-new-refused": Scan("h1_officer", fixed("/console/admission/applications/new"),
                                    act=submit_invalid("#application-form", **{"f-price": "-1"})),
    "application-detail": Scan("h1_officer",
                               lambda s, a: f"/console/admission/applications/{a.applications['h1_officer']}"),
    "expert-reviews": Scan("expert", fixed("/console/admission/reviews")),
    "expert-review": Scan("expert", lambda s, a: f"/console/admission/rounds/{a.round_id}/candidates/{NEW_ENTRY}"),
    "rounds": Scan("officer", fixed("/console/admission/rounds")),
    "round-detail": Scan("officer", lambda s, a: f"/console/admission/rounds/{a.round_id}"),
    "nhsa-filings": Scan("nhsa", fixed("/console/admission/filings")),
    "drug-list": Scan("officer", fixed("/console/drug-list")),
    "payment-config": Scan("officer", fixed("/console/payment-config")),
    "dashboard": Scan("officer", fixed("/console/dashboard"), ready="[data-chart=fund][data-ready=true]"),
    "audit": Scan("auditor", fixed("/console/audit")),
    "queues": Scan("admin", fixed("/console/admin/queues")),
    "incidents": Scan("admin", fixed("/console/admin/incidents")),
    "definitions": Scan("admin", fixed("/console/admin/definitions")),
}


def violations(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    found: list[dict[str, Any]] = page.evaluate(
        """([tags, exclude]) => axe.run({include: [['html']], exclude: exclude},
                                        {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})
            .then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                                 targets: v.nodes.slice(0, 3).map(n => n.target.join(' '))})))""",
        [TAGS, EXCLUDE])
    return found


@pytest.mark.parametrize("name", list(PAGES))
def test_the_page_has_no_serious_accessibility_violation_and_fits_the_office_screen(
        name: str, page: Any, served: Served, admission: AdmissionWorld) -> None:
    scan = PAGES[name]
    add_registration_data(served.services, served.world.world)
    if scan.user is not None:
        log_in(page, served.base, scan.user)
    path = scan.path(served, admission)
    response = page.goto(f"{served.base}{path}")
    assert response.status == 200, (name, path, response.status)
    if scan.ready:
        page.wait_for_selector(scan.ready)
    if scan.act:
        scan.act(page)
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    blocking = [v for v in violations(page) if v["impact"] in BLOCKING]
    assert blocking == [], f"{name} ({path}):\n" + "\n".join(
        f"  {v['id']} [{v['impact']}] {v['help']}: {', '.join(v['targets'])}" for v in blocking)
    width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width[0] <= width[1] <= 1366, f"{name} ({path}) scrolls horizontally: {width[0]}px wide in {width[1]}px"
