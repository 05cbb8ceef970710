"""Bad input on every admission endpoint is refused as problem+json, never a 500: NaN, infinities, integers of
2^63 and more, NUL bytes, lone surrogates, 5,000-deep JSON, huge and blank strings, unknown fields and query
parameters, dates at year 1 and 9999, ids that are not ids."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from ..admission_support import PDF, facts
from .admission_http import deploy, ok

APP, DOC, ROUND, CHANGE = "{app}", "{doc}", "{round}", "{change}"
BODIES: list[str] = [
    "NaN", "Infinity", "-Infinity", str(2**63), str(2**64), "[]", '"text"', '{"x": 1}',
    '"\\u0000"', '"\\ud800"', "{",
]
LENIENT = ["", "null", "{}"]  # an empty body: refused or an empty draft, never a 500
DEEP = ["[" * 5000 + "]" * 5000, '{"a": ' * 5000 + "1" + "}" * 5000]
FIELD_VALUES: list[str] = [
    "NaN", "Infinity", str(2**63), str(-(2**64)), "1e400", '"\\u0000x"', '"\\udc80"', '""', '"   "',
    '"' + "长" * 5000 + '"', "[]", "{}", "true", '"0001-01-01"', '"9999-12-31"', '"0000-00-00"',
]
ENDPOINTS: list[tuple[str, str, str, list[str]]] = [
    ("h1_officer", "POST", "/admission/applications", ["code", "price", "certificate_issued_on", "service_items"]),
    ("h1_officer", "PUT", f"/admission/applications/{APP}", ["product_name", "annual_fund_impact", "documents"]),
    ("h1_officer", "POST", f"/admission/applications/{APP}/withdrawal", ["reason"]),
    ("officer", "POST", f"/admission/applications/{APP}/fast-path", ["same_function_and_use", "note"]),
    ("officer", "POST", f"/admission/applications/{APP}/material-review", ["decision", "supplement_working_days"]),
    ("officer", "POST", "/admission/rounds", ["name", "opens_on", "closes_on"]),
    ("officer", "POST", f"/admission/rounds/{ROUND}/closure", ["reason"]),
    ("officer", "PUT", f"/admission/rounds/{ROUND}/experts", ["assignments"]),
    ("expert", "POST", f"/admission/rounds/{ROUND}/candidates/C09100100000000/review",
     ["include", "max_payment_standard", "reasoning"]),
    ("officer", "POST", f"/admission/rounds/{ROUND}/consolidation", ["decisions", "retirements"]),
    ("nhsa", "POST", f"/admission/rounds/{ROUND}/filing/acknowledgement", ["filing_number"]),
    ("nhsa", "POST", f"/admission/rounds/{ROUND}/filing/rejection", ["reasons"]),
    ("h2_officer", "POST", f"/admission/rounds/{ROUND}/objections", ["text", "entry_code"]),
    ("officer", "POST", f"/admission/rounds/{ROUND}/objection-resolutions", ["resolutions"]),
    ("officer", "POST", f"/admission/rounds/{ROUND}/publication", ["effective_on"]),
    ("officer", "POST", "/admission/catalog-changes", ["kind", "terms", "procurement", "products", "leaves_on"]),
    ("officer", "POST", f"/admission/catalog-changes/{CHANGE}/approval", ["approved", "note"]),
]
QUERIED = [("h1_officer", "/admission/applications"), ("nhsa", "/admission/filings")]
GETS: list[tuple[str, str]] = [
    ("h1_officer", "/admission/applications"), ("h1_officer", f"/admission/applications/{APP}"),
    ("h1_officer", f"/admission/applications/{APP}/documents"),
    ("h1_officer", f"/admission/applications/{APP}/documents/{DOC}"), ("officer", "/admission/rounds"),
    ("officer", f"/admission/rounds/{ROUND}"), ("officer", f"/admission/rounds/{ROUND}/candidates"),
    ("officer", f"/admission/rounds/{ROUND}/candidates/C09100100000000"), ("nhsa", "/admission/filings"),
    ("officer", f"/admission/rounds/{ROUND}/objections"), ("h1_officer", "/admission/publications"),
    ("officer", "/admission/catalog-changes"), ("officer", "/admission/queue"),
    ("officer", f"/admission/catalog-changes/{CHANGE}"),
]
QUERIES = ["limit=1e400", f"limit={2**63}", "offset=-1", "status=%00", "round_id=%ED%A0%80", "unknown=1",
           "status=" + "x" * 5000, "round_id=../../etc", "limit=NaN"]
BAD_IDS = ["%00", "%ED%A0%80", "x" * 5000, "..", "0", "5b0e3c7e-2f1a-4c55-9a51-1d2f0b7c9e1%00"]


@pytest.fixture
def ids(as_user: Callable[[str], FlaskClient]) -> dict[str, str]:
    deploy(as_user("admin"))
    hospital = as_user("h1_officer")
    app = ok(hospital.post("/admission/applications", json=facts()), 201)
    doc = ok(hospital.post(f"/admission/applications/{app['id']}/documents", data={
        "kind": "instructions", "file": (io.BytesIO(PDF), "说明书.pdf")}, content_type="multipart/form-data"), 201)
    opened = ok(as_user("officer").post("/admission/rounds", json={
        "name": "2026年度", "opens_on": "2026-01-01", "closes_on": "2026-12-31"}), 201)
    return {"app": app["id"], "doc": doc["id"], "round": opened["id"], "change": "8f7e6d5c-4b3a-4291-8e7d-6c5b4a392817"}


def refused(response: object) -> None:
    status = response.status_code  # type: ignore[attr-defined]
    assert 400 <= status < 500, (status, response.get_data(as_text=True)[:300])  # type: ignore[attr-defined]
    assert response.mimetype == "application/problem+json"  # type: ignore[attr-defined]


@pytest.mark.parametrize(("username", "method", "path", "names"), ENDPOINTS, ids=[f"{m} {p}" for _, m, p, _ in
                                                                                   ENDPOINTS])
def test_bad_bodies_and_field_values_are_refused_never_a_500(
        as_user: Callable[[str], FlaskClient], ids: dict[str, str], username: str, method: str, path: str,
        names: list[str]) -> None:
    client, url = as_user(username), path.format(**ids)
    for body in BODIES:
        refused(client.open(url, method=method, data=body, content_type="application/json"))
    for body in LENIENT:
        assert client.open(url, method=method, data=body, content_type="application/json").status_code < 500
    for name in names:
        for value in FIELD_VALUES:
            response = client.open(url, method=method, data=f'{{"{name}": {value}}}', content_type="application/json")
            assert response.status_code < 500, (name, value[:40], response.get_data(as_text=True)[:300])


@pytest.mark.parametrize(("username", "path"), QUERIED, ids=[p for _, p in QUERIED])
def test_bad_and_unknown_query_parameters_are_refused(as_user: Callable[[str], FlaskClient], username: str,
                                                      path: str) -> None:
    for query in QUERIES:
        refused(as_user(username).get(f"{path}?{query}"))


@pytest.mark.parametrize(("username", "path"), GETS, ids=[p for _, p in GETS])
def test_ids_that_are_not_ids_name_no_object_never_a_500(
        as_user: Callable[[str], FlaskClient], ids: dict[str, str], username: str, path: str) -> None:
    client = as_user(username)
    for query in QUERIES:
        assert client.get(f"{path.format(**ids)}?{query}").status_code < 500
    for bad in BAD_IDS:
        for key in ("app", "doc", "round", "change"):
            if "{" + key + "}" in path:
                refused(client.get(path.format(**{**ids, key: bad})))


@pytest.mark.parametrize("upload", [
    {"kind": "instructions"}, {"file": (PDF, "a.pdf")}, {"kind": "passport", "file": (PDF, "a.pdf")},
    {"kind": "instructions", "file": (b"", "a.pdf")}, {"kind": "instructions", "file": (b"MZ executable", "a.exe")},
    {"kind": "instructions", "file": (PDF, "\x00" * 10)}, {"kind": "instructions", "file": (PDF, "长" * 2000)},
    {"kind": "instructions\x00", "file": (PDF, "a.pdf")},
    {"kind": "instructions", "extra": "1", "file": (PDF, "a.pdf")},
])
def test_da2_a_bad_upload_is_refused_never_a_500(as_user: Callable[[str], FlaskClient], ids: dict[str, str],
                                                 upload: dict[str, object]) -> None:
    data = {k: (io.BytesIO(v[0]), v[1]) if isinstance(v, tuple) else v for k, v in upload.items()}
    response = as_user("h1_officer").post(f"/admission/applications/{ids['app']}/documents", data=data,
                                          content_type="multipart/form-data")
    refused(response)


def test_da2_an_upload_over_the_size_limit_is_refused_naming_the_rule(as_user: Callable[[str], FlaskClient],
                                                                     ids: dict[str, str]) -> None:
    big = FileStorage(io.BytesIO(PDF + b"0" * (3 * 1024 * 1024)), filename="big.pdf")
    # Encoded here: the test client would spool a large body to a temporary file it never closes.
    boundary, body = encode_multipart({"kind": "instructions", "file": big})
    problem = ok(as_user("h1_officer").post(f"/admission/applications/{ids['app']}/documents", data=body,
                                            content_type=f"multipart/form-data; boundary={boundary}"), 422)
    assert (problem["code"], problem["rule"], problem["field"]) == ("document_too_large", "DA-2", "file")
    json_upload = as_user("h1_officer").post(f"/admission/applications/{ids['app']}/documents",
                                             json={"kind": "instructions"})
    refused(json_upload)


def test_a_5000_deep_body_is_refused_never_a_500(as_user: Callable[[str], FlaskClient], ids: dict[str, str]) -> None:
    for _username, method, path, _names in ENDPOINTS:
        for body in DEEP:
            refused(as_user("officer").open(path.format(**ids), method=method, data=body,
                                            content_type="application/json"))
