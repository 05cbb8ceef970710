"""Timer benchmark (issue 8): due reassessment timers fired per second per `yibao worker` process, and their
lateness, with N waiting registrations.

Per database (SQLite in a fresh temporary file; PostgreSQL in a fresh database, dropped at the end):

1. migrate; make the world through the real use cases (bench/regworld.py); register one template patient through
   ``workflows.registration.register.register``: a waiting registration instance whose next timer is the
   reassessment reminder (ND-8: the reassessment task reaches the hospital's physicians 30 days before it is due);
2. read back its ``registrations``, ``process_instances`` and ``message_subscriptions`` rows through the driver and
   bulk-copy them ``--registrations`` - 1 times (executemany on SQLite, COPY on PostgreSQL) with new ids, distinct
   patients, and the reminder's instant rewritten in each copy's state (the deadline appears twice in the state: the
   diagram's ``timers`` data and the timer task's evaluated ``event_value``; both get the new instant, and
   ``next_timer_at`` the same). Each copy's state is decompressed, rewritten and compressed again, so every instance
   carries its own deadline. The template's audit entries and revision are not copied (firing reads neither). Then
   ANALYZE / VACUUM (ANALYZE).

   The due instants: block A (``--due`` timers, for the 1-worker burst) spread over one second from T0 (the
   template's reminder); block B (``--due`` timers, 2-worker burst) from T0 + 10 s; block C (the lateness run,
   ``--lateness-rate`` timers a second for ``--lateness-seconds``) from T0 + 60 s; the rest spread over the next
   30 days, never due during the run.
3. **burst**: start the worker processes (`yibao worker`, i.e. ``timers.run_forever`` with the service's sweep, a
   batch of ``YIBAO_WORKER_BATCH`` = 50, ``YIBAO_WORKER_INTERVAL_SECONDS`` = 1, the shortest the setting allows),
   wait until they idle, then set the (frozen) simulated clock past block A, so exactly ``--due`` timers are due.
   Timed from the first fired timer seen to the last (the database polled every 20 ms): fired per second, and per
   second per worker. PostgreSQL: one worker (block A), then two workers (block B); SQLite: one worker, twice (blocks
   A and B; block B must fire before the lateness run, which would otherwise start with its backlog).
4. **lateness**: the clock set running (not frozen) 5 s before block C, one worker (PostgreSQL: also two) sweeping;
   each fired timer's lateness = the simulated instant it fired at (the instance's ``updated_at``, which the worker
   stamps with the clock) - its due instant. The due rate must stay within capacity; it is printed beside it.
5. baselines in the same run (in-process, one thread): the raw engine's cost of firing the same timer on the
   template's state restored in memory — SpiffWorkflow alone (``refresh_timers`` + ``do_engine_steps`` under the
   engine clock) on a workflow already restored (not timed), and the same with SpiffWorkflow's own default
   serializer's load before and save after (spec embedded).

Targets (``--check`` exits 1 when one is missed): >= 200 fired per second per worker; lateness p99 <= 1 s while
the due rate is within capacity.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

from databases import postgres_database, sqlite_url  # bench/databases.py (run as a script)
from regworld import (
    DRUG,
    ROOT,
    RawRegistration,
    analyze,
    build_world,
    bulk_copy,
    database_mb,
    describe_machine,
    make_services,
    ms,
    patient,
    pct,
    psn,
    record,
    table_rows,
    verdict,
)
from SpiffWorkflow.task import TaskState
from sqlalchemy import Table, text

from domain.actors import SYSTEM
from domain.dates import CHINA_TZ
from storage.migrate import upgrade
from storage.models import MessageSubscription, ProcessInstance
from storage.registration_models import Registration
from workflows import clock
from workflows.engine.clock import engine_time
from workflows.engine.serializer import compress_state, decompress_state
from workflows.registration.register import RegistrationInput, register

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/yibao_bench8_timers"
TARGET_PER_WORKER = 200.0
TARGET_LATENESS_S = 1.0
REGISTRATIONS = cast(Table, Registration.__table__)
INSTANCES = cast(Table, ProcessInstance.__table__)
SUBSCRIPTIONS = cast(Table, MessageSubscription.__table__)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
BLOCK_B = timedelta(hours=1)
BLOCK_C = timedelta(hours=2)
BLOCK_D = timedelta(hours=3)
LEAD = timedelta(seconds=5)


def reg_id(i: int) -> str:
    return f"10000000-0000-4000-8000-{i:012d}"


def instance_id(i: int) -> str:
    return f"40000000-0000-4000-8000-{i:012d}"


@dataclass
class Layout:
    """Which copy is due when: copies 1..n-1; block A, B and C first, then the rest."""

    t0: datetime
    n: int
    due: int
    late_n: int
    late_rate: float

    def a(self) -> range:
        return range(1, 1 + self.due)

    def b(self) -> range:
        return range(1 + self.due, 1 + 2 * self.due)

    def c(self) -> range:
        return range(1 + 2 * self.due, 1 + 2 * self.due + self.late_n)

    def d(self) -> range:
        return range(self.c().stop, self.c().stop + self.late_n)

    def due_at(self, i: int) -> datetime:
        if i in self.a():
            return self.t0 + timedelta(seconds=(i - 1) / self.due)
        if i in self.b():
            return self.t0 + BLOCK_B + timedelta(seconds=(i - self.b().start) / self.due)
        if i in self.c():
            return self.t0 + BLOCK_C + timedelta(seconds=(i - self.c().start) / self.late_rate)
        if i in self.d():
            return self.t0 + BLOCK_D + timedelta(seconds=(i - self.d().start) / self.late_rate)
        rest = self.n - self.d().stop
        return self.t0 + timedelta(days=1) + timedelta(days=29) * (i - self.d().stop) / max(1, rest)


def stored_time(sqlite: bool, at: datetime) -> Any:
    """A UtcDateTime in the driver's stored form (SQLite: naive UTC text with microseconds, as SQLAlchemy writes)."""
    if sqlite:
        return at.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
    return at.astimezone(UTC)


