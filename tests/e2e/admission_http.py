"""HTTP helpers of the admission tests: the demo world logged in, and the steps of an application over the API."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from ..admission_support import BPMN, JPEG, PDF, PNG, ofd

Client = Callable[[str], FlaskClient]
# The documents of DA-2 items 1–4, one of each accepted format.
DOCUMENTS = {"application_letter": ("申请函.pdf", PDF), "application_form": ("申请表.ofd", ofd()),
             "certificate": ("注册证.png", PNG), "instructions": ("说明书.jpg", JPEG)}


def logins(app: Flask, passwords: dict[str, str]) -> Client:
    """A client per demo user, logged in on first use."""
    clients: dict[str, FlaskClient] = {}

    def get(username: str) -> FlaskClient:
        if username not in clients:
            client = app.test_client()
            response = client.post("/sessions", json={"username": username, "password": passwords[username]})
            assert response.status_code == 201, response.get_json()
            client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {response.get_json()['token']}"
            clients[username] = client
        return clients[username]

    return get


def deploy(admin: FlaskClient) -> None:
    """Deploy the admission diagrams with their forms over HTTP."""
    forms = {p.name: json.loads(p.read_text(encoding="utf-8")) for p in (BPMN / "forms").glob("*.json")}
    for name in ("consumable_application.bpmn", "consumable_round.bpmn", "consumable_catalog_change.bpmn"):
        response = admin.post("/process-definitions", json={"bpmn": (BPMN / name).read_text(encoding="utf-8"),
                                                            "filename": name, "forms": forms})
        assert response.status_code in (200, 201), response.get_json()


def ok(response: Any, status: int = 200) -> Any:
    """The JSON body of a response that must have ``status``."""
    assert response.status_code == status, (response.status_code, response.get_json())
    return response.get_json()


def upload(client: FlaskClient, app_id: str, kind: str, name: str, content: bytes) -> Any:
    """Attach a document with a multipart request."""
    return client.post(f"/admission/applications/{app_id}/documents",
                       data={"kind": kind, "file": (io.BytesIO(content), name)}, content_type="multipart/form-data")


def apply(client: FlaskClient, facts: dict[str, Any]) -> str:
    """Draft an application with every document and submit it; its id."""
    app_id = ok(client.post("/admission/applications", json=facts), 201)["id"]
    for kind, (name, content) in DOCUMENTS.items():
        ok(upload(client, app_id, kind, name, content), 201)
    ok(client.post(f"/admission/applications/{app_id}/submission"))
    return str(app_id)


def state_bytes(admin: FlaskClient, instance_id: str) -> int:
    """The stored state of an instance, as the administrator sees it."""
    return int(ok(admin.get(f"/process-instances/{instance_id}"))["state_bytes"])
