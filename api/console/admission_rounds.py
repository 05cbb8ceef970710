"""The bureau officer's round pages (调整轮次, blueprint ``console_rounds``, prefix ``/console/admission/rounds``):
rounds and a new round (DA-1), the material review of the applications waiting for it (DA-4, DA-10), closing the
window, the candidates with every expert's vote side by side, the expert panels (DA-5, SV-3), the consolidation
(DA-5, DA-9, CM-1, CM-2), the objections of the notice (SV-1) and the publication (CM-6).

Every page calls the use case the JSON API calls (``workflows.admission.rounds``, ``round_messages``,
``applications``); a refusal is shown with its rule ID beside the field it names, 422, and nothing changes.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import flash, redirect, request, url_for

from domain.admission.experts import FIELD_LABELS
from domain.errors import Conflict, InvalidInput, PolicyViolation, YibaoError
from domain.permissions import require
from workflows import identity
from workflows.admission import applications, round_messages, rounds

from ..admission_rounds import round_path_id as round_id
from ..services import services
from . import admission_round_forms as forms
from . import nav, session
from .admission_common import (
    APPLICATION_STATUS,
    FILING_STATUS,
    ROUND_STAGE,
    application_id,
    page,
    refusal,
    text_error,
)
from .pages import console_blueprint
from .session import login_required

F = TypeVar("F", bound=Callable[..., Any])
blp = console_blueprint("console_rounds", __name__, "/console/admission/rounds")
BLUEPRINTS = [blp]
WAITING = ("fast_path_check", "material_review")
DECISION_FIELDS = ("include", "category", "max_payment_standard", "restricted_scope", "reason", "names",
                   *(n for n, _, _ in forms.NAME_FIELDS))
ROUND_FIELDS = ("name", "opens_on", "closes_on")

nav.add("调整轮次", "console_rounds.rounds_list", roles=("bureau_officer",), order=33)


def bureau_page(view: F) -> F:
    """A page of the bureau: log in first; anyone who may not manage rounds gets 403 (admission.round.manage)."""

    @login_required
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        require(session.actor(), "admission.round.manage")
        try:
            return view(*args, **kwargs)
        except Conflict as exc:  # a form posted for a step the round (or the application) is not at: 409
            if exc.code != "step_not_open" or "rid" not in kwargs:
                raise
            rid = round_id(kwargs["rid"])
            stage = ROUND_STAGE.get(rounds.get_round(services(), session.actor(), rid).stage, "")
            return _detail(rid, {"": {"": f"该步骤当前不可办理（本轮次处于“{stage}”阶段，或该申请已不在此步骤），"
                                          "未作任何更改"}}, {}, 409)

    return wrapped  # type: ignore[return-value]


def _findings(exc: YibaoError) -> list[dict[str, str]]:
    """The use case's findings (a refusal carrying several) or its one refusal as a finding."""
    found = exc.extra.get("findings")
    if isinstance(found, list) and found:
        return [f for f in found if isinstance(f, dict)]
    return [{"rule": "", "field": exc.field or "", "message": refusal(exc)}]


def _one_error(exc: YibaoError, fields: tuple[str, ...]) -> dict[str, str]:
    """A refusal beside the field it names (its last part), else at the form's top."""
    name = (exc.field or "").rsplit(".", 1)[-1]
    messages = {"round_window_overlaps": "DA-1 · 申报期与其他调整轮次的申报期重叠",
                "objections_unresolved": "SV-1 · 发布前须处理每项公示异议"}
    return {name if name in fields else "": messages.get(exc.code, refusal(exc))}


def _experts() -> list[Any]:
    return [u for u in identity.list_users(services(), session.actor()) if u.role == "expert" and u.active]


def _expert_label(user: Any) -> str:
    return f"{user.display_name}（{'、'.join(FIELD_LABELS.get(f, f) for f in user.expert_fields) or '—'}）"


def _common(rid: str) -> dict[str, Any]:
    actor = session.actor()
    found = rounds.get_round(services(), actor, rid)
    experts = {u.id: u for u in identity.list_users(services(), actor) if u.role == "expert"}
    candidates = rounds.list_candidates(services(), actor, rid) if found.stage != "open" else []
    return {"round": found, "candidates": candidates, "experts": experts, "expert_label": _expert_label,
            "stages": ROUND_STAGE, "yuan": forms.yuan}


