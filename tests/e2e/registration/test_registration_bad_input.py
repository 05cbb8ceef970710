"""Bad input on every endpoint of the registration never yields a 500: NaN, Infinity, integers ≥ 2^63, NUL bytes,
lone surrogates, huge and blank strings, unknown fields and query parameters, dates at year 1 and 9999."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from ...registration_world import patient, record
from .http import Client, dispense, registered, set_clock
from .test_registration_reference import TOFACITINIB

BAD_VALUES: tuple[Any, ...] = (float("nan"), float("inf"), 2**63, "\x00", "\ud800", "x" * 100_000, "", " ",
                               "0001-01-01", "9999-12-31", None, [], {})


def leaves(body: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """The path of every leaf of a JSON body."""
    if isinstance(body, dict) and body:
        for key, value in body.items():
            yield from leaves(value, (*path, key))
    else:
        yield path


def replaced(body: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    copy = dict(body)
    copy[path[0]] = replaced(body[path[0]], path[1:], value)
    return copy


def variants(body: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The body with each leaf set to each bad value, and with an unknown field."""
    yield {**body, "unknown_field": 1}
    for path in leaves(body):
        for value in BAD_VALUES:
            yield replaced(body, path, value)


def send(client: Any, method: str, path: str, body: Any) -> Any:
    text = json.dumps(body, allow_nan=True)  # NaN and Infinity go out as the bare tokens a client might send
    return client.open(path, method=method, data=text, content_type="application/json")


@pytest.fixture
def ids(as_user: Client) -> dict[str, str]:
    set_clock(as_user, date(2026, 8, 31))
    r = registered(as_user)
    d = dispense(as_user, "h1_officer", "3000.00", "RX-1").get_json()
    return {"registration": r["id"], "dispensing": d["id"]}


def endpoints(ids: dict[str, str]) -> list[tuple[str, str, str, dict[str, Any]]]:
    r, d = ids["registration"], ids["dispensing"]
    registration = {"patient": patient(), "drug": "托法替布", "record": record()}
    dispensing = {"psn_no": "52010000000000000001", "drug": "托法替布", "physician_code": "D520102000001",
                  "quantity": "56", "amount": "100.00", "external_ref": "RX-9"}
    rules = {"employee": {"3": {"deductible": "500.00", "fund_ratio": "0.75"}},
             "resident": {"3": {"deductible": "800.00", "fund_ratio": "0.60"}}}
    return [
        ("h1_doctor", "POST", "/registrations", registration),
        ("h3_doctor", "POST", "/registrations/hospital-changes", {**registration, "reason": "迁居"}),
        ("h1_doctor", "POST", f"/registrations/{r}/updates", {"record": record(), "reason": "调整"}),
        ("h1_officer", "POST", f"/registrations/{r}/physician-change",
         {"physician_code": "D520102000004", "reason": "调离"}),
        ("h1_doctor", "POST", f"/registrations/{r}/renewal", {"patient": patient(), "record": record()}),
        ("h1_officer", "POST", f"/registrations/{r}/cancellation", {"reason": "申请"}),
        ("h1_officer", "POST", "/dispensings", dispensing),
        ("h1_officer", "POST", f"/dispensings/{d}/reversal", {"reason": "退药"}),
        ("officer", "PUT", "/payment-config", {"rules": rules, "note": "x"}),
        ("officer", "PUT", "/negotiated-drugs/10", {**TOFACITINIB, "effective_date": "2027-01-01"}),
        ("officer", "POST", "/negotiated-drugs/agreement-endings", {"batch_size": 2}),
    ]


def test_nd1_to_nd16_bad_bodies_on_every_registration_endpoint_are_refused_never_a_500(as_user: Client,
                                                                            ids: dict[str, str]) -> None:
    statuses: dict[int, int] = {}
    for who, method, path, body in endpoints(ids):
        client = as_user(who)
        for variant in variants(body):
            response = send(client, method, path, variant)
            assert response.status_code < 500, (method, path, variant, response.get_json())
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        assert send(client, method, path, "not an object").status_code == 422
    assert statuses.get(422, 0) > 100


QUERIES = ("status=bogus", "limit=0", "limit=9223372036854775808", "offset=-1", "due_before=0001-01-01",
           "due_before=9999-12-31", "psn_no=%00", "drug=%ED%A0%80", "drug=" + "x" * 5000, "unknown=1", "version=0",
           "version=9223372036854775808", "physician_code=D1")


def test_nd3_nd9_nd15_bad_queries_and_paths_are_refused_never_a_500(as_user: Client, ids: dict[str, str]) -> None:
    client = as_user("officer")
    for query in QUERIES:
        for path in ("/registrations", "/payment-config", f"/registrations/{ids['registration']}/annual-account"):
            assert client.get(f"{path}?{query}").status_code < 500, (path, query)
        # A 5,000-character query is refused as a whole (414) before any parameter is read.
        assert client.get(f"/registrations?{query}").status_code in (200, 414, 422), query
    for path in ("/registrations/%00", "/registrations/not-a-uuid", "/dispensings/%ED%A0%80",
                 "/negotiated-drugs/99999999999999999999", "/negotiated-drugs/0",
                 f"/registrations/{ids['registration']}x/revisions"):
        assert client.open(path, method="PUT" if "negotiated" in path else "GET", json={}).status_code in (
            404, 405)
