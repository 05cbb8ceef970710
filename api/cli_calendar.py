"""The `yibao calendar` commands: the bureau's working-day table (docs/calendar.md), the same use cases as the API.

A year's file is the API's body as JSON: ``{"source": "…", "days_off": [{"date": "2027-01-01", "name": "元旦"}],
"working_days": [{"date": "…", "name": "…"}]}``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from marshmallow import ValidationError

from domain.actors import SYSTEM
from workflows import workday_table

from .calendar import WorkdayYearIn
from .cli_support import command_services


@click.group()
def calendar() -> None:
    """Working days: the bureau's table of official schedules (the State Council's notices)."""


def _schedule(path: Path) -> dict[str, Any]:
    try:
        loaded: dict[str, Any] = WorkdayYearIn().load(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise click.ClickException(f"{path}: {exc}") from None
    except ValidationError as exc:
        raise click.ClickException(f"{path}: {json.dumps(exc.messages, ensure_ascii=False)}") from None
    return loaded


@calendar.command("set-year")
@click.argument("year", type=int)
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def calendar_set_year(year: int, path: Path) -> None:
    """Enter or replace YEAR's official schedule from the JSON file PATH (audited as the system)."""
    body = _schedule(path)
    with command_services() as services:
        view = workday_table.put_year(services, SYSTEM, year, body["source"],
                                      [(d["date"], d["name"]) for d in body["days_off"]],
                                      [(d["date"], d["name"]) for d in body["working_days"]])
    click.echo(f"{view.year}: {len(view.days_off)} day(s) off, {len(view.working_days)} adjusted working day(s) "
               f"entered from {view.source}")


@calendar.command("list")
def calendar_list() -> None:
    """List the years of the bureau's table."""
    with command_services() as services:
        years = workday_table.list_years(services)
    if not years:
        click.echo("the bureau's table is empty: counts use chinese-calendar, then holidays, then Monday–Friday")
    for y in years:
        click.echo(f"{y.year}  {y.days_off:>3} off  {y.working_days:>2} working  {y.entered_at:%Y-%m-%d}  {y.source}")


@calendar.command("show")
@click.argument("year", type=int)
def calendar_show(year: int) -> None:
    """Print YEAR's schedule as the JSON file `set-year` takes."""
    with command_services() as services:
        view = workday_table.get_year(services, year)
    click.echo(json.dumps({"source": view.source,
                           "days_off": [{"date": d.date.isoformat(), "name": d.name} for d in view.days_off],
                           "working_days": [{"date": d.date.isoformat(), "name": d.name} for d in view.working_days]},
                          ensure_ascii=False, indent=2))


@calendar.command("remove")
@click.argument("year", type=int)
@click.option("--reason", required=True, help="why the year is taken out (audited)")
def calendar_remove(year: int, reason: str) -> None:
    """Take YEAR out of the table; counts fall back to the packages."""
    with command_services() as services:
        workday_table.remove_year(services, SYSTEM, year, reason)
    click.echo(f"{year} removed from the bureau's table")
