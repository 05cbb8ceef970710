"""Engine benchmark: what the facade and the database add on top of SpiffWorkflow itself.

Two operations are timed, each on the test diagram ``tests/diagrams/foundation.bpmn`` (user task ``submit``, then a
script task calling a domain function, a gateway, a message catch and a timer):

* **start** - create an instance and run it to its first user task (``submit`` READY). The raw engine keeps the
  workflow in memory; the facade also serializes it and inserts the rows, so that ratio includes one save.
* **load+complete+save** - restore an instance waiting on ``submit``, complete it with a form's data, run the engine
  to the next wait (the message catch) and serialize the state again.

They are measured in these variants, all in this one process on this one machine:

``raw default``  SpiffWorkflow alone, no database, no facade: the spec is parsed once with ``SpiffBpmnParser`` and
                 cached; state is JSON text in memory written by SpiffWorkflow's own ``BpmnWorkflowSerializer``
                 (spiff configuration, ``date``/``Decimal`` registered), which embeds the spec in every instance.
``raw state-only``  the same, but the state is serialized without the spec (the facade's ``StateSerializer`` text
                 methods), still no database: the engine's own cost with the serializer the facade uses.
``bare database``  no engine: the rows the facade writes for the operation (copied from rows it wrote, with new
                 ids) sent through the driver's own cursor, one commit (``bench/bare.py``): what the database itself
                 costs for the same writes.
``facade``       the use cases ``start_instance`` and ``tasks.complete`` on SQLite and PostgreSQL: one transaction
                 each that loads the rows, restores, completes, writes the compressed state, the queue rows, the
                 message subscriptions and an audit entry.

The variants run interleaved: each round runs every variant once, in turn, so a busy machine slows them alike and
the ratios stay meaningful. ``facade / raw`` is what the service costs compared with running SpiffWorkflow the
library's default way; ``facade / (raw + bare database)`` takes out what the database itself needs for the same
rows, so what is left above 1x is ours (the use case, SQLAlchemy, the audit trail, the queue). Targets on SQLite:
start <= 3x raw, load+complete+save <= 1.5x raw default. Every figure is per operation, in milliseconds, from
``time.perf_counter_ns``: the median of the timed rounds after the warm-up rounds.

Run from the project root: ``python bench/engine.py`` (or ``make bench``); ``--help`` lists the options.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import math
import os
import platform
import pstats
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from importlib.metadata import version
from pathlib import Path
from typing import Any

from bare import LOAD_COMPLETE_SAVE_STATEMENTS, START_STATEMENTS, BareDatabase  # bench/bare.py (run as a script)
from databases import postgres_database, sqlite_url  # bench/databases.py
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.task import TaskState
from sqlalchemy import event

from domain.actors import SYSTEM, Actor
from domain.dates import CHINA_TZ
from storage.migrate import upgrade
from workflows.context import Services, build_services
from workflows.definitions import deploy
from workflows.engine.clock import engine_time
from workflows.engine.serializer import StateSerializer
from workflows.forms import forms_in
from workflows.instances import start_instance
from workflows.script_functions import SCRIPT_FUNCTIONS
from workflows.settings import load_settings
from workflows.tasks import complete
from workflows.views import InstanceView

ROOT = Path(__file__).resolve().parent.parent
DIAGRAM = ROOT / "tests" / "diagrams" / "foundation.bpmn"
PROCESS = "foundation_demo"
USER_TASK = "submit"
START_DATA: dict[str, Any] = {"hospital_code": "H31010100001", "channel": "bench"}
COMPLETE_DATA: dict[str, Any] = {"code": "C09100100000000211790000049", "amount": 500}
# The submitting hospital's officer (no organization: the bench has no directory); the submit task's lane.
HOSPITAL_OFFICER = Actor("bench-officer", "bench-hospital", frozenset({"hospital_officer"}), "bench-officer")
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/yibao_bench"

TARGET_START_RATIO = 3.0
TARGET_LCS_RATIO = 1.5
TARGET_STATE_BYTES = 2048
QUICK_N, QUICK_WARMUP = 20, 3

START, LCS = "start -> first user task", "load+complete+save"
# The timed series, in the order each round runs them: (key, operation, variant).
SERIES = (
    ("raw_start", START, "raw SpiffWorkflow"),
    ("facade_start", START, "facade"),
    ("bare_start", START, "bare database, same writes"),
    ("raw_lcs", LCS, "raw default serializer"),
    ("raw_lcs_state_only", LCS, "raw state-only serializer"),
    ("facade_lcs", LCS, "facade"),
    ("bare_lcs", LCS, "bare database, same writes"),
)


# --- measuring --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Timing:
    """Per-operation times of one measured series, in nanoseconds."""

    samples: tuple[int, ...]

    @property
    def n(self) -> int:
        return len(self.samples)

    @property
    def median_ms(self) -> float:
        return statistics.median(self.samples) / 1e6

    @property
    def p95_ms(self) -> float:
        ordered = sorted(self.samples)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)] / 1e6  # nearest rank


def stopwatch(operation: Callable[[], Any]) -> tuple[int, Any]:
    """The wall time of one call in nanoseconds, and its result."""
    began = time.perf_counter_ns()
    result = operation()
    return time.perf_counter_ns() - began, result


# --- raw SpiffWorkflow ------------------------------------------------------------------------------------------
def _raw_today() -> date:
    return datetime.now(CHINA_TZ).date()


def default_serializer() -> BpmnWorkflowSerializer:
    """SpiffWorkflow's serializer in its default shape for spiff diagrams, with ``date`` and ``Decimal`` added."""
    registry = BpmnWorkflowSerializer.configure(SPIFF_CONFIG)
    registry.register(date, lambda v: {"value": v.isoformat()}, lambda v: date.fromisoformat(v["value"]))
    registry.register(Decimal, lambda v: {"value": str(v)}, lambda v: Decimal(v["value"]))
    return BpmnWorkflowSerializer(registry)


