"""Identifiers (business keys, codes, usernames, path ids) are visible text: blank, whitespace-only, control and
bidi-override characters are refused, naming the field; free text keeps its newlines."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from domain.errors import InvalidInput
from domain.text import check_identifier

from ..factories import PASSWORD
from .test_errors_and_incidents import problem

BAD = ["", "   ", "\u3000", "APP\t1", "APP\n1", "APP\x1b[31m", "evil\u202egnp.exe", "a\u2066b", "zero\u200bwidth",
       "\ufeffAPP"]


@pytest.mark.parametrize("value", BAD)
def test_a_business_key_must_be_visible_text(client: FlaskClient, value: str) -> None:
    body = problem(client.post("/process-instances", json={"definition_key": "x", "business_key": value}), 422,
                   "invalid_input")
    assert body["field"] == "business_key"


@pytest.mark.parametrize("value", BAD)
def test_a_new_username_and_organization_code_must_be_visible_text(client: FlaskClient, value: str) -> None:
    user: dict[str, Any] = {"username": value, "password": PASSWORD, "display_name": "x", "role": "auditor",
                            "org_code": "BUREAU-520000"}
    assert problem(client.post("/users", json=user), 422, "invalid_input")["field"] == "username"
    org = {"kind": "hospital", "code": value, "name": "x", "region_code": "520102", "tier": 3}
    assert problem(client.post("/organizations", json=org), 422, "invalid_input")["field"] == "code"


@pytest.mark.parametrize("value", ["", " ", "admin\u202e"])
def test_a_login_username_must_be_visible_text(app: Flask, value: str) -> None:
    response = app.test_client().post("/sessions", json={"username": value, "password": "x"})
    assert problem(response, 422, "invalid_input")["field"] == "username"


@pytest.mark.parametrize(("path", "field"), [("/tasks/%20", "task_id"),
                                             ("/process-instances/a%E2%80%AEb", "instance_id"),
                                             ("/catalog/entries/C01%09", "code")])
def test_a_path_id_must_be_visible_text(client: FlaskClient, path: str, field: str) -> None:
    assert problem(client.get(path), 422, "invalid_identifier")["field"] == field


def test_a_query_identifier_must_be_visible_text(client: FlaskClient) -> None:
    assert problem(client.get("/tasks?business_key=%20"), 422, "invalid_input")["field"] == "business_key"


def test_free_text_keeps_its_newlines_and_unicode(client: FlaskClient) -> None:
    org = {"kind": "hospital", "code": "H52010200009", "name": "贵州\n省医", "region_code": "520102", "tier": 3,
           "specialized": False, "cross_province": True}
    assert client.post("/organizations", json=org).status_code == 201


@pytest.mark.parametrize(("value", "ok"), [("张三", True), ("APP-2026-0001", True), ("a b", True), (" ", False),
                                           ("a\u2069", False), ("\x00", False)])
def test_check_identifier_accepts_visible_text_only(value: str, ok: bool) -> None:
    if ok:
        assert check_identifier(value, "key") == value
    else:
        with pytest.raises(InvalidInput) as refused:
            check_identifier(value, "key")
        assert refused.value.code == "invalid_identifier" and refused.value.field == "key"
