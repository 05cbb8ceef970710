"""The bureau's working-day table over HTTP (notes/calendar.md, SV-1, DA-10): the bureau enters a year's official
schedule, every count asks it first — the public counts and the admission diagram's deadlines alike — and every bad
input is a 4xx that changes nothing.

The 2027 schedule here is test data (days chosen to be told apart from the packages' answers), not the State
Council's notice.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from api import create_app
from api.cli import main as cli
from workflows import demo
from workflows.context import Services

from ..admission_support import NEW_ENTRY, facts
from .admission_http import Client, apply, deploy, logins, ok

SCHEDULE_2027 = {
    "source": "测试数据：2027年节假日安排（非官方）",
    "days_off": [{"date": "2027-01-01", "name": "元旦"}, {"date": "2027-01-04", "name": "测试假日"},
                 {"date": "2027-01-05", "name": "测试假日"}],
    "working_days": [{"date": "2027-01-09", "name": "测试调休"}],
}


def put(client: FlaskClient, year: int = 2027, **changes: Any) -> Any:
    """PUT the schedule with ``changes``, as ASCII JSON (so a lone surrogate travels as its escape)."""
    return client.put(f"/calendar/years/{year}", data=json.dumps({**SCHEDULE_2027, **changes}),
                      content_type="application/json")


def count(client: FlaskClient, start: str, n: int) -> Any:
    return ok(client.get("/calendar/working-days", query_string={"start": start, "n": n}))


def test_sv1_the_bureau_enters_a_year_and_counts_use_it_before_the_packages(
        as_user: Callable[[str], FlaskClient], app: Flask) -> None:
    bureau, anonymous = as_user("officer"), app.test_client()
    before = count(anonymous, "2027-01-01", 1)
    assert before["last_day"] == "2027-01-04" and before["provisional"] is True  # holidays, by rule, with a warning
    assert before["warnings"] and "provisional" in before["warnings"][0]
    assert ok(anonymous.get("/calendar/years")) == {"years": []}
    assert ok(anonymous.get("/calendar/years/2027"), 404)["code"] == "calendar_year_not_found"

    entered = ok(put(bureau))
    assert [d["date"] for d in entered["days_off"]] == ["2027-01-01", "2027-01-04", "2027-01-05"]
    assert entered["working_days"] == [{"date": "2027-01-09", "name": "测试调休"}]
    assert ok(anonymous.get("/calendar/years/2027")) == entered
    listed = ok(anonymous.get("/calendar/years"))["years"]
    assert [(y["year"], y["days_off"], y["working_days"]) for y in listed] == [(2027, 3, 1)]

    after = count(anonymous, "2027-01-01", 1)
    assert (after["last_day"], after["provisional"], after["sources"]) == ("2027-01-06", False, ["bureau table"])
    assert count(anonymous, "2027-01-08", 1)["last_day"] == "2027-01-09"  # the adjusted working Saturday
    week = ok(anonymous.get("/calendar/days", query_string={"from": "2027-01-01", "to": "2027-01-10"}))
    assert [d["date"][-2:] for d in week["days"] if d["workday"]] == ["06", "07", "08", "09"]
    assert (week["working_days"], week["warnings"]) == (4, [])
    # A year the bureau has not entered still comes from the packages: 2026's official schedule.
    october = ok(anonymous.get("/calendar/days", query_string={"from": "2026-10-07", "to": "2026-10-11"}))
    assert [d["workday"] for d in october["days"]] == [False, True, True, True, False]  # 10 Oct: a working Saturday
    assert {d["source"].split()[0] for d in october["days"]} == {"chinese-calendar"}


def test_sv1_replacing_and_removing_a_year_are_audited_and_only_the_bureau_does_it(
        as_user: Callable[[str], FlaskClient], app: Flask) -> None:
    bureau, anonymous = as_user("officer"), app.test_client()
    refused = ok(put(as_user("h1_officer")), 403)
    assert (refused["code"], refused["rule"]) == ("bureau_only", "SV-1")
    assert put(anonymous).status_code == 401
    ok(put(bureau))
    replaced = ok(put(bureau, days_off=[{"date": "2027-01-01", "name": "元旦"}], working_days=[]))
    assert (replaced["days_off"], replaced["working_days"]) == ([{"date": "2027-01-01", "name": "元旦"}], [])
    assert count(anonymous, "2027-01-01", 1)["last_day"] == "2027-01-04"
    assert ok(bureau.delete("/calendar/years/2027", json={}), 422)["field"] == "reason"
    assert bureau.delete("/calendar/years/2027", json={"reason": "录入年份错误"}).status_code == 204
    assert ok(anonymous.get("/calendar/years/2027"), 404)["code"] == "calendar_year_not_found"
    assert ok(bureau.delete("/calendar/years/2027", json={"reason": "again"}), 404)["code"] == \
        "calendar_year_not_found"
    trail = ok(as_user("admin").get("/audit/entries", query_string={"aggregate_type": "workday_table"}))
    actions = [e["action"] for e in trail["items"]]
    assert sorted(actions) == sorted(["calendar.year_entered", "calendar.year_replaced", "calendar.year_removed"])
    removed = next(e for e in trail["items"] if e["action"] == "calendar.year_removed")
    assert removed["reason"] == "录入年份错误"


@pytest.mark.parametrize(("changes", "field", "code"), [
    ({"days_off": [{"date": "2026-12-31"}]}, "days_off[0]", "date_outside_year"),
    ({"working_days": [{"date": "2027-01-06"}]}, "working_days[0]", "not_a_weekend"),
    ({"days_off": [{"date": "2027-01-02"}], "working_days": [{"date": "2027-01-02"}]}, "working_days[0]",
     "date_listed_twice"),
    ({"days_off": [{"date": "2027-01-01"}, {"date": "2027-01-01"}]}, "days_off[1]", "date_listed_twice"),
    ({"source": "   "}, "source", None),
    ({"source": "x" * 301}, "source", None),
    ({"source": "a\x00b"}, "source", None),
    ({"source": "\ud800"}, "source", None),
    ({"days_off": [{"date": "0001-01-01"}]}, "days_off[0]", "date_outside_year"),
    ({"days_off": [{"date": "9999-12-31"}]}, "days_off[0]", "date_outside_year"),
    ({"days_off": [{"date": "2027-13-01"}]}, "days_off", None),
    ({"days_off": [{"date": "2027-01-01", "name": ""}]}, "days_off", None),
    ({"days_off": [{"date": "2027-01-01", "colour": "red"}]}, "days_off", None),
    ({"extra": 1}, "extra", None),
    ({"days_off": None}, "days_off", None),
    ({"days_off": [{"date": f"2027-03-{d:02d}"} for d in range(1, 32)] +
      [{"date": f"2027-04-{d:02d}"} for d in range(1, 31)]}, "days_off", None),
])
def test_a_bad_schedule_is_refused_naming_the_field_and_changes_nothing(
        as_user: Callable[[str], FlaskClient], app: Flask, changes: dict[str, Any], field: str,
        code: str | None) -> None:
    bureau = as_user("officer")
    problem = ok(put(bureau, **changes), 422)
    assert problem["field"].startswith(field), problem
    if code is not None:
        assert problem["code"] == code
    assert ok(app.test_client().get("/calendar/years")) == {"years": []}


@pytest.mark.parametrize("path", ["/calendar/years/1999", "/calendar/years/2101",
                                  "/calendar/years/99999999999999999999"])
def test_a_year_outside_the_table_range_is_refused(as_user: Callable[[str], FlaskClient], path: str) -> None:
    assert ok(as_user("officer").put(path, json=SCHEDULE_2027), 422)["field"] == "year"


@pytest.mark.parametrize(("query", "field"), [
    ({"start": "2027-01-01", "n": -1}, "n"), ({"start": "2027-01-01", "n": 2**63}, "n"),
    ({"start": "2027-01-01", "n": "NaN"}, "n"), ({"start": "2027-01-01", "n": "Infinity"}, "n"),
    ({"start": "2027-01-01", "n": 3661}, "n"), ({"start": "9999-12-31", "n": 1}, "n"),
    ({"start": "2027-01-01"}, "n"), ({"start": "x", "n": 1}, "start"),
    ({"start": "2027-01-01", "n": 1, "extra": 1}, "extra"),
])
def test_a_bad_count_is_a_422(app: Flask, query: dict[str, Any], field: str) -> None:
    assert ok(app.test_client().get("/calendar/working-days", query_string=query), 422)["field"] == field


def test_counting_from_year_1_and_across_unknown_years_warns_and_never_fails(app: Flask) -> None:
    early = count(app.test_client(), "0001-01-01", 3)
    assert (early["last_day"], early["provisional"]) == ("0001-01-04", True)
    assert early["sources"] == ["Monday–Friday"]
    late = count(app.test_client(), "9998-12-28", 3)
    assert late["provisional"] is True


@pytest.mark.parametrize(("query", "field"), [
    ({"from": "2027-01-02", "to": "2027-01-01"}, "to"), ({"from": "2027-01-01", "to": "2028-01-02"}, "to"),
    ({"from": "2027-01-01"}, "to"), ({"from": "2027-01-01", "to": "2027-01-02", "n": 1}, "n"),
])
def test_a_bad_range_of_days_is_a_422(app: Flask, query: dict[str, Any], field: str) -> None:
    assert ok(app.test_client().get("/calendar/days", query_string=query), 422)["field"] == field


@pytest.fixture
def demo_app(services: Services) -> Iterator[tuple[Flask, Client]]:
    passwords = demo.load(services).passwords
    app = create_app(services=services)
    yield app, logins(app, passwords)


def test_da10_the_diagrams_supplement_deadline_counts_with_the_bureaus_table(
        demo_app: tuple[Flask, Client]) -> None:
    _app, as_user = demo_app
    deploy(as_user("admin"))
    ok(as_user("admin").put("/clock", json={"now": "2027-01-01T02:00:00+00:00"}))  # Friday, New Year's Day
    bureau = as_user("bureau.wang")
    first = apply(as_user("h3.officer"), facts(NEW_ENTRY))
    returned = ok(bureau.post(f"/admission/applications/{first}/material-review", json={
        "decision": "return", "reason": "请补正说明书", "supplement_working_days": 1}))
    assert returned["supplement_last_day"] == "2027-01-04"  # the packages' 2027, by rule
    ok(put(bureau))
    second = apply(as_user("h4.officer"), facts(NEW_ENTRY, product_name="一次性使用止血夹"))
    returned = ok(bureau.post(f"/admission/applications/{second}/material-review", json={
        "decision": "return", "reason": "请补正说明书", "supplement_working_days": 1}))
    assert returned["supplement_last_day"] == "2027-01-06"  # the bureau's table: 4 and 5 January are days off
    # A deadline already set does not move when the table changes later.
    assert ok(bureau.get(f"/admission/applications/{first}"))["supplement_last_day"] == "2027-01-04"


def test_the_command_line_enters_shows_lists_and_removes_a_year(tmp_path: Path) -> None:
    env = {"YIBAO_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "YIBAO_ARGON2_MEMORY_KIB": "1024"}
    runner = CliRunner()
    assert runner.invoke(cli, ["db", "upgrade"], env=env).exit_code == 0
    schedule = tmp_path / "2027.json"
    schedule.write_text(json.dumps(SCHEDULE_2027, ensure_ascii=False), encoding="utf-8")
    entered = runner.invoke(cli, ["calendar", "set-year", "2027", str(schedule)], env=env)
    assert entered.exit_code == 0, entered.output
    assert "3 day(s) off, 1 adjusted working day(s)" in entered.output
    shown = runner.invoke(cli, ["calendar", "show", "2027"], env=env)
    assert json.loads(shown.output) == SCHEDULE_2027
    assert "2027    3 off   1 working" in runner.invoke(cli, ["calendar", "list"], env=env).output
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**SCHEDULE_2027, "working_days": [{"date": "2027-01-06"}]}), encoding="utf-8")
    refused = runner.invoke(cli, ["calendar", "set-year", "2027", str(bad)], env=env)
    assert refused.exit_code == 1 and "Saturday or Sunday" in refused.output
    assert json.loads(runner.invoke(cli, ["calendar", "show", "2027"], env=env).output) == SCHEDULE_2027
    assert runner.invoke(cli, ["calendar", "remove", "2027", "--reason", "test"], env=env).exit_code == 0
    missing = runner.invoke(cli, ["calendar", "show", "2027"], env=env)
    assert missing.exit_code == 1 and "no schedule for 2027" in missing.output
