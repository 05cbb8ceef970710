"""The functions the admission diagrams call by name, registered for their scripts when the slice is imported.

The pure decisions come from ``domain.admission.process``; the two deadlines counted in working days (DA-10,
SV-1) are computed here because they need the working-day calendar (``workflows.calendar``): the diagram's timer
gets an ISO instant, and the counted span keeps its warnings (a year no official schedule covers).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from domain.admission import process
from domain.admission.deadlines import notice_period, passes_at, supplement_deadline
from domain.workdays import DayAnswer, WorkdaySpan

from .. import script_functions
from ..workday_table import calendar_in_use


def calendar_source() -> Callable[[date], DayAnswer]:
    """The working-day chain the diagrams count with: the bureau's table, chinese-calendar, holidays, Monday–Friday
    (the table of the services running the step: ``workflows.workday_table.calendar_in_use``)."""
    return calendar_in_use()


def _span(span: WorkdaySpan) -> dict[str, Any]:
    return {"last_day": span.end.isoformat(), "passes_at": passes_at(span.end).isoformat(),
            "working_days": span.working_days, "warnings": list(span.warnings)}


def supplement_due(returned_on: date, working_days: int) -> dict[str, Any]:
    """The supplement deadline of an application returned on ``returned_on`` (DA-10): last day, timer instant."""
    return _span(supplement_deadline(returned_on, working_days, calendar_source()))


def notice_due(posted_on: date, working_days: int) -> dict[str, Any]:
    """The end of a public notice posted on ``posted_on`` (SV-1): last day, timer instant, warnings."""
    return _span(notice_period(posted_on, working_days, calendar_source()))


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "precheck_submission": process.precheck_submission,
    "precheck_rejection": process.precheck_rejection,
    "material_rejection": process.material_rejection,
    "deadline_missed": process.deadline_missed,
    "withdrawal": process.withdrawal,
    "review_plan": process.review_plan,
    "any_upheld": process.any_upheld,
    "supplement_due": supplement_due,
    "notice_due": notice_due,
}
for _name, _fn in FUNCTIONS.items():
    script_functions.register(_name, _fn)
