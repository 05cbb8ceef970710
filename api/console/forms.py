"""A task form's JSON Schema as fields to render, entered text back to typed data, errors in Chinese.

Covers the subset the diagrams' flat forms use: strings (long ones as a textarea), enums (a select, labelled by
``x-labels``), booleans (是/否), integers and numbers, dates, and ``const: true`` confirmations. Nested objects and
arrays are not rendered yet; such a form says so and is worked through the API.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from werkzeug.datastructures import MultiDict

from workflows.task_forms import FieldError

LONG_TEXT = 200


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    widget: str  # text, textarea, select, boolean, number, date, confirm
    required: bool
    options: list[tuple[str, str]] = field(default_factory=list)
    help: str = ""
    max_length: int | None = None


def fields_of(schema: dict[str, Any]) -> tuple[list[Field], list[str]]:
    """The renderable fields of a form, and the names of those it cannot render."""
    required = set(schema.get("required", ()))
    out, skipped = [], []
    for name, prop in schema.get("properties", {}).items():
        widget = _widget(prop)
        if widget is None:
            skipped.append(name)
            continue
        labels = prop.get("x-labels", {})
        options = [(str(v), str(labels.get(v, v))) for v in prop.get("enum", ())]
        out.append(Field(name, prop.get("title", name), widget, name in required, options,
                         prop.get("description", ""), prop.get("maxLength")))
    return out, skipped


def _widget(prop: dict[str, Any]) -> str | None:
    kind = prop.get("type")
    if "enum" in prop:
        return "select"
    if prop.get("const") is True:
        return "confirm"
    if kind == "boolean":
        return "boolean"
    if kind in ("integer", "number"):
        return "number"
    if kind == "string":
        if prop.get("format") == "date":
            return "date"
        return "textarea" if (prop.get("maxLength") or 0) > LONG_TEXT else "text"
    return None


def data_of(schema: dict[str, Any], form: MultiDict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """Typed task data from the posted form (empty fields left out), and the fields whose text is no number."""
    data: dict[str, Any] = {}
    bad: dict[str, str] = {}
    for name, prop in schema.get("properties", {}).items():
        raw = form.get(name, "").strip()
        widget = _widget(prop)
        if widget is None or raw == "":
            continue
        if widget == "confirm":
            data[name] = raw == "on"
        elif widget == "boolean":
            data[name] = raw == "true"
        elif widget == "number":
            number = _number(raw, prop.get("type") == "integer")
            if number is None:
                bad[name] = "请输入整数" if prop.get("type") == "integer" else "请输入数字"
            else:
                data[name] = number
        else:
            data[name] = raw
    return data, bad


def _number(raw: str, integer: bool) -> int | float | None:
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return None
    if not value.is_finite():
        return None
    if integer:
        return int(value) if value == value.to_integral_value() else None
    return int(value) if value == value.to_integral_value() else float(value)


MESSAGES = {
    "required": "请填写{label}",
    "minLength": "{label}至少{limit}个字符",
    "maxLength": "{label}最多{limit}个字符",
    "pattern": "{label}格式不正确",
    "enum": "请选择{label}",
    "const": "请勾选{label}",
    "type": "{label}类型不正确",
    "minimum": "{label}不能小于{limit}",
    "maximum": "{label}不能大于{limit}",
    "exclusiveMinimum": "{label}必须大于{limit}",
    "exclusiveMaximum": "{label}必须小于{limit}",
    "format": "{label}格式不正确",
    "additionalProperties": "表单含有未定义的字段",
}


def messages_of(schema: dict[str, Any], errors: list[FieldError]) -> dict[str, str]:
    """One Chinese message per field (the first violation), keyed by field name; "" is the whole form."""
    props = schema.get("properties", {})
    out: dict[str, str] = {}
    for error in errors:
        label = props.get(error.field, {}).get("title", error.field)
        text = MESSAGES.get(error.keyword, "{label}填写不正确").format(label=label, limit=error.limit)
        out.setdefault(error.field if error.field in props else "", text)
    return out
