"""Console pages where the bureau maintains what the registration process reads (ND-1, ND-12, ND-15): the
negotiated-drug list (each change a new version), the ND-12 ending of registrations whose drug's agreement ended,
and the payment configuration (deductible and fund ratio per insurance type and hospital tier, versioned).

A posted form is read by the JSON API's own schemas (``DrugIn``, ``PaymentConfigIn``), so a page and the API accept
and refuse the same input; each refusal is shown in Chinese beside its field and nothing is changed."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from marshmallow import Schema, ValidationError

from domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from domain.permissions import require
from domain.registration.facts import INSURANCE_TYPES
from workflows import reference_data
from workflows.registration import drug_list, payment

from ..registration_schemas import DrugIn, EffectiveQuery, PaymentConfigIn
from ..services import services
from . import nav, session
from . import registration_text as text
from .pages import console_blueprint
from .session import login_required

drugs_blp = console_blueprint("console_drug_list", __name__, "/console/drug-list")
config_blp = console_blueprint("console_payment_config", __name__, "/console/payment-config")
BLUEPRINTS = [drugs_blp, config_blp]
nav.add("谈判药品目录", "console_drug_list.drugs", order=45)
nav.add("支付比例配置", "console_payment_config.config", roles=("bureau_officer", "admin", "auditor"), order=46)

DRUG_FIELDS = ("name", "dosage_form", "restriction", "annual_limit", "agreement_start", "agreement_end",
               "required_specialty", "specialty_exempt_indications", "effective_date")
DRUG_LABELS = {"seq": "序号", "name": "药品名称", "dosage_form": "剂型", "restriction": "限定支付范围",
               "annual_limit": "年度最高支付限额（元）", "agreement_start": "协议开始日期",
               "agreement_end": "协议结束日期", "required_specialty": "限定专科",
               "specialty_exempt_indications": "不限专科的适应症", "effective_date": "新版本生效日期"}
DRUG_HINTS = {"annual_limit": "大于 0、最多两位小数的金额，如 13000.00",
              "agreement_start": "日期，格式 2027-01-01（1900–2999 年）",
              "agreement_end": "日期，格式 2027-12-31（1900–2999 年）",
              "effective_date": "日期，格式 2027-01-01（1900–2999 年）",
              "required_specialty": "小写英文标识，如 rheumatology", "name": "1–100 个字符",
              "dosage_form": "1–100 个字符", "restriction": "最多 2000 个字符",
              "specialty_exempt_indications": "每行一个，最多 20 个，每个最多 100 个字符"}
SPECIALTIES = {"rheumatology": "风湿病专科"}
TIERS = ("3", "2", "1")
TIER_TEXT = {"1": "一级", "2": "二级", "3": "三级"}
RULE_HINTS = {"deductible": "起付标准应为不小于 0、最多两位小数的金额",
              "fund_ratio": "支付比例应为 0–1 之间、最多四位小数"}
MAX_SEQ = 9999


@drugs_blp.context_processor
@config_blp.context_processor
def words() -> dict[str, Any]:
    return {"reg_text": text}


def _blank_free(form: Mapping[str, str], names: tuple[str, ...]) -> dict[str, str]:
    return {n: str(form.get(n, "")).strip() for n in names}


def _load(schema: Schema, data: Mapping[str, Any]) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """The API schema's reading of ``data``, or its messages by field."""
    try:
        return schema.load(data), {}
    except ValidationError as exc:
        return None, exc.messages if isinstance(exc.messages, dict) else {"_": exc.messages}


def _exempt(value: str) -> list[str]:
    return [line.strip() for line in value.replace("；", "\n").replace(";", "\n").splitlines() if line.strip()]


def _drug_errors(messages: Mapping[str, Any]) -> dict[str, str]:
    return {name if name in DRUG_LABELS else "": f"{DRUG_LABELS.get(name, name)}格式不正确：{DRUG_HINTS.get(name, '')}"
            .rstrip("：") for name in messages}


def _refused(exc: InvalidInput | Conflict | NotFound, fields: tuple[str, ...]) -> dict[str, str]:
    field = (exc.field or "").split(".")[0].split("[")[0]
    rule = f"{exc.rule}：" if exc.rule else ""
    if isinstance(exc, Conflict) and exc.code == "duplicate_drug":
        return {"name": "ND-1：现行目录中已有同名药品"}
    if isinstance(exc, Conflict) and exc.code == "last_drug":
        return {"": "ND-1：目录至少保留一个药品"}
    if isinstance(exc, NotFound):
        return {"": "现行目录中没有该药品"}
    label = DRUG_LABELS.get(field)
    sentence = f"{label}不符合目录规则（{exc.detail}）" if label else exc.detail
    return {field if field in fields else "": rule + sentence}


def _may_maintain() -> bool:
    try:
        require(session.actor(), "registration.drug_list")
    except Forbidden:
        return False
    return True


