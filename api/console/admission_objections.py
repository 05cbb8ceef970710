"""The hospital side of the public notice (公示异议, blueprint ``console_objections``, prefix
``/console/admission/objections``): the rounds whose results are in their public notice, a form to object to one
(``lodge_objection``, SV-1; the use case lets any logged-in user object, the menu shows the page to hospital
officers) and the caller's own objections with the bureau's answers (``list_objections`` shows anyone but the
bureau only their own)."""

from __future__ import annotations

import re
from typing import Any

from flask import flash, redirect, request, url_for

from domain.errors import InvalidInput, PolicyViolation
from workflows.admission import round_messages, rounds

from ..admission_schemas import ENTRY
from ..services import services
from . import nav, session
from .admission_common import ROUND_STAGE, page, refusal, text_error
from .pages import console_blueprint
from .session import login_required

blp = console_blueprint("console_objections", __name__, "/console/admission/objections")
BLUEPRINTS = [blp]
_ENTRY = re.compile(ENTRY)

nav.add("公示异议", "console_objections.objections", roles=("hospital_officer",), order=36)


def _page(errors: dict[str, str], values: dict[str, str], status: int = 200) -> Any:
    actor = session.actor()
    found = rounds.list_rounds(services(), actor)
    mine = [(r, round_messages.list_objections(services(), actor, r.id)) for r in found]
    return page("objections.html", status, noticed=[r for r in found if r.stage == "notice"],
                mine=[(r, o) for r, o in mine if o], errors=errors, values=values, stages=ROUND_STAGE)


@blp.route("", methods=["GET", "POST"])
@login_required
def objections() -> Any:
    """The rounds in public notice and my objections; POST lodges one (SV-1: only during the notice)."""
    if request.method == "GET":
        return _page({}, {})
    form = request.form
    rid, text, entry = form.get("round_id", ""), form.get("text", "").strip(), form.get("entry_code", "").strip()
    errors: dict[str, str] = {}
    noticed = {r.id for r in rounds.list_rounds(services(), session.actor()) if r.stage == "notice"}
    if rid not in noticed:
        errors["round_id"] = "SV-1 · 请选择正在公示的调整轮次"
    error = text_error(text, "异议内容", 2000, required=True)
    if error:
        errors["text"] = error
    if entry and not _ENTRY.fullmatch(entry):
        errors["entry_code"] = "品种编码应为 C 加 14 位数字（15位）"
    if not errors:
        try:
            round_messages.lodge_objection(services(), session.actor(), rid, text, entry or None)
        except (InvalidInput, PolicyViolation) as exc:
            name = (exc.field or "").rsplit(".", 1)[-1]
            known = {"entry_code": "该品种不是本轮的候选品种", "round_id": "SV-1 · 该轮次不在公示期内"}
            errors = {name if name in known else "": known.get(name, refusal(exc))}
        else:
            flash("已提交异议，医保局将在公示期满后逐项处理")
            return redirect(url_for("console_objections.objections"))
    return _page(errors, dict(form), 422)
