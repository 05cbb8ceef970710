"""Public console pages, no login (SV-1): the consumable catalog searched by code or Chinese name, its versions and
the diff between two. One entry, with its products, is the admission slice's page (``admission_public.entry``)."""

from __future__ import annotations

import re
from typing import Any

from flask import render_template, request

from domain.errors import InvalidInput, NotFound
from workflows import reference_data

from ..services import services
from .pages import console_blueprint

blp = console_blueprint("console_public", __name__, "/console/catalog")
CODE = re.compile(r"^C[0-9]{1,26}$")
PAGE = 20
FIELD_LABELS = {"primary_class": "一级分类", "secondary_class": "二级分类", "tertiary_class": "三级分类",
                "common_name": "通用名", "material": "材质", "characteristics": "特征", "payment_category": "支付类别",
                "payment_standard": "最高支付标准", "description": "限定支付范围"}


@blp.route("")
def catalog() -> Any:
    """Search the latest catalog version by code prefix or words of its Chinese names."""
    q = request.args.get("q", "").strip()[:100]
    page = None
    error = None
    status = 200
    if q:
        code = q.upper()
        try:
            page = reference_data.get_catalog_entries(
                services(), code_prefix=code if CODE.match(code) else None, q=None if CODE.match(code) else q,
                limit=PAGE)
        except InvalidInput:
            error, status = "编码格式不正确：耗材编码以 C 开头，后接数字", 422
        except NotFound:
            error = "目录尚未发布"
    return render_template("catalog.html", q=q, page=page, error=error), status


def version_arg(value: str | None) -> int | None:
    """A version number from the query string; None when absent; InvalidInput when it is not one."""
    if value is None or value == "":
        return None
    if not (value.isascii() and value.isdigit() and 1 <= int(value) <= 1_000_000):
        raise InvalidInput("not a version number", code="bad_version")
    return int(value)


@blp.route("/versions")
def versions() -> Any:
    """Every published catalog version, with a form to compare two of them (CM-6)."""
    found = reference_data.list_catalog_versions(services())
    return render_template("catalog_versions.html", versions=found)


@blp.route("/diff")
def diff() -> Any:
    """What changed from one version to another: entries added, removed and changed, field by field (CM-6)."""
    found = reference_data.list_catalog_versions(services())
    error, result = None, None
    try:
        old, new = version_arg(request.args.get("from")), version_arg(request.args.get("to"))
    except InvalidInput:
        old = new = None
        error = "版本号应为正整数"
    if error is None and (old is None or new is None):
        error = "请选择要比较的两个版本" if request.args else None
    elif error is None and old is not None and new is not None:
        try:
            result = reference_data.catalog_diff(services(), old, new)
        except NotFound:
            error = "没有该目录版本"
        except InvalidInput as exc:
            error = "无法比较：" + exc.detail
    status = 422 if error else 200
    return render_template("catalog_diff.html", versions=found, diff=result, error=error, labels=FIELD_LABELS,
                           old=request.args.get("from", ""), new=request.args.get("to", "")), status
