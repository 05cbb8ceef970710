"""The negotiated-drug list (谈判药品目录): its versions and the drugs of one version (public reads, ND-1)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import Schema, fields

from workflows import reference_data

from .blueprint import Blueprint
from .fields import BoundedInteger, Money
from .schemas import StrictSchema
from .services import services

blp = Blueprint("drugs", __name__, url_prefix="/negotiated-drugs",
                description="The negotiated-drug list of the outpatient mechanism, versioned")


class DrugOut(Schema):
    seq = fields.Integer()
    name = fields.String()
    dosage_form = fields.String()
    restriction = fields.String(metadata={"description": "限定支付范围, verbatim"})
    annual_limit = Money(metadata={"description": "年度最高限额, yuan (ND-9)"})
    agreement_start = fields.Date(allow_none=True, metadata={"description": "null: not stated by the source"})
    agreement_end = fields.Date(allow_none=True, metadata={"description": "null: not stated by the source"})
    required_specialty = fields.String(allow_none=True, metadata={"description": "ND-16"})
    specialty_exempt_indications = fields.List(fields.String(), metadata={"description": "ND-16 (our reading)"})


class DrugListOut(Schema):
    version = fields.Integer()
    effective_date = fields.Date()
    source = fields.String()
    drugs = fields.List(fields.Nested(DrugOut))


class DrugListVersionOut(Schema):
    version = fields.Integer()
    effective_date = fields.Date()
    created_at = fields.DateTime()
    source = fields.String()
    drugs = fields.Integer()


class DrugListQuery(StrictSchema):
    version = BoundedInteger(minimum=1, load_default=None,
                             metadata={"description": "a version number; the latest when absent"})


@blp.route("")
class NegotiatedDrugs(MethodView):
    @blp.doc(security=[])
    @blp.arguments(DrugListQuery, location="query")
    @blp.response(200, DrugListOut)
    def get(self, query: dict[str, Any]) -> Any:
        """List the drugs of a version of the list (the latest when none is named)."""
        return reference_data.list_drugs(services(), query["version"])


@blp.route("/versions")
class DrugListVersions(MethodView):
    @blp.doc(security=[])
    @blp.response(200, DrugListVersionOut(many=True))
    def get(self) -> Any:
        """List the versions of the negotiated-drug list, oldest first."""
        return reference_data.list_drug_versions(services())
