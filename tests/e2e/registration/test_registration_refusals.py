"""Each rule of a registration refuses over HTTP with problem+json naming it, and scoping answers 404 (ND-2…ND-16)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from ...registration_world import PSN, patient, record
from .http import Client, refused, register, registered, set_clock


@pytest.fixture(autouse=True)
def today(as_user: Client) -> None:
    set_clock(as_user, date(2026, 8, 31))


@pytest.mark.parametrize(("rule", "who", "changes", "field"), [
    pytest.param("ND-2", "h1_doctor", {"patient": patient(entitled=False)}, "entitled", id="not-entitled"),
    pytest.param("ND-3", "tier2_doctor", {}, "hospital", id="hospital-not-tier-3"),
    pytest.param("ND-4", "h1_junior", {}, "physician", id="physician-not-senior"),
    pytest.param("ND-16", "h1_oncologist", {}, "physician", id="wrong-specialty"),
    pytest.param("ND-5", "h1_doctor", {"drug": "阿司匹林"}, "drug", id="drug-not-listed"),
    pytest.param("ND-5", "h1_doctor", {"record": record(indication_confirmed=False)}, "indication_confirmed",
                 id="restriction-not-confirmed"),
    pytest.param("ND-6", "h1_doctor", {"record": record(diagnosis_code="M5")}, "diagnosis_code",
                 id="not-icd10"),
    pytest.param("ND-10", "h5_doctor", {"patient": patient(insurance_region="450100")}, "hospital",
                 id="off-site-without-cross-province"),
])
def test_a_registration_refused_by_a_rule_names_it(
    as_user: Client, rule: str, who: str, changes: dict[str, Any], field: str
) -> None:
    body = refused(register(as_user, doctor=who, **changes), rule)
    assert body["field"] == field and any(v["rule"] == rule for v in body["violations"])


def test_nd10_an_off_site_patient_registers_where_cross_province_settlement_is_open(as_user: Client) -> None:
    r = registered(as_user, **{"patient": patient(insurance_region="450100")})
    assert (r["off_site"], r["insurance_region"]) == (True, "450100")


def test_nd16_the_psoriasis_indication_of_adalimumab_needs_no_rheumatologist(as_user: Client) -> None:
    psoriasis = record(indication="对系统性治疗无效、禁忌或不耐受的中重度斑块状银屑病患者", diagnosis_code="L40.000")
    assert registered(as_user, doctor="h1_oncologist", drug="阿达木单抗", record=psoriasis)["drug"] == "阿达木单抗"


def test_nd3_the_patient_already_registered_at_another_hospital_is_refused(as_user: Client) -> None:
    registered(as_user)
    body = refused(register(as_user, doctor="h3_doctor"), "ND-3")
    assert "H52010200001" in body["detail"]


def test_nd4_only_physicians_register_and_auditors_only_read(as_user: Client) -> None:
    for who in ("h1_officer", "auditor", "p1_pharmacist"):
        assert refused(register(as_user, doctor=who), "ND-4", status=403)["code"] == "physicians_register"


def test_nd3_another_hospital_and_a_pharmacy_cannot_see_the_registration(as_user: Client) -> None:
    r = registered(as_user)
    for who in ("h2_officer", "h2_doctor", "p1_pharmacist"):
        response = as_user(who).get(f"/registrations/{r['id']}")
        assert (response.status_code, response.get_json()["code"]) == (404, "registration_not_found")
        assert as_user(who).get(f"/registrations/{r['id']}/annual-account").status_code == 404
        assert as_user(who).get("/registrations").get_json()["total"] == 0
    for who in ("h1_officer", "h1_junior", "officer", "auditor", "admin"):
        assert as_user(who).get(f"/registrations/{r['id']}").status_code == 200
    instance = as_user("h2_officer").get(f"/process-instances/{r['instance_id']}")
    assert instance.status_code == 404


def test_nd3_the_list_filters_by_status_drug_physician_patient_and_due_date(as_user: Client) -> None:
    r = registered(as_user)
    registered(as_user, psn_no="52010000000000000002")
    officer = as_user("h1_officer")
    assert officer.get("/registrations").get_json()["total"] == 2
    assert officer.get(f"/registrations?psn_no={PSN}").get_json()["items"][0]["id"] == r["id"]
    assert officer.get("/registrations?status=suspended").get_json()["total"] == 0
    assert officer.get("/registrations?drug=托法替布&physician_code=D520102000001").get_json()["total"] == 2
    assert officer.get("/registrations?due_before=2027-02-28").get_json()["total"] == 0
    assert officer.get("/registrations?due_before=2027-03-01").get_json()["total"] == 2


def test_nd6_the_registration_records_diagnosis_basis_prescription_physician_and_hospital(as_user: Client) -> None:
    r = registered(as_user)
    assert (r["diagnosis_code"], r["diagnosis_name"], r["prescription"], r["physician_code"], r["hospital_code"]) == (
        "M05.900", "类风湿关节炎", {"dose": "5 mg", "frequency": "每日2次", "quantity_per_fill": "56.00"},
        "D520102000001", "H52010200001")
    (revision,) = as_user("h1_doctor").get(f"/registrations/{r['id']}/revisions").get_json()
    assert (revision["kind"], revision["previous"], revision["current"]["diagnosis_code"]) == (
        "registered", None, "M05.900")