@drugs_blp.route("")
@login_required
def drugs() -> Any:
    """A version of the negotiated-drug list (the latest by default) with every version to choose from."""
    versions = reference_data.list_drug_versions(services())
    asked = request.args.get("version", "")
    version = int(asked) if asked.isascii() and asked.isdigit() and 0 < int(asked) <= 1_000_000 else None
    if asked and version is None:
        return render_template("error.html", status=404, message="没有该目录版本", code="drug_list_not_found"), 404
    try:
        found = reference_data.list_drugs(services(), version)
    except NotFound:
        if version is not None:
            return render_template("error.html", status=404, message="没有该目录版本", code="drug_list_not_found"), 404
        found = None
    return render_template("registration/drugs.html", found=found, versions=versions, maintain=_may_maintain(),
                           specialties=SPECIALTIES)


def _current_values(seq: int) -> dict[str, str] | None:
    try:
        listed = reference_data.list_drugs(services())
    except NotFound:
        return None
    drug = next((d for d in listed.drugs if d.seq == seq), None)
    if drug is None:
        return None
    return {"name": drug.name, "dosage_form": drug.dosage_form, "restriction": drug.restriction,
            "annual_limit": f"{drug.annual_limit:.2f}", "agreement_start": _iso(drug.agreement_start),
            "agreement_end": _iso(drug.agreement_end), "required_specialty": drug.required_specialty or "",
            "specialty_exempt_indications": "\n".join(drug.specialty_exempt_indications), "effective_date": ""}


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


def _next_seq() -> int:
    try:
        return max((d.seq for d in reference_data.list_drugs(services()).drugs), default=0) + 1
    except NotFound:
        return 1


def _save(seq: int, values: dict[str, str]) -> dict[str, str]:
    """Save drug ``seq`` from the posted values; the errors by field (empty: saved)."""
    data: dict[str, Any] = {k: v for k, v in values.items() if v and k != "specialty_exempt_indications"}
    data["restriction"] = values["restriction"]
    data["specialty_exempt_indications"] = _exempt(values["specialty_exempt_indications"])
    for optional in ("agreement_start", "agreement_end", "required_specialty"):
        data.setdefault(optional, None)
    body, messages = _load(DrugIn(), data)
    if body is None:
        return _drug_errors(messages)
    given = drug_list.DrugInput(
        name=body["name"], dosage_form=body["dosage_form"], restriction=body["restriction"],
        annual_limit=body["annual_limit"], agreement_start=body["agreement_start"],
        agreement_end=body["agreement_end"], required_specialty=body["required_specialty"],
        specialty_exempt_indications=tuple(body["specialty_exempt_indications"]))
    try:
        saved = drug_list.save_drug(services(), session.actor(), seq, given, body["effective_date"])
    except (InvalidInput, Conflict) as exc:
        return _refused(exc, DRUG_FIELDS)
    flash(f"已发布谈判药品目录第 {saved.version} 版（{saved.effective_date.isoformat()} 起）")
    return {}


@drugs_blp.route("/new", methods=["GET", "POST"], defaults={"seq": None})
@drugs_blp.route("/<int(min=1, max=9999):seq>", methods=["GET", "POST"])
@login_required
def drug(seq: int | None) -> Any:
    """Add a drug to the list, or change one (agreement period, limit, restriction): a new version (ND-1)."""
    require(session.actor(), "registration.drug_list")
    adding = seq is None
    values = _current_values(seq) if seq is not None else None
    if seq is not None and values is None:
        raise NotFound("the current list has no such drug", code="drug_not_found")
    values = values or dict.fromkeys(DRUG_FIELDS, "")
    errors: dict[str, str] = {}
    asked_seq = str(seq or _next_seq())
    if request.method == "POST":
        values = _blank_free(request.form, DRUG_FIELDS)
        values["restriction"] = str(request.form.get("restriction", ""))
        if adding:
            asked_seq = str(request.form.get("seq", "")).strip()
            if not (asked_seq.isascii() and asked_seq.isdigit() and 1 <= int(asked_seq) <= MAX_SEQ):
                errors["seq"] = f"序号应为 1–{MAX_SEQ} 的整数"
            elif _current_values(int(asked_seq)) is not None:
                errors["seq"] = "现行目录中已有该序号的药品；要修改它请打开该药品"
        if not errors:
            errors = _save(int(asked_seq), values)
        if not errors:
            return redirect(url_for("console_drug_list.drugs"))
    return render_template("registration/drug_form.html", seq=seq, asked_seq=asked_seq, values=values,
                           errors=errors, labels=DRUG_LABELS, hints=DRUG_HINTS, specialties=SPECIALTIES), (
        422 if errors else 200)


@drugs_blp.route("/<int(min=1, max=9999):seq>/removal", methods=["POST"])
@login_required
def delist(seq: int) -> Any:
    """Take a drug off the list as a new version; its registrations end at the next ending (ND-12)."""
    query, _ = _load(EffectiveQuery(), {k: v for k, v in
                                               _blank_free(request.form, ("effective_date",)).items() if v})
    if query is None:
        flash("新版本生效日期格式不正确：" + DRUG_HINTS["effective_date"])
        return redirect(url_for("console_drug_list.drug", seq=seq)), 303
    try:
        saved = drug_list.delist_drug(services(), session.actor(), seq, query["effective_date"])
    except (Conflict, NotFound) as exc:
        flash(next(iter(_refused(exc, ()).values())))
        return redirect(url_for("console_drug_list.drugs")), 303
    flash(f"已将序号 {seq} 的药品调出目录：第 {saved.version} 版（{saved.effective_date.isoformat()} 起）；"
          "其登记将在下次“协议到期终止”时终止（ND-12）")
    return redirect(url_for("console_drug_list.drugs"))


