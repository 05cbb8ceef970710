"""The dashboard (统计看板, issue 9): charts the slices contribute, drawn by the vendored Apache ECharts.

A slice adds a chart with ``dashboard.add(Chart(key, title, roles, build))`` from its own console module; ``build``
calls one read use case of ``workflows/`` and returns the chart's data as plain values (:func:`chart_data`). The
page renders each chart's data in a ``<script type="application/json">`` island, which ``static/dashboard.js``
turns into an ECharts option, and as a table beside it, readable without JavaScript. The use cases decide who may
read (``statistics.read``); ``roles`` only keeps a chart off the page of a role that could not read it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask import render_template, request

from domain.actors import Actor
from domain.permissions import require
from domain.statistics import ChartData
from workflows import tasks
from workflows.context import Services

from ..services import services
from . import nav, session
from .pages import console_blueprint
from .session import login_required

blp = console_blueprint("console_dashboard", __name__, "/console")
ROLES = ("bureau_officer", "admin", "auditor")

nav.add("统计看板", "console_dashboard.dashboard", roles=ROLES, order=70)


@dataclass(frozen=True)
class Chart:
    """One chart of the dashboard: ``build(services, actor)`` returns its data (:func:`chart_data`)."""

    key: str
    title: str
    roles: tuple[str, ...]
    build: Callable[[Services, Actor], dict[str, Any]]
    order: int = 100


_CHARTS: list[Chart] = []


def add(chart: Chart) -> None:
    """Add a chart (again with the same key replaces it: a module imported twice adds nothing)."""
    _CHARTS[:] = sorted([c for c in _CHARTS if c.key != chart.key] + [chart], key=lambda c: (c.order, c.key))


def charts_for(roles: frozenset[str]) -> list[Chart]:
    """The charts a user with ``roles`` sees, in page order."""
    return [c for c in _CHARTS if set(c.roles) & roles]


def _plain(value: int | Decimal) -> int | str:
    return f"{value:.2f}" if isinstance(value, Decimal) else int(value)


def chart_data(data: ChartData, names: Mapping[str, str] | None = None, unit: str = "",
               labels: Mapping[str, str] | None = None) -> dict[str, Any]:
    """A use case's chart as the page's JSON: series named in Chinese by ``names``, categories by ``labels``,
    money (Decimal) as strings with two decimals; ``unit`` is "yuan" for money, else empty (a count)."""
    names, labels = names or {}, labels or {}
    return {"kind": data.kind, "unit": unit, "categories": [labels.get(c, c) for c in data.categories],
            "series": [{"name": names.get(s.name, s.name), "values": [_plain(v) for v in s.values]}
                       for s in data.series]}


def _open_tasks(services: Services, actor: Actor) -> dict[str, Any]:
    return chart_data(tasks.open_tasks_per_day(services, actor))


add(Chart("open_tasks", "近30天各环节每日未办结任务数（每日24时）", ROLES, _open_tasks, order=10))


def money(value: str) -> str:
    """¥1,234.50 from a Decimal string."""
    return f"¥{Decimal(value):,.2f}"


@blp.route("/dashboard")
@login_required
def dashboard() -> Any:
    """Every chart the caller's role may read, each as a chart and as a table (bureau, administrators,
    auditors)."""
    actor = session.actor()
    require(actor, "statistics.read")
    errors = [f"不支持的查询参数：{name[:40]}" for name in request.args]
    shown = [(chart, chart.build(services(), actor)) for chart in charts_for(actor.roles)]
    return render_template("dashboard.html", charts=shown, errors=errors, money=money), 422 if errors else 200
