"""Strict JSON in and out: the one parser of request bodies (Flask's and webargs') and the one encoder of responses.

The standard library accepts what JSON does not (NaN, Infinity), turns ``1e400`` into infinity, raises a bare
ValueError on integer literals beyond 4,300 digits, recurses once per nesting level, and lets ``"\\u0000"`` and lone
surrogates (``"\\ud800"``) through, which PostgreSQL and UTF-8 encoders then refuse with a 500. Here each of these
is refused as 422 problem+json with a stable code and, where it can be known, the field; and no response ever
carries NaN or Infinity (which would not be JSON).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from flask.json.provider import DefaultJSONProvider

from domain.errors import InvalidInput
from domain.text import check_text

MAX_DEPTH = 100
MAX_INT_DIGITS = 40  # beyond any 128-bit integer; Python itself gives up at 4,300
_STRUCTURE = re.compile(r'[\[\]{}"\\]')
# Escapes that may decode to NUL or to a (possibly lone) surrogate: only then are the strings walked.
_SUSPECT_ESCAPE = re.compile(r"\\u(?:0000|[dD][89a-fA-F])")


class _Refused:
    """Stands in the parsed value for a number that is refused, so the walk can name its field."""

    def __init__(self, code: str, detail: str) -> None:
        self.code = code
        self.detail = detail


_NON_FINITE = _Refused("non_finite_number", "NaN, Infinity and numbers beyond the float range are not accepted")
_TOO_LONG = _Refused("number_too_long", f"integer literals are limited to {MAX_INT_DIGITS} digits")


def loads(data: str | bytes | bytearray) -> Any:
    """Parse a request body; malformed JSON raises ``json.JSONDecodeError``, refused JSON ``InvalidInput``."""
    text = data.decode("utf-8") if isinstance(data, bytes | bytearray) else data
    _check_depth(text)
    refused: list[_Refused] = []

    def constant(_name: str) -> _Refused:
        refused.append(_NON_FINITE)
        return _NON_FINITE

    def number(literal: str) -> float | _Refused:
        value = float(literal)
        if math.isfinite(value):
            return value
        refused.append(_NON_FINITE)
        return _NON_FINITE

    def integer(literal: str) -> int | _Refused:
        if len(literal) - literal.startswith("-") > MAX_INT_DIGITS:
            refused.append(_TOO_LONG)
            return _TOO_LONG
        return int(literal)

    try:
        value = json.loads(text, parse_constant=constant, parse_float=number, parse_int=integer)
    except RecursionError:  # unreachable after _check_depth, kept as a guard
        raise InvalidInput(f"JSON nested deeper than {MAX_DEPTH} levels", code="json_too_deep") from None
    if refused or _SUSPECT_ESCAPE.search(text):
        _inspect(value)
    return value


def _check_depth(text: str) -> None:
    """Refuse nesting deeper than MAX_DEPTH before any parser recurses; brackets inside strings do not count."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return
    depth, in_string, escaped_at = 0, False, -1
    for match in _STRUCTURE.finditer(text):
        at, char = match.start(), match.group()
        if at == escaped_at:
            continue
        if in_string:
            if char == "\\":
                escaped_at = at + 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise InvalidInput(f"JSON nested deeper than {MAX_DEPTH} levels", code="json_too_deep")
        elif char in "]}":
            depth -= 1


def _inspect(value: Any) -> None:
    """Walk the parsed body (iteratively) for refused numbers and for NUL or lone surrogates in any string."""
    stack: list[tuple[Any, str]] = [(value, "")]
    while stack:
        node, path = stack.pop()
        if isinstance(node, dict):
            for key, item in node.items():
                check_text(key, path or "body")
                stack.append((item, f"{path}.{key}" if path else key))
        elif isinstance(node, list):
            stack.extend((item, f"{path}[{i}]") for i, item in enumerate(node))
        elif isinstance(node, str):
            check_text(node, path or "body")
        elif isinstance(node, _Refused):
            raise InvalidInput(node.detail, code=node.code, field=path or "body")


class StrictJSONProvider(DefaultJSONProvider):
    """Flask's JSON with the strict parser, non-ASCII text as is, and NaN or Infinity never written."""

    ensure_ascii = False

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return loads(s)

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        kwargs.setdefault("allow_nan", False)
        return super().dumps(obj, **kwargs)
