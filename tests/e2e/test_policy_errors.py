"""A policy refusal leaves the API as problem+json naming its POLICY.md rule."""

from __future__ import annotations

from flask import Flask

from api.errors import register
from domain.errors import PolicyViolation


def test_a_policy_violation_answers_422_with_its_rule_and_field() -> None:
    app = Flask(__name__)
    register(app)

    @app.post("/registrations")
    def refuse() -> None:
        raise PolicyViolation("the patient already holds a registration for this drug", rule="ND-3", field="drug",
                              code="registration_exists")

    response = app.test_client().post("/registrations")
    body = response.get_json()
    assert (response.status_code, response.mimetype) == (422, "application/problem+json")
    assert (body["code"], body["rule"], body["field"], body["title"]) == (
        "registration_exists", "ND-3", "drug", "Refused by policy")
