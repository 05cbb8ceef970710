"""The bureau's working-day table: the official schedule of each year it has entered (notes/calendar.md).

A year's row says where the schedule comes from (the State Council's notice) and who entered it; its days are the
exceptions to Monday–Friday — days off (放假) and adjusted working weekend days (调休上班). A year in the table is
complete: a date of that year it does not list is a working day exactly when it is Monday–Friday.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base, UtcDateTime


class WorkdayYear(Base):
    """One year's official schedule as the bureau entered it."""

    __tablename__ = "workday_years"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    source: Mapped[str] = mapped_column(String(300))
    entered_by: Mapped[str] = mapped_column(String(36))
    entered_at: Mapped[datetime] = mapped_column(UtcDateTime())


class WorkdayDay(Base):
    """One exception of a year's schedule: a day off, or an adjusted working day on a weekend."""

    __tablename__ = "workday_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    year: Mapped[int] = mapped_column(ForeignKey("workday_years.year", ondelete="CASCADE"), index=True)
    workday: Mapped[bool] = mapped_column(Boolean)
    name: Mapped[str | None] = mapped_column(String(30))
