"""HTTP through the real app on the backend under test, as logged-in users of every role."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from api import create_app
from workflows.context import Services

from ..factories import World, build_world, login


@pytest.fixture
def world(services: Services) -> World:
    return build_world(services)


@pytest.fixture
def app(services: Services, world: World) -> Flask:
    return create_app(services=services)


@pytest.fixture
def as_user(app: Flask) -> Callable[[str], FlaskClient]:
    """Log a demo user in once per test; returns their client."""
    clients: dict[str, FlaskClient] = {}

    def get(username: str) -> FlaskClient:
        if username not in clients:
            clients[username] = login(app, username)
        return clients[username]

    return get


@pytest.fixture
def client(as_user: Callable[[str], FlaskClient]) -> FlaskClient:
    """The administrator's client."""
    return as_user("admin")
