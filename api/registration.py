"""The negotiated-drug registration (谈判药品门诊 "三定", ND-1…ND-16): registrations, their changes and reads.

A view loads with a schema, calls one use case, dumps with a schema. Registrations are scoped to their hospital: another
hospital gets 404. The settlement and the drug list's maintenance are in ``registration_settlement.py`` and
``registration_drugs.py``; :data:`BLUEPRINTS` is what the app factory registers for this process.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask.views import MethodView

from workflows.registration import accounts, amend, queries, register
from workflows.registration.register import RegistrationInput
from workflows.registration.views import RegistrationView

from . import registration_drugs, registration_patients, registration_settlement
from .auth import current_actor
from .blueprint import Blueprint
from .registration_schemas import (
    AccountOut,
    HospitalChangeIn,
    PhysicianChangeIn,
    ReasonIn,
    RegistrationIn,
    RegistrationOut,
    RegistrationPageOut,
    RegistrationQuery,
    RenewalIn,
    RevisionOut,
    UpdateIn,
)
from .services import services

blp = Blueprint("registrations", __name__, url_prefix="/registrations",
                description="Negotiated-drug three-fixed registrations (ND-2…ND-16), scoped to their hospital")


def _given(body: dict[str, Any], drug: str | None = None) -> RegistrationInput:
    record = dict(body["record"])
    return RegistrationInput(body["patient"], drug or body["drug"], record)


@blp.route("")
class Registrations(MethodView):
    @blp.arguments(RegistrationQuery, location="query")
    @blp.response(200, RegistrationPageOut)
    def get(self, q: dict[str, Any]) -> Any:
        """List the registrations the caller may see, by status, drug, physician, patient or due date."""
        f = queries.RegistrationFilter(status=q["status"], drug=q["drug"], physician_code=q["physician_code"],
                                       psn_no=q["psn_no"], due_before=q["due_before"])
        return queries.list_registrations(services(), current_actor(), f, q["limit"], q["offset"])

    @blp.arguments(RegistrationIn)
    @blp.response(201, RegistrationOut)
    @blp.alt_response(422, description="refused by a rule: `rule` names it (ND-2…ND-6, ND-10, ND-16)")
    def post(self, body: dict[str, Any]) -> RegistrationView:
        """Register a patient for one drug at the physician's hospital, from today for a year (ND-2…ND-7)."""
        return register.register(services(), current_actor(), _given(body))


@blp.route("/hospital-changes")
class HospitalChanges(MethodView):
    @blp.arguments(HospitalChangeIn)
    @blp.response(201, RegistrationOut)
    def post(self, body: dict[str, Any]) -> RegistrationView:
        """Move the patient's registration to the physician's hospital: the old one ends today (ND-14)."""
        return register.change_hospital(services(), current_actor(), _given(body), body["reason"])


@blp.route("/<uuid:registration_id>")
class Registration(MethodView):
    @blp.response(200, RegistrationOut)
    def get(self, registration_id: UUID) -> RegistrationView:
        """Show one registration of the caller's hospital (or any, for the bureau)."""
        return queries.get_registration(services(), current_actor(), str(registration_id))


@blp.route("/<uuid:registration_id>/revisions")
class Revisions(MethodView):
    @blp.response(200, RevisionOut(many=True))
    def get(self, registration_id: UUID) -> Any:
        """List every change of a registration with the values it replaced (ND-8, ND-14)."""
        return queries.registration_revisions(services(), current_actor(), str(registration_id))


@blp.route("/<uuid:registration_id>/updates")
class Updates(MethodView):
    @blp.arguments(UpdateIn)
    @blp.response(200, RegistrationOut)
    def post(self, body: dict[str, Any], registration_id: UUID) -> RegistrationView:
        """Update the clinical record with a reason; the previous values are kept (ND-8)."""
        return amend.update_registration(services(), current_actor(), str(registration_id), body["record"],
                                         body["reason"])


@blp.route("/<uuid:registration_id>/physician-change")
class PhysicianChange(MethodView):
    @blp.arguments(PhysicianChangeIn)
    @blp.response(200, RegistrationOut)
    def post(self, body: dict[str, Any], registration_id: UUID) -> RegistrationView:
        """Amend the registered physician: another senior physician of the hospital, with a reason (ND-14)."""
        return amend.change_physician(services(), current_actor(), str(registration_id), body["physician_code"],
                                      body["reason"])


@blp.route("/<uuid:registration_id>/cancellation")
class Cancellation(MethodView):
    @blp.arguments(ReasonIn)
    @blp.response(200, RegistrationOut)
    def post(self, body: dict[str, Any], registration_id: UUID) -> RegistrationView:
        """Cancel a registration (or a pending renewal) today, with a reason; its tasks close (ND-14)."""
        return amend.cancel_registration(services(), current_actor(), str(registration_id), body["reason"])


@blp.route("/<uuid:registration_id>/renewal")
class Renewal(MethodView):
    @blp.arguments(RenewalIn)
    @blp.response(201, RegistrationOut)
    def post(self, body: dict[str, Any], registration_id: UUID) -> RegistrationView:
        """Renew during the last month: a new registration from the old end, without a gap (ND-7)."""
        given = RegistrationInput(body["patient"], "", dict(body["record"]))
        return register.renew(services(), current_actor(), str(registration_id), given)


@blp.route("/<uuid:registration_id>/annual-account")
class Account(MethodView):
    @blp.response(200, AccountOut)
    def get(self, registration_id: UUID) -> Any:
        """Show the annual accounting of the registration's benefit year: spent, remaining, dispensings (ND-9)."""
        return accounts.annual_account(services(), current_actor(), str(registration_id))


BLUEPRINTS = (blp, registration_settlement.blp, registration_drugs.blp, registration_patients.blp)
