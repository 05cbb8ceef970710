"""Form patterns run in linear time (RE2): a pattern that backtracks exponentially under Python's re answers at once,
and a pattern RE2 cannot run is refused at deploy, naming the form."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from ..bpmn import diagrams
from .test_errors_and_incidents import problem

Users = Callable[[str], FlaskClient]
EVIL = "(a+)+$"
SLOW_INPUT = "a" * 30 + "!"  # minutes of backtracking for Python's re against EVIL


def start_task(client: FlaskClient, as_user: Users, form: dict[str, Any]) -> tuple[FlaskClient, str]:
    deployed = client.post("/process-definitions", json={"bpmn": diagrams.laned_user_task(),
                                                          "forms": {"open.schema.json": form}})
    assert deployed.status_code == 201, deployed.get_json()
    hospital = as_user("h1_officer")
    started = hospital.post("/process-instances", json={"definition_key": "tiny"}).get_json()
    return hospital, started["tasks"][0]["id"]


def complete(hospital: FlaskClient, task_id: str, data: dict[str, Any]) -> tuple[Any, float]:
    began = time.perf_counter()
    response = hospital.post(f"/tasks/{task_id}/complete", json={"data": data})
    return response, time.perf_counter() - began


def test_a_backtracking_pattern_refuses_a_bad_value_at_once_and_accepts_a_good_one(
    client: FlaskClient, as_user: Users
) -> None:
    form = {"type": "object", "properties": {"code": {"type": "string", "pattern": EVIL}}}
    hospital, task_id = start_task(client, as_user, form)
    refused, elapsed = complete(hospital, task_id, {"code": SLOW_INPUT})
    assert problem(refused, 422, "form_invalid")["field"] == "code"
    assert elapsed < 2
    accepted, _ = complete(hospital, task_id, {"code": "a" * 30})
    assert accepted.status_code == 200, accepted.get_json()


def test_a_backtracking_property_name_pattern_answers_at_once(client: FlaskClient, as_user: Users) -> None:
    form = {"type": "object", "patternProperties": {EVIL: {"type": "integer"}}, "additionalProperties": False}
    hospital, task_id = start_task(client, as_user, form)
    refused, elapsed = complete(hospital, task_id, {SLOW_INPUT: 1})
    assert problem(refused, 422, "form_invalid")["errors"]
    assert elapsed < 2
    wrong_type, _ = complete(hospital, task_id, {"aaa": "one"})
    assert problem(wrong_type, 422, "form_invalid")["field"] == "aaa"
    accepted, _ = complete(hospital, task_id, {"aaa": 1})
    assert accepted.status_code == 200, accepted.get_json()


@pytest.mark.parametrize("form", [
    {"type": "object", "properties": {"code": {"type": "string", "pattern": "^(?=C)C[0-9]+$"}}},
    {"type": "object", "properties": {"code": {"type": "string", "pattern": "^(a)\\1$"}}},
    {"type": "object", "patternProperties": {"(?<=x)y": {}}},
    {"type": "object", "patternProperties": {"^a": {}}, "unevaluatedProperties": False},
])
def test_a_pattern_the_linear_engine_cannot_run_is_refused_at_deploy(client: FlaskClient, form: dict[str, Any]
                                                                     ) -> None:
    response = client.post("/process-definitions", json={"bpmn": diagrams.laned_user_task(),
                                                          "forms": {"open.schema.json": form}})
    body = problem(response, 422, "unsupported_pattern")
    assert body["element_id"] == "fill" and "open.schema.json" in body["detail"]


def test_a_pattern_that_is_no_regular_expression_is_an_invalid_form(client: FlaskClient) -> None:
    form = {"type": "object", "properties": {"code": {"type": "string", "pattern": "(unclosed"}}}
    response = client.post("/process-definitions", json={"bpmn": diagrams.laned_user_task(),
                                                          "forms": {"open.schema.json": form}})
    problem(response, 422, "invalid_form")


def test_ecma_unicode_escapes_in_a_pattern_mean_the_same_characters(client: FlaskClient, as_user: Users) -> None:
    form = {"type": "object", "properties": {"name": {"type": "string", "pattern": "^[\\u4e00-\\u9fff]{2,4}$"}}}
    hospital, task_id = start_task(client, as_user, form)
    problem(complete(hospital, task_id, {"name": "Zhang San"})[0], 422, "form_invalid")
    assert complete(hospital, task_id, {"name": "张三"})[0].status_code == 200
