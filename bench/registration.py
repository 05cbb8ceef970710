"""Registration benchmark (issue 8): POST /registrations over HTTP through `yibao serve`, and the stored state of
a waiting registration.

Per database (SQLite in a fresh temporary file; PostgreSQL in a fresh database, dropped at the end): migrate, make
the world through the real use cases (bench/regworld.py), start `yibao serve` (gunicorn, gthread, ``--web-workers``
processes of 4 threads, no embedded timer worker) on 127.0.0.1, log the senior rheumatologist in, then time:

* **POST /registrations** with ``--threads`` client threads (one keep-alive connection each), every request for a
  new, distinct patient (ND-3 forbids a second registration in force for one patient and drug), after untimed
  warm-up requests; the same with one client thread;
* baselines in the same run: **GET /healthz** through the same gunicorn with the same threads, and the use case
  ``workflows.registration.register.register`` called in-process on one thread (no HTTP): what the request costs
  without gunicorn, Flask and the client.

Each registration is one transaction: the checks (ND-2…ND-7, ND-10, ND-16), the row, its revision, the instance
started and run to its waits, the queue, the subscriptions, the audit entry, the projection.

Then the stored state of the waiting registrations: ``len(process_instances.state)`` (what the facade stores:
zlib-compressed state-only JSON) over every waiting registration instance, and for one of them the state-only JSON
text and what SpiffWorkflow's own default serializer (``BpmnWorkflowSerializer`` with ``SPIFF_CONFIG``, spec
embedded) makes of the same restored instance: the baseline.

Targets (``--check`` exits 1 when one is missed): on PostgreSQL >= 500 registrations/s with ``--threads`` client
threads; stored state per waiting registration <= 2 KB (2048 bytes), median over the waiting instances, read two
ways: the state column alone, and (PostgreSQL) every row the registration has in the database, summed with
``pg_column_size`` (registrations, registration_revisions, process_instances, message_subscriptions, human_tasks,
audit_log; no indexes).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from databases import postgres_database, sqlite_url  # bench/databases.py (run as a script)
from regworld import (
    DRUG,
    LATENCY_HEADER,
    Load,
    RawRegistration,
    build_world,
    describe_machine,
    drive,
    latency_row,
    login,
    make_services,
    ms,
    patient,
    pct,
    psn,
    record,
    registration_body,
    served,
    verdict,
)
from sqlalchemy import Table, select

from domain.registration.access import PROCESS_KEY
from storage.migrate import upgrade
from storage.models import ProcessDefinition, ProcessInstance
from workflows.registration.register import RegistrationInput, register

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/yibao_bench8_registration"
TARGET_PER_S = 500.0
TARGET_STATE_BYTES = 2048
INSTANCES = cast(Table, ProcessInstance.__table__)
DEFINITIONS = cast(Table, ProcessDefinition.__table__)


@dataclass
class Result:
    backend: str
    many: Load
    one: Load
    health: Load
    in_process_ns: list[int]
    states: list[int]
    state_only_bytes: int
    raw_default_bytes: int
    statuses: str
    rows: list[tuple[str, int, float]]


def waiting_states(services: Any) -> list[bytes]:
    query = (select(INSTANCES.c.state).join(DEFINITIONS, DEFINITIONS.c.id == INSTANCES.c.definition_id)
             .where(DEFINITIONS.c.key == PROCESS_KEY, INSTANCES.c.status == "waiting"))
    with services.db.connect() as conn:
        return [bytes(s) for s in conn.execute(query).scalars()]


ROW_TABLES = ("registrations", "registration_revisions", "process_instances", "message_subscriptions", "human_tasks",
              "audit_log")


def row_bytes(services: Any) -> list[tuple[str, int, float]]:
    """PostgreSQL only: (table, rows, bytes of all its rows per registration) with ``pg_column_size`` of each row
    (the tuples' data as stored, TOAST-compressed where it is; no indexes, no page overhead)."""
    if services.db.dialect.name != "postgresql":
        return []
    out = []
    with services.db.connect() as conn:
        regs = conn.exec_driver_sql("SELECT count(*) FROM registrations").scalar_one()
        for table in ROW_TABLES:
            n, size = conn.exec_driver_sql(f"SELECT count(*), coalesce(sum(pg_column_size(t.*)), 0) FROM {table} t"
                                           ).one()
            out.append((table, int(n), float(size) / regs))
    return out


def bench_database(backend: str, url: str, args: argparse.Namespace) -> Result:
    print(f"\n== {backend} ==", flush=True)
    upgrade(url)
    services = make_services(url)
    next_patient = [1_000_000_000]

    def fresh() -> str:
        next_patient[0] += 1
        return psn(next_patient[0])

    try:
        world = build_world(services)
        doctor = world.actors["h1_doctor"]
        in_process: list[int] = []
        for i in range(args.warmup + args.in_process):
            given = RegistrationInput(patient(fresh()), DRUG, record())
            began = time.perf_counter_ns()
            register(services, doctor, given)
            if i >= args.warmup:
                in_process.append(time.perf_counter_ns() - began)
    finally:
        services.dispose()
    with tempfile.TemporaryDirectory(prefix="yibao-bench8-") as folder, \
            served(url, args.web_workers, Path(folder) / "serve.log") as port:
        token = login(port, "h1_doctor")

        def registration(_t: int, _i: int) -> tuple[str, str, Any, str | None]:
            return "POST", "/registrations", registration_body(fresh()), token

        def health(_t: int, _i: int) -> tuple[str, str, Any, str | None]:
            return "GET", "/healthz", None, None

        per_thread = max(1, args.requests // args.threads)
        drive(port, args.threads, args.warmup, registration, (201,), 60)
        drive(port, args.threads, args.warmup, health, (200,), 60)
        many = drive(port, args.threads, per_thread, registration, (201,), args.max_seconds)
        health_load = drive(port, args.threads, per_thread, health, (200,), args.max_seconds)
        one = drive(port, 1, max(1, args.requests // 4), registration, (201,), args.max_seconds / 2)
    for name, result in (("registrations", many), ("registrations 1 thread", one), ("healthz", health_load)):
        if result.errors or set(result.statuses) - {200, 201}:
            print(f"  !! {name}: statuses {result.statuses}, errors {result.errors[:3]}")
    services = make_services(url)
    try:
        blobs = waiting_states(services)
        rows = row_bytes(services)
    finally:
        services.dispose()
    raw = RawRegistration()
    _, state_only, raw_default = raw.sizes(blobs[len(blobs) // 2])
    return Result(backend, many, one, health_load, in_process, [len(b) for b in blobs], state_only, raw_default,
                  f"{many.statuses} / {one.statuses}, healthz {health_load.statuses}", rows)


def print_result(r: Result, threads: int) -> None:
    print(f"\n{r.backend}")
    print(LATENCY_HEADER)
    print(latency_row(f"POST /registrations, {threads} threads", r.many))
    print(latency_row("POST /registrations, 1 thread", r.one))
    print(latency_row(f"GET /healthz, {threads} threads", r.health))
    b = r.in_process_ns
    print(f"  {'use case in-process, no HTTP (1 thr)':<38} {len(b):>7} {1e9 / pct(b, 50):>10.1f} "
          f"{ms(pct(b, 50)):>9.3f} {ms(pct(b, 95)):>9.3f} {ms(pct(b, 99)):>9.3f} {ms(max(b)):>9.3f}")
    print(f"  statuses: registrations {r.statuses}")
    print(f"  ratios: registration p50 / healthz p50 = {pct(r.many.latencies, 50) / pct(r.health.latencies, 50):.2f}x "
          f"({threads} threads); 1-thread HTTP p50 / in-process use case p50 = "
          f"{pct(r.one.latencies, 50) / pct(b, 50):.2f}x")
    s = r.states
    print(f"  stored state per waiting registration ({len(s)} instances): median {statistics.median(s):.0f} B, "
          f"min {min(s)} B, max {max(s)} B")
    print(f"  one of them: stored (zlib state-only) {int(statistics.median(s))} B ~ state-only JSON "
          f"{r.state_only_bytes} B; raw SpiffWorkflow default serializer (spec embedded) {r.raw_default_bytes} B; "
          f"stored / raw default = {statistics.median(s) / r.raw_default_bytes:.3f}x")
    if r.rows:
        parts = ", ".join(f"{table} {per:.0f} B ({n} rows)" for table, n, per in r.rows)
        print(f"  every row of the database per registration (pg_column_size, no indexes): "
              f"{sum(per for _, _, per in r.rows):.0f} B = {parts}")


def print_targets(results: Sequence[Result], threads: int) -> bool:
    passed = True
    print("\ntargets")
    for r in results:
        size = statistics.median(r.states)
        size_ok = size <= TARGET_STATE_BYTES
        passed = passed and size_ok
        print(f"  {verdict(size_ok)} {r.backend} stored state per waiting registration <= {TARGET_STATE_BYTES} B: "
              f"median {size:.0f} B")
        if r.rows:
            total = sum(per for _, _, per in r.rows)
            total_ok = total <= TARGET_STATE_BYTES
            passed = passed and total_ok
            print(f"  {verdict(total_ok)} {r.backend} every row of a waiting registration <= {TARGET_STATE_BYTES} B "
                  f"(pg_column_size, no indexes): {total:.0f} B")
        if r.backend == "postgresql":
            rate_ok = r.many.per_s >= TARGET_PER_S
            passed = passed and rate_ok
            print(f"  {verdict(rate_ok)} PostgreSQL registrations >= {TARGET_PER_S:.0f}/s ({threads} threads): "
                  f"{r.many.per_s:.1f}/s")
    if not any(r.backend == "postgresql" for r in results):
        print("  (no PostgreSQL run: the rate target is for PostgreSQL)")
    return passed


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=3000, help="timed registrations (default %(default)s)")
    parser.add_argument("--threads", type=int, default=4, help="client threads (default %(default)s)")
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn worker processes (default %(default)s)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests per thread (default %(default)s)")
    parser.add_argument("--in-process", type=int, default=300, help="timed in-process use case calls")
    parser.add_argument("--max-seconds", type=float, default=90.0, help="bound of each timed phase")
    parser.add_argument("--quick", action="store_true", help="a smoke run: a few requests")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL,
                        help="database to create, use and drop (default %(default)s)")
    parser.add_argument("--no-postgres", action="store_true", help="skip PostgreSQL")
    parser.add_argument("--no-sqlite", action="store_true", help="skip SQLite")
    parser.add_argument("--check", action="store_true", help="exit with status 1 when a target is missed")
    args = parser.parse_args(argv)
    if args.quick:
        args.requests, args.warmup, args.in_process, args.max_seconds = 80, 3, 20, 10.0
    if args.requests < 1 or args.threads < 1 or args.in_process < 1:
        parser.error("--requests, --threads and --in-process must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    print(f"registration benchmark: {describe_machine()}")
    print(f"  {args.requests} timed registrations, {args.threads} client threads, {args.web_workers} gunicorn "
          f"workers x 4 threads{' (--quick)' if args.quick else ''}")
    began = time.monotonic()
    results = []
    if args.no_sqlite:
        print("SQLite skipped: --no-sqlite")
    else:
        with sqlite_url("yibao-bench8-registration-") as url:
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
