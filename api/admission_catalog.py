"""The published catalog as admission knows it: an entry with its products and VBP facts, the payment calculator
(PAY-1…PAY-4, VBP-3) and the regions' payment ratios the bureau maintains (PAY-4).

Reads are public (SV-1: the catalog is published); publishing ratios is the bureau's.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from workflows.admission import catalog_entries, payment

from .admission_schemas import money, text
from .auth import current_actor, public
from .blueprint import Blueprint
from .catalog import ENTRY_OR_PRODUCT_CODE, CatalogEntryOut, VersionQuery
from .fields import BoundedInteger
from .schemas import StrictSchema
from .services import services

blp = Blueprint("admission_catalog", __name__, url_prefix="/catalog",
                description="Catalog entries with their products, the payment calculator and the regions' ratios")

REGION = r"^(?!00)[0-9]{6}$"
RATIO = r"^(0(\.[0-9]{1,4})?|1(\.0{1,4})?)$"
MAX_QUANTITY = 100_000


def _money_out(example: str, description: str, **kwargs: Any) -> fields.Decimal:
    return fields.Decimal(places=2, as_string=True, metadata={"example": example, "description": description},
                          **kwargs)


def _ratio_out(example: str, description: str) -> fields.Decimal:
    return fields.Decimal(places=4, as_string=True, metadata={"example": example, "description": description})


def _region(description: str, **kwargs: Any) -> fields.Field[Any]:
    return text(6, "520100", description=description,
                validate=validate.Regexp(REGION, error="must be a 6-digit GB/T 2260 division code"), **kwargs)


# --- an entry -----------------------------------------------------------------------------------------------
class ProductOut(Schema):
    code = fields.String(metadata={"example": "C0101010010100103941001", "description": "27-character code (CM-5)"})
    name = fields.String(metadata={"example": "气管支架"})
    manufacturer = fields.String(metadata={"example": "南京法迈特科技发展有限公司"})
    specification = fields.String(metadata={"example": "全覆膜 18×60mm"})


class ProcurementOut(Schema):
    selected = fields.Boolean(metadata={"example": True, "description": "中选 in volume-based procurement (VBP-1)"})
    selected_price = _money_out("590.00", "the selected price (VBP-1)", allow_none=True)
    highest_selected_price = _money_out("700.00", "of the same category and similar function (VBP-2)",
                                        allow_none=True)
    coronary_stent = fields.Boolean(metadata={"example": False, "description": "a coronary stent (VBP-4)"})
    listing_price = _money_out("6800.00", "挂网价 (VBP-4)", allow_none=True)
    price_zone = fields.String(allow_none=True, metadata={"example": "middle", "description": "VBP-4 price zone"})


class CatalogEntryDetailOut(CatalogEntryOut):
    standard_rule = fields.String(metadata={"example": "CM-2", "description": "the rule the standard comes from"})
    standard_basis = fields.String(metadata={"example": "乙类最高支付标准 (maximum payment standard)"})
    procurement = fields.Nested(ProcurementOut, allow_none=True,
                                metadata={"example": None, "description": "VBP facts, if any"})
    leaves_on = fields.Date(allow_none=True, metadata={"example": "2027-06-30",
                                                       "description": "a temporary inclusion's last day (DA-8)"})
    products = fields.List(fields.Nested(ProductOut),
                           metadata={"example": [], "description": "products listed under the entry"})
    versions = fields.List(fields.Integer(), metadata={"example": [1, 2],
                                                       "description": "the versions that list this entry"})


@blp.route("/entries/<code>", parameters=[{"in": "path", "name": "code", "required": True, "schema": {
    "type": "string", "pattern": ENTRY_OR_PRODUCT_CODE, "description": "15-character entry or 27-character code"}}])
class CatalogEntry(MethodView):
    @public
    @blp.doc(security=[])
    @blp.arguments(VersionQuery, location="query")
    @blp.response(200, CatalogEntryDetailOut)
    def get(self, query: dict[str, Any], code: str) -> Any:
        """Show the entry of a 15-character code (or of a 27-character product code's first 15) with its products,
        VBP facts, the source of its payment standard and the versions that list it."""
        return catalog_entries.get_entry(services(), code, query["version"])


# --- the calculator -------------------------------------------------------------------------------------------
class QuoteQuery(StrictSchema):
    code = text(27, "C01010100101001", required=True, validate=validate.Regexp(ENTRY_OR_PRODUCT_CODE, error=(
        "must be a 15-character entry code or a 27-character product code")),
        description="15-character entry code or 27-character product code")
    unit_price = money("9000.00", "the product's unit price, yuan", required=True)
    quantity = BoundedInteger(minimum=1, maximum=MAX_QUANTITY, required=True, metadata={"example": 1})
    region = _region("the patient's insurance region (参保地)", required=True)
    version = BoundedInteger(minimum=1, load_default=None,
                             metadata={"example": 1, "description": "catalog version; the latest when absent"})
    ratios_version = BoundedInteger(minimum=1, load_default=None, metadata={
        "example": 1, "description": "ratios version; the one in force when absent"})


class AppliedRatiosOut(Schema):
    region = fields.String(metadata={"example": "520102", "description": "the region asked"})
    applied_region = fields.String(metadata={"example": "520100", "description": "the configured division applied"})
    name = fields.String(metadata={"example": "贵阳市（示例数值）"})
    version = fields.Integer(metadata={"example": 1, "description": "ratios version applied"})
    fund_ratio = _ratio_out("0.8500", "基金支付比例")
    b_prepay_ratio = _ratio_out("0.1000", "乙类先行自付比例")


class PaymentQuoteOut(Schema):
    catalog_version = fields.Integer(metadata={"example": 1})
    code = fields.String(metadata={"example": "C01010100101001"})
    product_code = fields.String(allow_none=True,
                                 metadata={"example": None, "description": "the 27-character code, when given"})
    common_name = fields.String(metadata={"example": "支架"})
    payment_category = fields.String(metadata={"example": "乙"})
    payment_standard = _money_out("8085.00", "maximum payment standard (null: none set)", allow_none=True)
    standard_rule = fields.String(metadata={"example": "CM-2"})
    standard_basis = fields.String(metadata={"example": "乙类最高支付标准 (maximum payment standard)"})
    unit_price = _money_out("9000.00", "asked")
    quantity = fields.Integer(metadata={"example": 1})
    ratios = fields.Nested(AppliedRatiosOut)
    total = _money_out("9000.00", "unit price × quantity")
    within_standard = _money_out("8085.00", "the part within the payment standard")
    above_standard = _money_out("915.00", "above the standard: the patient's (PAY-3, VBP-3)")
    prepay = _money_out("808.50", "乙类先行自付 (PAY-2); 0 for 甲 (PAY-1)")
    fund = _money_out("6185.03", "基金支付")
    patient_within_standard = _money_out("1091.47", "the patient's share by ratio within the standard")
    patient = _money_out("2814.97", "everything the patient pays")
    rules = fields.List(fields.String(), metadata={"example": ["PAY-2", "PAY-4", "PAY-3", "VBP-3"]})
    rounding = fields.String(metadata={"example": "ROUND_HALF_UP to 0.01 yuan", "description": "the rounding rule"})


@blp.route("/payment")
class PaymentQuote(MethodView):
    @public
    @blp.doc(security=[])
    @blp.arguments(QuoteQuery, location="query")
    @blp.response(200, PaymentQuoteOut)
    @blp.alt_response(422, description="no ratios for the region (PAY-4), or a 甲 entry without standard (CM-2)")
    def get(self, q: dict[str, Any]) -> Any:
        """Split a charge between the fund and the patient, itemised (PAY-1…PAY-4, VBP-3); nothing is stored."""
        return payment.quote(services(), q["code"], Decimal(q["unit_price"]), q["quantity"], q["region"],
                             q["version"], q["ratios_version"])


# --- the regions' ratios --------------------------------------------------------------------------------------
class RegionRatioIn(StrictSchema):
    name = text(100, "贵阳市", load_default="", description="the region's name")
    fund_ratio = text(6, "0.85", required=True, validate=validate.Regexp(RATIO, error="must be 0–1, 4 decimals"),
                      description="基金支付比例, 0–1")
    b_prepay_ratio = text(6, "0.10", required=True, validate=validate.Regexp(RATIO, error="must be 0–1, 4 decimals"),
                          description="乙类先行自付比例, 0–1")


class PaymentRatiosIn(StrictSchema):
    expected_version = BoundedInteger(required=True, strict=True, metadata={
        "example": 1, "description": "the version read before editing (0 before the first); another is a 409"})
    ratios = fields.Dict(keys=fields.String(validate=validate.Regexp(REGION)), values=fields.Nested(RegionRatioIn),
                         required=True, validate=validate.Length(min=1, max=500), metadata={
                             "example": {"520000": {"name": "贵州省", "fund_ratio": "0.80", "b_prepay_ratio": "0.10"}},
                             "description": "{6-digit region code: its ratios}; a county without a line takes its "
                                            "city's, a city its province's"})
    note = text(300, "2027 年度", load_default=None, allow_none=True)


class RegionRatioOut(Schema):
    region = fields.String(metadata={"example": "520100"})
    name = fields.String(metadata={"example": "贵阳市"})
    fund_ratio = _ratio_out("0.8500", "基金支付比例")
    b_prepay_ratio = _ratio_out("0.1000", "乙类先行自付比例")


class PaymentRatiosOut(Schema):
    version = fields.Integer(metadata={"example": 1})
    created_at = fields.DateTime(metadata={"example": "2026-01-01T00:00:00+00:00"})
    created_by = fields.String(metadata={"example": "system"})
    note = fields.String(allow_none=True, metadata={"example": "demo values, not policy"})
    regions = fields.List(fields.Nested(RegionRatioOut))


class RatiosVersionQuery(StrictSchema):
    version = BoundedInteger(minimum=1, load_default=None,
                             metadata={"example": 1, "description": "a ratios version; the one in force when absent"})


@blp.route("/payment-ratios")
class PaymentRatios(MethodView):
    @public
    @blp.doc(security=[])
    @blp.arguments(RatiosVersionQuery, location="query")
    @blp.response(200, PaymentRatiosOut)
    def get(self, q: dict[str, Any]) -> Any:
        """Show the regions' payment ratios in force, or an earlier version (PAY-4)."""
        return payment.get_ratios(services(), q["version"])

    @blp.arguments(PaymentRatiosIn)
    @blp.response(201, PaymentRatiosOut)
    @blp.alt_response(409, description="`expected_version` is not the version in force")
    def put(self, body: dict[str, Any]) -> Any:
        """Publish a new version of every region's ratios (bureau, PAY-4); audited."""
        return payment.publish_ratios(services(), current_actor(), body["ratios"], body["expected_version"],
                                      body["note"])


@blp.route("/payment-ratios/<region>", parameters=[{"in": "path", "name": "region", "required": True,
                                                    "schema": {"type": "string", "pattern": REGION}}])
class RegionRatios(MethodView):
    @public
    @blp.doc(security=[])
    @blp.arguments(RatiosVersionQuery, location="query")
    @blp.response(200, AppliedRatiosOut)
    def get(self, q: dict[str, Any], region: str) -> Any:
        """The ratios that apply in a region: its own line, else its city's, else its province's (PAY-4)."""
        return payment.get_region_ratios(services(), region, q["version"])


BLUEPRINTS = (blp,)
