"""Schemas of the admission API's applications: shapes only, every field bounded and with an example (policy is
checked by the domain). Money is a string with at most two decimals; dates are ISO dates."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from domain.admission.categories import CertificateKind, DocumentKind, ProcurementStatus, UseCategory

from .schemas import StrictSchema

MONEY = r"^(0|[1-9][0-9]{0,9})(\.[0-9]{1,2})?$"
SIGNED_MONEY = r"^-?(0|[1-9][0-9]{0,9})(\.[0-9]{1,2})?$"
UUID = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
ENTRY = r"^C[0-9]{14}$"
APPLICATION_ID = "5b0e3c7e-2f1a-4c55-9a51-1d2f0b7c9e11"
USER_ID = "0c8f3d52-7a61-4e0b-8f7e-6a9d1b2c3e4f"
ROUND_ID = "9d4b8a1e-3c2f-4e5d-8b7a-6f5e4d3c2b1a"
INSTANT = "2026-09-01T10:00:00+00:00"


def _clean(value: str) -> None:
    """No NUL characters and no lone surrogates: neither can be stored as text."""
    if "\x00" in value:
        raise ValidationError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError("must be valid Unicode text (no lone surrogates)") from None


def text(max_length: int, example: str, *, min_length: int = 0, description: str = "",
         **kwargs: Any) -> fields.Field[Any]:
    """A bounded string of clean text with an example."""
    checks: list[Callable[[Any], Any]] = [validate.Length(min=min_length, max=max_length), _clean]
    extra = kwargs.pop("validate", None)
    if extra is not None:
        checks.append(extra)
    return fields.String(validate=checks, metadata={"example": example, "description": description}, **kwargs)


def choice(options: tuple[str, ...], example: str, description: str = "", **kwargs: Any) -> fields.Field[Any]:
    """One of ``options``."""
    return fields.String(validate=validate.OneOf(options), metadata={"example": example,
                                                                     "description": description}, **kwargs)


def money(example: str, description: str, *, signed: bool = False, **kwargs: Any) -> fields.Field[Any]:
    """An amount in yuan as a string with at most two decimals."""
    return text(14, example, description=description,
                validate=validate.Regexp(SIGNED_MONEY if signed else MONEY, error="must be yuan such as \"12.50\""),
                **kwargs)


def day(example: str, description: str, **kwargs: Any) -> fields.Field[Any]:
    """An ISO date."""
    return fields.Date(metadata={"example": example, "description": description}, **kwargs)


def ident(example: str, description: str, **kwargs: Any) -> fields.Field[Any]:
    """An object's id (a UUID)."""
    return text(36, example, description=description, validate=validate.Regexp(UUID, error="must be an id"),
                **kwargs)


def entry(description: str = "15-character catalog entry code (CM-1)", **kwargs: Any) -> fields.Field[Any]:
    """A 15-character entry code."""
    return text(15, "C09100100000000", description=description,
                validate=validate.Regexp(ENTRY, error="must be C and 14 digits"), **kwargs)


def values(enum: type[Any]) -> tuple[str, ...]:
    return tuple(m.value for m in enum)


class ServiceItemIn(StrictSchema):
    code = text(40, "310701001", min_length=1, required=True, description="medical service item code (CA-5)")
    name = text(200, "静脉注射", min_length=1, required=True, description="its name")


class FactsIn(StrictSchema):
    """What the hospital states about the product (DA-2); every field may stay empty in a draft."""

    code = text(27, "C09100100000000211790000049", description="27-character NHSA consumable code (CM-5, CA-4)")
    product_name = text(200, "一次性使用无菌导管", description="product name")
    manufacturer = text(200, "贵阳某医疗器械有限公司", description="manufacturer")
    specification = text(500, "型号A 规格10mm", description="specification and model (规格型号)")
    certificate_number = text(40, "国械注准20153460123", description="registration or filing number (CA-2)")
    certificate_kind = choice(values(CertificateKind), "registration", "registration or filing (CA-2)")
    certificate_issued_on = day("2020-01-01", "issue date of the certificate (CA-2)")
    certificate_expires_on = day("2030-12-31", "expiry date; a filing may have none (CA-2)")
    certificate_revoked = fields.Boolean(metadata={"example": False,
                                                   "description": "revoked, withdrawn or cancelled (CX-3)"})
    use_category = choice(values(UseCategory), "interventional", "what the product is used for (CX-1)")
    separately_chargeable = fields.Boolean(metadata={"example": True, "description": "declaration (CA-3, CX-2)"})
    service_items = fields.List(fields.Nested(ServiceItemIn), validate=validate.Length(max=50),
                                metadata={"example": [{"code": "310701001", "name": "静脉注射"}],
                                          "description": "service items it is billed with (CA-5)"})
    price = money("1280.00", "price in yuan (DA-2 item 5)")
    online_procurement = choice(values(ProcurementStatus), "listed", "online procurement status (DA-2 item 5)")
    economic_evaluation = text(4000, "与同类产品相比价格较低，疗效相当。", description="economic evaluation summary")
    annual_fund_impact = money("-25000.00", "estimated annual fund impact in yuan; negative for a saving",
                               signed=True)


class ApplicationQuery(StrictSchema):
    status = text(40, "material_review", description="one status")
    round_id = ident(ROUND_ID, "the applications of one round")
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200), metadata={"example": 50})
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=10_000_000), metadata={"example": 0})


