"""Illustrative region ratios for the demo (PAY-4): numbers to try the calculator with, not any region's policy."""

from __future__ import annotations

DEMO_REGION_RATIOS: dict[str, dict[str, object]] = {
    "520000": {"name": "贵州省（示例数值）", "fund_ratio": "0.80", "b_prepay_ratio": "0.10"},
    "520100": {"name": "贵阳市（示例数值）", "fund_ratio": "0.85", "b_prepay_ratio": "0.10"},
}
DEMO_NOTE = "demo values, not policy (示例数值，非政策)"
