"""The decisions the admission diagrams make, as functions their scripts call by name: plain data in, plain data out.

A diagram's task data is JSON-like (strings, numbers, booleans, lists, dicts, dates), so these adapters read it
with ``application_data`` and the outcome constructors, and hand back dicts. Each is registered under the same name
for the scripts (``workflows/admission/script_functions.py``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from domain.admission.application_data import application_from_data, precheck_data
from domain.admission.findings import Finding, rules_of
from domain.admission.outcomes import (
    rejected_at_precheck,
    rejected_in_material_review,
    withdrawn_by_hospital,
    withdrawn_deadline_missed,
)
from domain.codes import consumable_entry_code
from domain.errors import InvalidInput

MAX_EXPERTS_PER_CANDIDATE = 25
DIGEST_CHARS = 32  # 128 bits of SHA-256: binds a pre-check verdict to the facts it read


def facts_digest(application: Mapping[str, Any]) -> str:
    """A digest of an application's facts as plain data, whatever the order of their keys."""
    text = json.dumps(application, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:DIGEST_CHARS]


def _shape_finding(detail: str, field: str = "application") -> Finding:
    return Finding("DA-2", field, "申请内容格式不正确", detail)


def precheck_submission(application: object, on_date: date) -> dict[str, Any]:
    """The automatic pre-check of a submitted application (CA-2…CA-5, CM-5, CX-1…CX-3, DA-2) as plain data.

    ``passed``, the 15-character ``entry_code`` when the code is well formed, and ``facts_digest`` (the facts the
    verdict is about); a failed check adds its ``rules`` and every finding. The diagram keeps this, not the facts.
    """
    if not isinstance(application, Mapping):
        findings, entry, digest = [_shape_finding("the application must be an object")], None, None
    else:
        digest = facts_digest(application)
        try:
            findings = precheck_data(application, on_date)
            entry = application_from_data(application)[0].entry_code
        except InvalidInput as exc:
            findings, entry = [_shape_finding(exc.detail, exc.field or "application")], None
    result: dict[str, Any] = {"passed": not findings, "entry_code": entry, "facts_digest": digest}
    if findings:
        result.update(rules=list(rules_of(findings)), findings=[f.to_dict() for f in findings])
    return result


def precheck_rejection(precheck: Mapping[str, Any]) -> dict[str, object]:
    """The outcome of an application the pre-check failed: every finding is its reason (DA-9)."""
    findings = [Finding(f["rule"], f["field"], f["message"], f["detail"]) for f in precheck["findings"]]
    return rejected_at_precheck(findings).to_dict()


def material_rejection(reason: object) -> dict[str, object]:
    """The outcome of an application the bureau rejected in material review, with its reason (DA-9)."""
    return rejected_in_material_review(reason if isinstance(reason, str) else "").to_dict()


def deadline_missed(last_day: object) -> dict[str, object]:
    """The outcome of an application whose supplement deadline passed: withdrawn (DA-10)."""
    day = last_day if isinstance(last_day, date) else date.fromisoformat(str(last_day))
    return withdrawn_deadline_missed(day).to_dict()


def withdrawal(reason: object = None) -> dict[str, object]:
    """The outcome of an application its hospital withdrew (DA-9), with the hospital's reason if it gave one."""
    if isinstance(reason, str) and reason.strip():
        return withdrawn_by_hospital(reason).to_dict()
    return withdrawn_by_hospital().to_dict()


def review_plan(assignments: object) -> dict[str, dict[str, str]]:
    """One expert review per assigned expert per candidate, keyed ``<entry code>/<expert id>`` (DA-5).

    The diagram's multi-instance review runs over this mapping and writes each result under the same key, so the
    results are keyed by candidate and expert, never by the order in which the experts finish.
    """
    if not isinstance(assignments, Mapping):
        raise InvalidInput("assignments must map entry codes to lists of expert ids", field="assignments")
    plan: dict[str, dict[str, str]] = {}
    for entry, experts in sorted(assignments.items()):
        code = consumable_entry_code(entry, field=f"assignments.{entry}")
        if not isinstance(experts, Sequence) or isinstance(experts, str) or not all(
                isinstance(e, str) and e for e in experts) or len(experts) > MAX_EXPERTS_PER_CANDIDATE:
            raise InvalidInput(f"assignments.{code} must be a list of at most {MAX_EXPERTS_PER_CANDIDATE} expert "
                               "ids", field=f"assignments.{code}", rule="DA-5")
        for expert in sorted(set(experts)):
            plan[f"{code}/{expert}"] = {"entry_code": code, "expert_id": expert}
    return plan


def any_upheld(resolutions: object) -> bool:
    """True when the bureau upheld at least one objection of the public notice (SV-1): the round is consolidated
    again (our reading)."""
    if not isinstance(resolutions, Mapping):
        raise InvalidInput("resolutions must map objection ids to {upheld, resolution}", field="resolutions")
    return any(isinstance(r, Mapping) and r.get("upheld") is True for r in resolutions.values())
