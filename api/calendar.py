"""The bureau's working-day table and counts of working days (docs/calendar.md).

Reads are public (the State Council's schedule is public, and so is how a deadline is counted); entering or
removing a year is the bureau's (``calendar.manage``, SV-1).
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from domain.workdays import (
    MAX_DAY_NAME,
    MAX_DAYS_OFF_PER_YEAR,
    MAX_SCHEDULE_SOURCE,
    MAX_TABLE_YEAR,
    MAX_WORKING_DAYS,
    MAX_WORKING_WEEKENDS_PER_YEAR,
    MIN_TABLE_YEAR,
)
from workflows import workday_table

from .auth import current_actor, public
from .blueprint import Blueprint
from .fields import BoundedInteger, Text
from .schemas import StrictSchema
from .services import services

blp = Blueprint("calendar", __name__, url_prefix="/calendar",
                description="Working days: the bureau's table of official schedules, and counts with it")

SOURCE_EXAMPLE = "国务院办公厅关于2026年部分节假日安排的通知（国办发明电〔2025〕7号）"
YEAR_PARAMETER = {"in": "path", "name": "year", "required": True,
                  "schema": {"type": "integer", "minimum": MIN_TABLE_YEAR, "maximum": MAX_TABLE_YEAR}}


class WorkdayScheduledDayIn(StrictSchema):
    date = fields.Date(required=True, metadata={"example": "2026-10-01", "description": "a date of the year"})
    name = Text(max_length=MAX_DAY_NAME, load_default=None, allow_none=True,
                metadata={"example": "国庆节", "description": "the holiday, or 调休 for a working weekend day"})


class WorkdayYearIn(StrictSchema):
    source = Text(max_length=MAX_SCHEDULE_SOURCE, required=True,
                  metadata={"example": SOURCE_EXAMPLE, "description": "the notice the schedule comes from"})
    days_off = fields.List(fields.Nested(WorkdayScheduledDayIn), required=True,
                           validate=validate.Length(max=MAX_DAYS_OFF_PER_YEAR), metadata={
                               "example": [{"date": "2026-10-01", "name": "国庆节"}],
                               "description": "every day off (放假) the notice lists, weekends within a holiday "
                                              "included or not"})
    working_days = fields.List(fields.Nested(WorkdayScheduledDayIn), load_default=list,
                               validate=validate.Length(max=MAX_WORKING_WEEKENDS_PER_YEAR), metadata={
                                   "example": [{"date": "2026-10-10", "name": "国庆节调休"}],
                                   "description": "adjusted working days (调休上班): Saturdays or Sundays only"})


class WorkdayYearRemoveIn(StrictSchema):
    reason = Text(max_length=workday_table.MAX_REASON, required=True,
                  metadata={"example": "entered for the wrong year", "description": "why the year is removed"})


class WorkdayScheduledDayOut(Schema):
    date = fields.Date(metadata={"example": "2026-10-01"})
    name = fields.String(allow_none=True, metadata={"example": "国庆节"})


class WorkdayYearOut(Schema):
    year = fields.Integer(metadata={"example": 2026})
    source = fields.String(metadata={"example": SOURCE_EXAMPLE})
    entered_by = fields.String(metadata={"example": "0c8f3d52-7a61-4e0b-8f7e-6a9d1b2c3e4f"})
    entered_at = fields.DateTime(metadata={"example": "2026-12-07T08:00:00+00:00"})
    days_off = fields.List(fields.Nested(WorkdayScheduledDayOut), metadata={"example": [{"date": "2026-10-01",
                                                                                   "name": "国庆节"}]})
    working_days = fields.List(fields.Nested(WorkdayScheduledDayOut), metadata={"example": [{"date": "2026-10-10",
                                                                                       "name": "国庆节调休"}]})


class WorkdayYearSummaryOut(Schema):
    year = fields.Integer(metadata={"example": 2026})
    source = fields.String(metadata={"example": SOURCE_EXAMPLE})
    entered_by = fields.String(metadata={"example": "0c8f3d52-7a61-4e0b-8f7e-6a9d1b2c3e4f"})
    entered_at = fields.DateTime(metadata={"example": "2026-12-07T08:00:00+00:00"})
    days_off = fields.Integer(metadata={"example": 33, "description": "how many days off the year lists"})
    working_days = fields.Integer(metadata={"example": 7, "description": "how many adjusted working days"})


class WorkdayYearsOut(Schema):
    years = fields.List(fields.Nested(WorkdayYearSummaryOut))


class WorkdaysQuery(StrictSchema):
    start = fields.Date(required=True, data_key="from", metadata={"example": "2026-09-28"})
    end = fields.Date(required=True, data_key="to", metadata={
        "example": "2026-10-11", "description": f"included; at most {workday_table.MAX_DAYS_LISTED} days from `from`"})


class WorkdayAnswerOut(Schema):
    date = fields.Date(metadata={"example": "2026-10-01"})
    workday = fields.Boolean(metadata={"example": False})
    source = fields.String(metadata={"example": "bureau table", "description": "the source that answered"})
    warning = fields.String(allow_none=True, metadata={
        "example": None, "description": "set when no official schedule covers the date (a provisional answer)"})


class WorkdaysOut(Schema):
    start = fields.Date(data_key="from", metadata={"example": "2026-09-28"})
    end = fields.Date(data_key="to", metadata={"example": "2026-10-11"})
    working_days = fields.Integer(metadata={"example": 6, "description": "working days in the range"})
    days = fields.List(fields.Nested(WorkdayAnswerOut))
    warnings = fields.List(fields.String(), metadata={"example": []})


class WorkdayCountQuery(StrictSchema):
    start = fields.Date(required=True, metadata={"example": "2026-09-30",
                                                 "description": "the event's day (not counted)"})
    n = BoundedInteger(maximum=MAX_WORKING_DAYS, required=True,
                       metadata={"example": 5, "description": "how many working days"})


class WorkdayCountOut(Schema):
    start = fields.Date(metadata={"example": "2026-09-30"})
    working_days = fields.Integer(metadata={"example": 5})
    last_day = fields.Date(metadata={"example": "2026-10-13", "description": "the n-th working day after start"})
    sources = fields.List(fields.String(), metadata={"example": ["chinese-calendar 1.11.0"]})
    warnings = fields.List(fields.String(), metadata={"example": []})
    provisional = fields.Boolean(metadata={"example": False,
                                           "description": "true when some day was not answered by an official "
                                                          "schedule"})


@blp.route("/years")
class Years(MethodView):
    @public
    @blp.doc(security=[])
    @blp.response(200, WorkdayYearsOut)
    def get(self) -> Any:
        """List the years the bureau has entered, with where each schedule comes from."""
        return {"years": workday_table.list_years(services())}


@blp.route("/years/<int:year>", parameters=[YEAR_PARAMETER])
class Year(MethodView):
    @public
    @blp.doc(security=[])
    @blp.response(200, WorkdayYearOut)
    def get(self, year: int) -> Any:
        """Show one year of the bureau's table: its days off and adjusted working days."""
        return workday_table.get_year(services(), year)

    @blp.arguments(WorkdayYearIn)
    @blp.response(200, WorkdayYearOut)
    @blp.alt_response(403, description="only the bureau keeps the table (SV-1)")
    def put(self, body: dict[str, Any], year: int) -> Any:
        """Enter or replace a year's official schedule (bureau); later counts use it first. Audited."""
        return workday_table.put_year(services(), current_actor(), year, body["source"],
                                      [(d["date"], d["name"]) for d in body["days_off"]],
                                      [(d["date"], d["name"]) for d in body["working_days"]])

    @blp.arguments(WorkdayYearRemoveIn)
    @blp.response(204)
    @blp.alt_response(403, description="only the bureau keeps the table (SV-1)")
    def delete(self, body: dict[str, Any], year: int) -> Any:
        """Remove a year entered by mistake, with a reason (bureau); counts fall back to the packages. Audited."""
        workday_table.remove_year(services(), current_actor(), year, body["reason"])
        return None


@blp.route("/days")
class Days(MethodView):
    @public
    @blp.doc(security=[])
    @blp.arguments(WorkdaysQuery, location="query")
    @blp.response(200, WorkdaysOut)
    def get(self, q: dict[str, Any]) -> Any:
        """Say for each date of a range whether it is a working day, and which source says so."""
        return workday_table.days(services(), q["start"], q["end"])


@blp.route("/working-days")
class WorkingDays(MethodView):
    @public
    @blp.doc(security=[])
    @blp.arguments(WorkdayCountQuery, location="query")
    @blp.response(200, WorkdayCountOut)
    def get(self, q: dict[str, Any]) -> Any:
        """Count ``n`` working days after ``start`` (not counted), as a notice period or supplement deadline is."""
        return workday_table.count(services(), q["start"], q["n"])