class RawEngine:
    """SpiffWorkflow driven directly: cached spec, plain ``TaskDataEnvironment``, state as JSON text in memory."""

    def __init__(self, diagram: Path) -> None:
        parser = SpiffBpmnParser()
        parser.add_bpmn_file(str(diagram))
        self.spec = parser.get_spec(PROCESS)
        self.subprocess_specs = parser.get_subprocess_specs(PROCESS)
        environment = TaskDataEnvironment({
            "consumable_entry_key": SCRIPT_FUNCTIONS["consumable_entry_key"],
            "notice_deadline": SCRIPT_FUNCTIONS["notice_deadline"],
            "today": _raw_today,
        })
        self.script_engine = PythonScriptEngine(environment=environment)
        self.default = default_serializer()
        self.state_only = StateSerializer()

    def start(self) -> BpmnWorkflow:
        """A new instance run to its first user task."""
        with engine_time(datetime.now(UTC)):
            workflow = BpmnWorkflow(self.spec, self.subprocess_specs, script_engine=self.script_engine)
            workflow.task_tree.data.update(START_DATA)
            workflow.do_engine_steps()
        return workflow

    def _complete(self, workflow: BpmnWorkflow) -> None:
        workflow.script_engine = self.script_engine  # the script engine is not serialized
        with engine_time(datetime.now(UTC)):
            task = _ready_user_task(workflow)
            task.data.update(COMPLETE_DATA)
            task.run()
            workflow.do_engine_steps()

    def load_complete_save_default(self, state: str) -> str:
        """Deserialize (spec included), complete ``submit``, run to the next wait, serialize."""
        workflow = self.default.deserialize_json(state)
        self._complete(workflow)
        return str(self.default.serialize_json(workflow))

    def load_complete_save_state_only(self, state: str) -> str:
        """The same with the spec left out of the state (the facade's serializer, uncompressed)."""
        workflow = self.state_only.load_text(state, self.spec, self.subprocess_specs)
        self._complete(workflow)
        return self.state_only.dump_text(workflow)


def _ready_user_task(workflow: BpmnWorkflow) -> Any:
    ready = workflow.get_tasks(state=TaskState.READY, manual=True)
    if len(ready) != 1 or ready[0].task_spec.bpmn_id != USER_TASK:
        raise RuntimeError(f"expected the user task '{USER_TASK}' to be ready, found {ready}")
    return ready[0]


def _check_waits_on_message(workflow: BpmnWorkflow) -> None:
    waiting = [t.task_spec.bpmn_id for t in workflow.get_tasks(state=TaskState.WAITING)]
    if "wait_ack" not in waiting:
        raise RuntimeError(f"after completing '{USER_TASK}' the instance should wait on 'wait_ack', got {waiting}")