def parse_stored(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(str(value)).replace(tzinfo=UTC)


@dataclass
class Template:
    registration: dict[str, Any]
    instance: dict[str, Any]
    subscriptions: list[dict[str, Any]]
    state_text: str
    deadline_text: str
    deadline: datetime


def make_template(services: Any, world: Any) -> Template:
    view = register(services, world.actors["h1_doctor"], RegistrationInput(patient(psn(0)), DRUG, record()))
    db = services.db
    reg = table_rows(db, REGISTRATIONS, REGISTRATIONS.c.id == view.id)[0]
    inst = table_rows(db, INSTANCES, INSTANCES.c.business_key == view.id)[0]
    subs = table_rows(db, SUBSCRIPTIONS, SUBSCRIPTIONS.c.instance_id == inst["id"])
    deadline = parse_stored(inst["next_timer_at"])
    deadline_text = deadline.astimezone(CHINA_TZ).isoformat()
    state_text = decompress_state(bytes(inst["state"]))
    if state_text.count(deadline_text) != 2:
        raise RuntimeError(f"expected the reminder {deadline_text} twice in the state, found "
                           f"{state_text.count(deadline_text)}")
    return Template(reg, inst, subs, state_text, deadline_text, deadline)


def load(services: Any, template: Template, layout: Layout) -> float:
    began = time.monotonic()
    db = services.db
    sqlite = db.dialect.name == "sqlite"
    reg, inst = template.registration, template.instance
    reg_cols = [c.name for c in REGISTRATIONS.columns]
    inst_cols = [c.name for c in INSTANCES.columns]
    sub_cols = [c.name for c in SUBSCRIPTIONS.columns if c.name != "id"]

    def instances() -> Iterator[tuple[Any, ...]]:
        for i in range(1, layout.n):
            due = layout.due_at(i)
            state = template.state_text.replace(template.deadline_text, due.astimezone(CHINA_TZ).isoformat())
            changes = {"id": instance_id(i), "business_key": reg_id(i), "state": compress_state(state),
                       "next_timer_at": stored_time(sqlite, due)}
            yield tuple(changes.get(c, inst[c]) for c in inst_cols)

    def registrations() -> Iterator[tuple[Any, ...]]:
        for i in range(1, layout.n):
            changes = {"id": reg_id(i), "psn_no": psn(i), "instance_id": instance_id(i)}
            yield tuple(changes.get(c, reg[c]) for c in reg_cols)

    def subscriptions() -> Iterator[tuple[Any, ...]]:
        for i in range(1, layout.n):
            for sub in template.subscriptions:
                changes = {"instance_id": instance_id(i), "correlation_key": reg_id(i)}
                yield tuple(changes.get(c, sub[c]) for c in sub_cols)

    # registrations.instance_id refers to process_instances: the instances first
    bulk_copy(db, "process_instances", inst_cols, instances())
    bulk_copy(db, "registrations", reg_cols, registrations())
    bulk_copy(db, "message_subscriptions", sub_cols, subscriptions())
    analyze(db)
    return time.monotonic() - began


# --- workers ------------------------------------------------------------------------------------------------------
class Workers:
    """``count`` `yibao worker` processes on the database, started and stopped (SIGTERM) by this script."""

    def __init__(self, url: str, count: int, folder: Path) -> None:
        env = {**os.environ, "YIBAO_ENV": "development", "YIBAO_DATABASE_URL": url, "YIBAO_ALLOW_CLOCK_CONTROL":
               "true", "YIBAO_WORKER_INTERVAL_SECONDS": "1", "YIBAO_WORKER_BATCH": "50", "YIBAO_LOG_LEVEL": "WARNING",
               "PYTHONPATH": str(ROOT)}
        self.logs = [folder / f"worker-{n}.log" for n in range(count)]
        self.procs = []
        for log in self.logs:
            with log.open("wb") as out:
                self.procs.append(subprocess.Popen(
                    [sys.executable, "-u", "-c", "from api.cli import main; main()", "worker"], cwd=ROOT, env=env,
                    stdout=out, stderr=subprocess.STDOUT))
        deadline = time.monotonic() + 60
        while not all("timer worker running" in log.read_text(errors="replace") for log in self.logs):
            if time.monotonic() > deadline or any(p.poll() is not None for p in self.procs):
                raise RuntimeError(f"worker did not start: {self.logs[0].read_text(errors='replace')[-2000:]}")
            time.sleep(0.1)
        time.sleep(1.5)  # the first sweep (and the audit seal that precedes it) is over

    def stop(self) -> list[str]:
        for p in self.procs:
            p.terminate()
        for p in self.procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        return [line for log in self.logs for line in log.read_text(errors="replace").splitlines()
                if "error" in line.lower() or "Traceback" in line][:5]


def remaining(services: Any, ids: range) -> int:
    """Instances of a block whose reminder has not fired yet (their next timer is still the reminder)."""
    lo, hi = instance_id(ids.start), instance_id(ids.stop - 1)
    with services.db.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM process_instances WHERE id BETWEEN :lo AND :hi "
                                     "AND version = 1"), {"lo": lo, "hi": hi}).scalar_one())


