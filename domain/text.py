"""Checks of text that comes from outside: no NUL or lone surrogate anywhere; identifiers visible and not blank."""

from __future__ import annotations

import re

from domain.errors import InvalidInput

# What no identifier may hold: C0 and C1 controls (NUL, tab, newline, ESC…), the soft hyphen, the Arabic letter
# mark, the Mongolian vowel separator, zero-width spaces and joiners with LRM/RLM, the line and paragraph
# separators, the bidi embeddings and overrides (U+202A–U+202E), the word joiner, invisible operators and bidi
# isolates (U+2060–U+206F, isolates at U+2066–U+2069), the byte order mark, interlinear annotation marks and
# surrogates. Written so that Python and ECMA-262 (OpenAPI's pattern dialect) read it alike; the published pattern
# leaves surrogates out, since they are no characters to a Unicode regex engine and no JSON text carries one alone.
INVISIBLE = r"\x00-\x1f\x7f-\x9f\xad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb"
# Visible characters and spaces, at least one of them not a space.
IDENTIFIER_PATTERN = f"^[^{INVISIBLE}]*[^{INVISIBLE}\\s][^{INVISIBLE}]*$"
_INVISIBLE = re.compile(f"[{INVISIBLE}\\ud800-\\udfff]")
_NOT_SPACE = re.compile(r"\S")


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
    """Why ``value`` cannot be an identifier (blank, or holding a control or invisible character), or None.

    Equivalent to a full match of IDENTIFIER_PATTERN, in linear time.
    """
    found = _INVISIBLE.search(value)
    if found is not None:
        return f"must not contain control or invisible formatting characters (U+{ord(found.group()):04X})"
    if _NOT_SPACE.search(value) is None:
        return "must not be blank"
    return None


def check_identifier(value: str, field: str) -> str:
    """Refuse a blank identifier or one holding control, bidi-override or other invisible characters."""
    problem = identifier_problem(value)
    if problem is not None:
        raise InvalidInput(f"{field} {problem}", code="invalid_identifier", field=field)
    return value
