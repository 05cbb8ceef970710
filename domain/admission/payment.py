"""Who pays what for a catalog consumable (医用耗材费用分担): PAY-1…PAY-4 and VBP-3.

For an entry's category and maximum payment standard, a unit price, a quantity and the region's ratios:

- total = unit price × quantity;
- within the standard = min(unit price, standard) × quantity (all of it when a 乙 entry has no standard);
- above the standard = total − within: the patient pays it (PAY-3, VBP-3);
- prepay = within × the region's 乙 prepay ratio, for 乙 only (PAY-2; 甲 has none, PAY-1);
- fund = (within − prepay) × the region's fund ratio;
- the patient's share within the standard = within − prepay − fund.

Every amount is a Decimal in yuan rounded to the fen with ROUND_HALF_UP; the patient's share within the standard is
computed by subtraction and so absorbs the rounding, which keeps fund + patient == total exactly. Our reading of
CM-2's "未确定医保最高支付标准的乙类…按照现行支付政策执行": the whole price is within the payment scope and the 乙
prepay applies to it. Deductibles (起付标准) and annual caps are the region's settlement, outside this item split.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from domain.admission.categories import PaymentCategory
from domain.admission.decisions import ProcurementFacts
from domain.admission.money import is_amount, to_fen
from domain.errors import InvalidInput, PolicyViolation
from domain.reference_data import CatalogRow

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class RegionRatios:
    """The insurance region's ratios (PAY-4): configuration passed in, never constants here."""

    fund_ratio: Decimal  # 基金支付比例, of the amount within the standard after any prepay
    b_prepay_ratio: Decimal  # 乙类先行自付比例


@dataclass(frozen=True)
class PaymentSplit:
    """The itemised split of one consumable charge; fund + patient == total."""

    total: Decimal
    within_standard: Decimal
    above_standard: Decimal  # patient (PAY-3, VBP-3)
    prepay: Decimal  # patient, 乙 only (PAY-2)
    fund: Decimal
    patient_within_standard: Decimal  # patient, by ratio; absorbs the rounding

    @property
    def patient(self) -> Decimal:
        """Everything the patient pays: above the standard, prepay and their share within the standard."""
        return self.above_standard + self.prepay + self.patient_within_standard

    def to_dict(self) -> dict[str, str]:
        """The split as strings (money is sent as a string)."""
        names = ("total", "within_standard", "above_standard", "prepay", "fund", "patient_within_standard")
        return {**{n: str(getattr(self, n)) for n in names}, "patient": str(self.patient)}


def _ratio(value: object, field: str) -> Decimal:
    if not isinstance(value, Decimal) or not value.is_finite() or not Decimal(0) <= value <= Decimal(1):
        raise InvalidInput(f"{field} must be a Decimal between 0 and 1, got {value!r}", field=field, rule="PAY-4")
    return value


def _check(category: PaymentCategory | str, standard: Decimal | None, unit_price: object,
           quantity: object) -> PaymentCategory:
    if category not in tuple(PaymentCategory):
        raise InvalidInput(f"category must be 甲 or 乙, got {category!r}", field="category", rule="CM-2")
    if not isinstance(unit_price, Decimal) or not is_amount(unit_price) or unit_price <= 0:
        raise InvalidInput(f"unit_price must be more than 0 yuan with at most two decimals, got {unit_price!r}",
                           field="unit_price")
    if isinstance(quantity, bool) or not isinstance(quantity, Decimal | int) or not Decimal(quantity).is_finite() \
            or quantity <= 0:
        raise InvalidInput(f"quantity must be more than 0, got {quantity!r}", field="quantity")
    if standard is not None and (not is_amount(standard) or standard <= 0):
        raise InvalidInput(f"max_payment_standard must be more than 0 yuan, got {standard!r}",
                           field="max_payment_standard", rule="CM-2")
    if category == PaymentCategory.A and standard is None:
        raise PolicyViolation("a 甲 (A) entry has a maximum payment standard", field="max_payment_standard",
                              rule="CM-2")
    return PaymentCategory(category)


def split_payment(category: PaymentCategory | str, max_payment_standard: Decimal | None, unit_price: Decimal,
                  quantity: Decimal | int, ratios: RegionRatios) -> PaymentSplit:
    """Split the charge for ``quantity`` units at ``unit_price`` between fund and patient (PAY-1…PAY-4, VBP-3)."""
    kind = _check(category, max_payment_standard, unit_price, quantity)
    fund_ratio = _ratio(ratios.fund_ratio, "fund_ratio")
    prepay_ratio = _ratio(ratios.b_prepay_ratio, "b_prepay_ratio")
    count = Decimal(quantity)
    total = to_fen(unit_price * count)
    payable = unit_price if max_payment_standard is None else min(unit_price, max_payment_standard)
    within = to_fen(payable * count)
    prepay = to_fen(within * prepay_ratio) if kind is PaymentCategory.B else ZERO
    fund = to_fen((within - prepay) * fund_ratio)
    return PaymentSplit(total, within, total - within, prepay, fund, within - prepay - fund)