@dataclass
class Burst:
    workers: int
    due: int
    fired: int
    seconds: float
    counted: int
    problems: list[str] = field(default_factory=list)

    @property
    def per_s(self) -> float:
        return self.counted / self.seconds if self.seconds else 0.0


def fired_at(services: Any, block: range) -> list[tuple[int, datetime]]:
    """(copy number, the simulated instant its timer fired at) of a block's fired instances: the worker stamps
    ``updated_at`` with the clock it read when it claimed the instance."""
    with services.db.connect() as conn:
        rows = conn.execute(text("SELECT id, updated_at FROM process_instances WHERE id BETWEEN :lo AND :hi AND "
                                 "version > 1"), {"lo": instance_id(block.start), "hi": instance_id(block.stop - 1)})
        return [(int(str(ident).rsplit("-", 1)[1]), parse_stored(updated)) for ident, updated in rows]


def burst(services: Any, url: str, block: range, start: datetime, workers: int, folder: Path,
          max_seconds: float) -> Burst:
    """The whole block due at once: the clock set running one second past its first due instant (the block spans
    one second), the workers already idle. The rate is taken from the fired instants (first to last claim), so
    worker start-up, the idle pause before the first sweep and the polling are left out."""
    pool = Workers(url, workers, folder)
    try:
        clock.set_clock(services, SYSTEM, start + timedelta(seconds=1, microseconds=1), frozen=False)
        limit = time.monotonic() + max_seconds
        while remaining(services, block) and time.monotonic() < limit:
            time.sleep(0.1)
    finally:
        problems = pool.stop()
    stamps = sorted(at for _, at in fired_at(services, block))
    seconds = (stamps[-1] - stamps[0]).total_seconds() if len(stamps) > 1 else 0.0
    return Burst(workers, len(block), len(stamps), seconds, max(0, len(stamps) - 1), problems)


