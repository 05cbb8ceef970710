"""The bureau's round forms (调整轮次): flat posted fields back to the nested data the round use cases take, with the
shape checks the API's schemas make (RoundIn, MaterialReviewIn, AssignmentsIn, DecisionIn with NamesIn,
ResolutionIn, PublishIn), each refusal a Chinese message under the form field's name.

Shape only; the policy (DA-1, DA-5, DA-9, DA-10, CM-1, CM-2, SV-1, SV-3) is checked by the use cases, whose
findings ``finding_fields`` places beside the field they name.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from werkzeug.datastructures import MultiDict

from .admission_common import text_error

MONEY = re.compile(r"^(0|[1-9][0-9]{0,9})(\.[0-9]{1,2})?$")
CATEGORIES = ("甲", "乙")
DECISIONS = {"accept": "受理，纳入调整轮次", "return": "退回补正", "reject": "不予受理"}
NAME_FIELDS = (("primary_class", "一级分类", True), ("secondary_class", "二级分类", True),
               ("tertiary_class", "三级分类", True), ("common_name", "医保通用名", True),
               ("material", "材质", False), ("characteristics", "特征", False))
MAX_NAME = 100
Errors = dict[str, str]


def yuan(amount: Decimal | str | None) -> str:
    """An amount of the use cases as ¥1,234.50 (— when there is none)."""
    if amount is None or amount == "":
        return "—"
    return f"¥{Decimal(amount):,.2f}"


def _day(raw: str, label: str) -> tuple[date | None, str | None]:
    if not raw:
        return None, f"请填写{label}"
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        return None, f"{label}应为日期，格式 YYYY-MM-DD"
    if not 2000 <= day.year <= 2999:
        return None, f"{label}应在 2000 年至 2999 年之间"
    return day, None


def _put(errors: Errors, name: str, message: str | None) -> None:
    if message:
        errors[name] = message


def round_of(form: MultiDict[str, str]) -> tuple[dict[str, Any], Errors]:
    """A new round's name and window (RoundIn)."""
    errors: Errors = {}
    name = form.get("name", "").strip()
    _put(errors, "name", text_error(name, "轮次名称", 200, required=True))
    opens_on, bad = _day(form.get("opens_on", "").strip(), "申报开始日期")
    _put(errors, "opens_on", bad)
    closes_on, bad = _day(form.get("closes_on", "").strip(), "申报截止日期")
    _put(errors, "closes_on", bad)
    if opens_on and closes_on and closes_on < opens_on:
        errors["closes_on"] = "DA-1 · 申报截止日期不能早于开始日期"
    return {"name": name, "opens_on": opens_on, "closes_on": closes_on}, errors


def material_review_of(form: MultiDict[str, str]) -> tuple[dict[str, Any], Errors]:
    """The bureau's material review of one application (MaterialReviewIn; DA-10: a return names its deadline)."""
    errors: Errors = {}
    decision = form.get("decision", "")
    if decision not in DECISIONS:
        errors["decision"] = "请选择审核结论"
    reason = form.get("reason", "").strip()
    _put(errors, "reason", text_error(reason, "理由或需补正的内容", 2000, required=decision in ("reject", "return")))
    days_raw = form.get("supplement_working_days", "").strip()
    days: int | None = None
    if decision == "return" or days_raw:
        if not days_raw.isascii() or not days_raw.isdigit() or not 1 <= int(days_raw) <= 60:
            errors["supplement_working_days"] = "补正期限应为 1 至 60 个工作日（DA-10）"
        else:
            days = int(days_raw)
    return {"decision": decision, "reason": reason or None, "supplement_working_days": days}, errors


def fast_path_of(form: MultiDict[str, str]) -> tuple[dict[str, Any], Errors]:
    """The bureau's confirmation of the same function and use as the existing entry (FastPathIn, DA-4)."""
    errors: Errors = {}
    same = form.get("same_function_and_use", "")
    if same not in ("true", "false"):
        errors["same_function_and_use"] = "请选择功能用途是否相同"
    note = form.get("note", "").strip()
    _put(errors, "note", text_error(note, "说明", 2000, required=False))
    return {"same_function_and_use": same == "true", "note": note or None}, errors


def assignments_of(form: MultiDict[str, str], entries: list[str],
                   experts: set[str]) -> tuple[dict[str, list[str]], Errors]:
    """Each candidate's selected experts (``experts-<entry>``, several values); an unknown expert is refused."""
    errors: Errors = {}
    assignments: dict[str, list[str]] = {}
    for entry in entries:
        chosen = list(dict.fromkeys(form.getlist(f"experts-{entry}")))
        if any(e not in experts for e in chosen):
            errors[entry] = "所选人员不是在册专家，请重新选择"
        elif len(chosen) > 25:
            errors[entry] = "每个候选品种最多指派25名专家"
        elif chosen:
            assignments[entry] = chosen
    return assignments, errors


def _money(raw: str, label: str) -> tuple[str | None, str | None]:
    if not raw:
        return None, None
    if not MONEY.fullmatch(raw):
        return None, f"{label}应为金额（元），最多两位小数，不超过 9,999,999,999.99"
    return raw, None


