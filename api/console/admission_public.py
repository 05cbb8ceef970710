"""Public console pages of the admission slice, no login (SV-1): one catalog entry with its products, VBP facts and
the source of its payment standard; the payment calculator (PAY-1…PAY-4, VBP-3); the published results of the
adjustment rounds. The calculator's input is checked by the API's own schema
(``api.admission_catalog.QuoteQuery``), so a page and ``GET /catalog/payment`` accept and refuse the same."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import render_template, request
from marshmallow import ValidationError

from domain.admission.outcomes import OutcomeKind
from domain.errors import InvalidInput, NotFound, PolicyViolation, YibaoError
from workflows import reference_data
from workflows.admission import catalog_entries, payment, round_messages

from ..admission_catalog import QuoteQuery
from ..services import services
from . import nav
from .pages import console_blueprint
from .public import version_arg

blp = console_blueprint("console_catalog", __name__, "/console/public")
entries = console_blueprint("console_catalog_entry", __name__, "/console/catalog")
BLUEPRINTS = [blp, entries]
nav.add("支付计算器", "console_catalog.calculator", order=910, public=True)
nav.add("结果公布", "console_catalog.results", order=920, public=True)
FIELDS = ("code", "unit_price", "quantity", "region", "version")
MESSAGES = {
    "code": "耗材编码应为15位目录编码或27位产品编码",
    "unit_price": "单价应为大于0、最多两位小数的金额（元）",
    "quantity": "数量应为正整数",
    "region": "参保地应为6位行政区划代码，如 520102",
    "version": "目录版本应为正整数",
}
ZONES = {"low": "低价区", "middle": "中价区", "high": "高价区"}
OUTCOMES = {kind.value: kind.label for kind in OutcomeKind}  # the labels the hospitals see (DA-9)


@blp.route("/payment")
def calculator() -> Any:
    """Who pays what for a consumable: the fund, the patient within the standard and above it (PAY-1…PAY-4)."""
    asked = {k: request.args.get(k, "").strip() for k in FIELDS}
    errors: dict[str, str] = {}
    quote = None
    unknown = [name for name in request.args if name not in FIELDS]
    if unknown:
        errors["_"] = "不支持的查询参数：" + "、".join(n[:40] for n in unknown)
    elif any(asked.values()):
        try:
            q = QuoteQuery().load({k: v for k, v in asked.items() if v})
        except ValidationError as exc:
            fields = exc.messages if isinstance(exc.messages, dict) else {}
            errors = {name: MESSAGES.get(name, "输入不正确") for name in fields}
        else:
            try:
                quote = payment.quote(services(), q["code"], Decimal(q["unit_price"]), q["quantity"], q["region"],
                                      q["version"])
            except NotFound as exc:
                if exc.code == "catalog_version_not_found":
                    errors["version" if q["version"] else "_"] = "没有该目录版本" if q["version"] else "目录尚未发布"
                else:
                    errors["code"] = "目录中没有该编码"
            except PolicyViolation as exc:
                errors[exc.field or "_"] = f"{exc.rule}：该参保地尚未配置支付比例" if exc.rule == "PAY-4" else (
                    f"{exc.rule}：{exc.detail}")
            except YibaoError as exc:
                errors[exc.field or "_"] = "无法计算：" + exc.detail
    return render_template("admission/public_payment.html", asked=asked, errors=errors, quote=quote), (
        422 if errors else 200)


@blp.route("/results")
def results() -> Any:
    """The published rounds: catalog version, effective date, entries added, removed, changed, outcomes."""
    return render_template("admission/public_results.html", publications=round_messages.list_publications(services()),
                           outcome_text=OUTCOMES)


@entries.route("/<code>")
def entry(code: str) -> Any:
    """One entry of a catalog version (the latest by default): its row, the products listed under it (CM-1, CM-5),
    its VBP facts (VBP-1…VBP-4), where its payment standard comes from, the day a temporary inclusion leaves (DA-8),
    and the versions to choose from."""
    try:
        found = catalog_entries.get_entry(services(), code, version_arg(request.args.get("version")))
    except (NotFound, InvalidInput):
        page = render_template("error.html", status=404, message="目录中没有该编码", code="catalog_entry_not_found")
        return page, 404
    versions = reference_data.list_catalog_versions(services())
    return render_template("admission/entry.html", entry=found, versions=versions, zones=ZONES)
