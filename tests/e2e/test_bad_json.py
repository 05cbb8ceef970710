"""JSON bodies the stdlib parser accepts but the service must not: non-finite numbers, huge literals, deep nesting,
NUL characters and lone surrogates. Each gets 422 problem+json with a stable code and changes nothing."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from ..conftest import diagram_forms, diagram_text
from .test_errors_and_incidents import problem

Users = Callable[[str], FlaskClient]


def post_raw(client: FlaskClient, path: str, text: str) -> object:
    return client.post(path, data=text.encode("utf-8", "surrogatepass"), content_type="application/json")


@pytest.fixture
def submit_task(client: FlaskClient, as_user: Users) -> tuple[FlaskClient, str]:
    """The hospital officer's client and the id of their open 'submit' task of the foundation diagram."""
    assert client.post("/process-definitions", json={"bpmn": diagram_text(), "forms": diagram_forms()}
                       ).status_code == 201
    hospital = as_user("h1_officer")
    started = hospital.post("/process-instances", json={"definition_key": "foundation_demo"}).get_json()
    return hospital, started["tasks"][0]["id"]


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e400", "-1e400"])
def test_non_finite_numbers_in_completion_data_are_refused_and_the_task_stays_open(
    submit_task: tuple[FlaskClient, str], literal: str
) -> None:
    hospital, task_id = submit_task
    text = '{"data": {"code": "C09100100000000211790000049", "amount": AMOUNT}}'.replace("AMOUNT", literal)
    body = problem(post_raw(hospital, f"/tasks/{task_id}/complete", text), 422, "non_finite_number")
    assert body["field"] == "data.amount"
    assert hospital.get(f"/tasks/{task_id}").get_json()["status"] == "open"


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_numbers_in_start_data_are_refused(client: FlaskClient, literal: str) -> None:
    text = '{"definition_key": "foundation_demo", "data": {"limits": [1, LIMIT]}}'.replace("LIMIT", literal)
    body = problem(post_raw(client, "/process-instances", text), 422, "non_finite_number")
    assert body["field"] == "data.limits[1]"


def test_responses_never_carry_non_finite_numbers(app: Flask) -> None:
    with app.app_context(), pytest.raises(ValueError, match="not JSON compliant"):
        app.json.dumps({"x": float("nan")})


def test_an_integer_literal_of_thousands_of_digits_is_refused(client: FlaskClient) -> None:
    text = '{"definition_key": "foundation_demo", "version": ' + "9" * 5000 + "}"
    body = problem(post_raw(client, "/process-instances", text), 422, "number_too_long")
    assert body["field"] == "version"


def test_json_nested_five_thousand_levels_deep_is_refused(client: FlaskClient) -> None:
    text = '{"definition_key": "foundation_demo", "data": {"x": ' + "[" * 5000 + "]" * 5000 + "}}"
    problem(post_raw(client, "/process-instances", text), 422, "json_too_deep")


def test_json_nested_deeply_inside_strings_is_not_counted_as_depth(client: FlaskClient) -> None:
    text = json.dumps({"definition_key": "nothing", "data": {"x": "[{" * 5000}})
    problem(post_raw(client, "/process-instances", text), 404, "definition_not_found")


def test_malformed_json_is_a_bad_request(client: FlaskClient) -> None:
    problem(post_raw(client, "/process-instances", '{"definition_key": '), 400, "bad_request")


@pytest.mark.parametrize(("escaped", "field"), [("\\ud800", "username"), ("ab\\udfffc", "username"),
                                                ("\\u0000", "username")])
def test_a_lone_surrogate_or_nul_in_a_login_body_is_refused(app: Flask, escaped: str, field: str) -> None:
    text = '{"username": "NAME", "password": "x"}'.replace("NAME", escaped)
    body = problem(post_raw(app.test_client(), "/sessions", text), 422, "invalid_character")
    assert body["field"] == field


def test_a_nul_in_a_business_key_or_in_free_data_is_refused(client: FlaskClient) -> None:
    body = problem(client.post("/process-instances", json={"definition_key": "foundation_demo",
                                                           "business_key": "APP\x00-1"}), 422, "invalid_character")
    assert body["field"] == "business_key"
    body = problem(client.post("/process-instances", json={"definition_key": "foundation_demo",
                                                           "data": {"note\x00": "x"}}), 422, "invalid_character")
    assert body["field"] == "data"


def test_a_surrogate_pair_is_a_character_not_an_error(client: FlaskClient) -> None:
    text = '{"definition_key": "nothing", "business_key": "\\ud83d\\ude00"}'
    problem(post_raw(client, "/process-instances", text), 404, "definition_not_found")
