"""Settlement of a dispensing: ND-11 registered hospital, physician and drug; ND-13 dual channel; ND-8/ND-7/ND-12/ND-14
status; ND-9 annual limit; ND-15 deductible and ratio of the prescribing hospital; reversal. No database."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import InvalidInput, PolicyViolation
from domain.identity import OrganizationFacts
from domain.registration.demo_payment import demo_payment_config
from domain.registration.payment import PaymentRule
from domain.registration.settlement import (
    AnnualAccount,
    Dispensing,
    PaymentSplit,
    check_dispensing,
    dispensing_violations,
    reverse,
    settle,
    split_payment,
)
from tests.unit.registration_factories import (
    COLLEAGUE,
    DRUGS,
    HOSPITAL,
    OTHER_HOSPITAL,
    PATIENT,
    PHYSICIAN,
    registration,
)

TOFACITINIB = DRUGS["托法替布"]  # annual limit 13000.00
REG = registration(last_reassessed_on=date(2026, 11, 1))  # 2026-08-31 to 2027-08-31, next due 2027-05-01
TODAY = date(2026, 12, 1)
PHARMACY = OrganizationFacts(kind="pharmacy", code="P45010300007", name="示例大药房", region_code="450103",
                             dual_channel=True)
AT_HOSPITAL = Dispensing(psn_no=PATIENT.psn_no, drug="托法替布", physician_code=PHYSICIAN.code, dispenser=HOSPITAL,
                         quantity=56, amount=Decimal("1000.00"))
AT_PHARMACY = replace(AT_HOSPITAL, dispenser=PHARMACY, designated_by=frozenset({HOSPITAL.code}))
D = Decimal


def refusals(dispensing: Dispensing, reg: object = REG, drug: object = TOFACITINIB,
             today: date = TODAY) -> list[tuple[str | None, str | None]]:
    found = dispensing_violations(reg, dispensing, drug, today)  # type: ignore[arg-type]
    return [(v.rule, v.field) for v in found]


@pytest.mark.parametrize("dispensing", [AT_HOSPITAL, AT_PHARMACY])
def test_nd11_nd13_registered_hospital_or_its_dual_channel_pharmacy_settles(dispensing: Dispensing) -> None:
    check_dispensing(REG, dispensing, TOFACITINIB, TODAY)


@pytest.mark.parametrize(
    ("dispensing", "expected"),
    [
        (replace(AT_HOSPITAL, dispenser=OTHER_HOSPITAL), ("ND-11", "dispenser")),
        (replace(AT_HOSPITAL, dispenser=replace(HOSPITAL, designated=False)), ("ND-11", "dispenser")),
        (replace(AT_HOSPITAL, physician_code=COLLEAGUE.code), ("ND-11", "physician")),  # senior, but not registered
        (replace(AT_HOSPITAL, drug="巴瑞替尼"), ("ND-11", "drug")),
        (replace(AT_HOSPITAL, psn_no="someone-else"), ("ND-11", "psn_no")),
        (replace(AT_PHARMACY, designated_by=frozenset({OTHER_HOSPITAL.code})), ("ND-13", "dispenser")),
        (replace(AT_PHARMACY, designated_by=frozenset()), ("ND-13", "dispenser")),
        (replace(AT_PHARMACY, dispenser=replace(PHARMACY, dual_channel=False)), ("ND-13", "dispenser")),
        (replace(AT_PHARMACY, dispenser=replace(PHARMACY, designated=False)), ("ND-13", "dispenser")),
        (replace(AT_HOSPITAL, dispenser=OrganizationFacts(kind="bureau", code="B1", name="医保局",
                                                          region_code="450100")), ("ND-11", "dispenser")),
    ],
)
def test_nd11_nd13_settlement_checks_the_registered_hospital_physician_and_drug(
    dispensing: Dispensing, expected: tuple[str, str]
) -> None:
    assert refusals(dispensing) == [expected]


@pytest.mark.parametrize(
    ("reg", "today", "expected"),
    [
        (registration(), date(2027, 3, 1), ("ND-8", "registration")),  # suspended: reassessment overdue
        (REG, date(2027, 8, 31), ("ND-7", "registration")),  # expired
        (registration(start=date(2027, 8, 31)), date(2027, 8, 30), ("ND-7", "registration")),  # pending
        (replace(REG, ended_on=date(2026, 11, 15), end_reason="cancelled"), TODAY, ("ND-14", "registration")),
        (replace(REG, ended_on=date(2026, 11, 15), end_reason="hospital_changed"), TODAY, ("ND-14", "registration")),
        (replace(REG, ended_on=date(2026, 11, 15), end_reason="agreement_ended"), TODAY, ("ND-12", "registration")),
    ],
)
def test_nd7_nd8_nd12_nd14_only_an_active_registration_settles(reg: object, today: date,
                                                               expected: tuple[str, str]) -> None:
    assert refusals(AT_HOSPITAL, reg, TOFACITINIB, today) == [expected]


@pytest.mark.parametrize("drug", [None, replace(TOFACITINIB, agreement_start=date(2025, 1, 1),
                                                 agreement_end=date(2026, 11, 30))])
def test_nd12_a_drug_no_longer_covered_is_not_settled_even_before_its_registrations_end(drug: object) -> None:
    assert refusals(AT_HOSPITAL, REG, drug) == [("ND-12", "drug")]


def test_every_refusal_of_a_dispensing_is_listed_and_the_first_raised() -> None:
    bad = replace(AT_PHARMACY, physician_code=COLLEAGUE.code, designated_by=frozenset())
    with pytest.raises(PolicyViolation) as exc:
        check_dispensing(registration(), bad, TOFACITINIB, date(2027, 3, 1))
    assert exc.value.rule == "ND-8"
    assert [v["rule"] for v in exc.value.extra["violations"]] == ["ND-8", "ND-11", "ND-13"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"quantity": 0}, "quantity"), ({"quantity": -1}, "quantity"), ({"quantity": D("NaN")}, "quantity"),
        ({"quantity": 1.0}, "quantity"), ({"amount": D("0")}, "amount"), ({"amount": D("-5.00")}, "amount"),
        ({"amount": D("NaN")}, "amount"), ({"amount": D("Infinity")}, "amount"), ({"amount": D("1.001")}, "amount"),
        ({"amount": 10.5}, "amount"),
    ],
)
def test_a_malformed_quantity_or_amount_is_refused_before_policy(change: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        check_dispensing(REG, replace(AT_HOSPITAL, **change), TOFACITINIB, TODAY)  # type: ignore[arg-type]
    assert exc.value.field == field


RULE = PaymentRule(D("500.00"), D("0.75"))


@pytest.mark.parametrize(
    ("amount", "rule", "remaining", "met", "parts"),
    [
        # amount, rule, remaining limit, deductible met → fund, deductible part, ratio part, over-limit part
        ("1000.00", RULE, "13000.00", "0", ("375.00", "500.00", "125.00", "0.00")),
        ("300.00", RULE, "13000.00", "0", ("0.00", "300.00", "0.00", "0.00")),  # all within the deductible
        ("1000.00", RULE, "13000.00", "300.00", ("600.00", "200.00", "200.00", "0.00")),  # deductible partly met
        ("1000.00", RULE, "13000.00", "800.00", ("750.00", "0.00", "250.00", "0.00")),  # met beyond it
        ("0.03", PaymentRule(D("0"), D("0.5")), "100.00", "0", ("0.02", "0.00", "0.01", "0.00")),  # 0.015 rounds up
        ("0.05", PaymentRule(D("0"), D("0.7")), "100.00", "0", ("0.04", "0.00", "0.01", "0.00")),  # 0.035 rounds up
        ("0.05", PaymentRule(D("0"), D("0.5")), "100.00", "0", ("0.03", "0.00", "0.02", "0.00")),  # half up, not even
        ("0.01", PaymentRule(D("0"), D("0.3")), "100.00", "0", ("0.00", "0.00", "0.01", "0.00")),  # 0.003 rounds down
        ("10000.00", PaymentRule(D("0"), D("0.8")), "5000.00", "0", ("5000.00", "0.00", "2000.00", "3000.00")),
        ("10000.00", PaymentRule(D("0"), D("1")), "0.01", "0", ("0.01", "0.00", "0.00", "9999.99")),
        ("999.99", PaymentRule(D("0"), D("0")), "100.00", "0", ("0.00", "0.00", "999.99", "0.00")),  # ratio 0
    ],
)
def test_nd9_nd15_split_is_itemised_to_the_fen(amount: str, rule: PaymentRule, remaining: str, met: str,
                                              parts: tuple[str, str, str, str]) -> None:
    split = split_payment(D(amount), rule, D(remaining), D(met))
    assert (split.fund, split.deductible_part, split.ratio_part, split.over_limit_part) == tuple(D(p) for p in parts)
    assert split.fund + split.patient == D(amount)


def test_nd9_with_no_limit_left_the_settlement_is_refused() -> None:
    with pytest.raises(PolicyViolation) as exc:
        split_payment(D("100.00"), RULE, D("0.00"), D("500.00"))
    assert (exc.value.rule, exc.value.code, exc.value.field) == ("ND-9", "annual_limit_exhausted", "amount")


@pytest.mark.parametrize(
    ("amount", "remaining", "met", "field"),
    [("0", "1", "0", "amount"), ("-1", "1", "0", "amount"), ("NaN", "1", "0", "amount"),
     ("1.00", "-1", "0", "remaining_limit"), ("1.00", "sNaN", "0", "remaining_limit"),
     ("1.00", "1", "-0.01", "deductible_met"), ("1.00", "1", "Infinity", "deductible_met")],
)
def test_split_refuses_negative_and_non_finite_inputs(amount: str, remaining: str, met: str, field: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        split_payment(D(amount), RULE, D(remaining), D(met))
    assert exc.value.field == field


def test_nd13_nd15_a_pharmacy_settles_with_the_prescribing_hospitals_level() -> None:
    config = demo_payment_config()
    assert PHARMACY.tier is None  # a pharmacy has no level of its own
    rule = config.rule_for(PATIENT.insurance_type, HOSPITAL.tier)
    assert rule == PaymentRule(D("500.00"), D("0.75"))  # the demo's employee rule at tier 3
    with pytest.raises(PolicyViolation):
        config.rule_for(PATIENT.insurance_type, PHARMACY.tier)


def test_nd9_dispensing_until_the_limit_is_partly_exceeded_then_reversing_restores_it() -> None:
    account = AnnualAccount(TOFACITINIB.annual_limit)
    first, account = settle(account, D("6000.00"), RULE)
    assert (first.fund, first.patient, account.remaining_limit) == (D("4125.00"), D("1875.00"), D("8875.00"))
    second, account = settle(account, D("6000.00"), RULE)
    assert (second.fund, second.patient, account.remaining_limit) == (D("4500.00"), D("1500.00"), D("4375.00"))
    third, account = settle(account, D("6000.00"), RULE)
    assert (third.fund, third.ratio_part, third.over_limit_part, third.patient) == (
        D("4375.00"), D("1500.00"), D("125.00"), D("1625.00"))
    assert (account.fund_paid, account.remaining_limit) == (D("13000.00"), D("0.00"))
    with pytest.raises(PolicyViolation) as exc:
        settle(account, D("10.00"), RULE)
    assert exc.value.rule == "ND-9"
    account = reverse(account, second)
    assert (account.remaining_limit, account.fund_paid, account.deductible_met) == (
        D("4500.00"), D("8500.00"), D("500.00"))
    account = reverse(account, first)
    assert (account.remaining_limit, account.deductible_met) == (D("8625.00"), D("0.00"))


def test_nd9_reversing_a_dispensing_not_charged_to_the_account_is_refused() -> None:
    foreign = PaymentSplit(D("100.00"), D("75.00"), D("0.00"), D("25.00"), D("0.00"))
    with pytest.raises(InvalidInput) as exc:
        reverse(AnnualAccount(D("13000.00")), foreign)
    assert exc.value.rule == "ND-9"


def test_nd9_a_lowered_limit_already_spent_leaves_nothing_remaining() -> None:
    assert AnnualAccount(D("5000.00"), fund_paid=D("6000.00")).remaining_limit == D("0.00")


FEN_AMOUNTS = st.decimals(min_value=D("0.01"), max_value=D("9999999.99"), places=2)
RULES = st.builds(PaymentRule, st.decimals(min_value=0, max_value=D("20000"), places=2),
                  st.decimals(min_value=0, max_value=1, places=4))


@settings(database=None, deadline=None, max_examples=400)
@given(amount=FEN_AMOUNTS, rule=RULES, remaining=FEN_AMOUNTS,
       met=st.decimals(min_value=0, max_value=D("40000"), places=2))
def test_nd9_nd15_fund_plus_patient_is_the_amount_to_the_fen_and_the_fund_never_exceeds_the_limit(
    amount: Decimal, rule: PaymentRule, remaining: Decimal, met: Decimal
) -> None:
    split = split_payment(amount, rule, remaining, met)
    parts = (split.fund, split.deductible_part, split.ratio_part, split.over_limit_part)
    assert split.fund + split.patient == amount
    assert all(p >= 0 and p == p.quantize(D("0.01")) for p in parts)
    assert split.fund <= remaining
    assert split.deductible_part == min(amount, max(D(0), rule.deductible - met))
    assert abs(split.fund + split.over_limit_part - (amount - split.deductible_part) * rule.fund_ratio) <= D("0.005")
    assert split.over_limit_part == 0 or split.fund == remaining


@settings(database=None, deadline=None, max_examples=150)
@given(limit=st.decimals(min_value=D("1.00"), max_value=D("300000"), places=2), rule=RULES,
       amounts=st.lists(st.decimals(min_value=D("0.01"), max_value=D("50000"), places=2), min_size=1, max_size=25))
def test_nd9_a_year_of_dispensings_never_pays_beyond_the_limit_and_reversals_restore_it(
    limit: Decimal, rule: PaymentRule, amounts: list[Decimal]
) -> None:
    account = AnnualAccount(limit)
    splits = []
    for amount in amounts:
        if account.remaining_limit == 0:
            break
        split, account = settle(account, amount, rule)
        splits.append(split)
    assert account.fund_paid == sum((s.fund for s in splits), D("0.00")) <= limit
    assert account.deductible_met <= rule.deductible
    for split in reversed(splits):
        account = reverse(account, split)
    assert account == AnnualAccount(limit)
