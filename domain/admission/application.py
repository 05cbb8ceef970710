"""One hospital's application for a consumable (医用耗材纳入医保支付范围申请) and its automatic pre-check.

``precheck`` applies CA-2, CA-3, CA-4, CA-5, CM-5, CX-1, CX-2, CX-3 and DA-2 and returns every failure at once;
``check_draft`` checks only the format of what a draft already holds. Every field of the facts may be empty in a
draft (``None``, ``()``); ``precheck`` reports each empty required field under the rule that needs it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from domain.admission.categories import (
    REQUIRED_DOCUMENTS,
    CertificateKind,
    DocumentKind,
    ProcurementStatus,
    UseCategory,
)
from domain.admission.findings import Finding
from domain.admission.money import is_amount
from domain.codes import consumable_code
from domain.errors import InvalidInput


@dataclass(frozen=True)
class ServiceItem:
    """A medical service item (医疗服务项目) the consumable is billed with (CA-5)."""

    code: str
    name: str


@dataclass(frozen=True)
class ApplicationFacts:
    """What the hospital states about the product (DA-2); empty fields are allowed until ``precheck``."""

    code: str | None = None  # the full 27-character NHSA code (CM-5, CA-4)
    product_name: str | None = None
    manufacturer: str | None = None
    specification: str | None = None  # 规格型号
    certificate_number: str | None = None  # CA-2
    certificate_kind: CertificateKind | None = None
    certificate_issued_on: date | None = None
    certificate_expires_on: date | None = None  # a filing has none
    certificate_revoked: bool = False  # revoked, withdrawn or cancelled by the regulator (CX-3)
    use_category: UseCategory | None = None  # CX-1
    separately_chargeable: bool | None = None  # declaration (CA-3, CX-2)
    service_items: tuple[ServiceItem, ...] = ()  # CA-5
    price: Decimal | None = None  # yuan, > 0 (DA-2 item 5)
    online_procurement: ProcurementStatus | None = None
    economic_evaluation: str | None = None  # summary
    annual_fund_impact: Decimal | None = None  # yuan a year; negative for a saving
    documents: frozenset[DocumentKind] = field(default_factory=frozenset)

    @property
    def entry_code(self) -> str | None:
        """The 15-character catalog entry key (CM-1) when the code is well formed, else None."""
        try:
            return consumable_code(self.code)[:15]
        except InvalidInput:
            return None


FIELD_LABELS = {
    "code": "27位医保医用耗材分类与代码", "product_name": "产品名称", "manufacturer": "生产企业",
    "specification": "规格型号", "certificate_number": "注册证编号或备案编号", "certificate_kind": "注册/备案类别",
    "certificate_issued_on": "批准(备案)日期", "certificate_expires_on": "有效期至", "use_category": "用途类别",
    "separately_chargeable": "可单独收费声明", "service_items": "对应医疗服务项目", "price": "价格",
    "online_procurement": "网采情况", "economic_evaluation": "经济性评价摘要", "annual_fund_impact": "年度基金影响估算",
    "documents": "申请材料",
}
# The rule that requires each field (DA-2 lists the materials; the others name the criterion they serve).
REQUIRED_FIELDS = {
    "code": "CM-5", "product_name": "DA-2", "manufacturer": "DA-2", "specification": "DA-2",
    "certificate_number": "CA-2", "certificate_kind": "CA-2", "certificate_issued_on": "CA-2",
    "use_category": "CX-1", "separately_chargeable": "CA-3", "price": "DA-2", "online_procurement": "DA-2",
    "economic_evaluation": "DA-2", "annual_fund_impact": "DA-2",
}
MAX_TEXT = {"product_name": 200, "manufacturer": 200, "specification": 500, "economic_evaluation": 4000}
MAX_SERVICE_ITEM_NAME = 200
# Our reading of the certificate numbers NMPA and provincial regulators issue since 2014:
# 国械注准20153460123 / 粤械注准20172640123 / 国械注进… / 国械注许…, and filings 国械备20150001号 / 京朝械备20150001号.
REGISTRATION_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,2}械注[准进许]\d{11}")
FILING_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,4}械备\d{8}号?")
# Our reading of service-item codes (CA-5): the national price-item specification's 9 digits with an optional local
# suffix (310701001, 310701001a, 331501001-1), or the NHSA 15-digit item code with an optional local code after '-'.
SERVICE_ITEM_CODE = re.compile(r"\d{9}(?:[a-z]|-\d{1,3})?|\d{15}(?:-[0-9A-Za-z]{1,20})?")


def _f(rule: str, name: str, message: str, detail: str) -> Finding:
    return Finding(rule, name, message, detail)


def code_findings(code: str | None) -> list[Finding]:
    """CM-5 for an incomplete code (not 27 characters), CA-4 for a malformed classification code."""
    if code is None or not code.strip():
        return []  # missing, reported by missing_findings
    try:
        consumable_code(code, field="code")
    except InvalidInput as exc:
        if len(code) != 27:
            return [_f("CM-5", "code", "请填写完整的27位医保医用耗材分类与代码", exc.detail)]
        return [_f("CA-4", "code", "医保医用耗材分类与代码格式不正确", exc.detail)]
    return []


def _text_findings(facts: ApplicationFacts) -> list[Finding]:
    found = []
    for name, limit in MAX_TEXT.items():
        value = getattr(facts, name)
        if value is not None and len(value) > limit:
            found.append(_f("DA-2", name, f"{FIELD_LABELS[name]}不能超过{limit}个字符",
                            f"{name} must be at most {limit} characters, got {len(value)}"))
    return found


def _certificate_format(facts: ApplicationFacts) -> list[Finding]:
    found = []
    number, kind = facts.certificate_number, facts.certificate_kind
    if number is not None and number.strip():
        patterns = {CertificateKind.REGISTRATION: (REGISTRATION_NUMBER,), CertificateKind.FILING: (FILING_NUMBER,),
                    None: (REGISTRATION_NUMBER, FILING_NUMBER)}[kind]
        if not any(p.fullmatch(number) for p in patterns):
            example = "国械备20150001号" if kind is CertificateKind.FILING else "国械注准20153460123"
            found.append(_f("CA-2", "certificate_number", f"注册证编号或备案编号格式不正确（例如 {example}）",
                            f"certificate_number '{number}' is not a {kind or 'registration or filing'} number"))
    issued, expires = facts.certificate_issued_on, facts.certificate_expires_on
    if issued is not None and expires is not None and expires <= issued:
        found.append(_f("CA-2", "certificate_expires_on", "有效期至应晚于批准(备案)日期",
                        f"certificate_expires_on {expires} must be after certificate_issued_on {issued}"))
    return found


def service_item_findings(items: tuple[ServiceItem, ...]) -> list[Finding]:
    """CA-5: each service item has a well-formed code and a name; no code twice."""
    found, seen = [], set()
    for index, item in enumerate(items):
        where = f"service_items[{index}]"
        if not SERVICE_ITEM_CODE.fullmatch(item.code):
            found.append(_f("CA-5", f"{where}.code", "医疗服务项目编码格式不正确（9位项目编码或15位医保项目编码）",
                            f"service item code '{item.code}' is not 9 digits (with an optional local suffix) "
                            "or 15 digits (with an optional '-' local code)"))
        elif item.code in seen:
            found.append(_f("CA-5", f"{where}.code", "医疗服务项目重复", f"service item {item.code} is listed twice"))
        seen.add(item.code)
        if not item.name.strip() or len(item.name) > MAX_SERVICE_ITEM_NAME:
            found.append(_f("CA-5", f"{where}.name", f"请填写医疗服务项目名称（不超过{MAX_SERVICE_ITEM_NAME}字）",
                            f"service item name must be 1–{MAX_SERVICE_ITEM_NAME} characters"))
    return found


def _amount_findings(facts: ApplicationFacts) -> list[Finding]:
    found = []
    if facts.price is not None and not (is_amount(facts.price) and facts.price > 0):
        found.append(_f("DA-2", "price", "价格应大于0，最多两位小数",
                        f"price must be more than 0 yuan with at most two decimals, got {facts.price}"))
    impact = facts.annual_fund_impact
    if impact is not None and not is_amount(impact, allow_negative=True):
        found.append(_f("DA-2", "annual_fund_impact", "年度基金影响估算最多两位小数",
                        f"annual_fund_impact must be an amount with at most two decimals, got {impact}"))
    return found


def check_draft(facts: ApplicationFacts) -> list[Finding]:
    """Check the format of what a draft holds (CM-5, CA-4, CA-2, CA-5, DA-2); empty fields are not reported."""
    return [*code_findings(facts.code), *_text_findings(facts), *_certificate_format(facts),
            *service_item_findings(facts.service_items), *_amount_findings(facts)]


def missing_findings(facts: ApplicationFacts) -> list[Finding]:
    """Every required field, service item and DA-2 document (items 1–4) the application lacks."""
    found = []
    for name, rule in REQUIRED_FIELDS.items():
        value = getattr(facts, name)
        if value is None or (isinstance(value, str) and not value.strip()):
            found.append(_f(rule, name, f"请填写{FIELD_LABELS[name]}", f"{name} is required"))
    if facts.certificate_kind is CertificateKind.REGISTRATION and facts.certificate_expires_on is None:
        found.append(_f("CA-2", "certificate_expires_on", "注册证须填写有效期",
                        "a registration certificate has an expiry date"))
    if not facts.service_items:
        found.append(_f("CA-5", "service_items", "请至少填写一项对应的医疗服务项目",
                        "name at least one medical service item the consumable is billed with"))
    for kind in REQUIRED_DOCUMENTS:
        if kind not in facts.documents:
            found.append(_f("DA-2", f"documents.{kind.value}", f"缺少申请材料：{kind.label}",
                            f"the document '{kind.value}' (DA-2 items 1–4) is required"))
    return found


def _validity_findings(facts: ApplicationFacts, on_date: date) -> list[Finding]:
    found = []
    issued, expires = facts.certificate_issued_on, facts.certificate_expires_on
    if issued is not None and issued > on_date:
        found.append(_f("CA-2", "certificate_issued_on", "注册证或备案在申请日尚未生效",
                        f"the certificate is issued on {issued}, after the application date {on_date}"))
    if expires is not None and expires < on_date:
        found.append(_f("CA-2", "certificate_expires_on", "注册证或备案在申请日已过有效期",
                        f"the certificate expired on {expires}, before the application date {on_date}"))
    if facts.certificate_revoked:
        found.append(_f("CX-3", "certificate_revoked", "医疗器械注册、批准文件已被撤销、吊销或注销，不予纳入",
                        "the regulator revoked, withdrew or cancelled the registration"))
    return found


def _exclusion_findings(facts: ApplicationFacts) -> list[Finding]:
    found = []
    if facts.use_category is not None and facts.use_category.excluded:
        found.append(_f("CX-1", "use_category", f"{facts.use_category.label}不予纳入医保医用耗材目录",
                        f"the use category '{facts.use_category.value}' is excluded"))
    if facts.separately_chargeable is False:
        found.append(_f("CX-2", "separately_chargeable", "属于医疗服务价格项目成本构成、不可单独收费的医用耗材不予纳入",
                        "a consumable that is not separately chargeable is excluded"))
    return found


def precheck(facts: ApplicationFacts, on_date: date) -> list[Finding]:
    """Every failure of the automatic pre-check at once (CA-2…CA-5, CM-5, CX-1…CX-3, DA-2) on the application date."""
    return [*check_draft(facts), *missing_findings(facts), *_validity_findings(facts, on_date),
            *_exclusion_findings(facts)]
