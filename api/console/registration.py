"""Console pages of the negotiated-drug registration (三定登记, ND-2…ND-16): the hospital's list, the physician's
registration form, one registration with its record, history, annual account and tasks, and its changes (update,
change of physician or hospital, cancellation, renewal) — each through the same use case as the JSON API."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import flash, redirect, render_template, request, url_for

from domain.dates import china_date
from domain.errors import Forbidden, InvalidInput, NotFound, PolicyViolation
from domain.permissions import can
from domain.registration.access import may_see_some_registration
from domain.registration.patients import patient_record
from workflows import reference_data, tasks
from workflows.registration import accounts, amend, patients, queries, register
from workflows.registration.register import RegistrationInput
from workflows.registration.views import RegistrationView
from workflows.tasks import TaskFilter

from ..services import services
from . import nav, session
from . import registration_forms as forms
from . import registration_text as text
from .pages import console_blueprint
from .registration_settlement import blp as dispensing_blp
from .session import login_required

blp = console_blueprint("console_registration", __name__, "/console/registrations")
PAGE = 20
SOON = timedelta(days=30)
OPEN = ("open", "claimed")
ACTIONS = {  # action: (title, the form's fields)
    "update": ("更新登记（ND-8）", (*forms.RECORD, "reason")),
    "physician": ("变更责任医师（ND-14）", ("physician_code", "reason")),
    "cancel": ("注销登记（ND-14）", ("reason",)),
    "renew": ("续期登记（ND-7）", (*forms.PATIENT, *forms.RECORD)),
}
nav.add("三定登记", "console_registration.registrations", roles=("physician", "hospital_officer"), order=30)


@blp.context_processor
def words() -> dict[str, Any]:
    return {"reg_text": text}


def attempt(names: tuple[str, ...], call: Callable[[dict[str, str]], Any]) -> tuple[Any, dict[str, str],
                                                                                   dict[str, str]]:
    """Check the posted ``names`` and call the use case: its result, the values to show again, the errors."""
    values = {n: str(request.form.get(n, "")).replace("\x00", "") for n in names}
    try:
        return call(forms.read(request.form, names)), values, {}
    except forms.FormErrors as exc:
        return None, values, exc.errors
    except (PolicyViolation, InvalidInput) as exc:
        return None, values, text.refusal_messages(exc, frozenset(names))
    except NotFound as exc:
        field = exc.field or ""
        if field not in names:
            raise  # the registration itself: the 404 page
        return None, values, {field: f"未找到该{text.LABELS.get(field, field)}"}


def drug_names() -> list[str]:
    """The drugs of the current negotiated-drug list (ND-1), for the select."""
    return [d.name for d in reference_data.list_drugs(services()).drugs]


@blp.route("")
@login_required
def registrations() -> Any:
    """My hospital's registrations, by status and drug, newest first, a page at a time; 403 for a role that sees no
    registration at all (a pharmacist, an expert, the NHSA), as the menu does not offer it to them."""
    if not may_see_some_registration(session.actor()):
        raise Forbidden("registrations are kept by the registering hospital and the bureau",
                        code="registration_not_visible")
    status = request.args.get("status", "")
    drug = request.args.get("drug", "")[:100].replace("\x00", "")
    offset = request.args.get("offset", "0")
    offset_n = int(offset) if offset.isdigit() and len(offset) < 10 else 0
    f = queries.RegistrationFilter(status=status if status in text.STATUS else None, drug=drug or None)
    page = queries.list_registrations(services(), session.actor(), f, PAGE, offset_n)
    today = china_date(tasks.overdue_filter(services()))
    return render_template("registration/list.html", page=page, status=status, drug=drug, drugs=drug_names(),
                           soon=today + SOON, may_register=session.actor().has_role("physician"))


def _register(actor: Any, v: dict[str, str], reason: str | None = None) -> RegistrationView:
    patient = forms.patient_of(v)
    patient_record(v["psn_no"], v["insurance_type"], v["insurance_region"])  # the patients' record takes it too
    given = RegistrationInput(patient, v["drug"], forms.record_of(v))
    if reason is None:
        view = register.register(services(), actor, given)
    else:
        view = register.change_hospital(services(), actor, given, reason)
    patients.record_patient(services(), actor, v["psn_no"], v["insurance_type"], v["insurance_region"],
                            patient["entitled"])
    return view


@blp.route("/new", methods=["GET", "POST"])
@blp.route("/hospital-change", methods=["GET", "POST"], endpoint="hospital_change")
@login_required
def new() -> Any:
    """The physician registers a patient (ND-2…ND-7), or moves the patient's registration here (ND-14)."""
    actor = session.actor()
    moving = request.endpoint == "console_registration.hospital_change"
    names = (*forms.PATIENT, "drug", *forms.RECORD, *(("reason",) if moving else ()))
    values: dict[str, str] = {"entitled": "true", "insurance_type": "employee"}
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not actor.has_role("physician"):
            raise Forbidden("a senior physician of the hospital registers the patient", code="physicians_register",
                            rule="ND-4")
        view, values, errors = attempt(names, lambda v: _register(actor, v, v["reason"] if moving else None))
        if view is not None:
            flash("已变更定点医院" if moving else "登记成功")
            return redirect(url_for(".registration", registration_id=view.id))
    return render_template("registration/new.html", values=values, errors=errors, drugs=drug_names(),
                           moving=moving), 422 if errors else 200


@blp.route("/<uuid:registration_id>")
@login_required
def registration(registration_id: Any) -> Any:
    """One registration: facts, clinical record, history, annual account, its instance and open tasks."""
    actor, rid = session.actor(), str(registration_id)
    view = queries.get_registration(services(), actor, rid)
    history = queries.registration_revisions(services(), actor, rid)
    account = accounts.annual_account(services(), actor, rid)
    open_tasks = tasks.list_tasks(services(), actor, TaskFilter(business_key=rid, status=OPEN), sort="due").items
    return render_template("registration/detail.html", reg=view, history=history, account=account,
                           tasks=open_tasks, actions=ACTIONS, may_change=can(actor, "registration.amend", view))


def _act(actor: Any, action: str, rid: str, v: dict[str, str]) -> RegistrationView:
    if action == "update":
        return amend.update_registration(services(), actor, rid, forms.record_of(v), v["reason"])
    if action == "physician":
        return amend.change_physician(services(), actor, rid, v["physician_code"], v["reason"])
    if action == "cancel":
        return amend.cancel_registration(services(), actor, rid, v["reason"])
    given = RegistrationInput(forms.patient_of(v), "", forms.record_of(v))
    return register.renew(services(), actor, rid, given)


@blp.route("/<uuid:registration_id>/<any(update, physician, cancel, renew):action>", methods=["GET", "POST"])
@login_required
def change(registration_id: Any, action: str) -> Any:
    """Change a registration through its use case: update, change of physician, cancellation, renewal."""
    actor, rid = session.actor(), str(registration_id)
    view = queries.get_registration(services(), actor, rid)  # 404 for another hospital's, before anything
    title, names = ACTIONS[action]
    values: dict[str, str] = forms.record_values(view)
    errors: dict[str, str] = {}
    if request.method == "POST":
        done, values, errors = attempt(names, lambda v: _act(actor, action, rid, v))
        if done is not None:
            flash(f"已提交：{title}")
            return redirect(url_for(".registration", registration_id=done.id))
    return render_template("registration/change.html", reg=view, action=action, title=title, names=names,
                           values=values, errors=errors), 422 if errors else 200


BLUEPRINTS = [blp, dispensing_blp]
