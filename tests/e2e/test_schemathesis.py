"""Schemathesis against the app in-process (WSGI): every operation of the OpenAPI document, with every check on, as
an administrator and as a hospital officer. No server error and no response outside the document."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import hypothesis
import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from schemathesis.config import SchemathesisConfig

from domain.actors import SYSTEM
from workflows import definitions, reference_data
from workflows.context import Services

from ..conftest import diagram_form_texts, diagram_text

DATA = Path(__file__).resolve().parents[2] / "data"
# Bounds: examples per operation and phase, and steps of a stateful run; derandomized, so a run is reproducible.
# Four runs (two users on two databases) take a minute or two on two cores.
MAX_EXAMPLES = 15
STATEFUL_STEPS = 10
# Schemathesis' defaults, and 414: a URL longer than the service takes is refused with 414 (documented on every
# operation) whether or not its parameters are valid.
POSITIVE_EXPECTED = ["2xx", "3xx", "401", "403", "404", "409", "414", "429", "5xx"]
NEGATIVE_EXPECTED = ["400", "401", "403", "404", "405", "406", "409", "414", "415", "422", "428", "429", "5xx"]
# Operations whose bodies the domain checks beyond what a schema can say (a BPMN diagram that parses, a code of the
# organization's kind, a role that fits the organization; a schedule's dates in its year, a range in order): 422 is
# their answer to schema-valid but wrong input.
DOMAIN_CHECKED = [("POST", "/process-definitions"), ("POST", "/organizations"), ("POST", "/users"),
                  ("PUT", "/calendar/years/{year}"), ("GET", "/calendar/days"), ("GET", "/calendar/working-days")]
# The mission processes' operations answer schema-valid input that a policy rule refuses with 422 and the rule's ID
# (an expired certificate, CA-2; a tier-2 hospital, ND-3; a region without ratios, PAY-4; a national ID number whose
# check character is wrong): that is their documented
# answer, not a contract breach.
POLICY_CHECKED = (r"^/(admission|catalog/payment(-ratios)?|dispensings|negotiated-drugs|patients|patient-searches"
                  r"|payment-config|registrations)(/|$)")
LOGOUT = {"method": "DELETE", "path": "/sessions"}


def _config(token: str) -> SchemathesisConfig:
    return SchemathesisConfig.from_dict({
        "headers": {"Authorization": token},
        # NUL is refused in every string the service reads (tests/e2e/test_bad_json.py, test_bad_query.py), a rule
        # OpenAPI 3.0 cannot state for free-form objects such as task data: Schemathesis is told so.
        "generation": {"max-examples": MAX_EXAMPLES, "database": "none", "deterministic": True, "allow-x00": False},
        "checks": {"enabled": True,
                   "positive_data_acceptance": {"expected-statuses": POSITIVE_EXPECTED},
                   "negative_data_rejection": {"expected-statuses": NEGATIVE_EXPECTED}},
        "operations": [{"include-method": method, "include-path": path, "checks": {
            "positive_data_acceptance": {"expected-statuses": [*POSITIVE_EXPECTED, "422"]}}}
            for method, path in DOMAIN_CHECKED] + [{"include-path-regex": POLICY_CHECKED, "checks": {
            "positive_data_acceptance": {"expected-statuses": [*POSITIVE_EXPECTED, "422"]}}}],
        # Hide the token only: parameters named `key` or `password` are shown, so a failure can be reproduced.
        "output": {"sanitization": {"keys-to-sanitize": ["authorization"], "sensitive-markers": []}},
    })


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    """The contract is the API's, whatever the database: one backend keeps the run to a couple of minutes (the
    bad-input and storage tests run on both)."""
    return sqlite_url


@pytest.fixture(params=["admin", "h1_officer"])
def api_schema(request: pytest.FixtureRequest, app: Flask, services: Services,
               as_user: Callable[[str], FlaskClient]) -> Iterator[Any]:
    """The app's OpenAPI document as Schemathesis reads it, sent with the bearer token of one user; the token
    must still work after the run (else the run tested little but 401s)."""
    effective = date(2026, 1, 1)
    reference_data.load_catalog(services, SYSTEM, DATA / "guizhou-consumables-catalog.csv", effective, "catalog.csv")
    reference_data.load_drug_list(services, SYSTEM, DATA / "negotiated-drugs.csv", effective, "drugs.csv")
    definitions.deploy(services, SYSTEM, diagram_text(), "foundation.bpmn", diagram_form_texts())
    user = as_user(request.param)
    token = user.environ_base["HTTP_AUTHORIZATION"]
    # Logging out would revoke the token every later call sends (tests/e2e/test_identity_and_queue.py covers it).
    yield schemathesis.openapi.from_wsgi("/openapi.json", app, config=_config(token)).exclude(**LOGOUT)
    assert user.get("/sessions/me").status_code == 200


# The lazy schema applies its own filters to the fixture's schema, so logging out is excluded here too.
schema = schemathesis.pytest.from_fixture("api_schema").exclude(**LOGOUT)


@pytest.fixture(autouse=True)
def _node_id_for_schemathesis(request: pytest.FixtureRequest) -> None:
    # Schemathesis 4.32 names its subtests from pytest's private Node._nodeid, which pytest 9.2 no longer has.
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid


@schema.parametrize()
def test_every_operation_keeps_its_contract(case: Any) -> None:
    case.call_and_validate()


def test_sequences_of_calls_keep_the_contract(api_schema: Any) -> None:
    api_schema.as_state_machine().run(settings=hypothesis.settings(
        max_examples=MAX_EXAMPLES, stateful_step_count=STATEFUL_STEPS, deadline=None, database=None, derandomize=True,
        suppress_health_check=list(hypothesis.HealthCheck)))
