"""The admission's console pages in a real browser: a hospital officer files an application with a document and
sees the pre-check's finding beside its field (CA-2, DA-2), nothing submitted; an expert sees only the candidate
assigned to them (SV-3)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from workflows.admission import applications

from ..admission_support import NEW_ENTRY, OTHER_NEW_ENTRY, PDF, actor, code
from ..console_admission_support import AdmissionWorld
from .conftest import Served
from .test_console import log_in

pytestmark = pytest.mark.browser


def test_ca2_a_hospital_officer_files_an_application_with_a_document_and_sees_the_precheck_error(
        page: Any, served: Served, admission: AdmissionWorld, tmp_path: Path) -> None:
    base = served.base
    log_in(page, base, "h1_officer")
    page.click("header nav >> text=准入申请")
    page.click("text=新建申请")
    for name, value in (("code", code(NEW_ENTRY, model="0000077")), ("product_name", "一次性使用无菌导管"),
                        ("manufacturer", "贵阳某医疗器械有限公司"), ("specification", "型号A 规格10mm"),
                        ("certificate_number", "国械注准20153460123"), ("price", "1280.00")):
        page.fill(f"#f-{name}", value)
    page.select_option("#f-certificate_kind", "registration")
    page.fill("#f-certificate_issued_on", "2016-01-01")
    page.fill("#f-certificate_expires_on", "2021-06-30")  # expired long before the application (CA-2)
    with page.expect_navigation():
        page.click("#application-form button.primary")
    assert "/applications/new" not in page.url, page.locator("main").inner_text()
    application_id = page.url.rsplit("/", 1)[1]
    document = tmp_path / "说明书.pdf"
    document.write_bytes(PDF)
    page.select_option("#u-kind", "instructions")
    page.set_input_files("#u-file", str(document))
    page.click("#upload-form button")
    assert "说明书.pdf" in page.locator("#documents").inner_text()
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.click("#submit-form button.primary")
    assert posted.value.status == 422
    assert "CA-2" in page.locator("[data-field=certificate_expires_on]").inner_text()
    officer = actor(served.world.world, "h1_officer")
    assert applications.get_application(served.services, officer, application_id).status == "draft"


def test_sv3_an_expert_sees_only_their_candidate(page: Any, served: Served, admission: AdmissionWorld) -> None:
    base = served.base
    log_in(page, base, "expert")
    page.click("header nav >> text=专家评审")
    rows = page.locator("tr[data-entry-code]")
    assert [rows.nth(i).get_attribute("data-entry-code") for i in range(rows.count())] == [NEW_ENTRY]
    page.goto(f"{base}/console/admission/rounds/{admission.round_id}/candidates/{OTHER_NEW_ENTRY}")
    assert page.locator("h1").inner_text() == "404"
    theirs = admission.applications["h2_officer"]
    page.goto(f"{base}/console/admission/applications/{theirs}")
    assert page.locator("h1").inner_text() == "404"
