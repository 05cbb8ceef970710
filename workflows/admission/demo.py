"""Demo data of admission: illustrative region ratios for the payment calculator (PAY-4), published once."""

from __future__ import annotations

from domain.actors import SYSTEM
from domain.admission.demo_payment import DEMO_NOTE, DEMO_REGION_RATIOS
from domain.errors import NotFound

from ..context import Services
from .payment import get_ratios, publish_ratios


def load_demo(services: Services) -> None:
    """Publish the demo ratios unless some are published (idempotent)."""
    try:
        get_ratios(services)
    except NotFound:
        publish_ratios(services, SYSTEM, DEMO_REGION_RATIOS, expected_version=0, note=DEMO_NOTE)