@blp.route("", methods=["GET", "POST"])
@bureau_page
def rounds_list() -> Any:
    """Every round, newest window first, and the form opening a new one (open_round, DA-1)."""
    errors: dict[str, str] = {}
    if request.method == "POST":
        data, errors = forms.round_of(request.form)
        if not errors:
            try:
                opened = rounds.open_round(services(), session.actor(), data["name"], data["opens_on"],
                                           data["closes_on"])
            except (InvalidInput, PolicyViolation) as exc:
                errors = _one_error(exc, ROUND_FIELDS)
            else:
                flash(f"已开启调整轮次：{opened.name}")
                return redirect(url_for("console_rounds.detail", rid=opened.id))
    found = rounds.list_rounds(services(), session.actor())
    return page("rounds_list.html", 422 if errors else 200, rounds=found, stages=ROUND_STAGE, errors=errors,
                values=dict(request.form))


def _detail(rid: str, errors: dict[str, dict[str, str]] | None = None, values: dict[str, str] | None = None,
            status: int = 200) -> Any:
    actor = session.actor()
    common = _common(rid)
    waiting = []
    if common["round"].stage == "open":
        for state in WAITING:
            waiting += applications.list_applications(services(), actor, status=state, limit=200).items
    joined = applications.list_applications(services(), actor, round_id=rid, limit=200)
    objections = round_messages.list_objections(services(), actor, rid)
    filings = round_messages.list_filings(services(), actor, rid)
    return page("rounds_detail.html", status, **common, waiting=waiting, joined=joined, objections=objections,
                filings=filings, filing_status=FILING_STATUS, statuses=APPLICATION_STATUS,
                decisions=forms.DECISIONS, errors=errors or {}, values=values or {})


@blp.route("/<rid>")
@bureau_page
def detail(rid: str) -> Any:
    """A round: its stage and window, the applications waiting for material review, the candidates with the
    experts' votes side by side, its objections, and the forms of the step it waits on."""
    return _detail(round_id(rid))


@blp.route("/<rid>/applications/<app_id>/material-review", methods=["POST"])
@bureau_page
def material_review(rid: str, app_id: str) -> Any:
    """Accept an application into the round, return it for supplement with a deadline, or reject it (DA-10)."""
    rid, app_id = round_id(rid), application_id(app_id)
    data, errors = forms.material_review_of(request.form)
    if not errors:
        try:
            done = applications.review_materials(services(), session.actor(), app_id, data["decision"],
                                                 data["reason"], data["supplement_working_days"])
        except (InvalidInput, PolicyViolation) as exc:
            errors = _one_error(exc, ("decision", "reason", "supplement_working_days"))
        else:
            flash(f"材料审核已完成：{APPLICATION_STATUS.get(done.status, done.status)}")
            return redirect(url_for("console_rounds.detail", rid=rid) + "#waiting")
    return _detail(rid, {app_id: errors}, dict(request.form), 422)


@blp.route("/<rid>/applications/<app_id>/fast-path", methods=["POST"])
@bureau_page
def fast_path(rid: str, app_id: str) -> Any:
    """Confirm (or not) the same function and use as the entry already in the catalog (DA-4)."""
    rid, app_id = round_id(rid), application_id(app_id)
    data, errors = forms.fast_path_of(request.form)
    if not errors:
        try:
            applications.confirm_fast_path(services(), session.actor(), app_id, data["same_function_and_use"],
                                           data["note"])
        except (InvalidInput, PolicyViolation) as exc:
            errors = _one_error(exc, ("same_function_and_use", "note"))
        else:
            flash("已确认功能用途")
            return redirect(url_for("console_rounds.detail", rid=rid) + "#waiting")
    return _detail(rid, {app_id: errors}, dict(request.form), 422)


@blp.route("/<rid>/closure", methods=["POST"])
@bureau_page
def closure(rid: str) -> Any:
    """Close the application window now, with a reason; the candidates are aggregated by entry (DA-1, DA-3)."""
    rid = round_id(rid)
    reason = request.form.get("reason", "").strip()
    error = text_error(reason, "提前截止理由", 2000, required=False)
    if error is None:
        try:
            rounds.close_window(services(), session.actor(), rid, reason or None)
        except (InvalidInput, PolicyViolation) as exc:
            error = refusal(exc)
        else:
            flash("申报期已截止，候选品种已汇总")
            return redirect(url_for("console_rounds.detail", rid=rid))
    return _detail(rid, {"closure": {"reason": error}}, dict(request.form), 422)


def _assign_page(rid: str, errors: dict[str, str], chosen: dict[str, list[str]], status: int = 200) -> Any:
    return page("rounds_assign.html", status, **_common(rid), pool=_experts(), errors=errors, chosen=chosen)


