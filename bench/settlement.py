"""Settlement benchmark (issue 8): POST /dispensings over HTTP through `yibao serve` at N registrations.

Per database (SQLite in a fresh temporary file; PostgreSQL in a fresh database, dropped at the end):

1. migrate with the project's migrations; make the world through the real use cases (the bureau, a tier-3
   hospital with a senior rheumatologist and an officer, a dual-channel pharmacy it designated, the drug list, the
   registration diagram, the payment configuration, the simulated clock);
2. register one template patient through the real use case (``workflows.registration.register``), settle one
   dispensing for it (``workflows.registration.settlement.dispense``), and read back its ``registrations`` and
   ``annual_accounts`` rows through the driver;
3. bulk-copy those two rows ``--registrations`` - 1 times with new ids and distinct patients, and the template's
   dispensing once per copy (its account's totals count it; every other one at the pharmacy), so the dispensings
   table and its statistics are those of a service with that many patients (executemany on SQLite, COPY on
   PostgreSQL). The copies' ``instance_id`` is NULL: settlement never reads a workflow (no process
   instances are copied here; bench/timers.py copies them). Then ANALYZE / VACUUM (ANALYZE);
4. start `yibao serve` (gunicorn, gthread, ``--web-workers`` processes of 4 threads, no embedded timer worker) on
   127.0.0.1 and log in the hospital officer and the pharmacist;
5. time, after untimed warm-up requests: ``--threads`` client threads (each on one keep-alive connection, half of
   them as the hospital officer, half as the pharmacist) POSTing dispensings for registrations picked at random
   among the N, each with a new external reference; the same with one client thread (latency without queueing);
   and the baselines of the same run:
   * **GET /healthz** through the same gunicorn with the same threads (HTTP, gunicorn and Flask, no database);
   * **bare database**: the statements one real settlement sent (captured with ``before_cursor_execute`` from a
     settlement of a copied registration), replayed in one transaction on the driver's own cursor, one thread,
     in-process, with the ids, patient and external reference of another copied registration each time.

Figures: the wall time of each request in ms (``time.perf_counter_ns`` around the client's request and response),
p50/p95/p99 (nearest rank) and max; dispensings per second = requests / wall time of the timed phase. Targets
(``--check`` exits 1 when one is missed): on PostgreSQL >= 500 dispensings/s with ``--threads`` client threads and
p99 <= 10 ms in the same run (the concurrent run, so the p99 includes queueing). The client threads run on the same
2-core machine as the server and the database.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

from databases import postgres_database, sqlite_url  # bench/databases.py (run as a script)
from regworld import (
    DRUG,
    LATENCY_HEADER,
    PHARMACY,
    PHYSICIAN_CODE,
    Load,
    analyze,
    build_world,
    bulk_copy,
    database_mb,
    describe_machine,
    dispensing_body,
    drive,
    latency_row,
    login,
    make_services,
    ms,
    patient,
    pct,
    psn,
    record,
    served,
    table_rows,
    verdict,
)
from sqlalchemy import Table, event

from storage.migrate import upgrade
from storage.registration_models import AnnualAccount, Dispensing, Registration
from workflows.registration.register import RegistrationInput, register
from workflows.registration.settlement import DispensingInput, dispense

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/yibao_bench8_settlement"
TARGET_PER_S = 500.0
TARGET_P99_MS = 10.0
REGISTRATIONS = cast(Table, Registration.__table__)
ACCOUNTS = cast(Table, AnnualAccount.__table__)
DISPENSINGS = cast(Table, Dispensing.__table__)


def reg_id(i: int) -> str:
    return f"10000000-0000-4000-8000-{i:012d}"


def account_id(i: int) -> str:
    return f"20000000-0000-4000-8000-{i:012d}"


def history_id(i: int) -> str:
    return f"40000000-0000-4000-8000-{i:012d}"


@dataclass
class Result:
    backend: str
    registrations: int
    load_s: float
    size_mb: float
    settle: Load
    settle_one: Load
    health: Load
    bare_ns: list[int]
    bare_statements: int
    commit_ns: list[int]


def copies(template: dict[str, Any], columns: Sequence[str], n: int, ident: Any, extra: dict[str, Any]
           ) -> Iterator[tuple[Any, ...]]:
    for i in range(1, n):
        changes = {"id": ident(i), "psn_no": psn(i), **extra}
        yield tuple(changes[c] if c in changes else template[c] for c in columns)


def history(template: dict[str, Any], columns: Sequence[str], n: int, pharmacy: dict[str, Any]
            ) -> Iterator[tuple[Any, ...]]:
    """One settled dispensing per copied registration (the one its account's totals count), every other one at the
    pharmacy: the table's size and the spread of its dispensers are those of a service with that many patients."""
    for i in range(1, n):
        changes = {"id": history_id(i), "registration_id": reg_id(i), "account_id": account_id(i), "psn_no": psn(i),
                   "external_ref": f"HISTORY-{i}", **(pharmacy if i % 2 else {})}
        yield tuple(changes[c] if c in changes else template[c] for c in columns)


def load(services: Any, world: Any, n: int) -> float:
    began = time.monotonic()
    db = services.db
    view = register(services, world.actors["h1_doctor"], RegistrationInput(patient(psn(0)), DRUG, record()))
    dispense(services, world.actors["h1_officer"], DispensingInput(psn(0), DRUG, PHYSICIAN_CODE, "56", "10.00",
                                                                   "TEMPLATE-1"))
    reg = table_rows(db, REGISTRATIONS, REGISTRATIONS.c.id == view.id)[0]
    acc = table_rows(db, ACCOUNTS, ACCOUNTS.c.psn_no == psn(0))[0]
    disp = table_rows(db, DISPENSINGS, DISPENSINGS.c.external_ref == "TEMPLATE-1")[0]
    reg_columns = [c.name for c in REGISTRATIONS.columns]
    acc_columns = [c.name for c in ACCOUNTS.columns]
    disp_columns = [c.name for c in DISPENSINGS.columns]
    pharmacy = {"dispenser_id": world.orgs["p1"], "dispenser_code": PHARMACY, "dispenser_kind": "pharmacy",
                "dispensed_by": world.users["p1_pharmacist"]}
    bulk_copy(db, "registrations", reg_columns, copies(reg, reg_columns, n, reg_id, {"instance_id": None}))
    bulk_copy(db, "annual_accounts", acc_columns, copies(acc, acc_columns, n, account_id, {}))
    bulk_copy(db, "dispensings", disp_columns, history(disp, disp_columns, n, pharmacy))
    analyze(db)
    return time.monotonic() - began


# --- the bare database baseline ---------------------------------------------------------------------------------
def capture(services: Any, world: Any, k: int) -> tuple[list[tuple[str, Any, bool]], str]:
    """The statements one real settlement of copy ``k`` sends (its view's id returned to map it later)."""
    db = services.db
    sent: list[tuple[str, Any, bool]] = []

    def hook(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, many: bool) -> None:
        sent.append((statement, parameters, many))

    event.listen(db, "before_cursor_execute", hook)
    try:
        view = dispense(services, world.actors["h1_officer"],
                        DispensingInput(psn(k), DRUG, PHYSICIAN_CODE, "56", "10.00", "CAPTURED-1"))
    finally:
        event.remove(db, "before_cursor_execute", hook)
    return sent, view.id


def _swap(value: Any, mapping: dict[Any, Any]) -> Any:
    if isinstance(value, dict):
        return {k: _swap(v, mapping) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_swap(v, mapping) for v in value)
    if isinstance(value, str | int | Decimal) and not isinstance(value, bool):
        return mapping.get(value, value)
    return value


def bare(services: Any, world: Any, n: int, rounds: int, rng: random.Random) -> tuple[list[int], int, list[int]]:
    """Replay the captured statements with another registration's values, one transaction each."""
    k0 = 1
    statements, dispensing_id = capture(services, world, k0)
    db = services.db
    sqlite = db.dialect.name == "sqlite"
    raw = db.raw_connection()
    times: list[int] = []
    each: list[list[int]] = [[] for _ in statements]
    try:
        conn: Any = raw.driver_connection
        picks = rng.sample(range(2, n), min(rounds, max(0, n - 2)))
        for r, k in enumerate(picks):
            mapping = {psn(k0): psn(k), reg_id(k0): reg_id(k), account_id(k0): account_id(k),
                       dispensing_id: f"30000000-0000-4000-8000-{r:012d}", "CAPTURED-1": f"BARE-{r}"}
            batch = [(sql, _swap(params, mapping), many) for sql, params, many in statements]
            began = time.perf_counter_ns()
            cursor = conn.cursor()
            if sqlite:
                cursor.execute("BEGIN IMMEDIATE")
            for j, (sql, params, many) in enumerate(batch):
                t = time.perf_counter_ns()
                if many:
                    cursor.executemany(sql, params)
                else:
                    cursor.execute(sql, params)
                if cursor.description is not None:
                    cursor.fetchall()
                each[j].append(time.perf_counter_ns() - t)
            if sqlite:
                cursor.execute("COMMIT")
            else:
                conn.commit()
            times.append(time.perf_counter_ns() - began)
            cursor.close()
        floor = []
        for k in picks[: max(1, len(picks) // 2)]:  # the durable commit of one written row: the database's floor
            began = time.perf_counter_ns()
            cursor = conn.cursor()
            if sqlite:
                cursor.execute("BEGIN IMMEDIATE")
            cursor.execute(f"UPDATE annual_accounts SET fund_paid = fund_paid WHERE id = {'?' if sqlite else '%s'}",
                           (account_id(k),))
            if sqlite:
                cursor.execute("COMMIT")
            else:
                conn.commit()
            floor.append(time.perf_counter_ns() - began)
            cursor.close()
    finally:
        raw.close()
    slowest = sorted(((pct(t, 50), sql) for t, (sql, _, _) in zip(each, statements, strict=True)), reverse=True)
    print("  bare database, slowest statements (median ms): " + "; ".join(
        f"{ms(t):.3f} {' '.join(sql.split())[:90]}" for t, sql in slowest[:3]), flush=True)
    return times, len(statements), floor


# --- one database -----------------------------------------------------------------------------------------------
def bench_database(backend: str, url: str, args: argparse.Namespace) -> Result:
    print(f"\n== {backend}: {args.registrations} registrations ==", flush=True)
    upgrade(url)
    services = make_services(url)
    rng = random.Random(args.seed)
    try:
        world = build_world(services)
        load_s = load(services, world, args.registrations)
        size = database_mb(services.db)
        print(f"  setup (template through the use cases, bulk copy, analyze): {load_s:.1f} s; database {size:.0f} MiB",
              flush=True)
        bare_ns, bare_statements, commit_ns = bare(services, world, args.registrations, args.bare_rounds, rng)
    finally:
        services.dispose()
    n = args.registrations
    with tempfile.TemporaryDirectory(prefix="yibao-bench8-") as folder, \
            served(url, args.web_workers, Path(folder) / "serve.log") as port:
        tokens = [login(port, "h1_officer"), login(port, "p1_pharmacist")]
        used: set[int] = set()

        def dispensing(phase: str) -> Any:
            def make(t: int, i: int) -> tuple[str, str, Any, str | None]:
                k = rng.randrange(n)
                used.add(k)
                return "POST", "/dispensings", dispensing_body(psn(k), f"{phase}-{t}-{i}"), tokens[t % 2]
            return make

        def health(_t: int, _i: int) -> tuple[str, str, Any, str | None]:
            return "GET", "/healthz", None, None

        per_thread = max(1, args.requests // args.threads)
        drive(port, args.threads, args.warmup, dispensing("W"), (201,), 60)
        drive(port, args.threads, args.warmup, health, (200,), 60)
        settle = drive(port, args.threads, per_thread, dispensing("T"), (201,), args.max_seconds)
        health_load = drive(port, args.threads, per_thread, health, (200,), args.max_seconds)
        settle_one = drive(port, 1, max(1, args.requests // 4), dispensing("S"), (201,), args.max_seconds / 2)
    for name, result in (("settle", settle), ("settle 1 thread", settle_one), ("healthz", health_load)):
        if result.errors or set(result.statuses) - {200, 201}:
            print(f"  !! {name}: statuses {result.statuses}, errors {result.errors[:3]}")
    return Result(backend, n, load_s, size, settle, settle_one, health_load, bare_ns, bare_statements, commit_ns)


def print_result(r: Result, threads: int) -> None:
    print(f"\n{r.backend}: {r.registrations} registrations ({r.registrations} annual accounts, as many earlier "
          f"dispensings), database {r.size_mb:.0f} MiB, setup {r.load_s:.1f} s")
    print(LATENCY_HEADER)
    print(latency_row(f"POST /dispensings, {threads} threads", r.settle))
    print(latency_row("POST /dispensings, 1 thread", r.settle_one))
    print(latency_row(f"GET /healthz, {threads} threads", r.health))
    b = r.bare_ns
    if b:
        print(f"  {'bare database, same statements (1 thr)':<38} {len(b):>7} {1e9 / pct(b, 50):>10.1f} "
              f"{ms(pct(b, 50)):>9.3f} {ms(pct(b, 95)):>9.3f} {ms(pct(b, 99)):>9.3f} {ms(max(b)):>9.3f}")
    c = r.commit_ns
    print(f"  {'bare: one-row UPDATE + COMMIT (1 thr)':<38} {len(c):>7} {1e9 / pct(c, 50):>10.1f} "
          f"{ms(pct(c, 50)):>9.3f} {ms(pct(c, 95)):>9.3f} {ms(pct(c, 99)):>9.3f} {ms(max(c)):>9.3f}")
    print(f"  statuses: dispensings {r.settle.statuses} / {r.settle_one.statuses}, healthz {r.health.statuses}; "
          f"bare database: {r.bare_statements} statements + BEGIN/COMMIT")
    s50, h50 = pct(r.settle.latencies, 50), pct(r.health.latencies, 50)
    one50 = pct(r.settle_one.latencies, 50)
    print(f"  ratios: dispensing p50 / healthz p50 = {s50 / h50:.2f}x ({threads} threads); healthz/s / "
          f"dispensings/s = {r.health.per_s / r.settle.per_s:.2f}x; 1-thread dispensing p50 / bare database p50 "
          f"= {one50 / pct(b, 50):.2f}x" if b else "")


def print_targets(results: Sequence[Result], threads: int) -> bool:
    passed = True
    print("\ntargets")
    for r in results:
        if r.backend != "postgresql":
            continue
        rate_ok = r.settle.per_s >= TARGET_PER_S
        p99 = ms(pct(r.settle.latencies, 99))
        p99_ok = p99 <= TARGET_P99_MS
        passed = passed and rate_ok and p99_ok
        print(f"  {verdict(rate_ok)} PostgreSQL settlement >= {TARGET_PER_S:.0f} dispensings/s "
              f"({threads} threads): {r.settle.per_s:.1f}/s")
        print(f"  {verdict(p99_ok)} PostgreSQL settlement p99 <= {TARGET_P99_MS:.0f} ms ({threads} threads): "
              f"{p99:.3f} ms")
    if not any(r.backend == "postgresql" for r in results):
        print("  (no PostgreSQL run: the targets are for PostgreSQL; SQLite figures are for comparison)")
    return passed


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--registrations", type=int, default=1_000_000, help="registrations (default %(default)s)")
    parser.add_argument("--requests", type=int, default=6000, help="timed dispensings (default %(default)s)")
    parser.add_argument("--threads", type=int, default=4, help="client threads (default %(default)s)")
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn worker processes (default %(default)s)")
    parser.add_argument("--warmup", type=int, default=50, help="untimed requests per thread (default %(default)s)")
    parser.add_argument("--bare-rounds", type=int, default=1000, help="bare database rounds (default %(default)s)")
    parser.add_argument("--max-seconds", type=float, default=60.0, help="bound of each timed phase")
    parser.add_argument("--seed", type=int, default=20260808)
    parser.add_argument("--quick", action="store_true", help="a smoke run: 2000 registrations, few requests")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL,
                        help="database to create, use and drop (default %(default)s)")
    parser.add_argument("--no-postgres", action="store_true", help="skip PostgreSQL")
    parser.add_argument("--no-sqlite", action="store_true", help="skip SQLite")
    parser.add_argument("--check", action="store_true", help="exit with status 1 when a target is missed")
    args = parser.parse_args(argv)
    if args.quick:
        args.registrations, args.requests, args.warmup, args.bare_rounds = 2000, 200, 5, 100
        args.max_seconds = 10.0
    if args.registrations < 3 or args.requests < 1 or args.threads < 1:
        parser.error("--registrations must be at least 3, --requests and --threads at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    print(f"settlement benchmark: {describe_machine()}")
    print(f"  {args.registrations} registrations, {args.requests} timed dispensings, {args.threads} client "
          f"threads, {args.web_workers} gunicorn workers x 4 threads{' (--quick)' if args.quick else ''}")
    began = time.monotonic()
    results = []
    if args.no_sqlite:
        print("SQLite skipped: --no-sqlite")
    else:
        with sqlite_url("yibao-bench8-settlement-") as url:
            results.append(bench_database("sqlite", url, args))
    if args.no_postgres:
        print("PostgreSQL skipped: --no-postgres")
    else:
        with postgres_database(args.postgres_url) as url_or_none:
            if url_or_none is not None:
                results.append(bench_database("postgresql", url_or_none, args))
    for r in results:
        print_result(r, args.threads)
    passed = print_targets(results, args.threads)
    print(f"total run time {time.monotonic() - began:.1f} s")
    return 1 if args.check and not passed else 0


if __name__ == "__main__":
    sys.exit(main())
