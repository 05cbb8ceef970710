"""Insured patients by psn_no (ND-2, ND-10): recorded by hospital staff and the bureau, found by psn_no or by the
national ID number on the patient's card. The number travels only in request bodies (never in a URL, which logs and
proxies keep), is never returned, and is kept only as a keyed digest."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from domain.registration.facts import INSURANCE_TYPES
from workflows.registration import patients

from .auth import current_actor
from .blueprint import Blueprint
from .fields import StrictBoolean
from .registration_schemas import PSN_NO, text
from .schemas import StrictSchema
from .services import services

blp = Blueprint("registration_patients", __name__, url_prefix="",
                description="Insured patients by psn_no; national ID numbers kept only as keyed digests")

NATIONAL_ID = r"^[1-9][0-9]{16}[0-9Xx]$"
PSN_PARAMETER = {"in": "path", "name": "psn_no", "required": True,
                 "schema": {"type": "string", "pattern": PSN_NO, "example": "52010000000000000001"}}


def _national_id(**kwargs: Any) -> fields.String:
    return fields.String(validate=validate.Regexp(NATIONAL_ID, error="must be 17 digits and a check digit or X"),
                         metadata={"example": "11010519491231002X",
                                   "description": "公民身份号码 (GB 11643); checked, kept only as a keyed digest"},
                         **kwargs)


class PatientRecordIn(StrictSchema):
    insurance_type = fields.String(required=True, validate=validate.OneOf(INSURANCE_TYPES),
                                   metadata={"example": "employee", "description": "职工 or 城乡居民 (ND-2)"})
    insurance_region = text("520100", max_length=6, pattern=r"^(?!00)[0-9]{6}$", required=True,
                            description="参保地, GB/T 2260 division (ND-10)")
    entitled = StrictBoolean(required=True, metadata={"example": True, "description": "正常享受待遇 (ND-2)"})
    national_id = _national_id()  # absent: the number on file is kept


class NationalIdIn(StrictSchema):
    national_id = _national_id(required=True)


class PatientOut(Schema):
    psn_no = fields.String(metadata={"example": "52010000000000000001"})
    insurance_type = fields.String(metadata={"example": "employee"})
    insurance_region = fields.String(metadata={"example": "520100"})
    entitled = fields.Boolean(metadata={"example": True})
    national_id_on_file = fields.Boolean(metadata={"example": True,
                                                   "description": "a national ID number is on file (never shown)"})
    created_at = fields.DateTime(metadata={"example": "2026-12-07T08:00:00+00:00"})
    updated_at = fields.DateTime(metadata={"example": "2026-12-07T08:00:00+00:00"})
    version = fields.Integer(metadata={"example": 1})


class PatientsOut(Schema):
    items = fields.List(fields.Nested(PatientOut))


@blp.route("/patients/<psn_no>", parameters=[PSN_PARAMETER])
class PatientRecord(MethodView):
    @blp.response(200, PatientOut)
    def get(self, psn_no: str) -> Any:
        """Show a patient's record (hospital staff, the bureau, auditors)."""
        return patients.get_patient(services(), current_actor(), psn_no)

    @blp.arguments(PatientRecordIn)
    @blp.response(200, PatientOut)
    @blp.alt_response(201, schema=PatientOut, description="the patient was recorded for the first time")
    @blp.alt_response(409, description="recorded meanwhile by another request: reload and retry")
    def put(self, body: dict[str, Any], psn_no: str) -> Any:
        """Record a patient or update their record (upsert by psn_no); a national ID number replaces the one on
        file, an absent one keeps it. Audited, without the number."""
        view, created = patients.record_patient(services(), current_actor(), psn_no, body["insurance_type"],
                                                body["insurance_region"], body["entitled"], body.get("national_id"))
        return view, 201 if created else 200


@blp.route("/patient-searches")
class PatientSearch(MethodView):
    @blp.arguments(NationalIdIn)
    @blp.response(200, PatientsOut)
    def post(self, body: dict[str, Any]) -> Any:
        """Find the patients recorded with the national ID number on a patient's card (in the body, never a URL)."""
        return {"items": patients.find_by_national_id(services(), current_actor(), body["national_id"])}

