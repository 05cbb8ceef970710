"""The expert's pages (专家评审: the candidates assigned to them, the materials, the review form) and the NHSA's
(国家局备案: filings waiting for an answer, acknowledge or reject with reasons)."""

from __future__ import annotations

import re
from typing import Any

from flask import flash, redirect, request, url_for

from domain.errors import InvalidInput, PolicyViolation
from workflows.admission import applications, round_messages, rounds

from ..admission import object_id
from ..admission_rounds import entry_path_code as entry_code
from ..admission_rounds import round_path_id as round_id
from ..services import services
from . import nav, session
from .admission_common import (
    APPLICATION_STATUS,
    FILING_STATUS,
    ROUND_STAGE,
    blp,
    page,
    refusal,
    text_error,
)
from .session import login_required

MONEY = re.compile(r"^(0|[1-9][0-9]{0,9})(\.[0-9]{1,2})?$")
CATEGORIES = ("甲", "乙")

nav.add("专家评审", "console_admission.reviews", roles=("expert",), order=31)
nav.add("国家局备案", "console_admission.filings", roles=("nhsa_officer",), order=32)


def document_id(value: str) -> str:
    """A path's document id."""
    return object_id(value, "document")


@blp.route("/reviews")
@login_required
def reviews() -> Any:
    """The candidates assigned to me, round by round (list_candidates scopes them, SV-3)."""
    actor = session.actor()
    found = [(r, rounds.list_candidates(services(), actor, r.id)) for r in rounds.list_rounds(services(), actor)]
    return page("reviews.html", rounds=[(r, c) for r, c in found if c], stages=ROUND_STAGE)


def _candidate_page(rid: str, code: str, values: dict[str, str], errors: dict[str, str], status: int = 200) -> Any:
    actor = session.actor()
    candidate = rounds.get_candidate(services(), actor, rid, code)
    found = applications.list_applications(services(), actor, round_id=rid, limit=200)
    apps = [a for a in found.items if a.entry_code == code]
    mine = [r for r in candidate.reviews if r.expert_id == actor.user_id]
    return page("candidate.html", status, candidate=candidate, round=rounds.get_round(services(), actor, rid),
                apps=apps, mine=mine[0] if mine else None, values=values, errors=errors,
                statuses=APPLICATION_STATUS, categories=CATEGORIES)


def _review_of(form: Any) -> tuple[dict[str, Any], dict[str, str]]:
    errors: dict[str, str] = {}
    review: dict[str, Any] = {}
    include = form.get("include", "")
    if include not in ("true", "false"):
        errors["include"] = "请选择是否纳入"
    else:
        review["include"] = include == "true"
    category = form.get("category", "")
    if category and category not in CATEGORIES:
        errors["category"] = "请选择支付类别"
    elif category:
        review["category"] = category
    standard = form.get("max_payment_standard", "").strip()
    if standard and not MONEY.fullmatch(standard):
        errors["max_payment_standard"] = "最高支付标准应为金额（元），最多两位小数"
    elif standard:
        review["max_payment_standard"] = standard
    for name, label, limit, required in (("restricted_scope", "限定支付范围", 2000, False),
                                         ("reasoning", "评审意见", 4000, True)):
        raw = form.get(name, "").strip()
        error = text_error(raw, label, limit, required)
        if error:
            errors[name] = error
        elif raw:
            review[name] = raw
    return review, errors


@blp.route("/rounds/<rid>/candidates/<code>", methods=["GET", "POST"])
@login_required
def candidate(rid: str, code: str) -> Any:
    """A candidate assigned to me: its applications' materials, their documents, and my review (submit_review)."""
    rid, code = round_id(rid), entry_code(code)
    if request.method == "GET":
        return _candidate_page(rid, code, {}, {})
    review, errors = _review_of(request.form)
    if not errors:
        try:
            rounds.submit_review(services(), session.actor(), rid, code, review)
        except (InvalidInput, PolicyViolation) as exc:
            errors = {exc.field.rsplit(".", 1)[-1] if exc.field else "": refusal(exc)}
        else:
            flash(f"已提交对 {code} 的评审意见")
            return redirect(url_for("console_admission.candidate", rid=rid, code=code))
    return _candidate_page(rid, code, dict(request.form), errors, 422)


def _filings_page(errors: dict[str, dict[str, str]], values: dict[str, str], status: int = 200) -> Any:
    actor = session.actor()
    pending = round_messages.list_filings(services(), actor, status="pending")
    answered = [f for f in round_messages.list_filings(services(), actor) if f.status != "pending"]
    names = {r.id: r for r in rounds.list_rounds(services(), actor)}
    return page("filings.html", status, pending=pending, answered=answered, rounds=names, errors=errors,
                values=values, statuses=FILING_STATUS)


@blp.route("/filings")
@login_required
def filings() -> Any:
    """Filings waiting for the NHSA's answer, and those answered (list_filings)."""
    return _filings_page({}, {})


@blp.route("/rounds/<rid>/filing", methods=["POST"])
@login_required
def answer(rid: str) -> Any:
    """Acknowledge a round's filing with its number, or reject it with reasons (answer_filing, DA-6)."""
    rid = round_id(rid)
    decision = request.form.get("decision", "")
    number = request.form.get("filing_number", "").strip()
    reasons = request.form.get("reasons", "").strip()
    errors: dict[str, str] = {}
    if decision not in ("acknowledge", "reject"):
        errors["decision"] = "请选择备案结论"
    elif decision == "acknowledge":
        errors = {k: v for k, v in {"filing_number": text_error(number, "备案号", 100, True)}.items() if v}
    else:
        errors = {k: v for k, v in {"reasons": text_error(reasons, "退回理由", 2000, True)}.items() if v}
    if not errors:
        try:
            round_messages.answer_filing(services(), session.actor(), rid, decision == "acknowledge",
                                         filing_number=number or None, reasons=reasons or None)
        except (InvalidInput, PolicyViolation) as exc:
            errors = {"": refusal(exc)}
        else:
            flash("已予备案" if decision == "acknowledge" else "已退回备案")
            return redirect(url_for("console_admission.filings"))
    return _filings_page({rid: errors}, dict(request.form), 422)
