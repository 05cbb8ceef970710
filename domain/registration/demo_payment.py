"""Illustrative payment rules for demo data and tests: made-up values, not policy; the bureau configures the real ones.

They are not used by any rule: the settlement reads the configuration in force (ND-15).
"""

from __future__ import annotations

from domain.registration.payment import PaymentConfig, payment_config

DEMO_PAYMENT_RULES: dict[str, dict[str, dict[str, object]]] = {
    "employee": {
        "1": {"deductible": "100.00", "fund_ratio": "0.85"},
        "2": {"deductible": "300.00", "fund_ratio": "0.80"},
        "3": {"deductible": "500.00", "fund_ratio": "0.75"},
    },
    "resident": {
        "1": {"deductible": "200.00", "fund_ratio": "0.70"},
        "2": {"deductible": "500.00", "fund_ratio": "0.65"},
        "3": {"deductible": "800.00", "fund_ratio": "0.60"},
    },
}


def demo_payment_config() -> PaymentConfig:
    """The demo configuration, checked like any other."""
    return payment_config(DEMO_PAYMENT_RULES)
