"""Schemas of the admission API's rounds, reviews, filings, objections and publications (shapes only)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from .admission_schemas import INSTANT, ROUND_ID, USER_ID, StepOut, choice, day, entry, ident, money, text
from .schemas import StrictSchema

CATEGORY = ("甲", "乙")


class RoundIn(StrictSchema):
    name = text(200, "2026年度医保医用耗材目录调整", min_length=1, required=True, description="the round's name")
    opens_on = day("2026-09-01", "first day of the application window (DA-1)", required=True)
    closes_on = day("2026-09-30", "last day of the application window (DA-1)", required=True)


class CloseIn(StrictSchema):
    reason = text(2000, "申报已足额", description="why the window closes early", load_default=None)


class AssignmentIn(StrictSchema):
    entry_code = entry(required=True)
    expert_ids = fields.List(ident(USER_ID, "an expert's user id"), required=True,
                             validate=validate.Length(min=1, max=25),
                             metadata={"example": [USER_ID], "description": "at least 3, covering 3 of the 5 fields "
                                                                           "(DA-5); none employed by an applicant"})


class AssignmentsIn(StrictSchema):
    assignments = fields.List(fields.Nested(AssignmentIn), required=True, validate=validate.Length(max=5000))


class ReviewIn(StrictSchema):
    include = fields.Boolean(required=True, metadata={"example": True, "description": "include or not (DA-5)"})
    category = choice(CATEGORY, "乙", "proposed payment category (CM-2)", load_default=None, allow_none=True)
    max_payment_standard = money("1200.00", "proposed maximum payment standard in yuan", load_default=None,
                                 allow_none=True)
    restricted_scope = text(2000, "限三级医院使用", description="proposed restricted payment scope",
                            load_default="")
    reasoning = text(4000, "临床必需，安全有效，价格合理", min_length=1, required=True, description="reasoning (CA-1)")


class NamesIn(StrictSchema):
    primary_class = text(100, "血管介入治疗类材料", min_length=1, required=True, description="一级分类")
    secondary_class = text(100, "导管类", min_length=1, required=True, description="二级分类")
    tertiary_class = text(100, "中心静脉导管", min_length=1, required=True, description="三级分类")
    common_name = text(100, "导管", min_length=1, required=True, description="医保通用名")
    material = text(100, "聚氨酯", load_default="", description="材质")
    characteristics = text(100, "单腔", load_default="", description="特征")


class DecisionIn(StrictSchema):
    entry_code = entry(required=True)
    include = fields.Boolean(required=True, metadata={"example": True, "description": "follows the experts' "
                                                                                      "majority (DA-5)"})
    category = choice(CATEGORY, "乙", "payment category (CM-2)", load_default=None, allow_none=True)
    max_payment_standard = money("1200.00", "maximum payment standard in yuan (CM-2, CM-3, VBP)",
                                 load_default=None, allow_none=True)
    restricted_scope = text(2000, "限三级医院使用", description="restricted payment scope", load_default=None)
    reason = text(2000, "专家多数意见不予纳入", description="why not included (DA-9)", load_default=None)
    names = fields.Nested(NamesIn, load_default=None, allow_none=True,
                          metadata={"description": "a new entry's classification names (CM-1)"})


class RetirementIn(StrictSchema):
    entry_code = entry(required=True)
    reason = text(2000, "临床已淘汰", min_length=1, required=True, description="why it leaves the catalog (DA-5)")


class ConsolidationIn(StrictSchema):
    decisions = fields.List(fields.Nested(DecisionIn), required=True, validate=validate.Length(max=5000))
    retirements = fields.List(fields.Nested(RetirementIn), load_default=list, validate=validate.Length(max=1000))


class AcknowledgementIn(StrictSchema):
    filing_number = text(100, "国医保耗备〔2026〕12号", min_length=1, required=True, description="NHSA filing number")


class RejectionIn(StrictSchema):
    reasons = text(2000, "支付标准测算依据不足", min_length=1, required=True, description="why the NHSA returns it")


class FilingQuery(StrictSchema):
    round_id = ident(ROUND_ID, "one round's filings", load_default=None)
    status = choice(("pending", "acknowledged", "rejected"), "pending", "one status", load_default=None)


class ObjectionIn(StrictSchema):
    text = text(2000, "该产品价格明显高于同类产品", min_length=1, required=True, description="the objection")
    entry_code = entry("the candidate it concerns, if one", load_default=None)


class ResolutionIn(StrictSchema):
    objection_id = ident("2c1b0a9f-8e7d-4c6b-9a59-483726150f1e", "the objection", required=True)
    upheld = fields.Boolean(required=True, metadata={"example": False, "description": "upheld: consolidate again"})
    resolution = text(2000, "经核实，价格在合理区间", min_length=1, required=True, description="the bureau's answer")


class ResolutionsIn(StrictSchema):
    resolutions = fields.List(fields.Nested(ResolutionIn), required=True, validate=validate.Length(max=1000))


class PublishIn(StrictSchema):
    effective_on = day("2026-11-01", "effective date of the new catalog version (CM-6)", required=True)


class RoundOut(Schema):
    id = fields.String(metadata={"example": ROUND_ID})
    instance_id = fields.String(metadata={"example": "4a3b2c1d-0e9f-4876-a543-210fedcba987"})
    name = fields.String(metadata={"example": "2026年度医保医用耗材目录调整"})
    opens_on = fields.Date(metadata={"example": "2026-09-01"})
    closes_on = fields.Date(metadata={"example": "2026-09-30"})
    stage = fields.String(metadata={"example": "notice", "description": "open, assigning, reviewing, consolidating, "
                                    "filing, notice, objections, publishing, published"})
    notice_working_days = fields.Integer(metadata={"example": 5})
    notice_last_day = fields.Date(allow_none=True, metadata={"example": "2026-10-12", "description": "SV-1"})
    notice_warnings = fields.List(fields.String(), metadata={"example": [], "description": "days no official "
                                                             "schedule covers"})
    retirements = fields.List(fields.Dict(), metadata={"example": [{"entry_code": "C01010100101004",
                                                                    "reason": "临床已淘汰"}]})
    published_version = fields.Integer(allow_none=True, metadata={"example": 2})
    effective_on = fields.Date(allow_none=True, metadata={"example": "2026-11-01"})
    published_at = fields.DateTime(allow_none=True, metadata={"example": INSTANT})
    created_at = fields.DateTime(metadata={"example": INSTANT})
    step = fields.Nested(StepOut, allow_none=True, metadata={"description": "the bureau's open step, if visible"})


class ReviewOut(Schema):
    entry_code = fields.String(metadata={"example": "C09100100000000"})
    expert_id = fields.String(metadata={"example": USER_ID})
    include = fields.Boolean(metadata={"example": True})
    category = fields.String(allow_none=True, metadata={"example": "乙"})
    max_payment_standard = fields.Decimal(places=2, as_string=True, allow_none=True, metadata={"example": "1200.00"})
    restricted_scope = fields.String(metadata={"example": "限三级医院使用"})
    reasoning = fields.String(metadata={"example": "临床必需"})
    reviewed_at = fields.DateTime(metadata={"example": INSTANT})


class CandidateOut(Schema):
    round_id = fields.String(metadata={"example": ROUND_ID})
    entry_code = fields.String(metadata={"example": "C09100100000000"})
    in_catalog = fields.Boolean(metadata={"example": False})
    applications = fields.Integer(metadata={"example": 2})
    include = fields.Boolean(allow_none=True, metadata={"example": True})
    category = fields.String(allow_none=True, metadata={"example": "乙"})
    max_payment_standard = fields.Decimal(places=2, as_string=True, allow_none=True, metadata={"example": "1200.00"})
    restricted_scope = fields.String(allow_none=True, metadata={"example": "限三级医院使用"})
    reason = fields.String(allow_none=True, metadata={"example": None})
    names = fields.Dict(allow_none=True, metadata={"example": {"common_name": "导管"}})
    experts = fields.List(fields.String(), metadata={"example": [USER_ID], "description": "for the bureau"})
    reviews = fields.List(fields.Nested(ReviewOut), metadata={"description": "all for the bureau, one's own for "
                                                              "an expert (SV-3)"})
    summary = fields.Dict(allow_none=True, metadata={"example": {"votes_for": [USER_ID], "included": True},
                                                     "description": "votes and proposals, for the bureau (DA-5)"})
    review_task_id = fields.String(allow_none=True, metadata={"example": "3f2e1d0c-9b8a-4765-8432-10fedcba9876",
                                                              "description": "the caller's own review task"})


class FilingOut(Schema):
    id = fields.String(metadata={"example": "6e5d4c3b-2a19-4087-b6a5-f4e3d2c1b0a9"})
    round_id = fields.String(metadata={"example": ROUND_ID})
    seq = fields.Integer(metadata={"example": 1})
    status = fields.String(metadata={"example": "acknowledged"})
    submitted_at = fields.DateTime(metadata={"example": INSTANT})
    filing_number = fields.String(allow_none=True, metadata={"example": "国医保耗备〔2026〕12号"})
    reasons = fields.String(allow_none=True, metadata={"example": None})
    answered_by = fields.String(allow_none=True, metadata={"example": USER_ID})
    answered_at = fields.DateTime(allow_none=True, metadata={"example": INSTANT})


class ObjectionOut(Schema):
    id = fields.String(metadata={"example": "2c1b0a9f-8e7d-4c6b-9a59-483726150f1e"})
    round_id = fields.String(metadata={"example": ROUND_ID})
    entry_code = fields.String(allow_none=True, metadata={"example": "C09100100000000"})
    text = fields.String(metadata={"example": "该产品价格明显高于同类产品"})
    lodged_by = fields.String(metadata={"example": USER_ID})
    lodged_at = fields.DateTime(metadata={"example": INSTANT})
    status = fields.String(metadata={"example": "open"})
    upheld = fields.Boolean(allow_none=True, metadata={"example": None})
    resolution = fields.String(allow_none=True, metadata={"example": None})
    resolved_by = fields.String(allow_none=True, metadata={"example": None})
    resolved_at = fields.DateTime(allow_none=True, metadata={"example": None})


class PublicationOut(Schema):
    round_id = fields.String(metadata={"example": ROUND_ID})
    name = fields.String(metadata={"example": "2026年度医保医用耗材目录调整"})
    version = fields.Integer(metadata={"example": 2})
    effective_on = fields.Date(metadata={"example": "2026-11-01"})
    published_at = fields.DateTime(metadata={"example": INSTANT})
    added = fields.List(fields.String(), metadata={"example": ["C09100100000000"]})
    removed = fields.List(fields.String(), metadata={"example": []})
    changed = fields.List(fields.String(), metadata={"example": []})
    products_added = fields.List(fields.String(), metadata={"example": ["C09100100000000211790000049"]})
    outcomes = fields.Dict(keys=fields.String(), values=fields.Integer(),
                           metadata={"example": {"included": 1, "rejected_by_experts": 1}})


class StepCountOut(Schema):
    process_key = fields.String(metadata={"example": "consumable_application"})
    bpmn_id = fields.String(metadata={"example": "material_review"})
    name = fields.String(metadata={"example": "材料审核"})
    open = fields.Integer(metadata={"example": 12, "description": "open and claimed tasks"})


class QueueOut(Schema):
    steps = fields.List(fields.Nested(StepCountOut))
    applications = fields.Dict(keys=fields.String(), values=fields.Integer(),
                               metadata={"example": {"material_review": 12, "accepted": 40}})
    rounds = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={"example": {"reviewing": 1}})
