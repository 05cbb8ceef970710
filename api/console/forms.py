"""A task form's JSON Schema as fields to render, entered text back to typed data, errors in Chinese.

Covers the subset the diagrams' forms use: strings (long ones as a textarea), enums (a select, labelled by
``x-labels``), booleans (是/否), integers and numbers, dates, ``const: true`` confirmations; objects with
``properties`` (a fieldset), arrays of scalars (one value per line; checkboxes for an enum), arrays of objects and
maps (``additionalProperties``/``patternProperties`` objects, e.g. keyed by an entry code) as rows.

Names in the HTML are paths: ``.prop`` into an object, ``[i]`` into a row (``review.include``,
``retirements[0].reason``); a map's row holds its key in ``[i]._key`` and, when the value is no object, the value
in ``[i]._value`` (``assignments[0]._key``, ``assignments[0]._value``). Other shapes (``$ref``, arrays of arrays…)
are named as skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from werkzeug.datastructures import MultiDict

from workflows.task_forms import FieldError

LONG_TEXT = 200
MAX_FIELDS = 200
MAX_DEPTH = 6
DEFAULT_ROWS = 10
BLANK_ROWS = 2
KEY, VALUE = "_key", "_value"
ADD = "_add"
IGNORED = {"csrf_token", ADD}
INT64 = 2**63 - 1
_SEGMENT = re.compile(r"\.?([A-Za-z_][A-Za-z0-9_]*)|\[(0|[1-9][0-9]{0,5})\]")

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    # text, textarea, select, boolean, number, date, confirm; lines, checks; fieldset, rows, row
    widget: str
    required: bool
    options: list[tuple[str, str]] = field(default_factory=list)
    help: str = ""
    max_length: int | None = None
    children: list[Field] = field(default_factory=list)
    can_add: bool = False


def name_of(path: Path) -> str:
    """The HTML name of a path: ``("retirements", 0, "reason")`` is ``retirements[0].reason``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _path_of(name: str) -> Path | None:
    parts: list[str | int] = []
    at = 0
    while at < len(name):
        found = _SEGMENT.match(name, at)
        if found is None or (at == 0) != (found.group(0)[0] not in ".["):
            return None
        parts.append(found.group(1) if found.group(1) is not None else int(found.group(2)))
        at = found.end()
    return tuple(parts) if parts else None


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


def _map_value(prop: dict[str, Any]) -> dict[str, Any] | None:
    value = prop.get("additionalProperties")
    if isinstance(value, dict):
        return value
    patterns = prop.get("patternProperties")
    if isinstance(patterns, dict) and len(patterns) == 1:
        only = next(iter(patterns.values()))
        return only if isinstance(only, dict) else None
    return None


def _kind(prop: dict[str, Any]) -> str | None:
    """leaf, lines, checks, object, rows (array of objects), map; None for a shape the console cannot draw."""
    if "$ref" in prop:
        return None
    if _widget(prop) is not None:
        return "leaf"
    if prop.get("type") == "object":
        value = _map_value(prop)
        if value is not None and not prop.get("properties"):
            return "map" if _kind(value) in ("leaf", "lines", "checks", "object") else None
        return "object" if prop.get("properties") and value is None else None
    if prop.get("type") == "array":
        items = prop.get("items")
        if not isinstance(items, dict):
            return None
        inner = _kind(items)
        if inner == "leaf":
            return "checks" if "enum" in items else ("lines" if _widget(items) != "confirm" else None)
        return "rows" if inner == "object" else None
    return None


def _row_schema(prop: dict[str, Any]) -> dict[str, Any]:
    if prop.get("type") == "array":
        items: dict[str, Any] = prop["items"]
        return items
    value = _map_value(prop)
    assert value is not None
    return value


def _limit(prop: dict[str, Any]) -> int:
    return int(prop.get("maxItems") or prop.get("maxProperties") or DEFAULT_ROWS)


def _tree(form: MultiDict[str, str]) -> list[Path]:
    return [p for p in (_path_of(k) for k in form if k not in IGNORED) if p is not None]


