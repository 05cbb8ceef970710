"""Query strings and path variables: unknown parameters, integers beyond 64 bits, instants beyond the calendar,
NUL characters; every one is 422 problem+json naming the parameter, never a 500, on both databases."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from .test_errors_and_incidents import problem

Users = Callable[[str], FlaskClient]
HUGE = str(2**63)
PAGED = ["/tasks", "/process-instances", "/incidents", "/audit/entries", "/catalog/entries"]


@pytest.mark.parametrize(
    ("path", "parameter"),
    [*((p, name) for p in PAGED for name in ("offset", "limit")),
     ("/tasks", "priority_min"), ("/catalog/entries", "version"), ("/catalog/entries/C01010100101001", "version"),
     ("/catalog/diff?to=1", "from"), ("/catalog/diff?from=1", "to"), ("/negotiated-drugs", "version")],
)
@pytest.mark.parametrize("value", [HUGE, "-" + HUGE])
def test_an_integer_beyond_64_bits_in_a_query_is_refused(client: FlaskClient, path: str, parameter: str,
                                                          value: str) -> None:
    joiner = "&" if "?" in path else "?"
    body = problem(client.get(f"{path}{joiner}{parameter}={value}"), 422, "invalid_input")
    assert body["field"] == parameter


@pytest.mark.parametrize("value", [2**63, 2**31, -1, 0])
def test_an_out_of_range_version_in_a_start_body_is_refused(client: FlaskClient, value: int) -> None:
    body = problem(client.post("/process-instances", json={"definition_key": "x", "version": value}), 422,
                   "invalid_input")
    assert body["field"] == "version"


@pytest.mark.parametrize(("path", "parameter"), [("/audit/entries", "since"), ("/audit/entries", "until"),
                                                 ("/tasks", "due_before"), ("/tasks", "due_after")])
@pytest.mark.parametrize("instant", ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00",
                                     "9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00Z"])
def test_an_instant_beyond_the_calendar_is_refused(client: FlaskClient, path: str, parameter: str,
                                                   instant: str) -> None:
    response = client.get(path, query_string={parameter: instant})
    assert problem(response, 422, "invalid_input")["field"] == parameter


@pytest.mark.parametrize("instant", ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00"])
def test_the_clock_cannot_be_set_beyond_the_calendar(client: FlaskClient, instant: str) -> None:
    assert problem(client.put("/clock", json={"now": instant}), 422, "invalid_input")["field"] == "now"


def test_instants_within_the_calendar_still_filter(client: FlaskClient) -> None:
    assert client.get("/audit/entries?since=1970-01-01T00:00:00%2B08:00").status_code == 200
    assert client.get("/tasks?due_before=2100-01-01T00:00:00Z").status_code == 200


@pytest.mark.parametrize("path", ["/tasks", "/process-instances", "/incidents", "/audit/entries",
                                  "/catalog/entries", "/catalog/versions", "/negotiated-drugs", "/tasks/counts",
                                  "/process-definitions", "/organizations"])
def test_an_unknown_query_parameter_is_refused(client: FlaskClient, path: str) -> None:
    assert problem(client.get(f"{path}?surprise=1"), 422, "invalid_input")["field"] == "surprise"


@pytest.mark.parametrize(
    ("path", "field"),
    [("/catalog/entries?q=%00", "q"), ("/tasks?business_key=a%00b", "business_key"),
     ("/process-instances?business_key=%00", "business_key"), ("/audit/entries?aggregate_id=%00", "aggregate_id"),
     ("/tasks/%00", "task_id"), ("/process-instances/a%00", "instance_id"),
     ("/catalog/entries/C0101%00", "code"), ("/process-definitions/%00", "definition_id")],
)
def test_a_nul_in_a_query_or_a_path_is_refused(client: FlaskClient, path: str, field: str) -> None:
    assert problem(client.get(path), 422, "invalid_character")["field"] == field


def test_a_nul_in_a_login_username_is_refused_without_a_token(app: Flask) -> None:
    response = app.test_client().post("/sessions", json={"username": "admin\x00", "password": "x"})
    assert problem(response, 422, "invalid_character")["field"] == "username"


def test_an_over_long_url_is_414_problem_json(client: FlaskClient) -> None:
    problem(client.get("/tasks?business_key=" + "a" * 3000), 414, "uri_too_long")


def test_a_body_over_four_mebibytes_is_413_problem_json(client: FlaskClient) -> None:
    response = client.post("/process-instances", data=b"{" + b" " * (4 * 1024 * 1024) + b"}",
                           content_type="application/json")
    problem(response, 413, "body_too_large")


@pytest.mark.parametrize(("method", "path", "allowed"), [("delete", "/healthz", {"GET"}),
                                                         ("put", "/tasks", {"GET"}),
                                                         ("patch", "/sessions", {"POST", "DELETE"})])
def test_a_method_the_path_lacks_is_405_with_an_allow_header(client: FlaskClient, method: str, path: str,
                                                             allowed: set[str]) -> None:
    response = getattr(client, method)(path)
    problem(response, 405, "method_not_allowed")
    assert allowed <= set(response.headers["Allow"].split(", "))