@dataclass
class Lateness:
    workers: int
    rate: float
    due: int
    fired: int
    late_s: list[float]
    problems: list[str]


def lateness(services: Any, url: str, layout: Layout, workers: int, folder: Path, block: range, start: timedelta,
             max_seconds: float) -> Lateness:
    """A block due at a steady rate, the clock running from 5 s before its first due instant."""
    pool = Workers(url, workers, folder)
    try:
        clock.set_clock(services, SYSTEM, layout.t0 + start - LEAD, frozen=False)
        span = len(block) / layout.late_rate
        limit = time.monotonic() + LEAD.total_seconds() + span + max_seconds
        while remaining(services, block) and time.monotonic() < limit:
            time.sleep(0.2)
    finally:
        problems = pool.stop()
    late = [(at - layout.due_at(i)).total_seconds() for i, at in fired_at(services, block)]
    return Lateness(workers, layout.late_rate, len(block), len(late), late, problems)


# --- the raw engine ---------------------------------------------------------------------------------------------
def raw_baseline(template: Template, rounds: int) -> tuple[list[int], list[int]]:
    raw = RawRegistration()
    blob = compress_state(template.state_text)
    at = template.deadline + timedelta(microseconds=1)
    default_text = str(raw.default.serialize_json(raw.restore(blob)))
    fire_only, with_serializer = [], []
    for _ in range(rounds):
        workflow = raw.restore(blob)
        began = time.perf_counter_ns()
        with engine_time(at):
            workflow.refresh_timers()
            workflow.do_engine_steps()
        fire_only.append(time.perf_counter_ns() - began)
        began = time.perf_counter_ns()
        workflow = raw.default.deserialize_json(default_text)
        workflow.script_engine = raw.script_engine
        with engine_time(at):
            workflow.refresh_timers()
            workflow.do_engine_steps()
        raw.default.serialize_json(workflow)
        with_serializer.append(time.perf_counter_ns() - began)
    check = raw.restore(blob)
    with engine_time(at):
        check.refresh_timers()
        check.do_engine_steps()
    ready = [t.task_spec.bpmn_id for t in check.get_tasks(manual=True) if t.state == TaskState.READY]
    if "reassess" not in ready:
        raise RuntimeError(f"the raw engine did not open the reassessment task: ready {ready}")
    return fire_only, with_serializer


# --- one database -----------------------------------------------------------------------------------------------
@dataclass
class Result:
    backend: str
    n: int
    load_s: float
    size_mb: float
    bursts: list[Burst]
    late: list[Lateness]
    raw_fire: list[int]
    raw_default: list[int]