class WithdrawIn(StrictSchema):
    reason = text(2000, "产品停产", description="why the hospital withdraws", load_default=None)


class FastPathIn(StrictSchema):
    same_function_and_use = fields.Boolean(required=True, metadata={
        "example": True, "description": "same function and use as the existing entry (DA-4)"})
    note = text(2000, "与目录内品种功能用途一致", description="the officer's note", load_default=None)


class MaterialReviewIn(StrictSchema):
    decision = choice(("accept", "reject", "return"), "return", "accept into a round, reject, return (DA-10)",
                      required=True)
    reason = text(2000, "缺少产品说明书", min_length=1, description="reason, or what to supplement",
                  load_default=None)
    supplement_working_days = fields.Integer(load_default=None, validate=validate.Range(min=1, max=60), metadata={
        "example": 5, "description": "deadline to supplement, in working days (DA-10)"})


class DocumentIn(StrictSchema):
    kind = choice(values(DocumentKind), "instructions", "which material this is (DA-2)", required=True)


class FileIn(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary",
                                               "description": "PDF, JPEG, PNG or OFD, detected from its content"})


class DocumentOut(Schema):
    id = fields.String(metadata={"example": "7a3e1f2d-4b5c-4d6e-8f90-a1b2c3d4e5f6"})
    kind = fields.String(metadata={"example": "instructions"})
    kind_label = fields.String(metadata={"example": "医用耗材产品说明书"})
    filename = fields.String(metadata={"example": "说明书.pdf"})
    media_type = fields.String(metadata={"example": "application/pdf", "description": "detected from the content"})
    size = fields.Integer(metadata={"example": 183422, "description": "bytes"})
    sha256 = fields.String(metadata={"example": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"})
    uploaded_by = fields.String(metadata={"example": USER_ID})
    uploaded_at = fields.DateTime(metadata={"example": INSTANT})


class StepOut(Schema):
    task_id = fields.String(metadata={"example": "3f2e1d0c-9b8a-4765-8432-10fedcba9876",
                                      "description": "complete it here or at POST /tasks/{task_id}/complete"})
    bpmn_id = fields.String(metadata={"example": "material_review"})
    name = fields.String(metadata={"example": "材料审核"})


class FindingOut(Schema):
    rule = fields.String(metadata={"example": "CA-2"})
    field = fields.String(metadata={"example": "certificate_expires_on"})
    message = fields.String(metadata={"example": "注册证或备案在申请日已过有效期"})
    detail = fields.String(metadata={"example": "the certificate expired on 2026-08-01"})


class ApplicationOut(Schema):
    id = fields.String(metadata={"example": APPLICATION_ID})
    instance_id = fields.String(metadata={"example": "1e2d3c4b-5a69-4788-9a0b-c1d2e3f4a5b6"})
    hospital_id = fields.String(metadata={"example": USER_ID, "description": "the applying hospital's id"})
    status = fields.String(metadata={"example": "material_review", "description": "draft, fast_path_check, "
                                     "material_review, supplement_requested, accepted, or the outcome's kind"})
    code = fields.String(allow_none=True, metadata={"example": "C09100100000000211790000049"})
    entry_code = fields.String(allow_none=True, metadata={"example": "C09100100000000"})
    product_name = fields.String(allow_none=True, metadata={"example": "一次性使用无菌导管"})
    manufacturer = fields.String(allow_none=True, metadata={"example": "贵阳某医疗器械有限公司"})
    facts = fields.Dict(metadata={"example": {"code": "C09100100000000211790000049", "price": "1280.00"},
                                  "description": "the recorded facts (FactsIn)"})
    findings = fields.List(fields.Nested(FindingOut), metadata={"description": "format findings of a draft"})
    existing_entry = fields.Boolean(metadata={"example": False, "description": "first 15 characters in the "
                                              "catalog at submission (DA-4)"})
    fast_path = fields.Boolean(metadata={"example": False, "description": "the bureau confirmed DA-4"})
    review_note = fields.String(allow_none=True, metadata={"example": "缺少产品说明书"})
    supplement_last_day = fields.Date(allow_none=True, metadata={"example": "2026-09-08", "description": "DA-10"})
    round_id = fields.String(allow_none=True, metadata={"example": ROUND_ID})
    submitted_at = fields.DateTime(allow_none=True, metadata={"example": INSTANT})
    accepted_on = fields.Date(allow_none=True, metadata={"example": "2026-09-03"})
    outcome = fields.Dict(allow_none=True, metadata={
        "example": {"kind": "included", "label": "经专家评审纳入", "reason": "经专家评审纳入目录品种C09100100000000",
                    "rules": ["DA-5"]}, "description": "kind, Chinese label, reason and rules (DA-9)"})
    created_at = fields.DateTime(metadata={"example": INSTANT})
    updated_at = fields.DateTime(metadata={"example": INSTANT})
    documents = fields.List(fields.Nested(DocumentOut))
    step = fields.Nested(StepOut, allow_none=True, metadata={"description": "the open human step, if visible"})
    submission = fields.Dict(allow_none=True, metadata={
        "example": {"application": {"code": "C09100100000000211790000049"}, "existing_entry": False,
                    "declaration": True},
        "description": "for the hospital: exactly the data that submits it through /tasks"})


class ApplicationPageOut(Schema):
    items = fields.List(fields.Nested(ApplicationOut))
    total = fields.Integer(metadata={"example": 1})
    limit = fields.Integer(metadata={"example": 50})
    offset = fields.Integer(metadata={"example": 0})
