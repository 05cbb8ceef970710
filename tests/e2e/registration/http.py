"""Helpers of the registration's HTTP tests: the world, the clock, the worker, requests that read as steps."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask.testing import FlaskClient

from workflows import timers
from workflows.context import Services

from ...registration_world import DRUG, PSN, at, patient, record

Client = Callable[[str], FlaskClient]
H1_DOCTOR = "D520102000001"


def set_clock(as_user: Client, day: date, hour: int = 9) -> None:
    """PUT /clock to ``hour`` o'clock of ``day`` in China time."""
    response = as_user("admin").put("/clock", json={"now": at(day).replace(hour=hour).isoformat()})
    assert response.status_code == 200, response.get_json()


def run_worker_until(services: Services, day: date, hour: int = 0, second: int = 1) -> None:
    """`yibao worker --until`: fire every due timer in order up to that instant of ``day``."""
    timers.run_until(services, at(day).replace(hour=hour, second=second))


def register(as_user: Client, doctor: str = "h1_doctor", psn_no: str = PSN, drug: str = DRUG,
             **changes: Any) -> Any:
    """POST /registrations; returns the response."""
    body = {"patient": patient(psn_no), "drug": drug, "record": record()}
    body.update(changes)
    return as_user(doctor).post("/registrations", json=body)


def registered(as_user: Client, **kwargs: Any) -> dict[str, Any]:
    """A registration that was accepted."""
    response = register(as_user, **kwargs)
    assert response.status_code == 201, response.get_json()
    body: dict[str, Any] = response.get_json()
    return body


def dispense(as_user: Client, who: str, amount: str, ref: str, psn_no: str = PSN,
             physician: str = H1_DOCTOR) -> Any:
    """POST /dispensings as ``who``; returns the response."""
    return as_user(who).post("/dispensings", json={"psn_no": psn_no, "drug": DRUG, "physician_code": physician,
                                                    "quantity": "56", "amount": amount, "external_ref": ref})


def refused(response: Any, rule: str, status: int = 422) -> dict[str, Any]:
    """The problem+json of a refusal by ``rule``."""
    body: dict[str, Any] = response.get_json()
    assert response.status_code == status, body
    assert response.mimetype == "application/problem+json"
    assert body["rule"] == rule, body
    return body


def reg(as_user: Client, who: str, registration_id: str) -> dict[str, Any]:
    """GET /registrations/{id} as ``who``."""
    response = as_user(who).get(f"/registrations/{registration_id}")
    assert response.status_code == 200, response.get_json()
    body: dict[str, Any] = response.get_json()
    return body


def open_tasks(as_user: Client, who: str, registration_id: str) -> list[dict[str, Any]]:
    """The open tasks of a registration's instance in ``who``'s queue."""
    response = as_user(who).get(f"/tasks?business_key={registration_id}&status=open")
    assert response.status_code == 200, response.get_json()
    items: list[dict[str, Any]] = response.get_json()["items"]
    return items
