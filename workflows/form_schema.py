"""The validator of user-task forms: JSON Schema 2020-12 whose patterns run on RE2, in time linear in the input.

Python's ``re`` (which jsonschema uses) backtracks: a form pattern such as ``(a+)+$`` takes minutes on a 30-character
value. Here ``pattern``, ``patternProperties`` and the ``additionalProperties`` that depend on them run on RE2
(google-re2) instead. RE2 has no lookaround or backreferences; a form using them, or a pattern RE2 cannot compile,
is refused at deploy (``unsupported_pattern``), and so is ``unevaluatedProperties`` beside ``patternProperties``
(jsonschema would evaluate those patterns with ``re``). ECMA-262's ``\\uXXXX`` is read as RE2's ``\\x{XXXX}``.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import re2
from jsonschema import Draft202012Validator, ValidationError, validators
from jsonschema.protocols import Validator

_HEX = frozenset("0123456789abcdefABCDEF")
_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # a refused pattern is reported to the deployer, not to stderr
_DATA_KEYWORDS = frozenset({"const", "enum", "default", "examples"})  # values, not schemas


def to_re2(pattern: str) -> str:
    """Rewrite ECMA-262 ``\\uXXXX`` escapes as RE2's ``\\x{XXXX}``; everything else is left as written."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            hex_digits = pattern[i + 2 : i + 6]
            if pattern[i + 1] == "u" and len(hex_digits) == 4 and set(hex_digits) <= _HEX:
                out.append(f"\\x{{{hex_digits}}}")
                i += 6
                continue
            out.append(pattern[i : i + 2])
            i += 2
            continue
        out.append(char)
        i += 1
    return "".join(out)


@lru_cache(maxsize=2048)
def compiled(pattern: str) -> Any:
    """The RE2 program of a form pattern; raises ``re2.error`` when RE2 cannot run it."""
    return re2.compile(to_re2(pattern), _OPTIONS)


def _pattern(validator: Validator, pattern: str, instance: Any, schema: dict[str, Any]) -> Iterator[ValidationError]:
    if validator.is_type(instance, "string") and not compiled(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _pattern_properties(validator: Validator, patterns: dict[str, Any], instance: Any, schema: dict[str, Any]
                        ) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in patterns.items():
        regex = compiled(pattern)
        for key, value in instance.items():
            if regex.search(key):
                yield from validator.descend(value, subschema, path=key, schema_path=pattern)


_BASE_ADDITIONAL = Draft202012Validator.VALIDATORS["additionalProperties"]


def _additional_properties(validator: Validator, additional: Any, instance: Any, schema: dict[str, Any]
                           ) -> Iterator[ValidationError]:
    if "patternProperties" not in schema:  # jsonschema's own keyword runs no regex then
        yield from _BASE_ADDITIONAL(validator, additional, instance, schema)
        return
    if not validator.is_type(instance, "object"):
        return
    regexes = [compiled(p) for p in schema["patternProperties"]]
    known = schema.get("properties", {})
    extras = sorted(k for k in instance if k not in known and not any(r.search(k) for r in regexes))
    if validator.is_type(additional, "object"):
        for extra in extras:
            yield from validator.descend(instance[extra], additional, path=extra)
    elif additional is False and extras:
        patterns = ", ".join(repr(p) for p in sorted(schema["patternProperties"]))
        yield ValidationError(f"{', '.join(repr(e) for e in extras)}: not a property, nor matched by {patterns}")


FormValidator: type[Validator] = validators.extend(Draft202012Validator, {
    "pattern": _pattern, "patternProperties": _pattern_properties, "additionalProperties": _additional_properties,
})


def _schemas(node: Any) -> Iterator[dict[str, Any]]:
    """Every object of a form that can be a schema (values of const, enum, default and examples are skipped)."""
    if isinstance(node, dict):
        yield node
        for key, value in node.items():
            if key not in _DATA_KEYWORDS:
                yield from _schemas(value)
    elif isinstance(node, list):
        for item in node:
            yield from _schemas(item)


def unsupported_pattern(schema: Any) -> str | None:
    """Why a form's patterns cannot run on RE2, or None when they all can."""
    has_pattern_properties = has_unevaluated = False
    for node in _schemas(schema):
        patterns = [node["pattern"]] if isinstance(node.get("pattern"), str) else []
        if isinstance(node.get("patternProperties"), dict):
            has_pattern_properties = True
            patterns += list(node["patternProperties"])
        has_unevaluated = has_unevaluated or "unevaluatedProperties" in node
        for pattern in patterns:
            try:
                compiled(pattern)
            except re2.error as exc:
                reason = exc.args[0].decode(errors="replace") if exc.args and isinstance(exc.args[0], bytes) else exc
                return f"pattern {pattern!r} cannot run in linear time (RE2: {reason})"
    if has_pattern_properties and has_unevaluated:
        return "unevaluatedProperties beside patternProperties is not supported"
    return None
