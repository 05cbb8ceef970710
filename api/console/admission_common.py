"""What the admission pages share: their blueprint, the Chinese names of statuses, path ids, refusal messages."""

from __future__ import annotations

from typing import Any

from flask import render_template

from domain.errors import PolicyViolation, YibaoError

from ..admission import object_id
from .pages import console_blueprint

blp = console_blueprint("console_admission", __name__, "/console/admission")
APPLICATION_STATUS = {
    "draft": "草稿", "fast_path_check": "待确认功能用途", "material_review": "材料审核中",
    "supplement_requested": "待补正", "accepted": "已受理，等待轮次结果", "included_automatically": "已自动纳入",
    "included": "经专家评审纳入", "rejected_at_precheck": "预审未通过", "rejected_in_material_review": "材料审核未通过",
    "rejected_by_experts": "专家评审未纳入", "withdrawn_by_hospital": "已撤回",
    "withdrawn_deadline_missed": "逾期未补正（视为撤回）",
    "cancelled": "已取消",
}
ROUND_STAGE = {"open": "申报期", "assigning": "指派专家", "reviewing": "专家评审", "consolidating": "汇总审定",
               "filing": "国家局备案中", "notice": "公示中", "objections": "处理异议", "publishing": "待发布",
               "published": "已发布"}
FILING_STATUS = {"pending": "待备案", "acknowledged": "已备案", "rejected": "已退回"}
WITHDRAWABLE = ("draft", "fast_path_check", "material_review", "supplement_requested", "accepted")


def application_id(value: str) -> str:
    """A path's application id (anything else is no application: 404)."""
    return object_id(value, "application")


def refusal(exc: YibaoError) -> str:
    """A use case's refusal as one Chinese sentence with its rule ID."""
    rule = f"（{exc.rule}）" if exc.rule else ""
    text = exc.extra.get("message") if isinstance(exc.extra.get("message"), str) else None
    if isinstance(exc, PolicyViolation):
        return f"不符合规定{rule}：{text or exc.detail}"
    return f"填写有误{rule}：{text or exc.detail}"


def text_error(raw: str, label: str, limit: int, required: bool) -> str | None:
    """A Chinese message for a text field that is blank (when required), too long or not storable."""
    if "\x00" in raw:
        return f"{label}不能包含空字符（NUL）"
    if required and not raw.strip():
        return f"请填写{label}"
    if len(raw) > limit:
        return f"{label}最多{limit}个字符"
    return None


def page(template: str, status: int = 200, **values: Any) -> Any:
    """A rendered admission page with its status."""
    return render_template(f"admission/{template}", **values), status
