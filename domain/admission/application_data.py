"""An application as plain data (form and task data: ISO dates, amounts as strings, English keys) and back.

A value that cannot be read is a finding under the rule of its field, and the field stays empty, so that a draft can
always be saved and the hospital sees every problem at once. An unknown field is a shape error (InvalidInput).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import fields
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, TypeVar

from domain.admission.application import (
    FIELD_LABELS,
    REQUIRED_FIELDS,
    ApplicationFacts,
    ServiceItem,
    check_draft,
    precheck,
)
from domain.admission.categories import CertificateKind, DocumentKind, ProcurementStatus, UseCategory
from domain.admission.findings import Finding
from domain.errors import InvalidInput

E = TypeVar("E", bound=StrEnum)
FIELD_RULES = {**REQUIRED_FIELDS, "certificate_expires_on": "CA-2", "certificate_revoked": "CX-3",
               "service_items": "CA-5", "documents": "DA-2"}


class _Unreadable(ValueError):
    """A value of the wrong type or form; the message says what was expected (English)."""


def _text(value: object) -> str | None:
    if not isinstance(value, str):
        raise _Unreadable("must be text")
    return value.strip() or None


def _date(value: object) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise _Unreadable("must be a date YYYY-MM-DD")


def _amount(value: object) -> Decimal:
    if isinstance(value, Decimal | int | str) and not isinstance(value, bool):
        try:
            return Decimal(value)
        except InvalidOperation:
            pass
    raise _Unreadable("must be an amount in yuan, written as a string such as \"1234.50\"")


def _flag(value: object) -> bool:
    if isinstance(value, bool):
        return value
    raise _Unreadable("must be true or false")


def _member(kind: type[E]) -> Callable[[object], E]:
    def read(value: object) -> E:
        try:
            if isinstance(value, str):
                return kind(value)
        except ValueError:
            pass
        raise _Unreadable(f"must be one of {', '.join(m.value for m in kind)}")
    return read


def _service_items(value: object) -> tuple[ServiceItem, ...]:
    if not isinstance(value, list | tuple) or not all(isinstance(v, Mapping) for v in value):
        raise _Unreadable("must be a list of {code, name}")
    items = []
    for item in value:
        code, name = item.get("code"), item.get("name")
        if not isinstance(code, str) or not isinstance(name, str) or set(item) - {"code", "name"}:
            raise _Unreadable("each item is {code, name} with text values")
        items.append(ServiceItem(code.strip(), name.strip()))
    return tuple(items)


def _documents(value: object) -> frozenset[DocumentKind]:
    if not isinstance(value, list | tuple):
        raise _Unreadable("must be a list of document kinds")
    return frozenset(_member(DocumentKind)(v) for v in value)


READERS: dict[str, Callable[[object], Any]] = {
    "code": _text, "product_name": _text, "manufacturer": _text, "specification": _text,
    "certificate_number": _text, "certificate_kind": _member(CertificateKind), "certificate_issued_on": _date,
    "certificate_expires_on": _date, "certificate_revoked": _flag, "use_category": _member(UseCategory),
    "separately_chargeable": _flag, "service_items": _service_items, "price": _amount,
    "online_procurement": _member(ProcurementStatus), "economic_evaluation": _text, "annual_fund_impact": _amount,
    "documents": _documents,
}


def application_from_data(data: Mapping[str, object]) -> tuple[ApplicationFacts, list[Finding]]:
    """Read plain data into facts; each unreadable value becomes a finding naming its rule and field."""
    unknown = sorted(set(data) - set(READERS))
    if unknown:
        raise InvalidInput(f"unknown application fields: {', '.join(unknown)}", field=unknown[0])
    values: dict[str, Any] = {}
    found = []
    for name, value in data.items():
        if value is None:
            continue
        try:
            values[name] = READERS[name](value)
        except _Unreadable as exc:
            label = FIELD_LABELS.get(name, name)
            found.append(Finding(FIELD_RULES[name], name, f"{label}填写有误", f"{name} {exc}"))
    return ApplicationFacts(**{k: v for k, v in values.items() if v is not None}), found


def _plain(value: object) -> object:
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, frozenset):
        return sorted(str(_plain(v)) for v in value)
    if isinstance(value, tuple):
        return [{"code": v.code, "name": v.name} for v in value]
    return value


def application_to_data(facts: ApplicationFacts) -> dict[str, object]:
    """The facts as plain data that ``application_from_data`` reads back unchanged; empty fields are left out."""
    return {f.name: _plain(getattr(facts, f.name)) for f in fields(facts) if getattr(facts, f.name) is not None}


def check_draft_data(data: Mapping[str, object]) -> list[Finding]:
    """Format findings of a draft given as plain data: unreadable values, then ``check_draft``."""
    facts, found = application_from_data(data)
    return [*found, *check_draft(facts)]


def precheck_data(data: Mapping[str, object], on_date: date) -> list[Finding]:
    """The full pre-check of an application given as plain data; an unreadable field is not also called missing."""
    facts, found = application_from_data(data)
    unreadable = {f.field for f in found}
    return [*found, *(f for f in precheck(facts, on_date) if re.split(r"[.\[]", f.field)[0] not in unreadable)]
