"""The application form of the admission pages: its fields with Chinese labels, posted text back to the facts
``create_application`` takes, and the shape checks the API's schema makes (FactsIn), with Chinese messages.

Shape only (lengths, dates, amounts, choices, no NUL); the policy's findings come from the use cases.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from werkzeug.datastructures import MultiDict

from domain.admission.application import FIELD_LABELS
from domain.admission.categories import CertificateKind, DocumentKind, ProcurementStatus, UseCategory

MONEY = re.compile(r"^(0|[1-9][0-9]{0,9})(\.[0-9]{1,2})?$")
SIGNED_MONEY = re.compile(r"^-?(0|[1-9][0-9]{0,9})(\.[0-9]{1,2})?$")
MAX_SERVICE_ITEMS = 50
SERVICE_CODE_MAX, SERVICE_NAME_MAX = 40, 200


@dataclass(frozen=True)
class FactField:
    name: str
    widget: str  # text, textarea, select, date, boolean, money, signed_money
    max_length: int = 0
    options: list[tuple[str, str]] = field(default_factory=list)
    help: str = ""

    @property
    def label(self) -> str:
        return FIELD_LABELS.get(self.name, self.name)


def _options(enum: Any) -> list[tuple[str, str]]:
    return [(m.value, m.label) for m in enum]


FIELDS = [
    FactField("code", "text", 27, help="27位，前15位为目录品种编码"),
    FactField("product_name", "text", 200), FactField("manufacturer", "text", 200),
    FactField("specification", "text", 500),
    FactField("certificate_kind", "select", options=_options(CertificateKind)),
    FactField("certificate_number", "text", 40, help="例如 国械注准20153460123 或 国械备20150001号"),
    FactField("certificate_issued_on", "date"), FactField("certificate_expires_on", "date", help="备案可不填"),
    FactField("certificate_revoked", "boolean", help="是否已被撤销、注销或吊销"),
    FactField("use_category", "select", options=_options(UseCategory)),
    FactField("separately_chargeable", "boolean", help="是否可单独收费"),
    FactField("price", "money", 14, help="元，最多两位小数"),
    FactField("online_procurement", "select", options=_options(ProcurementStatus)),
    FactField("economic_evaluation", "textarea", 4000),
    FactField("annual_fund_impact", "signed_money", 14, help="元/年，节约基金时为负数"),
]
BY_NAME = {f.name: f for f in FIELDS}
DOCUMENT_KINDS = _options(DocumentKind)


def _clean(text: str) -> str | None:
    """A Chinese message when the text cannot be stored (NUL, lone surrogates), else None."""
    if "\x00" in text:
        return "不能包含空字符（NUL）"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "含有无法识别的字符"
    return None


def _one(f: FactField, raw: str) -> tuple[Any, str | None]:
    """The value of one posted field (None when empty) and a Chinese message when it is malformed."""
    bad = _clean(raw)
    if bad:
        return None, f"{f.label}{bad}"
    if raw == "":
        return None, None
    if f.max_length and len(raw) > f.max_length:
        return None, f"{f.label}最多{f.max_length}个字符"
    if f.widget == "select" and raw not in {v for v, _ in f.options}:
        return None, f"请选择{f.label}"
    if f.widget == "boolean":
        return (raw == "true", None) if raw in ("true", "false") else (None, f"请选择{f.label}")
    if f.widget == "date":
        try:
            return date.fromisoformat(raw).isoformat(), None
        except ValueError:
            return None, f"{f.label}应为日期，格式 YYYY-MM-DD"
    if f.widget in ("money", "signed_money"):
        pattern = SIGNED_MONEY if f.widget == "signed_money" else MONEY
        return (raw, None) if pattern.fullmatch(raw) else (None, f"{f.label}应为金额（元），最多两位小数")
    return raw, None


def _service_items(form: MultiDict[str, str], errors: dict[str, str]) -> list[dict[str, str]]:
    items = []
    for index in range(MAX_SERVICE_ITEMS + 1):
        code = form.get(f"service_items-{index}-code", "").strip()
        name = form.get(f"service_items-{index}-name", "").strip()
        if not code and not name:
            continue
        if index == MAX_SERVICE_ITEMS:
            errors["service_items"] = f"最多填写{MAX_SERVICE_ITEMS}个医疗服务项目"
            break
        bad = _clean(code + name)
        if bad or len(code) > SERVICE_CODE_MAX or len(name) > SERVICE_NAME_MAX:
            errors["service_items"] = (f"医疗服务项目{bad}" if bad else
                                       f"医疗服务项目编码最多{SERVICE_CODE_MAX}个字符，名称最多{SERVICE_NAME_MAX}个字符")
            continue
        items.append({"code": code, "name": name})
    return items


def facts_of(form: MultiDict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The facts posted in the application form (empty fields left out), and Chinese messages by field."""
    facts: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for f in FIELDS:
        value, message = _one(f, form.get(f.name, "").strip())
        if message:
            errors[f.name] = message
        elif value is not None:
            facts[f.name] = value
    items = _service_items(form, errors)
    if items:
        facts["service_items"] = items
    return facts, errors


def values_of(facts: dict[str, Any]) -> dict[str, str]:
    """Recorded facts as the form's text values (booleans as true/false)."""
    out: dict[str, str] = {}
    for name, value in facts.items():
        if isinstance(value, bool):
            out[name] = "true" if value else "false"
        elif isinstance(value, str | int):
            out[name] = str(value)
    for index, item in enumerate(facts.get("service_items") or []):
        out[f"service_items-{index}-code"], out[f"service_items-{index}-name"] = item["code"], item["name"]
    return out


def item_rows(values: dict[str, str]) -> int:
    """How many service-item rows to show: the filled ones and two empty ones."""
    filled = [i for i in range(MAX_SERVICE_ITEMS) if values.get(f"service_items-{i}-code")
              or values.get(f"service_items-{i}-name")]
    return min(MAX_SERVICE_ITEMS, (max(filled) + 1 if filled else 0) + 2)


def base_field(name: str) -> str:
    """The form field a finding names: ``service_items[1].code`` → ``service_items``."""
    return re.split(r"[.\[]", name)[0]


def findings_by_field(findings: list[dict[str, str]]) -> dict[str, list[dict[str, str]]]:
    """Findings grouped by the form field they belong beside; "" for what names no field of the form."""
    out: dict[str, list[dict[str, str]]] = {}
    for finding in findings:
        name = base_field(finding.get("field", ""))
        key = name if name in BY_NAME or name in ("service_items", "documents") else ""
        out.setdefault(key, []).append(finding)
    return out