# --- the facade and the bare database on one backend -------------------------------------------------------------
@dataclass(frozen=True)
class BackendResult:
    """Every series of one database, measured in the same interleaved rounds, and the stored state sizes."""

    backend: str
    timings: dict[str, Timing]
    statements: tuple[int, int]
    stored_bytes_at_user_task: int
    stored_bytes_after_complete: int
    profiles: tuple[str, ...]

    def median(self, key: str) -> float:
        return self.timings[key].median_ms


def _services(url: str) -> Services:
    upgrade(url)
    services = build_services(load_settings({"YIBAO_DATABASE_URL": url}))
    deploy(services, SYSTEM, DIAGRAM.read_text(encoding="utf-8"), DIAGRAM.name, forms_in(DIAGRAM.parent / "forms"))
    return services


def _start(services: Services, index: int) -> InstanceView:
    view = start_instance(services, HOSPITAL_OFFICER, PROCESS, START_DATA, business_key=f"BENCH-{index}")
    if view.status != "waiting" or [t.bpmn_id for t in view.tasks] != [USER_TASK]:
        raise RuntimeError(f"start should wait on '{USER_TASK}', got {view.status} {view.tasks}")
    return view


def _complete(services: Services, view: InstanceView) -> InstanceView:
    done = complete(services, HOSPITAL_OFFICER, view.tasks[0].id, COMPLETE_DATA)
    if done.status != "waiting" or "wait_ack" not in done.active_element_ids:
        raise RuntimeError(f"complete should wait on 'wait_ack', got {done.status} {done.active_element_ids}")
    return done


class Round:
    """The operations of one round; its facade and bare load+complete+save work on what its starts wrote."""

    def __init__(self, services: Services, raw: RawEngine, bare: BareDatabase, index: int,
                 texts: tuple[str, str]) -> None:
        self.services, self.raw, self.bare, self.index = services, raw, bare, index
        self.default_text, self.state_only_text = texts
        self.ids = bare.new_round()
        self.view: InstanceView | None = None

    def raw_start(self) -> None:
        self.raw.start()

    def facade_start(self) -> None:
        self.view = _start(self.services, self.index)

    def bare_start(self) -> None:
        self.bare.start(self.ids)

    def raw_lcs(self) -> None:
        self.raw.load_complete_save_default(self.default_text)

    def raw_lcs_state_only(self) -> None:
        self.raw.load_complete_save_state_only(self.state_only_text)

    def facade_lcs(self) -> None:
        assert self.view is not None
        _complete(self.services, self.view)

    def bare_lcs(self) -> None:
        self.bare.load_complete_save(self.ids)


def run_rounds(services: Services, raw: RawEngine, bare: BareDatabase, n: int, warmup: int) -> dict[str, Timing]:
    """``warmup + n`` rounds; each runs every series once, in the order of SERIES. Warm-up rounds are not kept."""
    texts = (str(raw.default.serialize_json(raw.start())), raw.state_only.dump_text(raw.start()))
    samples: dict[str, list[int]] = {key: [] for key, _, _ in SERIES}
    for index in range(warmup + n):
        round_ = Round(services, raw, bare, index, texts)
        for key, _, _ in SERIES:
            elapsed, _ = stopwatch(getattr(round_, key))
            if index >= warmup:
                samples[key].append(elapsed)
    return {key: Timing(tuple(values)) for key, values in samples.items()}


@contextmanager
def _counting(services: Services) -> Iterator[list[int]]:
    """Count the statements the service sends: every cursor execute, and each transaction's BEGIN and COMMIT."""
    counter = [0]

    def sent(*_: Any) -> None:
        counter[0] += 1

    names = ("before_cursor_execute", "begin", "commit")
    for name in names:
        event.listen(services.db, name, sent)
    try:
        yield counter
    finally:
        for name in names:
            event.remove(services.db, name, sent)


def count_statements(services: Services, index: int) -> tuple[int, int]:
    """Statements of one facade start and one facade load+complete+save."""
    with _counting(services) as started:
        view = _start(services, index)
    with _counting(services) as completed:
        _complete(services, view)
    return started[0], completed[0]


