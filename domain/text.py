"""Checks of text that comes from outside: no NUL or lone surrogate anywhere; identifiers visible and not blank."""

from __future__ import annotations

import unicodedata

from domain.errors import InvalidInput

# Control (Cc: NUL, tab, newline, ESC…), format (Cf: bidi overrides and isolates U+202A–U+202E and U+2066–U+2069,
# zero-width characters), surrogates (Cs), and the line and paragraph separators (Zl, Zp).
_REFUSED_IN_IDENTIFIERS = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def _has_lone_surrogate(value: str) -> bool:
    if value.isascii():
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def check_text(value: str, field: str) -> str:
    """Refuse NUL characters and lone surrogates, which no text column or UTF-8 encoder takes; return ``value``."""
    if "\x00" in value:
        raise InvalidInput(f"{field} contains a NUL character", code="invalid_character", field=field)
    if _has_lone_surrogate(value):
        raise InvalidInput(f"{field} contains a lone surrogate, which is not a character", code="invalid_character",
                           field=field)
    return value


def identifier_problem(value: str) -> str | None:
    """Why ``value`` cannot be an identifier (blank, or with an invisible or control character), or None."""
    if not value.strip():
        return "must not be blank"
    if value.isascii() and value.isprintable():
        return None
    for position, char in enumerate(value, start=1):
        if unicodedata.category(char) in _REFUSED_IN_IDENTIFIERS:
            return f"must not contain control or invisible formatting characters (U+{ord(char):04X} at {position})"
    return None


def check_identifier(value: str, field: str) -> str:
    """Refuse a blank identifier or one carrying control, bidi-override or other invisible characters."""
    problem = identifier_problem(value)
    if problem is not None:
        raise InvalidInput(f"{field} {problem}", code="invalid_identifier", field=field)
    return value