@drugs_blp.route("/agreement-endings", methods=["POST"])
@login_required
def end_agreements() -> Any:
    """End every live registration whose drug's agreement ended or which left the list, in batches (ND-12)."""
    report = drug_list.end_registrations_of_ended_drugs(services(), session.actor())
    flash(f"ND-12：已终止 {report.ended} 个登记（共 {report.batches} 批）")
    return redirect(url_for("console_drug_list.drugs"))


def _rule_values(view: Any) -> dict[str, str]:
    if view is None:
        return {}
    found: dict[str, str] = {}
    for rule in view.rules:
        found[f"{rule.insurance_type}.{rule.tier}.deductible"] = f"{rule.deductible:.2f}"
        found[f"{rule.insurance_type}.{rule.tier}.fund_ratio"] = f"{rule.fund_ratio.normalize():f}"
    return found


def _config_of(form: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str], dict[str, str]]:
    """The rules posted as a grid (type × tier), the values to show again, and the shape errors by cell."""
    rules: dict[str, dict[str, dict[str, str]]] = {}
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    for kind in INSURANCE_TYPES:
        for tier in TIERS:
            cell = {part: str(form.get(f"{kind}.{tier}.{part}", "")).strip() for part in ("deductible", "fund_ratio")}
            values.update({f"{kind}.{tier}.{part}": v for part, v in cell.items()})
            if not any(cell.values()):
                continue  # no rule for this type and tier: a settlement there is refused (ND-15)
            for part, v in cell.items():
                if not v:
                    errors[f"{kind}.{tier}.{part}"] = "起付标准与支付比例须同时填写"
            rules.setdefault(kind, {})[tier] = cell
    return rules, values, errors


@config_blp.route("", methods=["GET", "POST"])
@login_required
def config() -> Any:
    """The payment configuration in force (or an earlier version) and the form of its next version (ND-15)."""
    actor = session.actor()
    asked = request.args.get("version", "")
    version = int(asked) if asked.isascii() and asked.isdigit() and 0 < int(asked) <= 1_000_000 else None
    if asked and version is None:
        return render_template("error.html", status=404, message="没有该配置版本", code="payment_config_not_found"), 404
    try:
        shown = payment.get_payment_config(services(), version)
    except NotFound:
        if version is not None:
            raise
        shown = None
    latest = shown if version is None else _latest()
    errors: dict[str, str] = {}
    values = _rule_values(latest)
    note = ""
    if request.method == "POST":
        require(actor, "registration.payment_config")
        rules, values, errors = _config_of(request.form)
        note = str(request.form.get("note", "")).strip()
        if not rules and not errors:
            errors[""] = "请至少填写一种险种、一个医院等级的起付标准和支付比例"
        if not errors:
            body, messages = _load(PaymentConfigIn(), {"rules": rules, **({"note": note} if note else {})})
            if body is None:
                errors = _config_errors(messages)
            else:
                try:
                    saved = payment.set_payment_config(services(), actor, body["rules"], body["note"])
                except InvalidInput as exc:
                    where = (exc.field or "").removeprefix("rules.")
                    errors[where if where in values else ""] = f"ND-15：{exc.detail.split(': ', 1)[-1]}"
                else:
                    flash(f"已发布支付配置第 {saved.version} 版")
                    return redirect(url_for("console_payment_config.config"))
    return render_template(
        "registration/payment_config.html", shown=shown, latest=latest, values=values, errors=errors, note=note,
        types=INSURANCE_TYPES, tiers=TIERS, tier_text=TIER_TEXT, versions=_versions(latest),
        maintain=_may_config()), 422 if errors else 200


def _config_errors(messages: Mapping[str, Any]) -> dict[str, str]:
    """The API schema's messages on the nested rules, by grid cell."""
    errors: dict[str, str] = {}
    if "note" in messages:
        errors["note"] = "说明最多 300 个字符，且不能含控制字符"
    for kind, tiers in (messages.get("rules") or {}).items():
        for tier, cell in (tiers.get("value") or {}).items() if isinstance(tiers, dict) else ():
            for part in (cell.get("value") or {}) if isinstance(cell, dict) else ():
                errors[f"{kind}.{tier}.{part}"] = RULE_HINTS.get(part, "格式不正确")
    return errors or {"": "支付配置格式不正确"}


def _latest() -> Any:
    try:
        return payment.get_payment_config(services())
    except NotFound:
        return None


def _versions(latest: Any) -> list[int]:
    return list(range(latest.version, 0, -1)) if latest is not None else []


def _may_config() -> bool:
    try:
        require(session.actor(), "registration.payment_config")
    except Forbidden:
        return False
    return True


__all__ = ["BLUEPRINTS"]
