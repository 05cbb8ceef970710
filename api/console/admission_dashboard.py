"""The admission slice's dashboard chart (issue 9): applications per adjustment round and status (outcome)."""

from __future__ import annotations

from typing import Any

from domain.actors import Actor
from workflows.admission import stats
from workflows.context import Services

from . import dashboard
from .admission_common import APPLICATION_STATUS

BLUEPRINTS: list[Any] = []  # charts only: the page is the dashboard's


def _per_round(services: Services, actor: Actor) -> dict[str, Any]:
    return dashboard.chart_data(stats.applications_per_round(services, actor), APPLICATION_STATUS)


dashboard.add(dashboard.Chart("applications", "耗材准入：各轮次申请数（按状态与结果）", dashboard.ROLES, _per_round,
                              order=40))