@blp.route("/<rid>/experts", methods=["GET", "POST"])
@bureau_page
def experts(rid: str) -> Any:
    """Each candidate's expert panel (assign_experts): DA-5 (number, fields) and SV-3 (employer) refused beside it."""
    rid = round_id(rid)
    if request.method == "GET":
        return _assign_page(rid, {}, {c.entry_code: c.experts for c in rounds.list_candidates(
            services(), session.actor(), rid)})
    entries = [c.entry_code for c in rounds.list_candidates(services(), session.actor(), rid)]
    assignments, errors = forms.assignments_of(request.form, entries, {u.id for u in _experts()})
    if not errors:
        try:
            rounds.assign_experts(services(), session.actor(), rid, assignments)
        except (InvalidInput, PolicyViolation) as exc:
            errors = forms.finding_fields(_findings(exc), "assignments", ())
        else:
            flash("已指派评审专家")
            return redirect(url_for("console_rounds.detail", rid=rid) + "#candidates")
    chosen = {e: request.form.getlist(f"experts-{e}") for e in entries}
    return _assign_page(rid, errors, chosen, 422)


def _values_of(candidates: list[Any]) -> dict[str, str]:
    """The recorded decisions as the consolidation form's values (after a returned filing or an upheld objection)."""
    values: dict[str, str] = {}
    for c in candidates:
        if c.include is None:
            continue
        values[f"{c.entry_code}-include"] = "true" if c.include else "false"
        for name in ("category", "restricted_scope", "reason"):
            values[f"{c.entry_code}-{name}"] = getattr(c, name) or ""
        if c.max_payment_standard is not None:
            values[f"{c.entry_code}-max_payment_standard"] = f"{c.max_payment_standard:.2f}"
        for name, value in (c.names or {}).items():
            values[f"{c.entry_code}-{name}"] = value
    return values


@blp.route("/<rid>/consolidation", methods=["GET", "POST"])
@bureau_page
def consolidation(rid: str) -> Any:
    """The decision on every candidate with the votes in view (consolidate); then filed with the NHSA (DA-6)."""
    rid = round_id(rid)
    common = _common(rid)
    entries = [c.entry_code for c in common["candidates"]]
    if request.method == "GET":
        return page("rounds_consolidate.html", **common, errors={}, values=_values_of(common["candidates"]),
                    categories=forms.CATEGORIES, name_fields=forms.NAME_FIELDS, retire_rows=forms.RETIREMENT_ROWS)
    decisions, errors = forms.decisions_of(request.form, entries)
    retirements, retire_errors = forms.retirements_of(request.form)
    errors |= retire_errors
    if not errors:
        try:
            rounds.consolidate(services(), session.actor(), rid, decisions, retirements)
        except (InvalidInput, PolicyViolation) as exc:
            found = _findings(exc)
            retiring = [f for f in found if f.get("field", "").startswith("retirements")]
            errors = forms.finding_fields([f for f in found if f not in retiring], "decisions", DECISION_FIELDS)
            errors |= forms.retirement_fields(retiring)
        else:
            flash("已完成汇总审定，结果已报国家医保局备案（DA-6）")
            return redirect(url_for("console_rounds.detail", rid=rid))
    return page("rounds_consolidate.html", 422, **common, errors=errors, values=dict(request.form),
                categories=forms.CATEGORIES, name_fields=forms.NAME_FIELDS, retire_rows=forms.RETIREMENT_ROWS)


@blp.route("/<rid>/objections", methods=["GET", "POST"])
@bureau_page
def objections(rid: str) -> Any:
    """The notice's objections; the bureau answers every open one, upheld or not (resolve_objections, SV-1)."""
    rid = round_id(rid)
    found = round_messages.list_objections(services(), session.actor(), rid)
    errors: dict[str, str] = {}
    if request.method == "POST":
        resolutions, errors = forms.resolutions_of(request.form, [o.id for o in found if o.status == "open"])
        if not errors:
            try:
                rounds.resolve_objections(services(), session.actor(), rid, resolutions)
            except (InvalidInput, PolicyViolation) as exc:
                errors = forms.finding_fields(_findings(exc), "resolutions", ())
            else:
                flash("已处理全部公示异议")
                return redirect(url_for("console_rounds.detail", rid=rid))
    return page("rounds_objections.html", 422 if errors else 200, **_common(rid), objections=found, errors=errors,
                values=dict(request.form))


@blp.route("/<rid>/publication", methods=["POST"])
@bureau_page
def publication(rid: str) -> Any:
    """Publish the next catalog version with its effective date (CM-6); each application learns its outcome."""
    rid = round_id(rid)
    effective_on, errors = forms.effective_of(request.form)
    if effective_on is not None:
        try:
            done = rounds.publish_round(services(), session.actor(), rid, effective_on)
        except (InvalidInput, PolicyViolation) as exc:
            errors = _one_error(exc, ("effective_on",))
        else:
            flash(f"已发布第 {done.published_version} 版目录，{done.effective_on} 起生效")
            return redirect(url_for("console_rounds.detail", rid=rid))
    return _detail(rid, {"publication": errors}, dict(request.form), 422)
