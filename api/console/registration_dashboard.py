"""The registration slice's dashboard charts (issue 9): registrations by drug and status, and the fund's payments
this year per drug against its annual limit per patient × the drug's active registrations (ND-9)."""

from __future__ import annotations

from typing import Any

from domain.actors import Actor
from workflows.context import Services
from workflows.registration import stats

from . import dashboard
from . import registration_text as text

BLUEPRINTS: list[Any] = []  # charts only: the page is the dashboard's
FUND = {"fund_paid": "本年基金已支付", "limit_total": "年度限额合计（单人限额×有效登记数）"}


def _by_status(services: Services, actor: Actor) -> dict[str, Any]:
    return dashboard.chart_data(stats.registrations_by_drug_and_status(services, actor), text.STATUS)


def _fund(services: Services, actor: Actor) -> dict[str, Any]:
    return dashboard.chart_data(stats.fund_against_limits(services, actor), FUND, unit="yuan")


dashboard.add(dashboard.Chart("registrations", "三定登记：各药品登记数（按状态）", dashboard.ROLES, _by_status,
                              order=20))
dashboard.add(dashboard.Chart("fund", "本年度各药品基金支付与年度限额（单人年度限额 × 有效登记数）",
                              dashboard.ROLES, _fund, order=30))
