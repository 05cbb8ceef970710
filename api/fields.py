"""Marshmallow fields with the service's input rules, each documented in OpenAPI exactly as it is checked.

Integers are bounded (a 64-bit literal never reaches a database), instants stay within years 1900–9998 (so no
offset pushes them past what datetime, SQLite or PostgreSQL hold), identifiers are visible text, booleans are
booleans, and money leaves as a decimal string.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from marshmallow import ValidationError, fields, validate

from domain.text import IDENTIFIER_PATTERN, identifier_problem

INT32_MAX = 2**31 - 1
FIRST_YEAR, LAST_YEAR = 1900, 9998
# Years 1900–9998, as written (before the offset is applied), in RFC 3339 date-time form.
INSTANT_PATTERN = r"^(19\d\d|[2-8]\d\d\d|9[0-8]\d\d|99[0-8]\d|999[0-8])-"
MONEY_PATTERN = r"^-?\d+\.\d{2}$"


class BoundedInteger(fields.Integer):
    """An integer in [minimum, maximum]; by default 0 to 2^31 − 1, which every column and OFFSET takes."""

    def __init__(self, *, minimum: int = 0, maximum: int = INT32_MAX, **kwargs: Any) -> None:
        super().__init__(validate=validate.Range(min=minimum, max=maximum), **kwargs)


class StrictBoolean(fields.Boolean):
    """true or false only: a JSON boolean in a body, the words ``true`` and ``false`` in a query."""

    def __init__(self, *, in_query: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.in_query = in_query

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if isinstance(value, bool) and not self.in_query:
            return value
        if self.in_query and value in ("true", "false"):
            return bool(value == "true")
        raise self.make_error("invalid", input=value)


def _visible(value: str) -> None:
    problem = identifier_problem(value)
    if problem is not None:
        raise ValidationError(problem)


class Identifier(fields.String):
    """A key, code or name that identifies something: not blank, without control or invisible characters."""

    def __init__(self, *, max_length: int = 200, **kwargs: Any) -> None:
        metadata = {"pattern": IDENTIFIER_PATTERN, **kwargs.pop("metadata", {})}
        super().__init__(validate=[validate.Length(min=1, max=max_length), _visible], metadata=metadata, **kwargs)


def _in_calendar(value: dt.datetime) -> None:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValidationError(f"the year must be {FIRST_YEAR} to {LAST_YEAR}")


class Instant(fields.AwareDateTime):
    """An ISO 8601 instant with its UTC offset, in years 1900–9998."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {"pattern": INSTANT_PATTERN, **kwargs.pop("metadata", {})}
        super().__init__(validate=_in_calendar, metadata=metadata, **kwargs)


class Money(fields.Decimal):
    """An amount of yuan as a decimal string with two places ("8085.00"), never a float."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {"type": "string", "pattern": MONEY_PATTERN, "example": "8085.00", **kwargs.pop("metadata", {})}
        super().__init__(places=2, as_string=True, metadata=metadata, **kwargs)


# Text without control characters (tab and line breaks allowed) and not blank, as OpenAPI states it.
_CONTROL = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f"
TEXT_PATTERN = rf"^[^{_CONTROL}]*[^\s{_CONTROL}][^{_CONTROL}]*$"


def _no_lone_surrogates(value: str) -> None:
    if any(0xD800 <= ord(c) <= 0xDFFF for c in value):
        raise ValidationError("lone surrogates are not allowed")


class Text(fields.String):
    """Bounded, non-blank text without control characters or lone surrogates (neither can be stored as text)."""

    def __init__(self, *, max_length: int, **kwargs: Any) -> None:
        checks: list[Callable[[Any], Any]] = [
            validate.Length(min=1, max=max_length),
            validate.Regexp(TEXT_PATTERN, error="must not be blank or contain control characters (NUL among them)"),
            _no_lone_surrogates]
        super().__init__(validate=checks, **kwargs)
