"""Public console pages, no login (SV-1): the consumable catalog searched by code or Chinese name, one entry."""

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


@blp.route("/<code>")
def entry(code: str) -> Any:
    """One catalog entry of the latest version."""
    try:
        found = reference_data.get_catalog_entry(services(), code)
    except (NotFound, InvalidInput):
        page = render_template("error.html", status=404, message="目录中没有该编码", code="catalog_entry_not_found")
        return page, 404
    return render_template("entry.html", entry=found)