def _names(form: MultiDict[str, str], entry: str, errors: Errors) -> dict[str, str] | None:
    given = {n: form.get(f"{entry}-{n}", "").strip() for n, _, _ in NAME_FIELDS}
    if not any(given.values()):
        return None
    for name, label, required in NAME_FIELDS:
        _put(errors, f"{entry}-{name}", text_error(given[name], label, MAX_NAME, required=required))
    return {k: v for k, v in given.items() if v}


def decisions_of(form: MultiDict[str, str], entries: list[str]) -> tuple[dict[str, dict[str, Any]], Errors]:
    """The bureau's decision on every candidate from ``<entry>-<field>`` fields (DecisionIn with its NamesIn)."""
    errors: Errors = {}
    decisions: dict[str, dict[str, Any]] = {}
    for entry in entries:
        decision: dict[str, Any] = {}
        include = form.get(f"{entry}-include", "")
        if include not in ("true", "false"):
            errors[f"{entry}-include"] = "请选择是否纳入"
        else:
            decision["include"] = include == "true"
        category = form.get(f"{entry}-category", "")
        if category and category not in CATEGORIES:
            errors[f"{entry}-category"] = "请选择支付类别（甲类或乙类）"
        elif category:
            decision["category"] = category
        standard, bad = _money(form.get(f"{entry}-max_payment_standard", "").strip(), "最高支付标准")
        _put(errors, f"{entry}-max_payment_standard", bad)
        if standard:
            decision["max_payment_standard"] = standard
        for name, label in (("restricted_scope", "限定支付范围"), ("reason", "不予纳入理由")):
            raw = form.get(f"{entry}-{name}", "").strip()
            _put(errors, f"{entry}-{name}", text_error(raw, label, 2000, required=False))
            if raw:
                decision[name] = raw
        names = _names(form, entry, errors)
        if names:
            decision["names"] = names
        decisions[entry] = decision
    return decisions, errors


RETIREMENT_ROWS = 3
ENTRY = re.compile(r"^C[0-9]{14}$")


def retirements_of(form: MultiDict[str, str]) -> tuple[list[dict[str, str]], Errors]:
    """The catalog entries proposed for retirement (``retire-<i>-entry_code``, ``-reason``; RetirementIn, DA-5)."""
    errors: Errors = {}
    found = []
    for index in range(RETIREMENT_ROWS):
        code = form.get(f"retire-{index}-entry_code", "").strip()
        reason = form.get(f"retire-{index}-reason", "").strip()
        if not code and not reason:
            continue
        if not ENTRY.fullmatch(code):
            errors[f"retire-{index}-entry_code"] = "品种编码应为 C 加 14 位数字（15位）"
        _put(errors, f"retire-{index}-reason", text_error(reason, "退出理由", 2000, required=True))
        found.append({"entry_code": code, "reason": reason})
    return found, errors


def retirement_fields(findings: list[dict[str, str]]) -> Errors:
    """The findings on ``retirements[i].field`` under the form field ``retire-<i>-field``; the rest under ``""``."""
    out: Errors = {}
    for finding in findings:
        match = re.fullmatch(r"retirements\[([0-9]+)\]\.?(entry_code|reason)?", finding.get("field", ""))
        key = f"retire-{match.group(1)}-{match.group(2) or 'entry_code'}" if match else ""
        text = f"{finding.get('rule')} · {finding.get('message', '')}" if finding.get("rule") else \
            finding.get("message", "")
        out[key] = f"{out[key]}；{text}" if key in out else text
    return out


def resolutions_of(form: MultiDict[str, str], ids: list[str]) -> tuple[dict[str, dict[str, Any]], Errors]:
    """An answer to every open objection: upheld or not and the bureau's resolution (ResolutionIn)."""
    errors: Errors = {}
    resolutions: dict[str, dict[str, Any]] = {}
    for oid in ids:
        upheld = form.get(f"{oid}-upheld", "")
        if upheld not in ("true", "false"):
            errors[f"{oid}-upheld"] = "请选择异议是否成立"
        text = form.get(f"{oid}-resolution", "").strip()
        _put(errors, f"{oid}-resolution", text_error(text, "处理意见", 2000, required=True))
        resolutions[oid] = {"upheld": upheld == "true", "resolution": text}
    return resolutions, errors


def effective_of(form: MultiDict[str, str]) -> tuple[date | None, Errors]:
    """The new catalog version's effective date (PublishIn, CM-6)."""
    day, bad = _day(form.get("effective_on", "").strip(), "生效日期")
    return day, {"effective_on": bad} if bad else {}


def finding_fields(findings: list[dict[str, str]], prefix: str, entry_fields: tuple[str, ...]) -> Errors:
    """The use case's findings by form field: ``decisions.C….names.common_name`` → ``C…-common_name``,
    ``decisions.C….include`` → ``C…-include``, ``assignments.C….experts`` → ``C…`` (the entry's top); what names
    no candidate goes under ``""`` (the form's top)."""
    out: Errors = {}
    for finding in findings:
        parts = re.split(r"[.\[]", finding.get("field", ""))
        rule = finding.get("rule") or ""
        text = f"{rule} · {finding.get('message', '')}" if rule else finding.get("message", "")
        if len(parts) < 2 or parts[0] != prefix:
            key = ""
        else:
            entry, rest = parts[1], [p for p in parts[2:] if p]
            key = f"{entry}-{rest[-1]}" if rest and rest[-1] in entry_fields else entry
        out[key] = f"{out[key]}；{text}" if key in out else text
    return out
