"""Payment configuration (ND-15): the deductible (起付标准) and fund ratio (支付比例) per insurance type and hospital
level, and the checks of the money values the settlement reads. Values the bureau maintains, never constants.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from domain.errors import InvalidInput, PolicyViolation
from domain.identity import HOSPITAL_TIERS
from domain.reference_data import MAX_AMOUNT
from domain.registration.facts import INSURANCE_TYPES

FEN = Decimal("0.01")
ZERO = Decimal("0.00")
RATIO_PLACES = 4  # 0.7525 is a ratio; 0.75255 is not


def _decimal(value: object, field: str, rule: str | None) -> Decimal:
    """A finite Decimal from a Decimal, an int or a numeric string; floats, booleans and NaN are refused."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise InvalidInput(f"{field} must be a decimal number (a string or Decimal, not a float)", field=field,
                           rule=rule)
    try:
        number = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        raise InvalidInput(f"{field} must be a decimal number, got '{value}'", field=field, rule=rule) from None
    if not number.is_finite():
        raise InvalidInput(f"{field} must be a finite number, got '{value}'", field=field, rule=rule)
    return number


def _places(number: Decimal) -> int:
    exponent = number.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def money(value: object, field: str, *, positive: bool = False, rule: str | None = None) -> Decimal:
    """An amount in yuan: finite, at most two decimals (fen), 0 (or above, if ``positive``) up to MAX_AMOUNT."""
    number = _decimal(value, field, rule)
    if _places(number) > 2:
        raise InvalidInput(f"{field} must be in yuan with at most two decimals, got '{value}'", field=field,
                           rule=rule)
    if number < 0 or (positive and number == 0) or number > MAX_AMOUNT:
        raise InvalidInput(f"{field} must be {'more than' if positive else 'at least'} 0 and at most {MAX_AMOUNT}, "
                           f"got '{value}'", field=field, rule=rule)
    return number.quantize(FEN)


def ratio(value: object, field: str, *, rule: str | None = None) -> Decimal:
    """A share: finite, between 0 and 1 inclusive, at most four decimals."""
    number = _decimal(value, field, rule)
    if not 0 <= number <= 1 or _places(number) > RATIO_PLACES:
        raise InvalidInput(f"{field} must be between 0 and 1 with at most {RATIO_PLACES} decimals, got '{value}'",
                           field=field, rule=rule)
    return number


@dataclass(frozen=True)
class PaymentRule:
    """起付标准 (yuan per benefit year) and 支付比例 (the fund's share above it) of one insurance type and level."""

    deductible: Decimal
    fund_ratio: Decimal

    def __post_init__(self) -> None:
        object.__setattr__(self, "deductible", money(self.deductible, "deductible", rule="ND-15"))
        object.__setattr__(self, "fund_ratio", ratio(self.fund_ratio, "fund_ratio", rule="ND-15"))


@dataclass(frozen=True)
class PaymentConfig:
    """The payment rules per (insurance type, hospital tier) in force (ND-15); versioned by storage."""

    rules: Mapping[tuple[str, int], PaymentRule]

    def __post_init__(self) -> None:
        for insurance_type, tier in self.rules:
            if insurance_type not in INSURANCE_TYPES or tier not in HOSPITAL_TIERS:
                raise InvalidInput(f"no insurance type '{insurance_type}' at tier {tier}: types are "
                                   f"{', '.join(INSURANCE_TYPES)}, tiers 1–3", field="rules", rule="ND-15")
        for insurance_type in INSURANCE_TYPES:
            if (insurance_type, 3) not in self.rules:  # registrations are made at tier-3 hospitals only (ND-3)
                raise InvalidInput(f"a rule for {insurance_type} at tier 3 is needed", field="rules", rule="ND-15")

    def rule_for(self, insurance_type: str, prescribing_tier: int | None) -> PaymentRule:
        """The rule of the prescribing hospital's level, wherever the drug is dispensed (ND-13, ND-15)."""
        rule = self.rules.get((insurance_type, prescribing_tier or 0))
        if rule is None:
            raise no_rule(insurance_type, prescribing_tier)
        return rule

    def to_plain(self) -> dict[str, dict[str, dict[str, str]]]:
        """The configuration as JSON-ready text: {type: {tier: {deductible, fund_ratio}}}."""
        plain: dict[str, dict[str, dict[str, str]]] = {}
        for (insurance_type, tier), rule in sorted(self.rules.items()):
            plain.setdefault(insurance_type, {})[str(tier)] = {
                "deductible": str(rule.deductible), "fund_ratio": str(rule.fund_ratio)}
        return plain


def payment_config(plain: Mapping[str, Mapping[str, Mapping[str, object]]]) -> PaymentConfig:
    """Read a configuration from {type: {tier: {"deductible": "500.00", "fund_ratio": "0.75"}}}, naming bad fields."""
    rules: dict[tuple[str, int], PaymentRule] = {}
    for insurance_type, tiers in plain.items():
        for tier, values in tiers.items():
            where = f"rules.{insurance_type}.{tier}"
            if not str(tier).isdigit():
                raise InvalidInput(f"{where}: the tier must be 1, 2 or 3", field=where, rule="ND-15")
            unknown = set(values) - {"deductible", "fund_ratio"}
            if unknown or len(values) != 2:
                raise InvalidInput(f"{where}: give exactly deductible and fund_ratio", field=where, rule="ND-15")
            rules[insurance_type, int(tier)] = PaymentRule(
                money(values["deductible"], f"{where}.deductible", rule="ND-15"),
                ratio(values["fund_ratio"], f"{where}.fund_ratio", rule="ND-15"),
            )
    return PaymentConfig(rules)


def no_configuration() -> PolicyViolation:
    """The refusal of a settlement before the bureau published any payment configuration (ND-15)."""
    return PolicyViolation("no payment configuration is published: the bureau publishes one (ND-15)", rule="ND-15",
                           field="payment_config", code="payment_config_missing")


def no_rule(insurance_type: str, prescribing_tier: int | None) -> PolicyViolation:
    """The refusal when the configuration in force has no rule for the type at the prescribing hospital's tier."""
    return PolicyViolation(f"no payment rule for {insurance_type} at tier {prescribing_tier} (ND-15)", rule="ND-15",
                           field="payment_config")


def configured_rule(version: int | None, insurance_type: str, prescribing_tier: int | None,
                    deductible: Decimal | None, fund_ratio: Decimal | None) -> PaymentRule:
    """The rule of the configuration in force read as one row (the settlement's hot path), refused as
    :meth:`PaymentConfig.rule_for` refuses (ND-13, ND-15)."""
    if version is None:
        raise no_configuration()
    if deductible is None or fund_ratio is None:
        raise no_rule(insurance_type, prescribing_tier)
    return PaymentRule(deductible, fund_ratio)
