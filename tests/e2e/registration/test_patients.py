"""Insured patients by psn_no over HTTP (ND-2, ND-10): hospital staff and the bureau record them (upsert), find them
by the national ID number on the card — which is checked (GB 11643), never returned, never stored in clear, never
in the audit trail or the logs — and every bad input is a 4xx that changes nothing."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from workflows.context import Services

from ..admission_http import ok

PSN = "52010000000000000001"
NATIONAL_ID = "11010519491231002X"  # the standard's own example number, with its check character
OTHER_ID = "520102198001011235"  # another valid number (check character 5)
RECORD = {"insurance_type": "employee", "insurance_region": "520102", "entitled": True}


def put(client: FlaskClient, psn_no: str = PSN, **changes: Any) -> Any:
    return client.put(f"/patients/{psn_no}", data=json.dumps({**RECORD, **changes}),
                      content_type="application/json")


def test_nd2_a_patient_is_recorded_updated_and_found_by_national_id_without_keeping_the_number(
        as_user: Callable[[str], FlaskClient], services: Services, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    doctor, officer = as_user("h1_doctor"), as_user("h2_officer")
    created = put(doctor, national_id=NATIONAL_ID.lower())
    assert created.status_code == 201
    view = ok(created, 201)
    assert (view["psn_no"], view["national_id_on_file"], view["version"]) == (PSN, True, 1)
    assert "national_id" not in view
    updated = ok(put(officer, entitled=False, insurance_region="520100"))  # another hospital's officer: 200
    assert (updated["entitled"], updated["insurance_region"], updated["national_id_on_file"]) == (False, "520100",
                                                                                                 True)
    assert ok(as_user("auditor").get(f"/patients/{PSN}")) == updated
    found = ok(doctor.post("/patient-searches", json={"national_id": NATIONAL_ID}))["items"]
    assert [p["psn_no"] for p in found] == [PSN]
    assert ok(doctor.post("/patient-searches", json={"national_id": OTHER_ID}))["items"] == []
    replaced = ok(put(doctor, national_id=OTHER_ID))
    assert replaced["version"] == 3
    assert [p["psn_no"] for p in ok(doctor.post("/patient-searches", json={"national_id": OTHER_ID}))["items"]] \
        == [PSN]
    # The number is nowhere in clear: not in the table, not in the audit trail, not in the logs.
    with services.db.connect() as conn:
        stored = " ".join(str(v) for row in conn.execute(text("SELECT * FROM patients")) for v in row)
        audit = " ".join(str(v) for row in conn.execute(text("SELECT * FROM audit_log")) for v in row)
    for number in (NATIONAL_ID, NATIONAL_ID.lower(), OTHER_ID, NATIONAL_ID[:17], OTHER_ID[:17]):
        assert number not in stored and number not in audit and number not in caplog.text
    trail = ok(as_user("admin").get("/audit/entries", query_string={"aggregate_type": "patient",
                                                                    "aggregate_id": PSN}))["items"]
    assert [e["action"] for e in trail] == ["patient.recorded", "patient.updated", "patient.updated"]
    after = [e["after"] if isinstance(e["after"], dict) else json.loads(e["after"]) for e in trail]
    assert [a["national_id_changed"] for a in after] == [True, False, True]


def test_nd2_who_records_and_reads_patients(as_user: Callable[[str], FlaskClient], app: Flask) -> None:
    refused = ok(put(as_user("p1_pharmacist")), 403)
    assert (refused["code"], refused["rule"]) == ("patients_recorded_by_hospitals", "ND-2")
    assert put(app.test_client()).status_code == 401
    ok(put(as_user("officer")), 201)  # the bureau
    hidden = ok(as_user("p1_pharmacist").get(f"/patients/{PSN}"), 403)
    assert (hidden["code"], hidden["rule"]) == ("patients_hidden", "ND-2")
    assert ok(as_user("expert").post("/patient-searches", json={"national_id": NATIONAL_ID}), 403)["rule"] == "ND-2"
    assert ok(as_user("h1_doctor").get("/patients/52010000000000000999"), 404)["code"] == "patient_not_found"


@pytest.mark.parametrize(("changes", "field"), [
    ({"national_id": "11010519491231002Y"}, "national_id"),
    ({"national_id": "110105194912310021"}, "national_id"),  # a wrong check character
    ({"national_id": "01010519491231002X"}, "national_id"),
    ({"national_id": None}, "national_id"),
    ({"national_id": 520102198001011235}, "national_id"),
    ({"insurance_type": "commercial"}, "insurance_type"),
    ({"insurance_region": "002100"}, "insurance_region"),
    ({"insurance_region": "52010"}, "insurance_region"),
    ({"entitled": "yes"}, "entitled"),
    ({"entitled": None}, "entitled"),
    ({"extra": 1}, "extra"),
    ({"insurance_region": "5201\x00"}, "insurance_region"),
])
def test_a_bad_patient_record_is_refused_naming_the_field_and_changes_nothing(
        as_user: Callable[[str], FlaskClient], changes: dict[str, Any], field: str,
        caplog: pytest.LogCaptureFixture) -> None:
    doctor = as_user("h1_doctor")
    problem = ok(put(doctor, **changes), 422)
    assert problem["field"] == field, problem
    for digits in ("110105194912310", "010105194912310", "520102198001011"):
        assert digits not in json.dumps(problem) and digits not in caplog.text
    assert ok(doctor.get(f"/patients/{PSN}"), 404)["code"] == "patient_not_found"


@pytest.mark.parametrize("psn_no", ["x" * 65, "52010%2F1", "5201-0001", "%F0%9F%98%80"])
def test_a_bad_psn_no_is_refused(as_user: Callable[[str], FlaskClient], psn_no: str) -> None:
    response = put(as_user("h1_doctor"), psn_no)
    assert response.status_code in (404, 422), response.get_json()
