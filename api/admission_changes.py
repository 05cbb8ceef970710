"""Consumable admission: catalog changes by bureau action outside a round — a volume-based procurement result
(DA-7, CM-3, VBP-1, VBP-2, VBP-4) or an emergency temporary inclusion that leaves on its end date (DA-8)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from workflows.admission import catalog_changes

from .admission import object_id
from .admission_round_schemas import CATEGORY, NamesIn
from .admission_schemas import INSTANT, USER_ID, choice, day, entry, money, text
from .auth import current_actor
from .blueprint import Blueprint
from .schemas import StrictSchema
from .services import services

blp = Blueprint("admission_changes", __name__, url_prefix="/admission",
                description="Consumable catalog admission: VBP inclusions and emergency temporary inclusions")
CHANGE_ID = "8f7e6d5c-4b3a-4291-8e7d-6c5b4a392817"
PRODUCT_CODE = "C01010100101001012340000049"


class TermsIn(StrictSchema):
    category = choice(CATEGORY, "乙", "payment category (CM-2)", load_default=None, allow_none=True)
    max_payment_standard = money("5000.00", "payment standard; a selected product's is its selected price (VBP-1)",
                                 load_default=None, allow_none=True)
    restricted_scope = text(2000, "限三级医院使用", description="restricted payment scope", load_default=None)
    names = fields.Nested(NamesIn, load_default=None, allow_none=True,
                          metadata={"description": "a new entry's classification names (CM-1)"})


class ProcurementIn(StrictSchema):
    selected = fields.Boolean(required=True, metadata={"example": True, "description": "中选 (VBP-1)"})
    selected_price = money("5000.00", "the selected price (VBP-1)", load_default=None, allow_none=True)
    highest_selected_price = money("5600.00", "highest selected price of the category (VBP-2)", load_default=None,
                                   allow_none=True)
    coronary_stent = fields.Boolean(load_default=False, metadata={"example": False, "description": "VBP-4"})
    listing_price = money("6800.00", "listing price of a non-selected coronary stent (VBP-4)", load_default=None,
                          allow_none=True)
    price_zone = choice(("high", "middle", "low"), "middle", "price zone (VBP-4)", load_default=None,
                        allow_none=True)


class ProductIn(StrictSchema):
    code = text(27, PRODUCT_CODE, min_length=27, required=True, description="27-character code (CM-5)")
    name = text(200, "冠脉支架", min_length=1, required=True, description="product name")
    manufacturer = text(200, "某医疗器械有限公司", load_default="", description="manufacturer")
    specification = text(500, "3.0×18mm", load_default="", description="specification and model")


class ChangeIn(StrictSchema):
    kind = choice(("vbp", "emergency"), "vbp", "a VBP result (DA-7) or an emergency inclusion (DA-8)", required=True)
    reason = text(2000, "国家组织冠脉支架集中带量采购中选结果", min_length=1, required=True,
                  description="the procurement result or the public-health event")
    entry_code = entry(required=True)
    terms = fields.Nested(TermsIn, required=True)
    procurement = fields.Nested(ProcurementIn, load_default=None, allow_none=True,
                                metadata={"description": "required for a VBP inclusion (DA-7)"})
    products = fields.List(fields.Nested(ProductIn), load_default=list, validate=validate.Length(max=200))
    effective_on = day("2026-10-01", "effective date of the new version (CM-6)", required=True)
    leaves_on = day("2026-12-01", "first day without a temporary entry (DA-8)", load_default=None, allow_none=True)


class ApprovalIn(StrictSchema):
    approved = fields.Boolean(required=True, metadata={"example": True, "description": "approve and publish"})
    note = text(2000, "按中选价格纳入", description="the approver's note", load_default=None)


class ChangeOut(Schema):
    id = fields.String(metadata={"example": CHANGE_ID})
    instance_id = fields.String(metadata={"example": "7e6d5c4b-3a29-4180-9f8e-7d6c5b4a3928"})
    kind = fields.String(metadata={"example": "vbp"})
    entry_code = fields.String(metadata={"example": "C01010100101001"})
    status = fields.String(metadata={"example": "published", "description": "awaiting_approval, published, "
                                     "not_approved, expired"})
    change = fields.Dict(metadata={"example": {"kind": "vbp", "entry_code": "C01010100101001"}})
    effective_on = fields.Date(metadata={"example": "2026-10-01"})
    leaves_on = fields.Date(allow_none=True, metadata={"example": None})
    published_version = fields.Integer(allow_none=True, metadata={"example": 2})
    expired_version = fields.Integer(allow_none=True, metadata={"example": None})
    note = fields.String(allow_none=True, metadata={"example": "按中选价格纳入"})
    created_by = fields.String(metadata={"example": USER_ID})
    created_at = fields.DateTime(metadata={"example": INSTANT})


def _plain(value: Any) -> Any:
    """Dates as ISO text, so the change is stored and started as plain data."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value.isoformat() if hasattr(value, "isoformat") else value


@blp.route("/catalog-changes")
class Changes(MethodView):
    @blp.response(200, ChangeOut(many=True))
    def get(self) -> Any:
        """List the catalog changes by bureau action, newest first."""
        return catalog_changes.list_changes(services(), current_actor())

    @blp.arguments(ChangeIn)
    @blp.response(201, ChangeOut)
    def post(self, body: dict[str, Any]) -> Any:
        """Propose a VBP inclusion or an emergency temporary inclusion; refused at once when the catalog cannot
        take it, naming the rule."""
        return catalog_changes.propose_change(services(), current_actor(), _plain(body))


@blp.route("/catalog-changes/<change_id>")
class Change(MethodView):
    @blp.response(200, ChangeOut)
    def get(self, change_id: str) -> Any:
        """Show a catalog change."""
        return catalog_changes.get_change(services(), current_actor(), object_id(change_id, "change"))


@blp.route("/catalog-changes/<change_id>/approval")
class Approval(MethodView):
    @blp.arguments(ApprovalIn)
    @blp.response(200, ChangeOut)
    def post(self, body: dict[str, Any], change_id: str) -> Any:
        """Approve (publish the new version) or refuse a proposed change."""
        return catalog_changes.approve_change(services(), current_actor(), object_id(change_id, "change"),
                                              body["approved"], body["note"])

# What the app factory registers for this process (api/__init__.py SLICES).
BLUEPRINTS = (blp,)
