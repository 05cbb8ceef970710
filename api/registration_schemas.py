"""Marshmallow schemas of the registration API (shape only; the ND rules are checked by the use cases).

Every field carries an example; money and quantities travel as decimal strings ("3000.00"), never floats; every
text has a length bound and refuses NUL and other control characters and lone surrogates; dates stay within
1900–2999 and integers within their column.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from domain.registration.facts import INSURANCE_TYPES, STATUSES

from .fields import StrictBoolean
from .schemas import StrictSchema

MONEY = r"^(0|[1-9][0-9]{0,9})(\.[0-9]{1,2})?$"  # yuan, up to 9 999 999 999.99
QUANTITY = r"^(0|[1-9][0-9]{0,4})(\.[0-9]{1,2})?$"
RATIO = r"^(0(\.[0-9]{1,4})?|1(\.0{1,4})?)$"
PSN_NO = r"^[0-9A-Za-z]{1,64}$"
PHYSICIAN_CODE = r"^D[0-9]{12}$"
EXTERNAL_REF = r"^[0-9A-Za-z._:/-]{1,64}$"
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)
MAX_INT = 2**31 - 1


def _clean(value: str) -> None:
    if any((ord(c) < 32 and c not in "\t\n\r") or 0xD800 <= ord(c) <= 0xDFFF or ord(c) == 0x7F for c in value):
        raise ValidationError("control characters and lone surrogates are not allowed")


def text(example: Any, *, min_length: int = 1, max_length: int, pattern: str | None = None,
         description: str | None = None, **kwargs: Any) -> fields.String:
    """A bounded, clean text field with an example."""
    rules: list[Any] = [validate.Length(min=min_length, max=max_length), _clean]
    if pattern:
        rules.append(validate.Regexp(pattern))
    meta = {"example": example, **({"description": description} if description else {})}
    return fields.String(validate=rules, metadata=meta, **kwargs)


def day(example: str, description: str, **kwargs: Any) -> fields.Date:
    """A date between 1900 and 2999 with an example."""
    return fields.Date(validate=validate.Range(min=FIRST_DAY, max=LAST_DAY),
                       metadata={"example": example, "description": description}, **kwargs)


def money_out(example: str, description: str, **kwargs: Any) -> fields.Decimal:
    """Money as a decimal string in the responses."""
    return fields.Decimal(places=2, as_string=True, metadata={"example": example, "description": description},
                          **kwargs)


# --- registration ----------------------------------------------------------------------------------------
class PatientIn(StrictSchema):
    psn_no = text("52010000000000000001", max_length=64, pattern=PSN_NO, required=True,
                  description="人员编号 (opaque; never a national ID number)")
    insurance_type = fields.String(required=True, validate=validate.OneOf(INSURANCE_TYPES),
                                   metadata={"example": "employee", "description": "职工 or 城乡居民 (ND-2)"})
    insurance_region = text("520100", max_length=6, pattern=r"^[0-9]{6}$", required=True,
                            description="参保地, GB/T 2260 division (ND-10)")
    entitled = StrictBoolean(required=True, metadata={"example": True, "description": "正常享受待遇 (ND-2)"})


class PrescriptionIn(StrictSchema):
    dose = text("5 mg", max_length=100, required=True)
    frequency = text("每日2次", max_length=100, required=True)
    quantity_per_fill = text("56", max_length=8, pattern=QUANTITY, required=True,
                             description="decimal string, at most two decimals (ND-6)")


class RecordIn(StrictSchema):
    diagnosis_code = text("M05.900", max_length=16, required=True, description="ICD-10 (ND-6)")
    diagnosis_name = text("类风湿关节炎", max_length=200, required=True)
    diagnostic_basis = text("ACR/EULAR 2010 评分 7 分", max_length=2000, required=True, description="诊断依据")
    indication = text("类风湿关节炎经传统DMARDs治疗3-6个月疾病活动度下降低于50%", min_length=0, max_length=500,
                      load_default="", description="the restricted indication (限定支付范围) that applies (ND-5)")
    indication_confirmed = StrictBoolean(required=True, metadata={
        "example": True, "description": "the physician confirms the restricted indication applies (ND-5)"})
    prescription = fields.Nested(PrescriptionIn, required=True)


class RegistrationIn(StrictSchema):
    patient = fields.Nested(PatientIn, required=True)
    drug = text("托法替布", max_length=100, required=True, description="the drug's name in the current list (ND-5)")
    record = fields.Nested(RecordIn, required=True)


class HospitalChangeIn(RegistrationIn):
    reason = text("患者迁居，变更定点医院", max_length=500, required=True, description="ND-14")


class RenewalIn(StrictSchema):
    patient = fields.Nested(PatientIn, required=True)
    record = fields.Nested(RecordIn, required=True)


class UpdateIn(StrictSchema):
    record = fields.Nested(RecordIn, required=True)
    reason = text("调整剂量", max_length=500, required=True, description="ND-8")


class PhysicianChangeIn(StrictSchema):
    physician_code = text("D520102000004", max_length=13, pattern=PHYSICIAN_CODE, required=True)
    reason = text("原医师调离", max_length=500, required=True, description="ND-14")


class ReasonIn(StrictSchema):
    reason = text("患者申请注销", max_length=500, required=True)


class RegistrationQuery(StrictSchema):
    status = fields.String(load_default=None, validate=validate.OneOf(STATUSES), metadata={"example": "active"})
    drug = text("托法替布", max_length=100, load_default=None)
    physician_code = text("D520102000001", max_length=13, pattern=PHYSICIAN_CODE, load_default=None)
    psn_no = text("52010000000000000001", max_length=64, pattern=PSN_NO, load_default=None)
    due_before = day("2027-03-01", "reassessment due before this day", load_default=None)
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200), metadata={"example": 50})
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=MAX_INT), metadata={"example": 0})


class PrescriptionOut(Schema):
    dose = fields.String(metadata={"example": "5 mg"})
    frequency = fields.String(metadata={"example": "每日2次"})
    quantity_per_fill = fields.Decimal(places=2, as_string=True, metadata={"example": "56.00"})


class RegistrationOut(Schema):
    id = fields.String(metadata={"example": "0b8e5f0e-7f0a-4c55-9a53-7c1d2b1f3a10"})
    instance_id = fields.String(allow_none=True, metadata={"example": "5d1c8a52-3a52-4f5e-8f3c-1f0b2c3d4e5f"})
    status = fields.String(metadata={"example": "active", "description": " | ".join(STATUSES)})
    psn_no = fields.String(metadata={"example": "52010000000000000001"})
    insurance_type = fields.String(metadata={"example": "employee"})
    insurance_region = fields.String(metadata={"example": "520100"})
    off_site = fields.Boolean(metadata={"example": False, "description": "ND-10"})
    drug = fields.String(metadata={"example": "托法替布"})
    hospital_id = fields.String(metadata={"example": "8a3c…"})
    hospital_code = fields.String(metadata={"example": "H52010200001"})
    physician_code = fields.String(metadata={"example": "D520102000101"})
    diagnosis_code = fields.String(metadata={"example": "M05.900"})
    diagnosis_name = fields.String(metadata={"example": "类风湿关节炎"})
    diagnostic_basis = fields.String(metadata={"example": "ACR/EULAR 2010 评分 7 分"})
    indication = fields.String(metadata={"example": "类风湿关节炎经传统DMARDs治疗"})
    prescription = fields.Nested(PrescriptionOut)
    start_date = fields.Date(metadata={"example": "2026-08-31"})
    end_date = fields.Date(metadata={"example": "2027-08-31", "description": "exclusive: expires at 00:00 (ND-7)"})
    last_valid_day = fields.Date(metadata={"example": "2027-08-30"})
    benefit_year_start = fields.Date(metadata={"example": "2026-08-31", "description": "ND-9"})
    last_reassessed_on = fields.Date(allow_none=True, metadata={"example": None})
    next_reassessment_due = fields.Date(allow_none=True, metadata={"example": "2027-02-28", "description": "ND-8"})
    ended_on = fields.Date(allow_none=True, metadata={"example": None})
    end_reason = fields.String(allow_none=True, metadata={
        "example": None, "description": "cancelled | hospital_changed | agreement_ended | drug_delisted"})
    end_note = fields.String(allow_none=True, metadata={"example": None})
    replaces_id = fields.String(allow_none=True, metadata={"example": None,
                                                           "description": "the registration renewed or moved"})
    created_at = fields.DateTime(metadata={"example": "2026-08-31T02:00:00+00:00"})
    updated_at = fields.DateTime(metadata={"example": "2026-08-31T02:00:00+00:00"})


class RegistrationPageOut(Schema):
    items = fields.List(fields.Nested(RegistrationOut))
    total = fields.Integer(metadata={"example": 1})
    limit = fields.Integer(metadata={"example": 50})
    offset = fields.Integer(metadata={"example": 0})


class RevisionOut(Schema):
    seq = fields.Integer(metadata={"example": 2})
    kind = fields.String(metadata={"example": "updated",
                                   "description": "registered | reassessed | updated | physician_changed | ended"})
    at = fields.DateTime(metadata={"example": "2026-09-01T02:00:00+00:00"})
    actor_id = fields.String(metadata={"example": "3f2a…"})
    reason = fields.String(allow_none=True, metadata={"example": "调整剂量"})
    previous = fields.Dict(allow_none=True, metadata={"example": {"dose": "5 mg"}, "description": "values replaced"})
    current = fields.Dict(metadata={"example": {"dose": "10 mg"}})


# --- settlement (ND-9, ND-11, ND-13, ND-15) ----------------------------------------------------------------
class DispensingIn(StrictSchema):
    psn_no = text("52010000000000000001", max_length=64, pattern=PSN_NO, required=True)
    drug = text("托法替布", max_length=100, required=True)
    physician_code = text("D520102000101", max_length=13, pattern=PHYSICIAN_CODE, required=True,
                          description="the prescribing physician (ND-11)")
    quantity = text("56", max_length=8, pattern=QUANTITY, required=True)
    amount = text("3000.00", max_length=13, pattern=MONEY, required=True, description="yuan, decimal string")
    external_ref = text("HIS-2026-000123", max_length=64, pattern=EXTERNAL_REF, required=True,
                        description="the dispenser's reference: a retry with it is paid once")


class DispensingOut(Schema):
    id = fields.String(metadata={"example": "c1d2…"})
    registration_id = fields.String(metadata={"example": "0b8e…"})
    psn_no = fields.String(metadata={"example": "52010000000000000001"})
    drug = fields.String(metadata={"example": "托法替布"})
    physician_code = fields.String(metadata={"example": "D520102000101"})
    dispenser_code = fields.String(metadata={"example": "P52010200001"})
    dispenser_kind = fields.String(metadata={"example": "pharmacy", "description": "hospital | pharmacy (ND-13)"})
    external_ref = fields.String(metadata={"example": "HIS-2026-000123"})
    quantity = fields.Decimal(places=2, as_string=True, metadata={"example": "56.00"})
    amount = money_out("3000.00", "the price dispensed")
    fund = money_out("1875.00", "基金支付 (ND-15), capped by the remaining annual limit (ND-9)")
    patient = money_out("1125.00", "个人负担: deductible + ratio + over-limit parts")
    deductible_part = money_out("500.00", "起付标准 still open")
    ratio_part = money_out("625.00", "the patient's share above the deductible")
    over_limit_part = money_out("0.00", "beyond the remaining annual limit (ND-9)")
    config_version = fields.Integer(metadata={"example": 1, "description": "payment configuration applied"})
    dispensed_at = fields.DateTime(metadata={"example": "2026-09-01T02:00:00+00:00"})
    reversed_at = fields.DateTime(allow_none=True, metadata={"example": None})
    reversal_reason = fields.String(allow_none=True, metadata={"example": None})
    replayed = fields.Boolean(metadata={"example": False, "description": "true: a retry found the first result"})


class AccountOut(Schema):
    registration_id = fields.String(metadata={"example": "0b8e…"})
    psn_no = fields.String(metadata={"example": "52010000000000000001"})
    drug = fields.String(metadata={"example": "托法替布"})
    year_start = fields.Date(metadata={"example": "2026-08-31"})
    year_last_day = fields.Date(metadata={"example": "2027-08-30"})
    annual_limit = money_out("13000.00", "年度最高限额 (ND-9)")
    fund_paid = money_out("1875.00", "spent by the fund this benefit year")
    remaining = money_out("11125.00", "what the fund may still pay")
    deductible_met = money_out("500.00", "deductible paid so far (ND-15)")
    dispensings = fields.List(fields.Nested(DispensingOut))


class PaymentRuleIn(StrictSchema):
    deductible = text("500.00", max_length=13, pattern=MONEY, required=True, description="起付标准, yuan")
    fund_ratio = text("0.75", max_length=6, pattern=RATIO, required=True, description="支付比例, 0–1")


class PaymentConfigIn(StrictSchema):
    rules = fields.Dict(
        keys=fields.String(validate=validate.OneOf(INSURANCE_TYPES)),
        values=fields.Dict(keys=fields.String(validate=validate.OneOf(("1", "2", "3"))),
                           values=fields.Nested(PaymentRuleIn)),
        required=True, metadata={"example": {"employee": {"3": {"deductible": "500.00", "fund_ratio": "0.75"}},
                                             "resident": {"3": {"deductible": "800.00", "fund_ratio": "0.60"}}},
                                 "description": "{insurance type: {hospital tier: rule}}; tier 3 of both types"})
    note = text("2027 年度门诊保障待遇", min_length=0, max_length=300, load_default=None)


class PaymentRuleOut(Schema):
    insurance_type = fields.String(metadata={"example": "employee"})
    tier = fields.Integer(metadata={"example": 3})
    deductible = money_out("500.00", "起付标准")
    fund_ratio = fields.Decimal(places=4, as_string=True, metadata={"example": "0.7500"})


class PaymentConfigOut(Schema):
    version = fields.Integer(metadata={"example": 1})
    created_at = fields.DateTime(metadata={"example": "2026-01-01T00:00:00+00:00"})
    created_by = fields.String(metadata={"example": "system"})
    note = fields.String(allow_none=True, metadata={"example": "demo values, not policy"})
    rules = fields.List(fields.Nested(PaymentRuleOut))


class VersionQuery(StrictSchema):
    version = fields.Integer(load_default=None, validate=validate.Range(min=1, max=MAX_INT),
                             metadata={"example": 1, "description": "the version in force when absent"})


# --- the drug list and the ND-12 ending --------------------------------------------------------------------
class DrugIn(StrictSchema):
    name = text("托法替布", max_length=100, required=True)
    dosage_form = text("口服常释剂型", max_length=100, required=True)
    restriction = text("限诊断明确的类风湿关节炎…并需风湿病专科医师处方。", min_length=0, max_length=2000,
                       load_default="", description="限定支付范围, verbatim")
    annual_limit = text("13000.00", max_length=13, pattern=MONEY, required=True, description="ND-9, yuan")
    agreement_start = day("2024-01-01", "first covered day (ND-12)", load_default=None, allow_none=True)
    agreement_end = day("2025-12-31", "last covered day (ND-12)", load_default=None, allow_none=True)
    required_specialty = text("rheumatology", max_length=64, pattern=r"^[a-z][a-z_]{1,63}$", load_default=None,
                              allow_none=True, description="ND-16")
    specialty_exempt_indications = fields.List(text("斑块状银屑病", max_length=100), load_default=list,
                                               validate=validate.Length(max=20), metadata={"example": []})
    effective_date = day("2027-01-01", "the new list version's effective date (default: today)",
                         load_default=None)


class EffectiveQuery(StrictSchema):
    effective_date = day("2027-01-01", "the new list version's effective date (default: today)",
                         load_default=None)


class EndingIn(StrictSchema):
    batch_size = fields.Integer(load_default=200, validate=validate.Range(min=1, max=10_000),
                                metadata={"example": 200, "description": "registrations per transaction"})


class EndingOut(Schema):
    ended = fields.Integer(metadata={"example": 3, "description": "registrations ended (ND-12)"})
    refreshed = fields.Integer(metadata={"example": 0, "description": "rows whose stored status caught up"})
    batches = fields.Integer(metadata={"example": 1})


class ListVersionOut(Schema):
    version = fields.Integer(metadata={"example": 2})
    effective_date = fields.Date(metadata={"example": "2027-01-01"})
    created_at = fields.DateTime(metadata={"example": "2027-01-05T01:00:00+00:00"})
    source = fields.String(metadata={"example": "API: drug 10 changed by bureau.wang sha256:…"})
    drugs = fields.Integer(metadata={"example": 23})
