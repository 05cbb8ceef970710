"""The bureau's maintenance of the negotiated-drug list (ND-1) and the ending of registrations whose drug's agreement
ended or which left the list (ND-12). Public reads of the list stay in ``drugs.py``."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from workflows.registration import drug_list

from .auth import current_actor
from .blueprint import Blueprint
from .registration_schemas import DrugIn, EffectiveQuery, EndingIn, EndingOut, ListVersionOut
from .services import services

blp = Blueprint("registration_drugs", __name__, url_prefix="/negotiated-drugs",
                description="The bureau maintains the negotiated-drug list; each change is a new version (ND-1)")


@blp.route("/<int(min=1, max=9999):seq>")
class Drug(MethodView):
    @blp.arguments(DrugIn)
    @blp.response(201, ListVersionOut)
    def put(self, body: dict[str, Any], seq: int) -> Any:
        """Add or change drug `seq` (agreement period, annual limit, restriction) as a new list version."""
        given = drug_list.DrugInput(
            name=body["name"], dosage_form=body["dosage_form"], restriction=body["restriction"],
            annual_limit=body["annual_limit"], agreement_start=body["agreement_start"],
            agreement_end=body["agreement_end"], required_specialty=body["required_specialty"],
            specialty_exempt_indications=tuple(body["specialty_exempt_indications"]))
        return drug_list.save_drug(services(), current_actor(), seq, given, body["effective_date"])

    @blp.arguments(EffectiveQuery, location="query")
    @blp.response(201, ListVersionOut)
    def delete(self, q: dict[str, Any], seq: int) -> Any:
        """Take drug `seq` off the list as a new version; its registrations end at the next ending (ND-12)."""
        return drug_list.delist_drug(services(), current_actor(), seq, q["effective_date"])


@blp.route("/agreement-endings")
class AgreementEndings(MethodView):
    @blp.arguments(EndingIn, required=False)
    @blp.response(200, EndingOut)
    def post(self, body: dict[str, Any]) -> Any:
        """End every live registration whose drug's agreement ended or which left the list, in batches (ND-12)."""
        return drug_list.end_registrations_of_ended_drugs(services(), current_actor(), body["batch_size"])
