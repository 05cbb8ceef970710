"""The registration's HTTP tests run in the e2e world extended with its hospitals, physicians, pharmacies, the drug
list, the diagram and a payment configuration."""

from __future__ import annotations

import pytest

from workflows.context import Services

from ...factories import World
from ...registration_world import build_registration_world


@pytest.fixture
def world(services: Services) -> World:
    return build_registration_world(services).world
