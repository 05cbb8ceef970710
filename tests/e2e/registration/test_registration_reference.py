"""The bureau maintains the drug list (ND-1) and the payment configuration (ND-15) through the API, each change a
new version; when a drug's agreement ends its registrations end, in batches (ND-12)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from workflows.context import Services

from ...registration_world import record
from .http import Client, dispense, open_tasks, refused, reg, registered, run_worker_until, set_clock

TOFACITINIB = {
    "name": "托法替布", "dosage_form": "口服常释剂型",
    "restriction": "限诊断明确的类风湿关节炎经传统DMARDs治疗3-6个月疾病活动度下降低于50%者，并需风湿病专科医师处方。",
    "annual_limit": "13000.00", "agreement_start": "2024-01-01", "agreement_end": "2026-12-31",
    "required_specialty": "rheumatology", "specialty_exempt_indications": [],
}


@pytest.fixture(autouse=True)
def today(as_user: Client) -> None:
    set_clock(as_user, date(2026, 8, 31))


def drug_list(as_user: Client, version: int | None = None) -> dict[str, Any]:
    body: dict[str, Any] = as_user("admin").get("/negotiated-drugs" + (f"?version={version}" if version else "")
                                                ).get_json()
    return body


def test_nd1_each_change_of_a_drug_is_a_new_version_of_the_list(as_user: Client) -> None:
    response = as_user("officer").put("/negotiated-drugs/10", json=TOFACITINIB)
    assert response.status_code == 201, response.get_json()
    assert (response.get_json()["version"], response.get_json()["drugs"]) == (2, 23)
    again = as_user("officer").put("/negotiated-drugs/10", json=TOFACITINIB)
    assert again.get_json()["version"] == 2  # the same content is no new version
    (drug,) = [d for d in drug_list(as_user)["drugs"] if d["seq"] == 10]
    assert (drug["agreement_start"], drug["agreement_end"]) == ("2024-01-01", "2026-12-31")
    (before,) = [d for d in drug_list(as_user, 1)["drugs"] if d["seq"] == 10]
    assert before["agreement_end"] is None  # version 1 keeps its content
    added = as_user("officer").put("/negotiated-drugs/24", json={**TOFACITINIB, "name": "新药", "restriction": "",
                                                                "required_specialty": None})
    assert added.get_json()["drugs"] == 24
    assert as_user("officer").delete("/negotiated-drugs/24").get_json()["drugs"] == 23
    assert len(drug_list(as_user)["drugs"]) == 23


def test_nd1_only_the_bureau_maintains_the_list_and_a_bad_drug_is_refused_by_field(as_user: Client) -> None:
    refused(as_user("h1_officer").put("/negotiated-drugs/10", json=TOFACITINIB), "ND-1", status=403)
    bad = as_user("officer").put("/negotiated-drugs/10", json={**TOFACITINIB, "agreement_end": "2023-01-01"})
    assert (bad.status_code, bad.get_json()["field"]) == (422, "agreement_end")
    clash = as_user("officer").put("/negotiated-drugs/11", json=TOFACITINIB)
    assert (clash.status_code, clash.get_json()["code"]) == (409, "duplicate_drug")
    assert as_user("officer").delete("/negotiated-drugs/99").status_code == 404


def test_nd5_nd12_a_drug_whose_agreement_ended_is_refused_and_its_registrations_end_in_batches(
    as_user: Client
) -> None:
    regs = [registered(as_user, psn_no=f"5201000000000000000{n}") for n in range(3)]
    set_clock(as_user, date(2027, 1, 5))
    assert as_user("officer").put("/negotiated-drugs/10", json=TOFACITINIB).status_code == 201  # ended 2026-12-31
    refused(dispense(as_user, "h1_officer", "100.00", "RX-1", psn_no=regs[0]["psn_no"]), "ND-12")
    refused(as_user("h3_doctor").post("/registrations", json={
        "patient": {"psn_no": "52010000000000000099", "insurance_type": "employee", "insurance_region": "520100",
                    "entitled": True}, "drug": "托法替布", "record": record()}), "ND-5")
    refused(as_user("h1_officer").post("/negotiated-drugs/agreement-endings", json={}), "ND-12", status=403)
    report = as_user("officer").post("/negotiated-drugs/agreement-endings", json={"batch_size": 2}).get_json()
    assert report == {"ended": 3, "refreshed": 0, "batches": 2}
    for r in regs:
        ended = reg(as_user, "h1_doctor", r["id"])
        assert (ended["status"], ended["end_reason"], ended["ended_on"]) == ("ended", "agreement_ended",
                                                                             "2027-01-01")
        assert open_tasks(as_user, "h1_doctor", r["id"]) == []
    assert as_user("officer").post("/negotiated-drugs/agreement-endings", json={}).get_json()["ended"] == 0


def test_nd12_the_worker_ends_the_registrations_of_a_drug_whose_agreement_ended_without_the_bureau(
    as_user: Client, services: Services
) -> None:
    r = registered(as_user)
    assert as_user("officer").put("/negotiated-drugs/10", json=TOFACITINIB).status_code == 201  # ends 2026-12-31
    run_worker_until(services, date(2026, 12, 31), hour=12)
    assert reg(as_user, "h1_doctor", r["id"])["status"] == "active"
    run_worker_until(services, date(2027, 1, 1), hour=12)  # the first simulated midnight after the agreement
    ended = reg(as_user, "h1_doctor", r["id"])
    assert (ended["status"], ended["end_reason"], ended["ended_on"]) == ("ended", "agreement_ended", "2027-01-01")
    assert open_tasks(as_user, "h1_doctor", r["id"]) == []


def test_nd12_a_delisted_drug_ends_its_registrations_on_the_day_of_the_run(as_user: Client) -> None:
    r = registered(as_user)
    as_user("officer").delete("/negotiated-drugs/10")
    as_user("officer").post("/negotiated-drugs/agreement-endings", json={})
    ended = reg(as_user, "h1_doctor", r["id"])
    assert (ended["status"], ended["end_reason"], ended["ended_on"]) == ("ended", "drug_delisted", "2026-08-31")


def test_nd15_the_bureau_publishes_a_new_payment_configuration_and_settlement_applies_it(as_user: Client) -> None:
    registered(as_user)
    rules = {"employee": {"3": {"deductible": "0", "fund_ratio": "0.9"}},
             "resident": {"3": {"deductible": "800.00", "fund_ratio": "0.6"}}}
    refused(as_user("h1_officer").put("/payment-config", json={"rules": rules}), "ND-15", status=403)
    published = as_user("officer").put("/payment-config", json={"rules": rules, "note": "2027"})
    assert published.status_code == 201 and published.get_json()["version"] == 2
    settled = dispense(as_user, "h1_officer", "1000.00", "RX-1").get_json()
    assert (settled["fund"], settled["patient"], settled["config_version"]) == ("900.00", "100.00", 2)
    assert as_user("h1_officer").get("/payment-config?version=1").get_json()["rules"][2] == {
        "insurance_type": "employee", "tier": 3, "deductible": "500.00", "fund_ratio": "0.7500"}
    employee_only = {"employee": {"3": rules["employee"]["3"]}}
    missing_tier3 = as_user("officer").put("/payment-config", json={"rules": employee_only})
    assert (missing_tier3.status_code, missing_tier3.get_json()["rule"]) == (422, "ND-15")
