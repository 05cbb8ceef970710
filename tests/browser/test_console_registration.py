"""The registration's console pages in a real browser: a physician registers a patient and sees the next
reassessment date (ND-7, ND-8); a pharmacy the hospital did not designate is refused with ND-13 explained in words."""

from __future__ import annotations

from typing import Any

import pytest

from workflows.registration import queries
from workflows.registration.queries import RegistrationFilter

from ..console_registration_support import add_registration_data, h1_doctor, registered
from .conftest import Served
from .test_console import log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def reg_served(served: Served) -> Served:
    """The served app with the drug list, the registration diagram, a payment configuration, an unlinked pharmacy."""
    add_registration_data(served.services, served.world.world)
    return served


def test_nd8_a_physician_registers_a_patient_and_sees_the_next_reassessment_date(page: Any,
                                                                                 reg_served: Served) -> None:
    base, psn = reg_served.base, "52010000000000000077"
    log_in(page, base, "h1_doctor")
    page.click("header nav >> text=三定登记")
    page.click("text=登记患者")
    page.fill("#r-psn_no", psn)
    page.select_option("#r-insurance_type", "employee")
    page.fill("#r-insurance_region", "520100")
    page.check("input[name=entitled][value=true]")
    page.select_option("#r-drug", "托法替布")
    page.fill("#r-diagnosis_code", "M05.900")
    page.fill("#r-diagnosis_name", "类风湿关节炎")
    page.fill("#r-diagnostic_basis", "ACR/EULAR 2010 评分 7 分")
    page.fill("#r-indication", "类风湿关节炎经传统DMARDs治疗3-6个月疾病活动度下降低于50%")
    page.fill("#r-dose", "5 mg")
    page.fill("#r-frequency", "每日2次")
    page.fill("#r-quantity_per_fill", "56")
    page.click("#registration-form button.primary")  # the restriction not yet confirmed: ND-5
    assert "ND-5" in page.locator("[data-field=indication_confirmed] .field-error").inner_text()
    page.check("#r-indication_confirmed")
    page.click("#registration-form button.primary")
    page.wait_for_url(f"{base}/console/registrations/*")
    (view,) = queries.list_registrations(reg_served.services, h1_doctor(reg_served.world.world),
                                         RegistrationFilter(psn_no=psn)).items
    assert view.next_reassessment_due is not None
    assert page.locator("#reg-next-reassessment").inner_text() == view.next_reassessment_due.isoformat()
    assert page.locator("#reg-status").inner_text() == "有效"
    months = (view.next_reassessment_due.year - view.start_date.year) * 12 + (
        view.next_reassessment_due.month - view.start_date.month)
    assert months == 6  # ND-8: six months after the start


def test_nd13_a_pharmacists_refused_dispensing_explains_the_rule(page: Any, reg_served: Served) -> None:
    base, psn = reg_served.base, "52010000000000000078"
    registered(reg_served.services, reg_served.world.world, psn)
    log_in(page, base, "pu_pharmacist")
    page.click("header nav >> text=结算")
    for name, value in (("psn_no", psn), ("drug", "托法替布"), ("physician_code", "D520102000001"), ("quantity", "56"),
                        ("amount", "3000.00"), ("external_ref", "POS-778")):
        page.fill(f"#r-{name}", value)
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.click("#dispensing-form button.primary")
    assert posted.value.status == 422
    refusal = page.locator("#refusal")
    assert refusal.get_attribute("data-rule") == "ND-13"
    assert "只有经登记医院指定" in refusal.locator(".explain").inner_text()
    assert page.locator("#recent-dispensings .empty").inner_text() == "暂无数据"
