"""Settlement of a dispensing against its registration (ND-9, ND-11, ND-13, ND-15): who may dispense, how the amount
splits between the fund and the patient, and what the annual account (年度限额) becomes, also on reversal.

Money is Decimal in yuan; the fund's share is rounded to the fen (ROUND_HALF_UP) and every other part is exact, so
fund + patient == amount always.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from domain.errors import InvalidInput, PolicyViolation
from domain.identity import OrganizationFacts
from domain.reference_data import DrugRow
from domain.registration.dates import status
from domain.registration.eligibility import MAX_QUANTITY, drug_covered, is_quantity
from domain.registration.facts import RegistrationFacts, raise_first, violation
from domain.registration.payment import FEN, ZERO, PaymentRule, money

# The rule a registration in each status refuses settlement by.
_STATUS_RULES = {"suspended": "ND-8", "expired": "ND-7", "pending": "ND-7"}


@dataclass(frozen=True)
class Dispensing:
    """One dispensing to settle: who, what, prescribed by whom, dispensed where, how much (ND-11, ND-13)."""

    psn_no: str
    drug: str
    physician_code: str  # the prescribing physician
    dispenser: OrganizationFacts  # the registered hospital, or a dual-channel pharmacy
    quantity: Decimal | int
    amount: Decimal  # yuan, the price of what is dispensed
    designated_by: frozenset[str] = frozenset()  # for a pharmacy: the hospitals that designated it (ND-13)


@dataclass(frozen=True)
class PaymentSplit:
    """The itemised split of one dispensing (ND-9, ND-15): the fund's part and the patient's three parts."""

    amount: Decimal
    fund: Decimal  # 基金支付
    deductible_part: Decimal  # 起付标准 the patient pays first
    ratio_part: Decimal  # the patient's share above the deductible (1 − 支付比例)
    over_limit_part: Decimal  # what the fund would pay beyond the remaining annual limit (ND-9)

    @property
    def patient(self) -> Decimal:
        """Everything the patient pays (个人负担)."""
        return self.deductible_part + self.ratio_part + self.over_limit_part


@dataclass(frozen=True)
class AnnualAccount:
    """One patient's account for one drug in one benefit year (ND-9): the limit, what the fund paid, deductible met."""

    annual_limit: Decimal
    fund_paid: Decimal = ZERO
    deductible_met: Decimal = ZERO

    def __post_init__(self) -> None:
        for name in ("annual_limit", "fund_paid", "deductible_met"):
            object.__setattr__(self, name, money(getattr(self, name), name, rule="ND-9"))

    @property
    def remaining_limit(self) -> Decimal:
        """What the fund may still pay this year; 0 when a lowered limit is already spent."""
        return max(ZERO, self.annual_limit - self.fund_paid)


def dispensing_violations(registration: RegistrationFacts, dispensing: Dispensing, drug: DrugRow | None,
                          today: date) -> list[PolicyViolation]:
    """Every refusal of settling ``dispensing`` against ``registration`` on ``today`` (ND-7…ND-14)."""
    found = []
    current = status(registration, today)
    if current != "active":
        rule = _STATUS_RULES.get(current) or ("ND-12" if registration.end_reason in ("agreement_ended",
                                                                                     "drug_delisted") else "ND-14")
        found.append(violation(rule, "registration", f"registration {registration.id} is {current}: no settlement"))
    if dispensing.psn_no != registration.psn_no:
        found.append(violation("ND-11", "psn_no", f"registration {registration.id} is another patient's"))
    if dispensing.drug != registration.drug:
        found.append(violation("ND-11", "drug", f"the registered drug is {registration.drug}, not {dispensing.drug}"))
    elif drug is None or not drug_covered(drug, today):
        found.append(violation("ND-12", "drug", f"{registration.drug} is not covered on {today.isoformat()}"))
    if dispensing.physician_code != registration.physician_code:
        found.append(violation("ND-11", "physician", f"the registered physician is {registration.physician_code}, "
                                                     f"not {dispensing.physician_code}"))
    return found + dispenser_violations(registration.hospital_code, dispensing)


