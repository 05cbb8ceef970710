"""The bureau's working-day table (``storage.calendar_models``): read whole, one year replaced at a time."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from .calendar_models import WorkdayDay, WorkdayYear


class Workdays:
    """Years of the bureau's schedule and their days; ``uow.repository(Workdays)``."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def years(self) -> list[WorkdayYear]:
        """Every year in the table, oldest first."""
        return list(self.session.scalars(select(WorkdayYear).order_by(WorkdayYear.year)))

    def year(self, year: int, lock: bool = False) -> WorkdayYear | None:
        """One year's row; ``lock`` holds it for the rest of the transaction (PostgreSQL ``FOR UPDATE``)."""
        query = select(WorkdayYear).where(WorkdayYear.year == year)
        return self.session.scalars(query.with_for_update() if lock else query).first()

    def days(self, year: int | None = None) -> list[WorkdayDay]:
        """The days of one year, or of every year, in date order."""
        query = select(WorkdayDay).order_by(WorkdayDay.day)
        if year is not None:
            query = query.where(WorkdayDay.year == year)
        return list(self.session.scalars(query))

    def replace_days(self, row: WorkdayYear, days: Sequence[WorkdayDay]) -> None:
        """Replace a year's days with ``days``; a new year's ``row`` is added first (the caller flushes it, so a year
        entered meanwhile surfaces as a conflict before its days are written)."""
        self.session.execute(delete(WorkdayDay).where(WorkdayDay.year == row.year))
        self.session.add_all(days)

    def add_year(self, row: WorkdayYear) -> None:
        """A year not in the table yet."""
        self.session.add(row)

    def remove(self, row: WorkdayYear) -> None:
        """Take a year out of the table, with its days."""
        self.session.execute(delete(WorkdayDay).where(WorkdayDay.year == row.year))
        self.session.delete(row)
