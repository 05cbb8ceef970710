"""Amounts in yuan: Decimal, at most two decimals (fen), rounded half up when computed."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from domain.reference_data import MAX_AMOUNT

FEN = Decimal("0.01")
__all__ = ["FEN", "MAX_AMOUNT", "is_amount", "to_fen"]


def is_amount(value: Decimal, *, allow_negative: bool = False) -> bool:
    """True for a finite amount with at most two decimals, within ±MAX_AMOUNT (negative only when allowed)."""
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int) or exponent < -2:  # NaN and infinity have a letter as exponent
        return False
    return (allow_negative or value >= 0) and abs(value) <= MAX_AMOUNT


def to_fen(value: Decimal) -> Decimal:
    """Round to the fen (0.01), half up (四舍五入): 0.005 → 0.01."""
    return value.quantize(FEN, rounding=ROUND_HALF_UP)