def bench_database(backend: str, url: str, args: argparse.Namespace) -> Result:
    print(f"\n== {backend}: {args.registrations} waiting registrations ==", flush=True)
    upgrade(url)
    services = make_services(url)
    try:
        world = build_world(services)
        template = make_template(services, world)
        layout = Layout(template.deadline, args.registrations, args.due, int(args.lateness_rate *
                                                                             args.lateness_seconds),
                        args.lateness_rate)
        if layout.d().stop > layout.n:
            raise SystemExit(f"--registrations {args.registrations} is too small for 2 x --due {args.due} plus "
                             f"2 x {layout.late_n} lateness timers")
        load_s = load(services, template, layout)
        size = database_mb(services.db)
        print(f"  setup (template through the use cases, bulk copy with rewritten states, analyze): {load_s:.1f} s; "
              f"database {size:.0f} MiB", flush=True)
        raw_fire, raw_default = raw_baseline(template, args.raw_rounds)
        bursts, late = [], []
        # SQLite: one worker, so block B is a second 1-worker burst (its timers must fire before the lateness run's)
        worker_counts = (1, 2) if backend == "postgresql" else (1, 1)
        with tempfile.TemporaryDirectory(prefix="yibao-bench8-timers-") as folder:
            for count, block, start in zip(worker_counts, (layout.a(), layout.b()), (layout.t0, layout.t0 + BLOCK_B),
                                           strict=False):
                bursts.append(burst(services, url, block, start, count, Path(folder), args.max_seconds))
                print(f"  burst, {count} worker(s): {bursts[-1].fired}/{bursts[-1].due} fired in "
                      f"{bursts[-1].seconds:.2f} s", flush=True)
            for count, block, start in zip(worker_counts[: 2 if backend == "postgresql" else 1],
                                           (layout.c(), layout.d()), (BLOCK_C, BLOCK_D), strict=False):
                late.append(lateness(services, url, layout, count, Path(folder), block, start, args.max_seconds))
                print(f"  lateness, {count} worker(s): {late[-1].fired}/{late[-1].due} fired", flush=True)
    finally:
        services.dispose()
    return Result(backend, args.registrations, load_s, size, bursts, late, raw_fire, raw_default)


def print_result(r: Result) -> None:
    print(f"\n{r.backend}: {r.n} waiting registrations, database {r.size_mb:.0f} MiB, setup {r.load_s:.1f} s")
    print(f"  {'burst':<34} {'due':>7} {'fired':>7} {'seconds':>9} {'fired/s':>9} {'per worker/s':>13}")
    for b in r.bursts:
        print(f"  {f'{b.workers} worker process(es)':<34} {b.due:>7} {b.fired:>7} {b.seconds:>9.2f} {b.per_s:>9.1f} "
              f"{b.per_s / b.workers:>13.1f}")
        for line in b.problems:
            print(f"    worker log: {line[:200]}")
    print(f"  {'raw engine, 1 thread, in memory':<34} {'n':>7} {'p50 ms':>9} {'p95 ms':>9} {'p99 ms':>9} {'per s':>9}")
    for label, samples in (("fire on a restored workflow", r.raw_fire),
                           ("default load + fire + save", r.raw_default)):
        print(f"  {label:<34} {len(samples):>7} {ms(pct(samples, 50)):>9.3f} {ms(pct(samples, 95)):>9.3f} "
              f"{ms(pct(samples, 99)):>9.3f} {1e9 / pct(samples, 50):>9.1f}")
    if r.bursts and r.bursts[0].per_s:
        worker_ms = 1000 / r.bursts[0].per_s
        print(f"  ratios: one fired timer in the 1-worker burst {worker_ms:.3f} ms = "
              f"{worker_ms / ms(pct(r.raw_fire, 50)):.1f}x raw fire, "
              f"{worker_ms / ms(pct(r.raw_default, 50)):.1f}x raw default load+fire+save")
    print(f"  {'lateness (running clock)':<34} {'due/s':>7} {'due':>7} {'fired':>7} {'p50 s':>8} {'p95 s':>8} "
          f"{'p99 s':>8} {'max s':>8}")
    for lt in r.late:
        s = lt.late_s
        print(f"  {f'{lt.workers} worker process(es)':<34} {lt.rate:>7.0f} {lt.due:>7} {lt.fired:>7} "
              f"{pct(s, 50):>8.3f} {pct(s, 95):>8.3f} {pct(s, 99):>8.3f} {max(s) if s else float('nan'):>8.3f}")
        for line in lt.problems:
            print(f"    worker log: {line[:200]}")


