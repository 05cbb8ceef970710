"""Format checks of NHSA codes (notes/codes.md); each error names the part that is wrong."""

from __future__ import annotations

import re
from dataclasses import dataclass

from domain.errors import InvalidInput

_DIGITS = re.compile(r"[0-9]+")  # ASCII digits: \d would also take ٣ or ３


@dataclass(frozen=True)
class _Part:
    name: str
    start: int
    length: int


def _check(value: object, field: str, prefix: str, parts: tuple[_Part, ...], label: str) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"{label} must be a string", code="invalid_code", field=field)
    total = len(prefix) + sum(p.length for p in parts)
    if len(value) != total:
        raise InvalidInput(
            f"{label} must be {total} characters, got {len(value)}", code="invalid_code", field=field
        )
    if not value.startswith(prefix):
        raise InvalidInput(f"{label} must start with '{prefix}'", code="invalid_code", field=field)
    for part in parts:
        chunk = value[part.start : part.start + part.length]
        if not _DIGITS.fullmatch(chunk):
            raise InvalidInput(
                f"{label}: {part.name} (characters {part.start + 1}–{part.start + part.length}) "
                f"must be {part.length} digits, got '{chunk}'",
                code="invalid_code",
                field=field,
            )
    return value


_CONSUMABLE_ENTRY = (
    _Part("classification", 1, 6),
    _Part("generic name", 7, 3),
    _Part("material and feature", 10, 5),
)
_CONSUMABLE_PRODUCT = (*_CONSUMABLE_ENTRY, _Part("enterprise", 15, 5), _Part("specification/model", 20, 7))


def consumable_code(value: object, field: str = "code") -> str:
    """Check a full 27-character medical-consumable code (CA-4, CM-5) and return it."""
    return _check(value, field, "C", _CONSUMABLE_PRODUCT, "consumable code")


def consumable_entry_code(value: object, field: str = "entry_code") -> str:
    """Check a 15-character catalog entry key (CM-1) and return it."""
    return _check(value, field, "C", _CONSUMABLE_ENTRY, "consumable entry code")


def consumable_entry_key(code: str) -> str:
    """Return the catalog entry key (the first 15 characters, CM-1) of a full consumable code."""
    return consumable_code(code)[:15]


def institution_code(value: object, field: str = "code") -> str:
    """Check a designated medical institution code: H + 6-digit division + 5-digit sequence."""
    return _check(value, field, "H", (_Part("division", 1, 6), _Part("sequence", 7, 5)), "institution code")


def pharmacy_code(value: object, field: str = "code") -> str:
    """Check a designated retail pharmacy code: P + 6-digit division + 5-digit sequence."""
    return _check(value, field, "P", (_Part("division", 1, 6), _Part("sequence", 7, 5)), "pharmacy code")


def physician_code(value: object, field: str = "code") -> str:
    """Check an insurance physician code: D + 6-digit division + 6-digit sequence."""
    return _check(value, field, "D", (_Part("division", 1, 6), _Part("sequence", 7, 6)), "physician code")


def drug_code(value: object, field: str = "code") -> str:
    """Check a drug code: X + 22 characters (western) or Z + 19 (Chinese patent); opaque after that."""
    if not isinstance(value, str) or not value.isascii() or not value.isalnum():
        raise InvalidInput("drug code must be letters and digits", code="invalid_code", field=field)
    expected = {"X": 23, "Z": 20}.get(value[:1])
    if expected is None:
        raise InvalidInput("drug code must start with 'X' or 'Z'", code="invalid_code", field=field)
    if len(value) != expected:
        raise InvalidInput(
            f"drug code starting with '{value[0]}' must be {expected} characters, got {len(value)}",
            code="invalid_code",
            field=field,
        )
    return value