def _rows_posted(paths: list[Path], at: Path, form: MultiDict[str, str]) -> int:
    """One more than the highest row under ``at`` with any text entered (0 when none)."""
    n = len(at)
    filled = [p[n] for p in paths if p[:n] == at and len(p) > n and isinstance(p[n], int)
              and any(v.strip() for v in form.getlist(name_of(p)))]
    return max((int(i) + 1 for i in filled), default=0)


def fields_of(schema: dict[str, Any],
              form: MultiDict[str, str] | None = None) -> tuple[list[Field], list[str]]:
    """The renderable fields of a form (rows for the posted data, a few blank ones, one more where ``_add``
    asks), and the names of those it cannot render."""
    form = form if form is not None else MultiDict()
    paths = _tree(form)
    skipped: list[str] = []
    out = _fields(schema, (), form, paths, skipped)
    return out, skipped


def _fields(schema: dict[str, Any], at: Path, form: MultiDict[str, str], paths: list[Path],
            skipped: list[str]) -> list[Field]:
    required = set(schema.get("required", ()))
    out = []
    for name, prop in schema.get("properties", {}).items():
        made = _field(prop, (*at, name), name in required, name, form, paths, skipped)
        if made is not None:
            out.append(made)
    return out


def _field(prop: dict[str, Any], path: Path, required: bool, fallback: str, form: MultiDict[str, str],
           paths: list[Path], skipped: list[str]) -> Field | None:
    kind = _kind(prop)
    label, help_text, name = prop.get("title", fallback), prop.get("description", ""), name_of(path)
    if kind is None:
        skipped.append(name)
        return None
    if kind == "leaf":
        labels = prop.get("x-labels", {})
        options = [(str(v), str(labels.get(v, v))) for v in prop.get("enum", ())]
        return Field(name, label, _widget(prop) or "text", required, options, help_text, prop.get("maxLength"))
    if kind in ("lines", "checks"):
        items = prop["items"]
        labels = items.get("x-labels", {})
        options = [(str(v), str(labels.get(v, v))) for v in items.get("enum", ())]
        return Field(name, label, kind, required, options, help_text or ("每行一项" if kind == "lines" else ""))
    if kind == "object":
        return Field(name, label, "fieldset", required, help=help_text,
                     children=_fields(prop, path, form, paths, skipped))
    limit = _limit(prop)
    count = _rows_posted(paths, path, form) + BLANK_ROWS + (1 if form.get(ADD) == name else 0)
    count = min(count, limit)
    rows = []
    for i in range(count):
        rows.append(_row(prop, kind, (*path, i), f"{label} 第{i + 1}行", form, paths, skipped))
    return Field(name, label, "rows", required, help=help_text, children=rows, can_add=count < limit)


def _row(prop: dict[str, Any], kind: str, path: Path, label: str, form: MultiDict[str, str], paths: list[Path],
         skipped: list[str]) -> Field:
    value = _row_schema(prop)
    children: list[Field] = []
    if kind == "map":
        key_title = prop.get("x-key-title") or "编号"
        children.append(Field(name_of((*path, KEY)), key_title, "text", True))
        if _kind(value) != "object":
            made = _field(value, (*path, VALUE), True, "值", form, paths, skipped)
            children.extend([made] if made else [])
            return Field(name_of(path), label, "row", False, children=children)
    children.extend(_fields(value, path, form, paths, skipped))
    return Field(name_of(path), label, "row", False, children=children)


class _Missing:
    pass


MISSING = _Missing()


