"""Console pages of the settlement (结算, ND-9, ND-11, ND-13, ND-15): the dispensing form at the registered hospital or
a dual-channel pharmacy, its itemised fund/patient split and the remaining annual limit, a refusal explained in words,
the organization's recent dispensings, and their reversal — through the same use cases as the JSON API."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for

from domain.errors import InvalidInput, PolicyViolation
from workflows.registration import accounts, settlement
from workflows.registration.settlement import DispensingInput

from ..services import services
from . import nav, session
from . import registration_forms as forms
from . import registration_text as text
from .pages import console_blueprint
from .session import login_required

blp = console_blueprint("console_dispensing", __name__, "/console/dispensings")
RECENT = 20
nav.add("结算", "console_dispensing.dispensings", roles=("pharmacist", "hospital_officer", "physician"), order=40)


@blp.context_processor
def words() -> dict[str, Any]:
    return {"reg_text": text}


def _page(values: dict[str, str], errors: dict[str, str], refusal: Any = None, status: int = 200) -> Any:
    recent = settlement.recent_dispensings(services(), session.actor(), RECENT)
    return render_template("registration/dispensings.html", values=values, errors=errors, refusal=refusal,
                           recent=recent), status


@blp.route("", methods=["GET", "POST"])
@login_required
def dispensings() -> Any:
    """The dispensing form and the recent dispensings; posting settles one (ND-9, ND-11, ND-13, ND-15)."""
    if request.method == "GET":
        return _page({}, {})
    actor = session.actor()
    values = {n: str(request.form.get(n, "")).replace("\x00", "") for n in forms.DISPENSING}
    try:
        v = forms.read(request.form, forms.DISPENSING)
        view = settlement.dispense(services(), actor, DispensingInput(
            v["psn_no"], v["drug"], v["physician_code"], v["quantity"], v["amount"], v["external_ref"]))
    except forms.FormErrors as exc:
        return _page(values, exc.errors, status=422)
    except PolicyViolation as exc:
        refusal = {"rule": exc.rule, "text": text.rule_text(exc.rule, exc.field), "detail": exc.detail}
        return _page(values, text.refusal_messages(exc, frozenset(forms.DISPENSING)), refusal, 422)
    except InvalidInput as exc:
        return _page(values, text.refusal_messages(exc, frozenset(forms.DISPENSING)), status=422)
    return render_template("registration/dispensing.html", d=view, just_settled=True), 200 if view.replayed else 201


@blp.route("/<uuid:dispensing_id>")
@login_required
def dispensing(dispensing_id: Any) -> Any:
    """One dispensing of my organization with its split, and its reversal form."""
    view = settlement.get_dispensing(services(), session.actor(), str(dispensing_id))
    return render_template("registration/dispensing.html", d=view, just_settled=False)


@blp.route("/<uuid:dispensing_id>/reversal", methods=["POST"])
@login_required
def reversal(dispensing_id: Any) -> Any:
    """Reverse a dispensing with a reason: its fund part returns to the annual limit (ND-9)."""
    actor, did = session.actor(), str(dispensing_id)
    view = settlement.get_dispensing(services(), actor, did)  # 404 for another organization's, first
    try:
        v = forms.read(request.form, ("reason",))
        accounts.reverse_dispensing(services(), actor, did, v["reason"])
    except forms.FormErrors as exc:
        return render_template("registration/dispensing.html", d=view, just_settled=False,
                               errors=exc.errors), 422
    except InvalidInput:
        return render_template("registration/dispensing.html", d=view, just_settled=False,
                               errors={"reason": "请填写冲正原因（最多500个字符）"}), 422
    flash("已冲正，基金支付部分已退回年度限额")
    return redirect(url_for(".dispensing", dispensing_id=did))
