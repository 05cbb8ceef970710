"""The registration's dashboard charts (issue 9), for the oversight roles: registrations by drug and status, and
the fund's payments per drug this year against the annual limits of the registrations in force (ND-9)."""

from __future__ import annotations

from decimal import Decimal

from domain.actors import Actor
from domain.permissions import require
from domain.statistics import ChartData, Series, pivot, today_of, year_span
from storage.registration import Registrations
from storage.registration_settlement import Settlements

from .. import clock
from ..context import Services
from .queries import STATUSES

__all__ = ["fund_against_limits", "registrations_by_drug_and_status"]
ZERO = Decimal("0.00")


def registrations_by_drug_and_status(services: Services, actor: Actor) -> ChartData:
    """Registrations per drug (the categories), one stacked series per status, every status named."""
    require(actor, "statistics.read")
    with services.uow(read_only=True) as uow:
        cells = uow.repository(Registrations).count_by_drug_and_status(actor)
    drugs = sorted({drug for drug, _, _ in cells})
    return ChartData("stacked", tuple(drugs), pivot(cells, drugs, STATUSES))


def fund_against_limits(services: Services, actor: Actor) -> ChartData:
    """Per drug: what the fund paid in the current calendar year of the service clock (settled minus reversed
    fund parts), beside the drug's annual limit per patient in the latest list × its active registrations — the
    most the fund could pay them in a full benefit year (ND-9). Drugs with neither are left out."""
    require(actor, "statistics.read")
    with services.uow(read_only=True) as uow:
        since, until = year_span(today_of(clock.now(services, uow)))
        settlements = uow.repository(Settlements)
        paid = dict(settlements.fund_per_drug(since, until))
        limits = settlements.current_limits()
        active = {drug: n for drug, status, n in uow.repository(Registrations).count_by_drug_and_status(actor)
                  if status == "active"}
    drugs = sorted(set(paid) | set(active))
    ceiling = tuple((limits.get(d, ZERO) * active.get(d, 0)).quantize(ZERO) for d in drugs)
    return ChartData("bar", tuple(drugs), (Series("fund_paid", tuple(paid.get(d, ZERO) for d in drugs)),
                                           Series("limit_total", ceiling)))
