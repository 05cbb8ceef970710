"""A round's human steps as plain data (form and task data: amounts as strings, English keys) and back.

The expert's review (DA-5), the bureau's decision per candidate (CM-2, DA-5, DA-9) with a new entry's names (CM-1),
and the entries proposed for retirement (DA-5). A value of the wrong type is an ``InvalidInput`` naming its field;
policy is checked by ``experts``, ``decisions`` and ``publication``.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from domain.admission.categories import PaymentCategory
from domain.admission.decisions import EntryDecision, Retirement
from domain.admission.experts import ExpertReview
from domain.admission.publication import EntryNames
from domain.errors import InvalidInput

NAME_FIELDS = ("primary_class", "secondary_class", "tertiary_class", "common_name", "material", "characteristics")
MAX_TEXT = 4000
MAX_NAME = 100


def _mapping(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise InvalidInput(f"{where} must be an object", field=where)
    return value


def _text(value: object, where: str, limit: int = MAX_TEXT) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > limit:
        raise InvalidInput(f"{where} must be text of at most {limit} characters", field=where)
    return value.strip()


def _category(value: object, where: str) -> PaymentCategory | None:
    if value is None:
        return None
    try:
        return PaymentCategory(value) if isinstance(value, str) else None
    except ValueError:
        pass
    raise InvalidInput(f"{where} must be 甲 or 乙", field=where, rule="CM-2")


def _amount(value: object, where: str) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, str | int) and not isinstance(value, bool):
        try:
            amount = Decimal(value)
        except InvalidOperation:
            pass
        else:
            if amount.is_finite():
                return amount
    raise InvalidInput(f"{where} must be an amount in yuan written as a string, such as \"1234.50\"", field=where)


def _flag(value: object, where: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidInput(f"{where} must be true or false", field=where)
    return value


def review_from_data(data: object, where: str = "review") -> ExpertReview:
    """An expert's review from its form data."""
    review = _mapping(data, where)
    return ExpertReview(
        include=_flag(review.get("include"), f"{where}.include"),
        category=_category(review.get("category"), f"{where}.category"),
        max_payment_standard=_amount(review.get("max_payment_standard"), f"{where}.max_payment_standard"),
        restricted_scope=_text(review.get("restricted_scope"), f"{where}.restricted_scope"),
        reasoning=_text(review.get("reasoning"), f"{where}.reasoning"),
    )


def names_from_data(data: object, where: str) -> EntryNames | None:
    """A new entry's classification names (CM-1), or None when none were given."""
    if data is None:
        return None
    names = _mapping(data, where)
    values = {n: _text(names.get(n), f"{where}.{n}", MAX_NAME) for n in NAME_FIELDS}
    return EntryNames(**values)


def decision_from_data(entry_code: str, data: object, where: str) -> tuple[EntryDecision, EntryNames | None]:
    """The bureau's decision on one candidate and, for a new entry, its names."""
    decision = _mapping(data, where)
    return EntryDecision(
        entry_code=entry_code,
        include=_flag(decision.get("include"), f"{where}.include"),
        category=_category(decision.get("category"), f"{where}.category"),
        max_payment_standard=_amount(decision.get("max_payment_standard"), f"{where}.max_payment_standard"),
        restricted_scope=_text(decision.get("restricted_scope"), f"{where}.restricted_scope"),
        reason=_text(decision.get("reason"), f"{where}.reason"),
    ), names_from_data(decision.get("names"), f"{where}.names")


def retirements_from_data(data: object) -> tuple[Retirement, ...]:
    """The entries the bureau proposes to retire (DA-5), each with its reason."""
    if data is None:
        return ()
    if not isinstance(data, list):
        raise InvalidInput("retirements must be a list of {entry_code, reason}", field="retirements")
    found = []
    for index, item in enumerate(data):
        where = f"retirements[{index}]"
        value = _mapping(item, where)
        code = value.get("entry_code")
        if not isinstance(code, str):
            raise InvalidInput(f"{where}.entry_code must be a 15-character entry code", field=f"{where}.entry_code")
        found.append(Retirement(code, _text(value.get("reason"), f"{where}.reason")))
    return tuple(found)


def decision_to_data(decision: EntryDecision) -> dict[str, object]:
    """A decision as plain data (amounts as strings), for API bodies."""
    return {"include": decision.include, "category": decision.category.value if decision.category else None,
            "max_payment_standard": str(decision.max_payment_standard)
            if decision.max_payment_standard is not None else None,
            "restricted_scope": decision.restricted_scope, "reason": decision.reason}
