"""The bureau's consolidated decision per candidate (CM-2, CM-3, VBP-1, VBP-2, VBP-4, DA-5, DA-9) and the entries it
proposes to retire (DA-5).

Our readings: inclusion follows the experts' majority (the bureau decides category, standard and scope with the
proposals in view, not inclusion itself); VBP-2 holds from inclusion on (Tianjin 十三), not only after the two-year
transition of NHSA 51号, so such an entry has a standard; VBP-4's 7,000 yuan cap applies to the listing price of a
non-selected coronary stent.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal

from domain.admission.categories import PaymentCategory, PriceZone
from domain.admission.experts import ReviewSummary
from domain.admission.findings import Finding
from domain.admission.money import is_amount
from domain.errors import InvalidInput

# Guangdong 粤医保发〔2020〕42号 二: non-selected coronary stents are listed at no more than the highest bid,
# 7,000 yuan each.
CORONARY_STENT_LISTING_CAP = Decimal("7000.00")


@dataclass(frozen=True)
class ProcurementFacts:
    """The volume-based procurement (集采) facts of an entry's product (DA-7, VBP)."""

    selected: bool  # 中选
    selected_price: Decimal | None = None  # the product's selected price (VBP-1)
    highest_selected_price: Decimal | None = None  # of the same category and similar function (VBP-2)
    coronary_stent: bool = False
    listing_price: Decimal | None = None  # 挂网价 (VBP-4)
    price_zone: PriceZone | None = None  # VBP-4, for a non-selected coronary stent


@dataclass(frozen=True)
class EntryDecision:
    """What the bureau decides for one candidate entry: include or not, and the terms of inclusion."""

    entry_code: str
    include: bool
    category: PaymentCategory | None = None
    max_payment_standard: Decimal | None = None
    restricted_scope: str = ""
    reason: str = ""  # required when not included (DA-9)
    procurement: ProcurementFacts | None = None


def _f(rule: str, name: str, message: str, detail: str) -> Finding:
    return Finding(rule, name, message, detail)


def _vbp_findings(standard: Decimal | None, vbp: ProcurementFacts) -> list[Finding]:
    found = []
    if vbp.selected:
        if vbp.selected_price is None or standard != vbp.selected_price:
            found.append(_f("VBP-1", "max_payment_standard", "集采中选产品的医保支付标准应为其中选价格",
                            f"a selected product's standard is its selected price {vbp.selected_price}, "
                            f"got {standard}"))
        return found
    highest = vbp.highest_selected_price
    if highest is not None and (standard is None or standard > highest):
        found.append(_f("VBP-2", "max_payment_standard",
                        f"非中选产品的医保支付标准不得高于同类中选产品最高中选价{highest}元",
                        f"a non-selected product's standard may not exceed the highest selected price {highest}, "
                        f"got {standard}"))
    if vbp.coronary_stent:
        if vbp.listing_price is None or vbp.listing_price > CORONARY_STENT_LISTING_CAP:
            found.append(_f("VBP-4", "procurement.listing_price", "非中选冠脉支架挂网价格不得高于7000元/个",
                            f"a non-selected coronary stent is listed at no more than {CORONARY_STENT_LISTING_CAP}, "
                            f"got {vbp.listing_price}"))
        if vbp.price_zone is None:
            found.append(_f("VBP-4", "procurement.price_zone",
                            "请标识非中选冠脉支架的价格区间（高价区、中价区、低价区）",
                            "a non-selected coronary stent's listing is marked high, middle or low"))
    return found


def terms_findings(category: PaymentCategory | None, standard: Decimal | None,
                   procurement: ProcurementFacts | None = None) -> list[Finding]:
    """The terms of a catalog entry: CM-2 (category; 甲 has a maximum standard), CM-3 and VBP for procurement items."""
    found = []
    if category is None:
        found.append(_f("CM-2", "category", "请确定支付类别（甲类或乙类）", "an included entry has a payment category"))
    elif category is PaymentCategory.A and standard is None:
        found.append(_f("CM-2", "max_payment_standard", "甲类医用耗材须确定医保最高支付标准",
                        "a 甲 (A) entry has a maximum payment standard"))
    if standard is not None and not (is_amount(standard) and standard > 0):
        found.append(_f("CM-2", "max_payment_standard", "医保最高支付标准应大于0，最多两位小数",
                        f"the maximum payment standard must be more than 0 with two decimals, got {standard}"))
    if procurement is not None and procurement.selected and standard is None:
        found.append(_f("CM-3", "max_payment_standard", "集采医用耗材纳入时同步确定医保支付标准",
                        "a volume-based procurement item gets its payment standard at inclusion"))
    elif procurement is not None:
        found.extend(_vbp_findings(standard, procurement))
    return found


def decision_findings(decision: EntryDecision, summary: ReviewSummary | None = None) -> list[Finding]:
    """Every reason the decision cannot stand: terms (CM-2, CM-3, VBP), the experts' majority (DA-5), reason (DA-9)."""
    found = []
    if summary is not None:
        if summary.entry_code != decision.entry_code:
            raise InvalidInput(f"the review summary is of {summary.entry_code}, not {decision.entry_code}",
                               field="entry_code")
        if not summary.complete:
            found.append(_f("DA-5", "reviews", "尚有专家未提交评审意见",
                            f"experts {', '.join(summary.missing)} have not reviewed yet"))
        elif decision.include != summary.included:
            found.append(_f("DA-5", "include", "是否纳入应按专家简单多数意见确定",
                            f"{len(summary.votes_for)} of {len(summary.assigned)} experts voted for inclusion: "
                            f"{'included' if summary.included else 'not included'}"))
    if decision.include:
        found.extend(terms_findings(decision.category, decision.max_payment_standard, decision.procurement))
    elif not decision.reason.strip():
        found.append(_f("DA-9", "reason", "不予纳入时请填写理由", "a decision not to include states its reason"))
    return found


@dataclass(frozen=True)
class Retirement:
    """A catalog entry proposed for removal as no longer fit for clinical use (退出, DA-5)."""

    entry_code: str
    reason: str


def retirement_findings(retirements: Sequence[Retirement], catalog_codes: Collection[str],
                        decisions: Sequence[EntryDecision] = ()) -> list[Finding]:
    """A retired entry exists in the current catalog, is named once, has a reason and is not decided this round."""
    found = []
    decided = {d.entry_code for d in decisions}
    seen: set[str] = set()
    for index, item in enumerate(retirements):
        where = f"retirements[{index}]"
        if item.entry_code not in catalog_codes:
            found.append(_f("DA-5", f"{where}.entry_code", "拟退出的品种不在现行目录中",
                            f"{item.entry_code} is not an entry of the current catalog"))
        if item.entry_code in seen or item.entry_code in decided:
            found.append(_f("DA-5", f"{where}.entry_code", "同一品种在本轮只能有一项调整",
                            f"{item.entry_code} is already retired or decided in this round"))
        seen.add(item.entry_code)
        if not item.reason.strip():
            found.append(_f("DA-5", f"{where}.reason", "请填写退出理由", "a retirement states its reason"))
    return found
