"""Over HTTP: redeploying an unchanged diagram with a changed form makes a version that uses the new form."""

from __future__ import annotations

import copy
from collections.abc import Callable

from flask.testing import FlaskClient

from ..conftest import diagram_forms, diagram_text

CODE = "C09100100000000211790000049"


def test_a_changed_form_is_deployed_as_a_new_version_and_used_by_new_instances(
    client: FlaskClient, as_user: Callable[[str], FlaskClient]
) -> None:
    forms = diagram_forms()
    first = client.post("/process-definitions", json={"bpmn": diagram_text(), "forms": forms})
    assert first.status_code == 201
    same = client.post("/process-definitions", json={"bpmn": diagram_text(), "forms": forms})
    assert same.status_code == 200 and same.get_json()["created"] is False
    stricter = copy.deepcopy(forms)
    stricter["foundation-submit.schema.json"]["required"].append("note")
    changed = client.post("/process-definitions", json={"bpmn": diagram_text(), "forms": stricter})
    assert changed.status_code == 201 and changed.get_json()["definition"]["version"] == 2

    hospital = as_user("h1_officer")
    on_v1 = hospital.post("/process-instances", json={"definition_key": "foundation_demo", "version": 1}).get_json()
    on_v2 = hospital.post("/process-instances", json={"definition_key": "foundation_demo"}).get_json()
    data = {"data": {"code": CODE, "amount": 1}}
    refused = hospital.post(f"/tasks/{on_v2['tasks'][0]['id']}/complete", json=data)
    assert refused.status_code == 422 and refused.get_json()["code"] == "form_invalid"  # v2's form wants a note
    assert hospital.post(f"/tasks/{on_v1['tasks'][0]['id']}/complete", json=data).status_code == 200
