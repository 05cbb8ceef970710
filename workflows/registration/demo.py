"""Demo data of the registration: the illustrative payment configuration (ND-15), published once.

The demo hospitals, physicians (senior and not), dual-channel pharmacies and the 23 drugs come from
``workflows/demo.py``, which calls this through ``workflows/processes.py``'s slices.
"""

from __future__ import annotations

from domain.actors import SYSTEM
from domain.errors import NotFound
from domain.registration.demo_payment import DEMO_PAYMENT_RULES

from ..context import Services
from .payment import get_payment_config, set_payment_config


def load_demo(services: Services) -> None:
    """Publish the demo payment configuration unless one is published (idempotent)."""
    try:
        get_payment_config(services)
    except NotFound:
        set_payment_config(services, SYSTEM, DEMO_PAYMENT_RULES, "demo values, not policy")