def _profiled(operation: Callable[[], Any], title: str, lines: int) -> tuple[Any, str]:
    profiler = cProfile.Profile()
    profiler.enable()
    result = operation()
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("cumulative").print_stats(lines)
    return result, f"Profile of one {title} (cumulative, top {lines})\n{out.getvalue()}"


def profile_operations(services: Services, index: int, lines: int = 30) -> tuple[str, ...]:
    """cProfile of one ``start_instance`` and one ``tasks.complete`` call, sorted by cumulative time."""
    backend = services.db.dialect.name
    view, started = _profiled(lambda: _start(services, index), f"start_instance call on {backend}", lines)
    _, completed = _profiled(lambda: _complete(services, view), f"tasks.complete call on {backend}", lines)
    return started, completed


def bench_backend(backend: str, url: str, raw: RawEngine, n: int, warmup: int, profile: bool) -> BackendResult:
    """Interleaved rounds of every series on one database, then statement counts (and profiles)."""
    services = _services(url)
    try:
        started = _start(services, -1)
        completed = _complete(services, _start(services, -2))
        bare = BareDatabase(url, started.id, completed.id)
        try:
            timings = run_rounds(services, raw, bare, n, warmup)
        finally:
            bare.close()
        statements = count_statements(services, warmup + n)
        profiles = profile_operations(services, warmup + n + 1) if profile else ()
        return BackendResult(backend, timings, statements, started.state_bytes, completed.state_bytes, profiles)
    finally:
        services.dispose()


# --- report ----------------------------------------------------------------------------------------------------
def print_header(args: argparse.Namespace) -> None:
    print("Yibao Flow engine benchmark")
    print(f"  Python {platform.python_version()} ({platform.python_implementation()}), "
          f"SpiffWorkflow {version('SpiffWorkflow')}, SQLAlchemy {version('SQLAlchemy')}")
    print(f"  {os.cpu_count()} CPU cores, {platform.machine()}, {platform.system()} {platform.release()}")
    print(f"  diagram {DIAGRAM.relative_to(ROOT)}; per database {args.n} timed rounds after {args.warmup} warm-up "
          "rounds; each round runs every variant once, in turn")
    print()


def print_timings(result: BackendResult) -> None:
    print(f"{result.backend}")
    print(f"{'operation':<26} {'variant':<28} {'n':>6} {'median ms':>10} {'p95 ms':>9}")
    print("-" * 83)
    for key, operation, variant in SERIES:
        timing = result.timings[key]
        print(f"{operation:<26} {variant:<28} {timing.n:>6} {timing.median_ms:>10.3f} {timing.p95_ms:>9.3f}")
    print(f"statements sent, BEGIN and COMMIT included: facade start {result.statements[0]}, "
          f"load+complete+save {result.statements[1]}; bare database {START_STATEMENTS} and "
          f"{LOAD_COMPLETE_SAVE_STATEMENTS}")
    print()


def ratios(result: BackendResult) -> list[tuple[str, float, float, float]]:
    """(label, facade/raw, facade/(raw + bare database), facade - raw - bare in ms) per operation and baseline."""
    rows = []
    for label, facade, raw_key, bare in (("start", "facade_start", "raw_start", "bare_start"),
                                         ("l+c+s vs raw default", "facade_lcs", "raw_lcs", "bare_lcs"),
                                         ("l+c+s vs raw state-only", "facade_lcs", "raw_lcs_state_only", "bare_lcs")):
        f, r, b = result.median(facade), result.median(raw_key), result.median(bare)
        rows.append((label, f / r, f / (r + b), f - r - b))
    return rows


def print_ratios(results: Sequence[BackendResult]) -> None:
    print("Ratios of medians (same rounds)")
    print(f"{'backend':<12} {'operation':<26} {'facade/raw':>11} {'facade/(raw+bare db)':>21} {'ours ms':>9}")
    print("-" * 83)
    for result in results:
        for label, over_raw, over_both, ours in ratios(result):
            print(f"{result.backend:<12} {label:<26} {over_raw:>10.2f}x {over_both:>20.2f}x {ours:>9.3f}")
    print("  ours = facade - raw engine - bare database: the use case, SQLAlchemy, audit hashing, queue sync")
    print()