def split_for_entry(entry: CatalogRow, unit_price: Decimal, quantity: Decimal | int,
                    ratios: RegionRatios) -> PaymentSplit:
    """``split_payment`` for a catalog entry's category and maximum payment standard."""
    return split_payment(entry.payment_category, entry.payment_standard, unit_price, quantity, ratios)


# --- the regions' ratios (PAY-4): configuration the bureau maintains, one version at a time ----------------------
REGION_CODE = re.compile(r"(?!00)[0-9]{6}")  # GB/T 2260 administrative division
MAX_REGIONS = 500
MAX_REGION_NAME = 100


@dataclass(frozen=True)
class RegionRule:
    """One region's line of the configuration: its name and ratios."""

    region: str
    name: str
    ratios: RegionRatios


def region_code(value: object, field: str = "region") -> str:
    """A 6-digit GB/T 2260 administrative division code (省 520000, 市 520100, 县 520102)."""
    if not isinstance(value, str) or not REGION_CODE.fullmatch(value):
        raise InvalidInput(f"{field} must be a 6-digit GB/T 2260 administrative division code, got {value!r}",
                           field=field, code="invalid_region", rule="PAY-4")
    return value


def _config_ratio(value: object, field: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | Decimal):
        raise InvalidInput(f"{field} must be a decimal string between 0 and 1, got {value!r}", field=field,
                           rule="PAY-4")
    try:
        number = Decimal(value)
    except ArithmeticError:
        raise InvalidInput(f"{field} must be a decimal string between 0 and 1, got {value!r}", field=field,
                           rule="PAY-4") from None
    exponent = number.as_tuple().exponent
    if not isinstance(exponent, int) or exponent < -4:
        raise InvalidInput(f"{field} must be finite with at most four decimals, got {value!r}", field=field,
                           rule="PAY-4")
    return _ratio(number, field)


def region_rules(data: Mapping[str, Mapping[str, object]]) -> tuple[RegionRule, ...]:
    """Check a configuration {region: {name, fund_ratio, b_prepay_ratio}} (PAY-4), ordered by region code."""
    if not isinstance(data, Mapping) or not data:
        raise InvalidInput("ratios must name at least one region", field="ratios", rule="PAY-4")
    if len(data) > MAX_REGIONS:
        raise InvalidInput(f"ratios may name at most {MAX_REGIONS} regions", field="ratios", rule="PAY-4")
    found = []
    for region in sorted(data):
        where = f"ratios.{region}"
        code = region_code(region, field=where)
        line = data[region]
        if not isinstance(line, Mapping):
            raise InvalidInput("each region has name, fund_ratio and b_prepay_ratio", field=where, rule="PAY-4")
        unknown = sorted(set(line) - {"name", "fund_ratio", "b_prepay_ratio"})
        if unknown:
            raise InvalidInput(f"unknown field {unknown[0]!r}", field=f"{where}.{unknown[0]}")
        name = line.get("name", "")
        if not isinstance(name, str) or len(name) > MAX_REGION_NAME or name != name.strip():
            raise InvalidInput(f"name must be text of at most {MAX_REGION_NAME} characters without outer blanks",
                               field=f"{where}.name")
        found.append(RegionRule(code, name, RegionRatios(_config_ratio(line.get("fund_ratio"), f"{where}.fund_ratio"),
                                                         _config_ratio(line.get("b_prepay_ratio"),
                                                                       f"{where}.b_prepay_ratio"))))
    return tuple(found)


def regions_up(region: str) -> tuple[str, ...]:
    """The region and the divisions that contain it, most specific first: 520102 → 520102, 520100, 520000."""
    chain = [region]
    for prefix in (region[:4], region[:2]):
        code = prefix.ljust(6, "0")
        if code not in chain:
            chain.append(code)
    return tuple(chain)


def rule_for(rules: Sequence[RegionRule], region: str) -> RegionRule | None:
    """The ratios that apply in ``region``: its own line, else its city's, else its province's (PAY-4)."""
    by_code = {r.region: r for r in rules}
    return next((by_code[code] for code in regions_up(region_code(region)) if code in by_code), None)


def standard_basis(category: str, standard: Decimal | None, procurement: ProcurementFacts | None) -> tuple[str, str]:
    """Where an entry's payment standard comes from, as (rule, words): what the calculator applies to it."""
    if procurement is not None and procurement.selected:
        return "VBP-1", "中选产品：支付标准为中选价格 (the selected price)"
    if procurement is not None and procurement.coronary_stent:
        return "VBP-4", "未中选冠脉支架：支付标准不高于7000元 (non-selected coronary stent)"
    if procurement is not None:
        return "VBP-2", "未中选产品：支付标准不高于同类中选产品最高中选价 (non-selected product)"
    if standard is None:
        return "CM-2", "乙类未定最高支付标准：按现行支付政策执行，全部价格计入支付范围 (no maximum standard)"
    return "CM-2", f"{category}类最高支付标准 (maximum payment standard)"
