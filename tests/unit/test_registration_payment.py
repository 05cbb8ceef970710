"""The payment configuration (ND-15): deductible and fund ratio per insurance type and hospital level; no database."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.errors import InvalidInput, PolicyViolation
from domain.registration.demo_payment import DEMO_PAYMENT_RULES, demo_payment_config
from domain.registration.payment import PaymentConfig, PaymentRule, money, payment_config, ratio

TIER3_ONLY: dict[str, dict[str, dict[str, object]]] = {
    "employee": {"3": {"deductible": "500.00", "fund_ratio": "0.75"}},
    "resident": {"3": {"deductible": "800", "fund_ratio": "0.6"}},
}


def test_nd15_rules_are_keyed_by_insurance_type_and_hospital_tier() -> None:
    config = demo_payment_config()
    assert config.rule_for("employee", 3) == PaymentRule(Decimal("500.00"), Decimal("0.75"))
    assert config.rule_for("resident", 2) == PaymentRule(Decimal("500.00"), Decimal("0.65"))
    assert config.rule_for("employee", 3) != config.rule_for("resident", 3)


def test_nd15_configuration_round_trips_through_plain_text() -> None:
    config = payment_config(TIER3_ONLY)
    assert config.to_plain() == {"employee": {"3": {"deductible": "500.00", "fund_ratio": "0.75"}},
                                 "resident": {"3": {"deductible": "800.00", "fund_ratio": "0.6"}}}
    assert payment_config(config.to_plain()) == config
    assert payment_config(demo_payment_config().to_plain()).to_plain() == payment_config(DEMO_PAYMENT_RULES).to_plain()


@pytest.mark.parametrize(("insurance_type", "tier"), [("employee", 2), ("resident", 1), ("employee", None),
                                                      ("commercial", 3)])
def test_nd15_a_level_without_a_rule_cannot_be_settled(insurance_type: str, tier: int | None) -> None:
    with pytest.raises(PolicyViolation) as exc:
        payment_config(TIER3_ONLY).rule_for(insurance_type, tier)
    assert (exc.value.rule, exc.value.field) == ("ND-15", "payment_config")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"fund_ratio": "1.5"}, "rules.employee.3.fund_ratio"),
        ({"fund_ratio": "-0.1"}, "rules.employee.3.fund_ratio"),
        ({"fund_ratio": "NaN"}, "rules.employee.3.fund_ratio"),
        ({"fund_ratio": "Infinity"}, "rules.employee.3.fund_ratio"),
        ({"fund_ratio": 0.75}, "rules.employee.3.fund_ratio"),  # a float is refused
        ({"fund_ratio": "0.12345"}, "rules.employee.3.fund_ratio"),
        ({"fund_ratio": "七成"}, "rules.employee.3.fund_ratio"),
        ({"deductible": "-1"}, "rules.employee.3.deductible"),
        ({"deductible": "1.005"}, "rules.employee.3.deductible"),
        ({"deductible": True}, "rules.employee.3.deductible"),
        ({"deductible": "sNaN"}, "rules.employee.3.deductible"),
        ({"ceiling": "1"}, "rules.employee.3"),
    ],
)
def test_nd15_malformed_deductible_or_ratio_is_refused_by_its_path(change: dict[str, object], field: str) -> None:
    plain: dict[str, dict[str, dict[str, object]]] = {
        **TIER3_ONLY, "employee": {"3": {**TIER3_ONLY["employee"]["3"], **change}}}
    with pytest.raises(InvalidInput) as exc:
        payment_config(plain)
    assert (exc.value.rule, exc.value.field) == ("ND-15", field)


@pytest.mark.parametrize(
    "plain",
    [
        {**TIER3_ONLY, "commercial": {"3": {"deductible": "0", "fund_ratio": "0.5"}}},
        {**TIER3_ONLY, "employee": {**TIER3_ONLY["employee"], "4": {"deductible": "0", "fund_ratio": "0.5"}}},
        {**TIER3_ONLY, "employee": {**TIER3_ONLY["employee"], "x": {"deductible": "0", "fund_ratio": "0.5"}}},
        {"employee": TIER3_ONLY["employee"]},  # no resident rule at tier 3, where registrations are made (ND-3)
    ],
)
def test_nd15_configuration_covers_both_insurance_types_at_tier3_and_nothing_unknown(
    plain: dict[str, dict[str, dict[str, object]]]
) -> None:
    with pytest.raises(InvalidInput) as exc:
        payment_config(plain)
    assert exc.value.rule == "ND-15"


@pytest.mark.parametrize("value", ["0", "1", "0.5", "0.7525", Decimal("1.0000")])
def test_nd15_ratios_from_zero_to_one_are_accepted(value: object) -> None:
    assert 0 <= ratio(value, "fund_ratio") <= 1


def test_nd15_rule_amounts_are_kept_to_the_fen() -> None:
    assert PaymentRule(Decimal("500"), Decimal("0.75")).deductible == Decimal("500.00")
    assert str(PaymentRule(Decimal("500"), Decimal("0.75")).deductible) == "500.00"


def test_nd15_a_rule_is_checked_when_made() -> None:
    with pytest.raises(InvalidInput):
        PaymentRule(Decimal("500"), Decimal("1.01"))
    with pytest.raises(InvalidInput):
        PaymentConfig({("employee", 3): PaymentRule(Decimal("0"), Decimal("1"))})  # resident missing


@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("-Infinity"), 1.5, None, "1,000", Decimal("1E+11")])
def test_money_refuses_non_finite_float_and_out_of_range_values(value: object) -> None:
    with pytest.raises(InvalidInput) as exc:
        money(value, "amount")
    assert exc.value.field == "amount"


def test_money_accepts_whole_yuan_and_fen() -> None:
    assert money(12, "amount") == Decimal("12.00")
    assert money("0.01", "amount", positive=True) == Decimal("0.01")
    with pytest.raises(InvalidInput):
        money("0", "amount", positive=True)