def data_of(schema: dict[str, Any], form: MultiDict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """Typed task data from the posted form (empty fields, blank rows and blank optional objects left out), and
    the fields whose text cannot be data, keyed by their HTML name ("" for the whole form)."""
    data, bad, _ = _parse(schema, form)
    return data, bad


def _parse(schema: dict[str, Any], form: MultiDict[str, str]) -> tuple[dict[str, Any], dict[str, str],
                                                                         dict[str, str]]:
    keys = [k for k in form if k not in IGNORED]
    if sum(1 for k, _ in form.items(multi=True) if k not in IGNORED) > MAX_FIELDS:
        return {}, {"": f"表单字段过多（最多{MAX_FIELDS}个）"}, {}
    paths = []
    for key in keys:
        path = _path_of(key)
        if path is None:
            if "[" in key or "]" in key or "." in key:
                return {}, {"": "表单字段名不正确"}, {}
            continue
        if len(path) > MAX_DEPTH:
            return {}, {"": f"表单嵌套过深（最多{MAX_DEPTH}层）"}, {}
        paths.append(path)
    bad: dict[str, str] = {}
    rows: dict[str, str] = {}
    too_many = _check_rows(schema, (), paths, bad)
    if too_many:
        return {}, bad, {}
    value = _object(schema, (), (), form, paths, bad, rows)
    return (value if isinstance(value, dict) else {}), bad, rows


def _check_rows(schema: dict[str, Any], at: Path, paths: list[Path], bad: dict[str, str]) -> bool:
    """Refuse a row index at or beyond a rows field's limit, or under a field without rows (before any data is
    built)."""
    found = False
    for name, prop in schema.get("properties", {}).items():
        path = (*at, name)
        kind = _kind(prop)
        if kind not in ("rows", "map") and any(len(p) > len(path) and p[:len(path)] == path
                                               and isinstance(p[len(path)], int) for p in paths):
            bad[""] = "表单字段名不正确"  # a row index under what has no rows
            found = True
        elif kind == "object":
            found = _check_rows(prop, path, paths, bad) or found
        elif kind in ("rows", "map"):
            limit, m = _limit(prop), len(path)
            indices = {p[m] for p in paths if len(p) > m and p[:m] == path}
            if any(not isinstance(i, int) or i >= limit for i in indices):
                bad[name_of(path)] = f"{prop.get('title', name)}最多{limit}行"
                found = True
                continue
            value = _row_schema(prop)
            if _kind(value) == "object":
                for i in indices:
                    found = _check_rows(value, (*path, i), paths, bad) or found
    return found


def _object(schema: dict[str, Any], at: Path, data_at: tuple[str, ...], form: MultiDict[str, str],
            paths: list[Path], bad: dict[str, str], rows: dict[str, str]) -> Any:
    out: dict[str, Any] = {}
    for name, prop in schema.get("properties", {}).items():
        value = _value(prop, (*at, name), (*data_at, name), form, paths, bad, rows)
        if value is not MISSING:
            out[name] = value
    return out if out else MISSING


def _value(prop: dict[str, Any], at: Path, data_at: tuple[str, ...], form: MultiDict[str, str],
           paths: list[Path], bad: dict[str, str], rows: dict[str, str]) -> Any:
    kind, name = _kind(prop), name_of(at)
    if kind == "leaf":
        return _leaf(prop, form.get(name, "").strip(), name, bad)
    if kind == "checks":
        chosen = [v for v in form.getlist(name) if v.strip()]
        return chosen if chosen else MISSING
    if kind == "lines":
        return _lines(prop, form.get(name, ""), name, bad)
    if kind == "object":
        return _object(prop, at, data_at, form, paths, bad, rows)
    if kind not in ("rows", "map"):
        return MISSING
    value_schema = _row_schema(prop)
    m = len(at)
    indices = sorted({int(p[m]) for p in paths if len(p) > m and p[:m] == at and isinstance(p[m], int)})
    items: list[Any] = []
    mapped: dict[str, Any] = {}
    for i in indices:
        row = (*at, i)
        if kind == "rows":
            got = _object(value_schema, row, (*data_at, str(len(items))), form, paths, bad, rows)
            if got is not MISSING:
                rows[".".join((*data_at, str(len(items))))] = name_of(row)
                items.append(got)
            continue
        key = form.get(name_of((*row, KEY)), "").strip()
        if _kind(value_schema) == "object":
            got = _object(value_schema, row, (*data_at, key), form, paths, bad, rows)
        else:
            got = _value(value_schema, (*row, VALUE), (*data_at, key), form, paths, bad, rows)
        if got is MISSING and not key:
            continue
        if not key:
            bad[name_of((*row, KEY))] = "请填写编号"
        elif key in mapped:
            bad[name_of((*row, KEY))] = "编号重复"
        else:
            rows[".".join((*data_at, key))] = name_of(row)
            mapped[key] = {} if got is MISSING else got
    if kind == "rows":
        return items if items else MISSING
    return mapped if mapped else MISSING


def _leaf(prop: dict[str, Any], raw: str, name: str, bad: dict[str, str]) -> Any:
    widget = _widget(prop)
    if raw == "":
        return MISSING
    if widget == "confirm":
        return raw == "on"
    if widget == "boolean":
        return raw == "true"
    if widget == "number":
        number, problem = _number(raw, prop.get("type") == "integer")
        if problem:
            bad[name] = problem
            return MISSING
        return number
    return raw


def _lines(prop: dict[str, Any], text: str, name: str, bad: dict[str, str]) -> Any:
    entered = [line.strip() for line in text.splitlines() if line.strip()]
    limit = int(prop.get("maxItems") or DEFAULT_ROWS * 10)
    if len(entered) > limit:
        bad[name] = f"{prop.get('title', name)}最多{limit}项"
        return MISSING
    if _widget(prop["items"]) != "number":
        return entered if entered else MISSING
    out = []
    for n, line in enumerate(entered, 1):
        number, problem = _number(line, prop["items"].get("type") == "integer")
        if problem:
            bad[name] = f"第{n}行：{problem}"
            return MISSING
        out.append(number)
    return out if out else MISSING


def _number(raw: str, integer: bool) -> tuple[int | float | None, str]:
    wrong = "请输入整数" if integer else "请输入数字"
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return None, wrong
    if not value.is_finite():
        return None, wrong
    if value == value.to_integral_value():
        if abs(value) > INT64:
            return None, "数值超出范围"
        return int(value), ""
    if integer:
        return None, wrong
    number = float(value)
    if number in (float("inf"), float("-inf")):
        return None, "数值超出范围"
    return number, ""


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
    "minItems": "{label}至少{limit}项",
    "maxItems": "{label}最多{limit}项",
    "uniqueItems": "{label}不能重复",
    "minProperties": "{label}至少{limit}项",
    "maxProperties": "{label}最多{limit}项",
    "additionalProperties": "表单含有未定义的字段",
}


