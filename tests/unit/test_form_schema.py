"""ECMA-262 pattern escapes read the same under RE2; the validator keeps jsonschema's meaning of each keyword."""

from __future__ import annotations

import pytest

from workflows.form_schema import FormValidator, to_re2, unsupported_pattern


@pytest.mark.parametrize(("ecma", "re2"), [
    (r"^[\u4e00-\u9fff]+$", r"^[\x{4e00}-\x{9fff}]+$"),
    (r"\\u0041", r"\\u0041"),  # an escaped backslash, then the letters u0041
    (r"\u12", r"\u12"),  # not an escape of four hex digits: left for RE2 to refuse
    (r"C\d{26}", r"C\d{26}"),
])
def test_ecma_unicode_escapes_become_re2_escapes(ecma: str, re2: str) -> None:
    assert to_re2(ecma) == re2


def test_the_validator_applies_patterns_property_patterns_and_additional_properties() -> None:
    schema = {"type": "object", "properties": {"code": {"pattern": "^C[0-9]{3}$"}},
              "patternProperties": {"^x_": {"type": "integer"}}, "additionalProperties": {"type": "string"}}
    validator = FormValidator(schema)
    assert validator.is_valid({"code": "C123", "x_a": 1, "other": "s"})
    assert not validator.is_valid({"code": "C12"})
    assert not validator.is_valid({"x_a": "one"})
    assert not validator.is_valid({"other": 2})


def test_only_schemas_are_searched_for_patterns_not_values() -> None:
    assert unsupported_pattern({"const": {"pattern": "(?=x)"}, "default": {"pattern": "(?=x)"}}) is None
    assert unsupported_pattern({"items": [{"pattern": "(?=x)"}]}) is not None
