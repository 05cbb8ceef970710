"""Settlement of negotiated-drug dispensings (ND-9, ND-11, ND-13, ND-15) and the bureau's payment configuration."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask.views import MethodView

from workflows.registration import accounts, payment, settlement
from workflows.registration.settlement import DispensingInput

from .auth import current_actor
from .blueprint import Blueprint
from .registration_schemas import (
    DispensingIn,
    DispensingOut,
    PaymentConfigIn,
    PaymentConfigOut,
    ReasonIn,
    VersionQuery,
)
from .services import services

blp = Blueprint("registration_settlement", __name__, url_prefix="",
                description="Dispensings settled against registrations; the payment configuration (ND-9…ND-15)")


@blp.route("/dispensings")
class Dispensings(MethodView):
    @blp.arguments(DispensingIn)
    @blp.response(201, DispensingOut)
    @blp.alt_response(200, schema=DispensingOut, description="a retry of a settled external reference: the first "
                                                              "result, `replayed` true, nothing paid again")
    @blp.alt_response(422, description="refused by a rule: `rule` names it (ND-7…ND-15)")
    def post(self, body: dict[str, Any]) -> Any:
        """Settle a dispensing at the registered hospital or a dual-channel pharmacy it designated."""
        given = DispensingInput(body["psn_no"], body["drug"], body["physician_code"], body["quantity"],
                                body["amount"], body["external_ref"])
        view = settlement.dispense(services(), current_actor(), given)
        return (view, 200) if view.replayed else view


@blp.route("/dispensings/<uuid:dispensing_id>")
class Dispensing(MethodView):
    @blp.response(200, DispensingOut)
    def get(self, dispensing_id: UUID) -> Any:
        """Show one dispensing of the caller's organization (or any, for the bureau)."""
        return settlement.get_dispensing(services(), current_actor(), str(dispensing_id))


@blp.route("/dispensings/<uuid:dispensing_id>/reversal")
class Reversal(MethodView):
    @blp.arguments(ReasonIn)
    @blp.response(200, DispensingOut)
    def post(self, body: dict[str, Any], dispensing_id: UUID) -> Any:
        """Reverse a dispensing: its fund part returns to the annual limit; audited (ND-9)."""
        return accounts.reverse_dispensing(services(), current_actor(), str(dispensing_id), body["reason"])


@blp.route("/payment-config")
class PaymentConfig(MethodView):
    @blp.arguments(VersionQuery, location="query")
    @blp.response(200, PaymentConfigOut)
    def get(self, q: dict[str, Any]) -> Any:
        """Show the payment configuration in force, or an earlier version (ND-15)."""
        return payment.get_payment_config(services(), q["version"])

    @blp.arguments(PaymentConfigIn)
    @blp.response(201, PaymentConfigOut)
    def put(self, body: dict[str, Any]) -> Any:
        """Publish a new version of the deductibles and fund ratios by insurance type and tier (bureau, ND-15)."""
        return payment.set_payment_config(services(), current_actor(), body["rules"], body["note"])
