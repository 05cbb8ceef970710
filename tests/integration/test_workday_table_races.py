"""Two bureau officers entering the same year of the working-day table at once, with real concurrent connections on
both databases: each request happens entirely or not at all — the table ends as exactly one of the two schedules,
with one audit entry per change that happened, and a loser gets a 409, never a 500 (SV-1)."""

from __future__ import annotations

from datetime import date

from domain.actors import SYSTEM
from domain.errors import Conflict
from workflows import workday_table
from workflows.context import Services

from ..concurrency import contend

SOURCES = ("测试数据 A", "测试数据 B")


def enter(source: str, day: date) -> object:
    def call(services: Services) -> object:
        return workday_table.put_year(services, SYSTEM, 2027, source, [(day, "测试假日")], [])
    return call


def test_sv1_two_officers_entering_one_year_at_once_leave_exactly_one_schedule(
        services: Services, database_url: str) -> None:
    outcomes = contend(database_url, [enter(SOURCES[0], date(2027, 1, 4)), enter(SOURCES[1], date(2027, 1, 5))])
    won = [o for o in outcomes if isinstance(o, workday_table.YearScheduleView)]
    assert won and all(isinstance(o, workday_table.YearScheduleView | Conflict) for o in outcomes), outcomes
    stored = workday_table.get_year(services, 2027)
    assert (stored.source, [d.date for d in stored.days_off]) in [(v.source, [d.date for d in v.days_off])
                                                                   for v in won]
    assert len(stored.days_off) == 1  # never a mixture of the two schedules
    with services.uow(read_only=True) as uow:
        _entries, total = uow.audit_log.search(aggregate_type="workday_table", aggregate_id=None, action=None,
                                               since=None, until=None, limit=10, offset=0)
    assert total == len(won)