def messages_of(schema: dict[str, Any], errors: list[FieldError],
                form: MultiDict[str, str] | None = None) -> dict[str, str]:
    """One Chinese message per field (the first violation), keyed by the field's HTML name; "" is the whole form.
    ``form`` (the posted form) places errors inside rows at the row they were entered in."""
    rows = _parse(schema, form)[2] if form is not None else {}
    out: dict[str, str] = {}
    for error in errors:
        name, node = _locate(schema, error.field.split(".") if error.field else [], rows)
        label = node.get("title") or (error.field.rsplit(".", 1)[-1] if error.field else "")
        text = MESSAGES.get(error.keyword, "{label}填写不正确").format(label=label, limit=error.limit)
        if error.keyword == "additionalProperties" and not name:
            text = MESSAGES["additionalProperties"]
        out.setdefault(name, text)
    return out


def _locate(schema: dict[str, Any], parts: list[str], rows: dict[str, str]) -> tuple[str, dict[str, Any]]:
    """The HTML name of the deepest rendered field on a data path, and its schema."""
    node, name, walked = schema, "", list[str]()
    for part in parts:
        kind = "object" if node is schema else _kind(node)
        if kind == "object":
            prop = node.get("properties", {}).get(part)
            if prop is None:
                break
            node, name = prop, f"{name}.{part}" if name else part
        elif kind in ("rows", "map"):
            row = rows.get(".".join([*walked, part]))
            if row is None:
                break
            value = _row_schema(node)
            if kind == "map" and _kind(value) != "object":
                node, name = value, f"{row}.{VALUE}"
            else:
                node, name = value, row
        else:
            break
        walked.append(part)
    return name, (node if name else {})
