"""Engine benchmark: what the facade and the database add on top of SpiffWorkflow itself.

Two operations are timed, each on the test diagram ``tests/diagrams/foundation.bpmn`` (user task ``submit``, then a
script task calling a domain function, a gateway, a message catch and a timer):

* **start** - create an instance and run it to its first user task (``submit`` READY). The raw engine keeps the
  workflow in memory; the facade also serializes it and inserts the row, so that ratio includes one save.
* **load+complete+save** - restore an instance waiting on ``submit``, complete it with a form's data, run the engine
  to the next wait (the message catch) and serialize the state again.

They are measured four ways, all in this one process on this one machine:

``raw default``  SpiffWorkflow alone, no database, no facade: the spec is parsed once with ``SpiffBpmnParser`` and
                 cached; state is JSON text in memory written by SpiffWorkflow's own ``BpmnWorkflowSerializer``
                 (spiff configuration, ``date``/``Decimal`` registered), which embeds the spec in every instance.
``raw state-only``  the same, but the state is serialized without the spec (the facade's ``StateSerializer`` text
                 methods), still no database: the engine's own cost with the serializer the facade uses.
``facade sqlite`` / ``facade postgresql``  the use cases ``start_instance`` and ``tasks.complete``: one transaction
                 each that loads the rows, restores, completes, writes the compressed state, the message
                 subscriptions and an audit entry.

How to read the ratios (medians): ``facade / raw default`` is what the service costs compared with running
SpiffWorkflow the library's default way, i.e. the price of the database, the transaction and the audit trail minus
what the state-only serializer saves; the target is <= 1.5x on SQLite. ``facade / raw state-only`` compares with the
engine doing the same engine work as the facade, so it is (almost) purely the cost of the database and the use case
around the engine. Every figure is per operation, in milliseconds, from ``time.perf_counter_ns`` after a warm-up.

Run from the project root: ``python bench/engine.py`` (or ``make bench``); ``--help`` lists the options.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import math
import os
import platform
import pstats
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from importlib.metadata import version
from pathlib import Path
from typing import Any, TypeVar

from databases import postgres_database, sqlite_url  # bench/databases.py (run as a script)
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.task import TaskState

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
HOSPITAL_OFFICER = Actor("bench-officer", None, frozenset({"hospital_officer"}), "bench-officer")
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/yibao_bench"

TARGET_RATIO = 1.5
TARGET_STATE_BYTES = 2048

T = TypeVar("T")


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


def timed(operation: Callable[[T], Any], items: Sequence[T], warmup: int) -> tuple[Timing, list[Any]]:
    """Run ``operation`` on every item; the first ``warmup`` calls are not timed. Returns the times and results."""
    results: list[Any] = []
    samples: list[int] = []
    gc.collect()
    for index, item in enumerate(items):
        began = time.perf_counter_ns()
        result = operation(item)
        elapsed = time.perf_counter_ns() - began
        results.append(result)
        if index >= warmup:
            samples.append(elapsed)
    return Timing(tuple(samples)), results


def repeated(operation: Callable[[], Any], n: int, warmup: int) -> tuple[Timing, Any]:
    """Time ``n`` calls of ``operation`` after ``warmup`` untimed ones; returns the times and the last result."""
    timing, results = timed(lambda _: operation(), range(warmup + n), warmup)
    return timing, results[-1]


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


@dataclass(frozen=True)
class RawResult:
    """Raw-engine timings and state sizes."""

    start: Timing
    lcs_default: Timing
    lcs_state_only: Timing
    default_text_bytes: int
    state_only_text_bytes: int


def bench_raw(n: int, warmup: int) -> RawResult:
    """Time the raw engine: start, and load+complete+save with either serializer."""
    raw = RawEngine(DIAGRAM)
    start, workflow = repeated(raw.start, n, warmup)
    _ready_user_task(workflow)
    default_text = str(raw.default.serialize_json(workflow))
    state_only_text = raw.state_only.dump_text(workflow)
    lcs_default, out = repeated(lambda: raw.load_complete_save_default(default_text), n, warmup)
    _check_waits_on_message(raw.default.deserialize_json(out))
    lcs_state_only, out = repeated(lambda: raw.load_complete_save_state_only(state_only_text), n, warmup)
    _check_waits_on_message(raw.state_only.load_text(out, raw.spec, raw.subprocess_specs))
    return RawResult(
        start, lcs_default, lcs_state_only, len(default_text.encode()), len(state_only_text.encode())
    )


# --- the facade on a database -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class FacadeResult:
    """Facade timings on one database and the stored state sizes."""

    backend: str
    start: Timing
    lcs: Timing
    stored_bytes_at_user_task: int
    stored_bytes_after_complete: int
    profile: str | None


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


def profile_complete(services: Services, view: InstanceView, lines: int = 30) -> str:
    """cProfile of one ``tasks.complete`` call, sorted by cumulative time."""
    profiler = cProfile.Profile()
    profiler.enable()
    _complete(services, view)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("cumulative").print_stats(lines)
    return out.getvalue()


def bench_facade(backend: str, url: str, n: int, warmup: int, profile: bool) -> FacadeResult:
    """Time ``start_instance`` N times, then ``tasks.complete`` once on each instance started."""
    services = _services(url)
    try:
        start, views = timed(lambda i: _start(services, i), range(warmup + n), warmup)
        lcs, completed = timed(lambda v: _complete(services, v), views, warmup)
        report = profile_complete(services, _start(services, warmup + n)) if profile else None
        return FacadeResult(backend, start, lcs, views[0].state_bytes, completed[0].state_bytes, report)
    finally:
        services.dispose()


# --- report ----------------------------------------------------------------------------------------------------
def print_header(args: argparse.Namespace) -> None:
    print("Yibao Flow engine benchmark")
    print(f"  Python {platform.python_version()} ({platform.python_implementation()}), "
          f"SpiffWorkflow {version('SpiffWorkflow')}, SQLAlchemy {version('SQLAlchemy')}")
    print(f"  {os.cpu_count()} CPU cores, {platform.machine()}, {platform.system()} {platform.release()}")
    print(f"  diagram {DIAGRAM.relative_to(ROOT)}; {args.n} timed iterations per series after {args.warmup} warm-up")
    print()


def print_timings(raw: RawResult, facades: Sequence[FacadeResult]) -> None:
    rows: list[tuple[str, str, Timing]] = [
        ("start -> first user task", "raw SpiffWorkflow", raw.start),
        *[("start -> first user task", f"facade {f.backend}", f.start) for f in facades],
        ("load+complete+save", "raw default serializer", raw.lcs_default),
        ("load+complete+save", "raw state-only serializer", raw.lcs_state_only),
        *[("load+complete+save", f"facade {f.backend}", f.lcs) for f in facades],
    ]
    print(f"{'operation':<26} {'variant':<28} {'n':>6} {'median ms':>10} {'p95 ms':>9}")
    print("-" * 83)
    for operation, variant, timing in rows:
        print(f"{operation:<26} {variant:<28} {timing.n:>6} {timing.median_ms:>10.3f} {timing.p95_ms:>9.3f}")
    print()


def print_ratios(raw: RawResult, facades: Sequence[FacadeResult]) -> None:
    print("Ratios of medians")
    print(f"{'backend':<12} {'start / raw':>12} {'l+c+s / raw default':>20} {'l+c+s / raw state-only':>23}")
    print("-" * 70)
    for f in facades:
        print(f"{f.backend:<12} {_ratio(f.start, raw.start):>11.2f}x {_ratio(f.lcs, raw.lcs_default):>19.2f}x "
              f"{_ratio(f.lcs, raw.lcs_state_only):>22.2f}x")
    print()


def print_sizes(raw: RawResult, facades: Sequence[FacadeResult]) -> None:
    print("State of one instance waiting on the user task")
    print(f"  raw default serializer, JSON text with spec:   {raw.default_text_bytes:>7} bytes")
    print(f"  state-only serializer, JSON text:              {raw.state_only_text_bytes:>7} bytes")
    for f in facades:
        print(f"  facade {f.backend:<10} stored (zlib, len(state)):   {f.stored_bytes_at_user_task:>7} bytes"
              f"   (after completing it: {f.stored_bytes_after_complete} bytes)")
    print()


def print_targets(raw: RawResult, facades: Sequence[FacadeResult]) -> bool:
    print("Targets")
    sqlite = next(f for f in facades if f.backend == "sqlite")
    ratio = _ratio(sqlite.lcs, raw.lcs_default)
    checks = [
        (f"SQLite facade load+complete+save <= {TARGET_RATIO}x raw default engine", f"{ratio:.2f}x",
         ratio <= TARGET_RATIO),
        *[(f"stored state at a user task <= {TARGET_STATE_BYTES} bytes ({f.backend})",
           f"{f.stored_bytes_at_user_task} bytes", f.stored_bytes_at_user_task <= TARGET_STATE_BYTES)
          for f in facades],
    ]
    for label, value, ok in checks:
        print(f"  {'PASS' if ok else 'MISS'}  {label:<66} {value}")
    if ratio > TARGET_RATIO and sqlite.profile is None:
        print("  (run with --profile to see where one tasks.complete call spends its time)")
    print()
    return all(ok for _, _, ok in checks)


def _ratio(a: Timing, b: Timing) -> float:
    return a.median_ms / b.median_ms


# --- main ------------------------------------------------------------------------------------------------------
def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=1000, help="timed iterations per series (default %(default)s)")
    parser.add_argument("--warmup", type=int, default=50, help="untimed calls before each series (default %(default)s)")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL,
                        help="database to create, use and drop (default %(default)s)")
    parser.add_argument("--no-postgres", action="store_true", help="skip PostgreSQL")
    parser.add_argument("--profile", action="store_true",
                        help="also print a cProfile of one tasks.complete call on each database")
    parser.add_argument("--check", action="store_true", help="exit with status 1 when a target is missed")
    args = parser.parse_args(argv)
    if args.n < 1 or args.warmup < 0:
        parser.error("--n must be at least 1 and --warmup at least 0")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    print_header(args)
    began = time.monotonic()
    raw = bench_raw(args.n, args.warmup)
    facades = []
    with sqlite_url() as url:
        facades.append(bench_facade("sqlite", url, args.n, args.warmup, args.profile))
    if args.no_postgres:
        print("PostgreSQL skipped: --no-postgres")
    else:
        with postgres_database(args.postgres_url) as url_or_none:
            if url_or_none is not None:
                facades.append(bench_facade("postgresql", url_or_none, args.n, args.warmup, args.profile))
    print_timings(raw, facades)
    print_ratios(raw, facades)
    print_sizes(raw, facades)
    passed = print_targets(raw, facades)
    for f in facades:
        if f.profile:
            print(f"Profile of one tasks.complete call on {f.backend} (cumulative, top 30)")
            print(f.profile)
    print(f"total run time {time.monotonic() - began:.1f} s")
    return 1 if args.check and not passed else 0


if __name__ == "__main__":
    sys.exit(main())
