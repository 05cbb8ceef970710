"""How every console page shows a value: money as ¥1,234.50 from a Decimal or its string (never a float)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any


def yuan(value: Any) -> str:
    """Money as ¥1,234.50 from a Decimal or a Decimal string; — for None; anything else as it is."""
    if value is None:
        return "—"
    try:
        return f"¥{Decimal(value):,.2f}"
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