def print_targets(results: Sequence[Result]) -> bool:
    passed = True
    print("\ntargets")
    for r in results:
        for b in r.bursts:
            ok = b.fired == b.due and b.per_s / b.workers >= TARGET_PER_WORKER
            passed = passed and ok
            print(f"  {verdict(ok)} {r.backend} >= {TARGET_PER_WORKER:.0f} timers fired/s per worker "
                  f"({b.workers} worker(s)): {b.per_s / b.workers:.1f}/s ({b.fired}/{b.due} fired)")
        capacity = r.bursts[0].per_s if r.bursts else 0.0
        for lt in r.late:
            within = lt.rate <= capacity
            ok = lt.fired == lt.due and pct(lt.late_s, 99) <= TARGET_LATENESS_S
            passed = passed and ok
            print(f"  {verdict(ok)} {r.backend} lateness p99 <= {TARGET_LATENESS_S:.0f} s ({lt.workers} worker(s), "
                  f"{lt.rate:.0f} due/s {'within' if within else 'ABOVE'} the measured capacity {capacity:.0f}/s): "
                  f"{pct(lt.late_s, 99):.3f} s ({lt.fired}/{lt.due} fired)")
    return passed


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--registrations", type=int, default=200_000,
                        help="waiting registrations (default %(default)s)")
    parser.add_argument("--due", type=int, default=3000, help="timers due in each burst (default %(default)s)")
    parser.add_argument("--lateness-rate", type=float, default=40.0, help="timers due per second in the lateness "
                        "run (default %(default)s)")
    parser.add_argument("--lateness-seconds", type=float, default=30.0, help="length of the lateness run")
    parser.add_argument("--raw-rounds", type=int, default=300, help="raw engine rounds (default %(default)s)")
    parser.add_argument("--max-seconds", type=float, default=120.0, help="bound of each timed phase")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 1000 registrations, few timers")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL,
                        help="database to create, use and drop (default %(default)s)")
    parser.add_argument("--no-postgres", action="store_true", help="skip PostgreSQL")
    parser.add_argument("--no-sqlite", action="store_true", help="skip SQLite")
    parser.add_argument("--check", action="store_true", help="exit with status 1 when a target is missed")
    args = parser.parse_args(argv)
    if args.quick:
        args.registrations, args.due, args.lateness_rate, args.lateness_seconds = 1000, 100, 10.0, 2.0
        args.raw_rounds, args.max_seconds = 20, 20.0
    if args.due < 1 or args.lateness_rate <= 0 or args.lateness_seconds <= 0:
        parser.error("--due, --lateness-rate and --lateness-seconds must be positive")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    print(f"timer benchmark: {describe_machine()}")
    print(f"  {args.registrations} waiting registrations, bursts of {args.due} due timers, lateness run "
          f"{args.lateness_rate:g} due/s for {args.lateness_seconds:g} s{' (--quick)' if args.quick else ''}")
    began = time.monotonic()
    results = []
    if args.no_sqlite:
        print("SQLite skipped: --no-sqlite")
    else:
        with sqlite_url("yibao-bench8-timers-") as url:
            results.append(bench_database("sqlite", url, args))
    if args.no_postgres:
        print("PostgreSQL skipped: --no-postgres")
    else:
        with postgres_database(args.postgres_url) as url_or_none:
            if url_or_none is not None:
                results.append(bench_database("postgresql", url_or_none, args))
    for r in results:
        print_result(r)
    passed = print_targets(results)
    print(f"total run time {time.monotonic() - began:.1f} s")
    return 1 if args.check and not passed else 0


if __name__ == "__main__":
    sys.exit(main())
