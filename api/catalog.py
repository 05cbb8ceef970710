"""The published consumable catalog: versions, entries, the diff of two versions (public reads, SV-1).

One entry with its products, and the payment calculator, are the admission slice's (``api/admission_catalog.py``).
"""

from __future__ import annotations

import io
from typing import Any

from flask import Response, send_file
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from workflows import reference_data

from .blueprint import Blueprint
from .fields import BoundedInteger, Money
from .schemas import StrictSchema
from .services import services

blp = Blueprint("catalog", __name__, url_prefix="/catalog",
                description="The consumable catalog (医保医用耗材目录), versioned; readable by the public")


ENTRY_OR_PRODUCT_CODE = r"^C[0-9]{14}([0-9]{12})?$"


class CatalogVersionOut(Schema):
    version = fields.Integer()
    effective_date = fields.Date()
    published_at = fields.DateTime()
    source = fields.String(metadata={"description": "the file loaded and the SHA-256 of its rows"})
    entries = fields.Integer()


class CatalogEntryOut(Schema):
    version = fields.Integer(metadata={"example": 1})
    code = fields.String(metadata={"example": "C01010100101001", "description": "15-character entry code (CM-1)"})
    primary_class = fields.String(metadata={"example": "非血管介入治疗类材料"})
    secondary_class = fields.String(metadata={"example": "呼吸介入材料"})
    tertiary_class = fields.String(metadata={"example": "气管支气管支架"})
    common_name = fields.String(metadata={"example": "支架"})
    material = fields.String(metadata={"example": "镍钛合金"})
    characteristics = fields.String(metadata={"example": "全覆膜"})
    payment_category = fields.String(metadata={"example": "乙", "description": "甲 or 乙 (CM-2)"})
    payment_standard = Money(allow_none=True, metadata={"example": "8085.00",
                                                        "description": "maximum payment standard, yuan"})
    description = fields.String(allow_none=True, metadata={"example": "限…使用", "description": "restriction"})


class CatalogEntryPageOut(Schema):
    items = fields.List(fields.Nested(CatalogEntryOut))
    total = fields.Integer(metadata={"example": 37, "description": (
        "how many entries match: exact for any one- or two-character q and whenever at most 1,000 entries match "
        "(or at most offset + limit, when that is more); otherwise the count stopped there and total is that "
        "bound plus one, a lower bound (see total_is_lower_bound)")})
    total_is_lower_bound = fields.Boolean(metadata={"example": False, "description": (
        "true when total is a lower bound: at least total entries match, and there are pages past offset + limit")})
    limit = fields.Integer(metadata={"example": 50})
    offset = fields.Integer(metadata={"example": 0})


class EntryChangeOut(Schema):
    code = fields.String()
    changed_fields = fields.List(fields.String(), attribute="fields", data_key="fields",
                                 metadata={"description": "the fields whose value differs"})
    before = fields.Nested(CatalogEntryOut)
    after = fields.Nested(CatalogEntryOut)


class CatalogDiffOut(Schema):
    from_version = fields.Integer()
    to_version = fields.Integer()
    added = fields.List(fields.Nested(CatalogEntryOut))
    removed = fields.List(fields.Nested(CatalogEntryOut))
    changed = fields.List(fields.Nested(EntryChangeOut))


class VersionQuery(StrictSchema):
    version = BoundedInteger(minimum=1, load_default=None,
                             metadata={"description": "a version number; the latest when absent"})


class EntryQuery(VersionQuery):
    code_prefix = fields.String(load_default=None, validate=validate.Regexp(r"^C[0-9]{0,14}$"),
                                metadata={"description": "'C' and up to 14 digits"})
    q = fields.String(load_default=None, validate=validate.Length(min=1, max=100),
                      metadata={"description": "words of the common name or a classification name"})
    limit = BoundedInteger(minimum=1, maximum=200, load_default=50)
    offset = BoundedInteger(load_default=0)


class ExportQuery(StrictSchema):
    format = fields.String(load_default="csv", validate=validate.OneOf(tuple(reference_data.EXPORT_FORMATS)),
                           metadata={"example": "xlsx", "description": "csv (UTF-8) or xlsx"})


class DiffQuery(StrictSchema):
    from_version = BoundedInteger(minimum=1, data_key="from", required=True)
    to_version = BoundedInteger(minimum=1, data_key="to", required=True)


@blp.route("/versions")
class CatalogVersions(MethodView):
    @blp.doc(security=[])
    @blp.response(200, CatalogVersionOut(many=True))
    def get(self) -> Any:
        """List the published catalog versions, oldest first."""
        return reference_data.list_catalog_versions(services())


@blp.route("/entries")
class CatalogEntries(MethodView):
    @blp.doc(security=[])
    @blp.arguments(EntryQuery, location="query")
    @blp.response(200, CatalogEntryPageOut)
    def get(self, query: dict[str, Any]) -> Any:
        """List a version's entries by code, filtered by code prefix or by words of the names."""
        return reference_data.get_catalog_entries(services(), **query)


@blp.route("/versions/<int(signed=False, max=2147483647):version>/export")
class CatalogExport(MethodView):
    @blp.doc(security=[], responses={"200": {"description": "the file", "content": {
        "text/csv": {"schema": {"type": "string"}},
        reference_data.EXPORT_FORMATS["xlsx"]: {"schema": {"type": "string", "format": "binary"}}}}})
    @blp.arguments(ExportQuery, location="query")
    @blp.response(200, description="the version's entries in the source catalog's columns (CSV: loading it again "
                                   "gives the same rows)")
    def get(self, query: dict[str, Any], version: int) -> Response:
        """Download a published version as CSV or XLSX, in the column names of the source catalog (CM-6)."""
        found = reference_data.export_catalog(services(), version, query["format"])
        response = send_file(io.BytesIO(found.content), mimetype=found.media_type, as_attachment=True,
                             download_name=found.filename)
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


@blp.route("/diff")
class CatalogDiff(MethodView):
    @blp.doc(security=[])
    @blp.arguments(DiffQuery, location="query")
    @blp.response(200, CatalogDiffOut)
    def get(self, query: dict[str, Any]) -> Any:
        """List the entries added, removed and changed from one version to another (CM-6)."""
        return reference_data.catalog_diff(services(), query["from_version"], query["to_version"])
