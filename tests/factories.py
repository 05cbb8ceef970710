"""Test data: organizations and users of every role, made through the real use cases."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from domain.actors import SYSTEM
from domain.identity import OrganizationFacts
from workflows import identity
from workflows.context import Services

PASSWORD = "correct horse battery"
HOSPITALS = {"H52010200001": ("贵州省人民医院", 3), "H52030200002": ("遵义市第一人民医院", 3)}


@dataclass
class World:
    """Organizations by short name and users by username, with their ids."""

    orgs: dict[str, str] = field(default_factory=dict)
    users: dict[str, str] = field(default_factory=dict)


def org(services: Services, world: World, short: str, kind: str, code: str, **facts: Any) -> None:
    defaults: dict[str, Any] = {"region_code": code[1:7] if kind in ("hospital", "pharmacy") else "520000"}
    if kind == "hospital":
        defaults.update(tier=3, specialized=False, cross_province=True)
    if kind == "pharmacy":
        defaults.update(dual_channel=True)
    defaults.update(facts)
    designated_by = defaults.pop("designated_by", None)
    view = identity.create_organization(
        services, SYSTEM, OrganizationFacts(kind=kind, code=code, name=short, **defaults), designated_by)
    world.orgs[short] = view.id


def user(services: Services, world: World, username: str, role: str, org_code: str, **facts: Any) -> None:
    view = identity.create_user(services, SYSTEM, username=username, password=PASSWORD, role=role,
                                org_code=org_code, display_name=username, **facts)
    world.users[username] = view.id


def build_world(services: Services) -> World:
    """The bureau, the NHSA, two hospitals, a pharmacy, and a user of every role."""
    world = World()
    org(services, world, "bureau", "bureau", "BUREAU-520000")
    org(services, world, "nhsa", "nhsa", "NHSA")
    org(services, world, "h1", "hospital", "H52010200001")
    org(services, world, "h2", "hospital", "H52030200002")
    org(services, world, "p1", "pharmacy", "P52010200001", designated_by=["H52010200001"])
    user(services, world, "admin", "admin", "BUREAU-520000")
    user(services, world, "officer", "bureau_officer", "BUREAU-520000")
    user(services, world, "auditor", "auditor", "BUREAU-520000")
    user(services, world, "nhsa", "nhsa_officer", "NHSA")
    user(services, world, "h1_officer", "hospital_officer", "H52010200001")
    user(services, world, "h2_officer", "hospital_officer", "H52030200002")
    user(services, world, "h1_doctor", "physician", "H52010200001", physician_code="D520102000001",
         title="主任医师", specialty="rheumatology")
    user(services, world, "p1_pharmacist", "pharmacist", "P52010200001")
    user(services, world, "expert", "expert", "BUREAU-520000", expert_fields=("clinical_medicine",))
    return world


def login(app: Flask, username: str) -> FlaskClient:
    """A test client that sends the bearer token of ``username``."""
    client = app.test_client()
    response = client.post("/sessions", json={"username": username, "password": PASSWORD})
    assert response.status_code == 201, response.get_json()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {response.get_json()['token']}"
    return client
