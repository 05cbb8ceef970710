"""The bureau's page of the regions' payment ratios for consumables (PAY-4): the version in force (or an earlier
one) and the form of the next version, one row per region. The posted rows are read by the JSON API's own schema
(``PaymentRatiosIn``), then the use case checks them; each refusal is shown beside its row and nothing is published.
A version published meanwhile by someone else is refused (409 in the API), and the page says so."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from marshmallow import ValidationError

from domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from domain.permissions import require
from workflows.admission import payment

from ..admission_catalog import PaymentRatiosIn
from ..services import services
from . import nav, session
from .pages import console_blueprint
from .session import login_required

blp = console_blueprint("console_payment_ratios", __name__, "/console/payment-ratios")
BLUEPRINTS = [blp]
nav.add("耗材支付比例", "console_payment_ratios.ratios", roles=("bureau_officer", "admin", "auditor"), order=47)
PARTS = ("region", "name", "fund_ratio", "b_prepay_ratio")
BLANK_ROWS = 3
MAX_ROWS = 500
HINTS = {"region": "参保地应为6位行政区划代码，如 520100", "name": "名称最多100个字符",
         "fund_ratio": "基金支付比例应为 0–1 之间、最多四位小数",
         "b_prepay_ratio": "乙类先行自付比例应为 0–1 之间、最多四位小数"}


def _maintain() -> bool:
    try:
        require(session.actor(), "admission.payment_ratios.manage")
    except Forbidden:
        return False
    return True


def _rows_of(view: Any) -> list[dict[str, str]]:
    if view is None:
        return []
    return [{"region": r.region, "name": r.name, "fund_ratio": f"{r.fund_ratio.normalize():f}",
             "b_prepay_ratio": f"{r.b_prepay_ratio.normalize():f}"} for r in view.regions]


def _posted(form: Mapping[str, str]) -> tuple[list[dict[str, str]], dict[str, str]]:
    """The rows as posted (blank ones dropped) and the rows' shape errors, keyed ``<row>.<part>``."""
    rows: list[dict[str, str]] = []
    errors: dict[str, str] = {}
    count = int(form.get("rows", "0")) if str(form.get("rows", "0")).isdigit() else 0
    for i in range(min(count, MAX_ROWS + BLANK_ROWS)):
        row = {part: str(form.get(f"r{i}.{part}", "")).strip() for part in PARTS}
        if not any(row.values()):
            continue
        rows.append(row)
        for part in ("region", "fund_ratio", "b_prepay_ratio"):
            if not row[part]:
                errors[f"{len(rows) - 1}.{part}"] = f"请填写：{HINTS[part]}"
    seen: dict[str, int] = {}
    for index, row in enumerate(rows):
        if row["region"] in seen:
            errors[f"{index}.region"] = "参保地重复"
        seen.setdefault(row["region"], index)
    return rows, errors


def _schema_errors(messages: Mapping[str, Any], rows: list[dict[str, str]]) -> dict[str, str]:
    errors: dict[str, str] = {}
    index = {row["region"]: i for i, row in enumerate(rows)}
    for region, found in (messages.get("ratios") or {}).items() if isinstance(messages.get("ratios"), dict) else ():
        i = index.get(region, 0)
        parts = (found.get("value") or {}) if isinstance(found, dict) else {}
        if isinstance(found, dict) and "key" in found:
            errors[f"{i}.region"] = HINTS["region"]
        for part in parts if isinstance(parts, dict) else ():
            errors[f"{i}.{part}"] = HINTS.get(part, "格式不正确")
    if "note" in messages:
        errors["note"] = "说明最多300个字符，且不能含控制字符"
    return errors or {"": "支付比例格式不正确"}


@blp.route("", methods=["GET", "POST"])
@login_required
def ratios() -> Any:
    """The regions' ratios in force (or ``?version=``) and, for the bureau, the form of the next version (PAY-4)."""
    asked = request.args.get("version", "")
    version = int(asked) if asked.isascii() and asked.isdigit() and 0 < int(asked) <= 1_000_000 else None
    if asked and version is None:
        return render_template("error.html", status=404, message="没有该版本", code="payment_ratios_not_found"), 404
    try:
        shown = payment.get_ratios(services(), version)
    except NotFound:
        if version is not None:
            raise
        shown = None
    latest = shown if version is None else _latest()
    rows, note = _rows_of(latest), ""
    errors: dict[str, str] = {}
    expected = latest.version if latest else 0
    if request.method == "POST":
        require(session.actor(), "admission.payment_ratios.manage")
        rows, errors = _posted(request.form)
        note = str(request.form.get("note", "")).strip()
        given = str(request.form.get("expected_version", ""))
        expected = int(given) if given.isascii() and given.isdigit() and len(given) < 10 else -1
        if not rows and not errors:
            errors[""] = "请至少填写一个参保地的支付比例"
        if not errors:
            errors = _publish(rows, expected, note)
        if not errors:
            return redirect(url_for("console_payment_ratios.ratios"))
    return render_template(
        "admission/payment_ratios.html", shown=shown, latest=latest, rows=rows + [{}] * BLANK_ROWS, errors=errors,
        note=note, expected=expected, maintain=_maintain(), hints=HINTS,
        versions=list(range(latest.version, 0, -1)) if latest else []), 422 if errors else 200


def _publish(rows: list[dict[str, str]], expected: int, note: str) -> dict[str, str]:
    body = {"expected_version": expected, "ratios": {r["region"]: {k: r[k] for k in PARTS[1:]} for r in rows},
            **({"note": note} if note else {})}
    try:
        loaded = PaymentRatiosIn().load(body)
    except ValidationError as exc:
        messages = exc.messages if isinstance(exc.messages, dict) else {}
        if "expected_version" in messages:
            return {"": "表单已过期，请刷新页面后重试"}
        return _schema_errors(messages, rows)
    try:
        saved = payment.publish_ratios(services(), session.actor(), loaded["ratios"], loaded["expected_version"],
                                       loaded["note"])
    except Conflict:
        return {"": "支付比例已被他人修改并发布了新版本，请刷新页面后重新填写"}
    except InvalidInput as exc:
        region, _, part = (exc.field or "").removeprefix("ratios.").partition(".")
        index = next((i for i, r in enumerate(rows) if r["region"] == region), None)
        rule = f"{exc.rule}：" if exc.rule else ""
        if index is None:
            return {"": rule + "支付比例不符合规则（" + exc.detail + "）"}
        return {f"{index}.{part or 'region'}": rule + HINTS.get(part or "region", exc.detail)}
    flash(f"已发布耗材支付比例第 {saved.version} 版")
    return {}


def _latest() -> Any:
    try:
        return payment.get_ratios(services())
    except NotFound:
        return None