def print_sizes(results: Sequence[BackendResult]) -> None:
    raw = RawEngine(DIAGRAM)
    workflow = raw.start()
    default_bytes = len(str(raw.default.serialize_json(workflow)).encode())
    print("State of one instance waiting on the user task")
    print(f"  raw default serializer, JSON text with spec:   {default_bytes:>7} bytes")
    print(f"  state-only serializer, JSON text:              {len(raw.state_only.dump_text(workflow).encode()):>7}"
          " bytes")
    for r in results:
        print(f"  facade {r.backend:<10} stored (zlib, len(state)):   {r.stored_bytes_at_user_task:>7} bytes"
              f"   (after completing it: {r.stored_bytes_after_complete} bytes)")
    print()


def print_targets(results: Sequence[BackendResult]) -> bool:
    """PASS or MISS for each target; the speed targets both against the raw engine and with the database's own
    cost of the same rows taken out (the issue's "so the ratio shows what is ours")."""
    print("Targets")
    sqlite = next(r for r in results if r.backend == "sqlite")
    checks = []
    for operation, facade, raw_key, bare, raw_name, limit in (
        ("start", "facade_start", "raw_start", "bare_start", "raw engine", TARGET_START_RATIO),
        ("load+complete+save", "facade_lcs", "raw_lcs", "bare_lcs", "raw default engine", TARGET_LCS_RATIO),
    ):
        over_raw = sqlite.median(facade) / sqlite.median(raw_key)
        over_both = sqlite.median(facade) / (sqlite.median(raw_key) + sqlite.median(bare))
        checks.append((f"SQLite facade {operation} <= {limit:g}x {raw_name}", f"{over_raw:.2f}x", over_raw <= limit))
        checks.append((f"SQLite facade {operation} <= {limit:g}x ({raw_name} + bare database)", f"{over_both:.2f}x",
                       over_both <= limit))
    checks += [(f"stored state at a user task <= {TARGET_STATE_BYTES} bytes ({r.backend})",
                f"{r.stored_bytes_at_user_task} bytes", r.stored_bytes_at_user_task <= TARGET_STATE_BYTES)
               for r in results]
    for label, value, ok in checks:
        print(f"  {'PASS' if ok else 'MISS'}  {label:<82} {value}")
    if not all(ok for _, _, ok in checks) and not sqlite.profiles:
        print("  (run with --profile to see where one start_instance and one tasks.complete call spend their time)")
    print()
    return all(ok for _, _, ok in checks)


# --- main ------------------------------------------------------------------------------------------------------
def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=1000, help="timed rounds per database (default %(default)s)")
    parser.add_argument("--warmup", type=int, default=50, help="untimed rounds first (default %(default)s)")
    parser.add_argument("--quick", action="store_true",
                        help=f"a smoke run: --n {QUICK_N} --warmup {QUICK_WARMUP} (figures are not meaningful)")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL,
                        help="database to create, use and drop (default %(default)s)")
    parser.add_argument("--no-postgres", action="store_true", help="skip PostgreSQL")
    parser.add_argument("--profile", action="store_true",
                        help="also print a cProfile of one start_instance and one tasks.complete call per database")
    parser.add_argument("--check", action="store_true", help="exit with status 1 when a target is missed")
    args = parser.parse_args(argv)
    if args.quick:
        args.n, args.warmup = QUICK_N, QUICK_WARMUP
    if args.n < 1 or args.warmup < 0:
        parser.error("--n must be at least 1 and --warmup at least 0")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    print_header(args)
    began = time.monotonic()
    raw = RawEngine(DIAGRAM)
    results = []
    with sqlite_url() as url:
        results.append(bench_backend("sqlite", url, raw, args.n, args.warmup, args.profile))
    if args.no_postgres:
        print("PostgreSQL skipped: --no-postgres")
        print()
    else:
        with postgres_database(args.postgres_url) as url_or_none:
            if url_or_none is not None:
                results.append(bench_backend("postgresql", url_or_none, raw, args.n, args.warmup, args.profile))
    for result in results:
        print_timings(result)
    print_ratios(results)
    print_sizes(results)
    passed = print_targets(results)
    for result in results:
        for report in result.profiles:
            print(report)
    print(f"total run time {time.monotonic() - began:.1f} s")
    return 1 if args.check and not passed else 0


if __name__ == "__main__":
    sys.exit(main())