def dispenser_violations(hospital_code: str, dispensing: Dispensing) -> list[PolicyViolation]:
    """ND-11: the registered hospital dispenses; ND-13: or a designated dual-channel pharmacy it designated."""
    dispenser = dispensing.dispenser
    if dispenser.kind == "hospital":
        if dispenser.code != hospital_code:
            return [violation("ND-11", "dispenser", f"the registered hospital is {hospital_code}, not "
                                                    f"{dispenser.code}")]
        if not dispenser.designated:
            return [violation("ND-11", "dispenser", f"hospital {dispenser.code} is no longer designated")]
        return []
    if dispenser.kind != "pharmacy":
        return [violation("ND-11", "dispenser", f"{dispenser.code} neither a hospital nor a pharmacy")]
    if not (dispenser.designated and dispenser.dual_channel):
        return [violation("ND-13", "dispenser", f"pharmacy {dispenser.code} is not a designated dual-channel "
                                                "pharmacy")]
    if hospital_code not in dispensing.designated_by:
        return [violation("ND-13", "dispenser", f"pharmacy {dispenser.code} is not designated by the registered "
                                                f"hospital {hospital_code}")]
    return []


def check_dispensing(registration: RegistrationFacts, dispensing: Dispensing, drug: DrugRow | None,
                     today: date) -> None:
    """Refuse a malformed dispensing (InvalidInput), then the first policy refusal (all in ``extra``)."""
    if not is_quantity(dispensing.quantity):
        raise InvalidInput(f"quantity must be a positive number up to {MAX_QUANTITY} with at most two decimals",
                           field="quantity")
    money(dispensing.amount, "amount", positive=True)
    raise_first(dispensing_violations(registration, dispensing, drug, today))


def split_payment(amount: Decimal, rule: PaymentRule, remaining_limit: Decimal,
                  deductible_met: Decimal) -> PaymentSplit:
    """Split ``amount``: the deductible still open, then the fund ratio, the fund capped by the remaining limit.

    The patient pays the deductible not yet met this benefit year, then the share above it the fund does not; the
    fund pays its ratio up to the remaining annual limit, and the excess is the patient's (ND-9, our reading). With
    no limit left the settlement is refused (ND-9).
    """
    amount = money(amount, "amount", positive=True)
    remaining_limit = money(remaining_limit, "remaining_limit", rule="ND-9")
    deductible_met = money(deductible_met, "deductible_met", rule="ND-15")
    if remaining_limit == 0:
        raise PolicyViolation("the annual limit of this drug is used up for this benefit year (ND-9)", rule="ND-9",
                              field="amount", code="annual_limit_exhausted")
    deductible_part = min(amount, max(ZERO, rule.deductible - deductible_met))
    above = amount - deductible_part
    by_ratio = (above * rule.fund_ratio).quantize(FEN, rounding=ROUND_HALF_UP)
    fund = min(by_ratio, remaining_limit)
    return PaymentSplit(amount=amount, fund=fund, deductible_part=deductible_part, ratio_part=above - by_ratio,
                        over_limit_part=by_ratio - fund)


def settle(account: AnnualAccount, amount: Decimal, rule: PaymentRule) -> tuple[PaymentSplit, AnnualAccount]:
    """Split ``amount`` against ``account`` and return the split with the account after it (ND-9, ND-15)."""
    split = split_payment(amount, rule, account.remaining_limit, account.deductible_met)
    after = AnnualAccount(account.annual_limit, account.fund_paid + split.fund,
                          account.deductible_met + split.deductible_part)
    return split, after


def reverse(account: AnnualAccount, split: PaymentSplit) -> AnnualAccount:
    """Undo a settled dispensing: the fund's part returns to the limit, its deductible part is open again (ND-9).

    Later dispensings keep their splits; only the account's totals change.
    """
    if split.fund > account.fund_paid or split.deductible_part > account.deductible_met:
        raise InvalidInput("the dispensing to reverse was not charged to this account", field="dispensing",
                           rule="ND-9")
    return AnnualAccount(account.annual_limit, account.fund_paid - split.fund,
                         account.deductible_met - split.deductible_part)
