"""Task queue benchmark: the two queue reads of the API on a large ``human_tasks`` table.

Each database (SQLite in a fresh temporary file, PostgreSQL in a fresh database dropped at the end) is migrated
with the project's own migrations (``storage.migrate.upgrade``), then bulk-loaded with ``--rows`` queue rows
(default 1,000,000) plus the ``process_definitions``/``process_instances`` rows their foreign key needs. The data
imitates a regional queue that is mostly history:

* ~200 hospitals (a few large ones: task volume falls off as rank^-0.8), 20 pharmacies, one bureau, one NHSA office;
  ~3,700 users; one instance per ~10 tasks, owned by a hospital (97 %) or a pharmacy (3 %);
* lanes from ``domain.identity.ROLES``: hospital_officer, physician, bureau_officer and expert above all, a few
  pharmacist, nhsa_officer and admin tasks; ``org_scope`` as ``workflows.queue_sync`` writes it (the instance's
  owner for hospital and pharmacy lanes, the bureau / NHSA office for theirs, none for experts); every expert task
  has a candidate expert (SV-3);
* 5 % open, 2 % claimed, the rest completed (85 %) or cancelled; priorities 10-90 (mostly 50); ``created_at``
  spread over two years (open work mostly from the last month), ``due_at`` on about half.

After loading, ``ANALYZE`` (SQLite) / ``VACUUM (ANALYZE)`` (PostgreSQL: ANALYZE plus the visibility map that
autovacuum would set on a table this size soon after the load, so timings do not depend on when it wakes up).

Then two reads are timed, each ``--iterations`` times after a few untimed warm-up calls, through the project's
own code exactly as the HTTP API runs them:

* **my open tasks** - ``GET /api/tasks?status=open&status=claimed``: ``TaskStore.query(actor,
  TaskFilter(status=("open", "claimed")), "priority", 50, 0)`` inside ``services.uow(read_only=True)``, i.e. the
  total-count query and the first page of 50. The actor varies every call: a bureau officer (an oversight role:
  sees every task), hospital officers of the largest and of other hospitals, physicians, experts with candidate
  tasks, pharmacists and NHSA officers.
* **queue counts** - ``GET /api/tasks/counts``: ``TaskStore.counts()`` (open and claimed tasks per lane role ×
  organization × status) inside ``services.uow(read_only=True)``.

Each figure is the wall time of one call in milliseconds (``time.perf_counter_ns``, a new unit of work each time,
connections from the pool): p50, p95 (nearest rank) and max; the target is p95 <= 50 ms per query per database.
The plans of one "my open tasks" call (its count query and its page query, for a hospital officer, a bureau officer
and an expert) and of the counts query are printed with ``EXPLAIN QUERY PLAN`` (SQLite) / ``EXPLAIN (ANALYZE,
BUFFERS)`` (PostgreSQL), from the SQL the store actually sent (captured with a ``before_cursor_execute`` hook).

``--experiment`` then adds candidate indexes that are NOT in the project's schema to the benchmark's own
database, runs ANALYZE again, and repeats the timings and plans, clearly labelled, to show what they would change.

Run from the project root: ``python bench/tasks.py`` (``--help`` lists the options).
"""

from __future__ import annotations

import argparse
import bisect
import gc
import math
import os
import platform
import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib.metadata import version
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Engine, Table, create_engine, event, insert, text
from sqlalchemy.engine import make_url

from domain.actors import Actor
from domain.identity import ROLES
from storage.db import make_engine
from storage.migrate import upgrade
from storage.models import ProcessDefinition, ProcessInstance
from storage.task_models import HumanTask
from storage.task_store import OPEN, TaskFilter
from workflows.context import Services, build_services
from workflows.settings import load_settings

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/yibao_bench_tasks"
TARGET_P95_MS = 50.0
PAGE = 50
WARMUP = 20
BATCH = 20_000
SEED = 20250630

TASKS = cast(Table, HumanTask.__table__)
INSTANCES = cast(Table, ProcessInstance.__table__)
DEFINITIONS = cast(Table, ProcessDefinition.__table__)

NOW = datetime(2025, 6, 30, 9, 0, tzinfo=UTC)
HISTORY = timedelta(days=730)
HOSPITALS = 200
PHARMACIES = 20
EXPERTS = 400
# Users per organization and role (a few thousand in all).
HOSPITAL_STAFF = {"hospital_officer": 6, "physician": 10}
PHARMACY_STAFF = {"pharmacist": 3}
BUREAU_STAFF = {"bureau_officer": 25, "admin": 3, "auditor": 2}
NHSA_STAFF = {"nhsa_officer": 5}
PHARMACY_SHARE = 0.03  # instances owned by a pharmacy
# Lane of a task, by the kind of organization that owns the instance (weights).
HOSPITAL_LANES = {"hospital_officer": 38, "physician": 24, "bureau_officer": 22, "expert": 13, "nhsa_officer": 2,
                  "admin": 1}
PHARMACY_LANES = {"pharmacist": 50, "bureau_officer": 30, "expert": 20}
HOSPITAL_KINDS = ("hospital_officer", "physician", "pharmacist")  # lanes scoped to the instance's owner
STATUSES = {"open": 5, "claimed": 2, "completed": 85, "cancelled": 8}
PRIORITIES = {10: 2, 20: 3, 30: 5, 40: 8, 50: 50, 60: 10, 70: 10, 80: 7, 90: 5}
PROCESSES = ("drug_catalog_admission", "hospital_agreement", "special_drug_filing", "consumable_pricing")
USER_TASKS: dict[str, tuple[tuple[str, str, str | None], ...]] = {
    "hospital_officer": (("submit_application", "提交申请", "application.json"),
                         ("supplement_material", "补充材料", "supplement.json")),
    "physician": (("clinical_opinion", "临床意见", "clinical_opinion.json"),),
    "pharmacist": (("pharmacy_check", "药学审核", "pharmacy_check.json"),),
    "bureau_officer": (("initial_review", "初审", "initial_review.json"), ("final_decision", "终审", "decision.json"),
                       ("publish_notice", "公示", None)),
    "expert": (("expert_review", "专家评审", "expert_review.json"),),
    "nhsa_officer": (("nhsa_filing", "国家医保局备案", "filing.json"),),
    "admin": (("fix_data", "数据修正", None),),
}
assert set(HOSPITAL_LANES) | set(PHARMACY_LANES) <= set(ROLES), "bench lanes must be roles"


# --- the synthetic region ---------------------------------------------------------------------------------------
# Column order of the generated rows; timestamps are generated as seconds since the epoch (UTC) and turned into
# each driver's text form at load time.
TASK_LOAD_COLUMNS = (
    "id", "instance_id", "process_key", "business_key", "name", "bpmn_id", "lane_role", "org_scope",
    "candidate_user_id", "assignee_id", "status", "priority", "form", "created_at", "due_at", "claimed_at",
    "completed_at", "completed_by",
)
INSTANCE_LOAD_COLUMNS = (
    "id", "definition_id", "business_key", "owner_org", "status", "state", "state_format", "next_timer_at",
    "version", "created_at", "updated_at", "started_by", "audit_seq", "audit_head",
)
assert set(TASK_LOAD_COLUMNS) == {c.name for c in TASKS.columns}, "human_tasks changed: update the benchmark"
assert set(INSTANCE_LOAD_COLUMNS) == {c.name for c in INSTANCES.columns}, "process_instances changed: update"
TIMESTAMPS = frozenset({"created_at", "due_at", "claimed_at", "completed_at", "next_timer_at", "updated_at"})
EPOCH = datetime(1970, 1, 1)  # naive UTC, for formatting
DAY = 86_400.0


def _cumulative(weights: Sequence[float]) -> list[float]:
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return [x / total for x in out]


class Weighted:
    """A fast weighted choice: bisect on cumulative weights with one ``random()`` call."""

    def __init__(self, weights: dict[Any, float]) -> None:
        self.items = list(weights)
        self.cum = _cumulative(list(weights.values()))

    def pick(self, rng: random.Random) -> Any:
        return self.items[min(bisect.bisect_right(self.cum, rng.random()), len(self.items) - 1)]


@dataclass
class Region:
    """Organizations, users and instances the queue rows refer to."""

    rng: random.Random
    hospitals: list[str] = field(default_factory=list)
    pharmacies: list[str] = field(default_factory=list)
    bureau: str = ""
    nhsa: str = ""
    staff: dict[tuple[str, str], list[str]] = field(default_factory=dict)  # (role, org) -> user ids
    experts: list[tuple[str, str]] = field(default_factory=list)  # (user id, org id)
    definitions: dict[str, str] = field(default_factory=dict)  # process key -> definition id
    instances: list[tuple[str, str, bool, str, str]] = field(default_factory=list)  # id, owner, pharmacy?, key, bk

    def uid(self) -> str:
        """A random id shaped like the service's uuid4 strings (cheaper than ``uuid.UUID``)."""
        h = f"{self.rng.getrandbits(128):032x}"
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{h[16:20]}-{h[20:]}"

    @property
    def users(self) -> int:
        return sum(len(v) for v in self.staff.values()) + len(self.experts)


def make_region(instances: int, seed: int) -> Region:
    """Organizations with their staff, the experts, one definition per process key and the instances."""
    region = Region(random.Random(seed))
    rng = region.rng
    region.hospitals = [region.uid() for _ in range(HOSPITALS)]
    hospital_volume = Weighted({h: 1 / (rank + 1) ** 0.8 for rank, h in enumerate(region.hospitals)})  # [0] largest
    region.pharmacies = [region.uid() for _ in range(PHARMACIES)]
    region.bureau, region.nhsa = region.uid(), region.uid()
    for orgs, staff in ((region.hospitals, HOSPITAL_STAFF), (region.pharmacies, PHARMACY_STAFF),
                        ([region.bureau], BUREAU_STAFF), ([region.nhsa], NHSA_STAFF)):
        for org in orgs:
            for role, n in staff.items():
                region.staff[(role, org)] = [region.uid() for _ in range(n)]
    expert_orgs = [*region.hospitals, region.bureau]
    region.experts = [(region.uid(), rng.choice(expert_orgs)) for _ in range(EXPERTS)]
    region.definitions = {key: region.uid() for key in PROCESSES}
    for n in range(instances):
        pharmacy = rng.random() < PHARMACY_SHARE
        owner = rng.choice(region.pharmacies) if pharmacy else hospital_volume.pick(rng)
        region.instances.append((region.uid(), owner, pharmacy, PROCESSES[n % len(PROCESSES)], f"YB-{n:08d}"))
    return region


def definition_rows(region: Region) -> list[dict[str, Any]]:
    return [
        {"id": def_id, "key": key, "version": 1, "name": key, "content_hash": uuid.uuid5(uuid.NAMESPACE_URL, key).hex,
         "bpmn_text": "<definitions/>", "filename": f"{key}.bpmn", "deployed_at": NOW - HISTORY - timedelta(days=1),
         "deployed_by": "bench"}
        for key, def_id in region.definitions.items()
    ]


def instance_rows(region: Region) -> Iterator[list[tuple[Any, ...]]]:
    """Process instance rows in INSTANCE_LOAD_COLUMNS order, in batches (minimal valid columns, no engine state)."""
    rng, now, history = region.rng, NOW.timestamp(), HISTORY.total_seconds()
    batch: list[tuple[Any, ...]] = []
    for inst_id, owner, _pharmacy, key, business_key in region.instances:
        created = now - history * rng.random()
        batch.append((inst_id, region.definitions[key], business_key, owner,
                      "waiting" if rng.random() < 0.3 else "completed", b"\x00", "bench", None, 1, created, created,
                      "bench", 0, "0" * 64))
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def task_rows(region: Region, n: int) -> Iterator[list[tuple[Any, ...]]]:
    """``n`` queue rows in TASK_LOAD_COLUMNS order, in batches; timestamps as epoch seconds."""
    rng, random_ = region.rng, region.rng.random
    now, history = NOW.timestamp(), HISTORY.total_seconds()
    status_of, priority_of = Weighted(STATUSES), Weighted(PRIORITIES)
    lanes = {False: Weighted(HOSPITAL_LANES), True: Weighted(PHARMACY_LANES)}
    instances, experts, staff = region.instances, region.experts, region.staff
    batch: list[tuple[Any, ...]] = []
    for _ in range(n):
        inst_id, owner, pharmacy, key, business_key = instances[int(random_() * len(instances))]
        lane = lanes[pharmacy].pick(rng)
        status = status_of.pick(rng)
        bpmn_id, name, form = rng.choice(USER_TASKS[lane])
        candidate = None
        if lane in HOSPITAL_KINDS:
            scope: str | None = owner
        elif lane == "expert":
            scope = None
            candidate = experts[int(random_() * len(experts))][0]
        elif lane == "nhsa_officer":
            scope = region.nhsa
        else:
            scope = region.bureau
        open_ = status in OPEN
        # open work is mostly recent; some of it is a stale backlog
        age = 30 * DAY * random_() if open_ and random_() < 0.8 else history * random_()
        created = now - age
        if candidate:
            worker = candidate
        else:
            people = staff[(lane, scope or region.bureau)]
            worker = people[int(random_() * len(people))]
        assignee = claimed_at = completed_at = completed_by = None
        if status == "claimed" or (status == "completed" and random_() < 0.7):
            assignee, claimed_at = worker, created + 3600 * (0.1 + 48 * random_())
        if status == "completed":
            completed_by, completed_at = worker, created + 3600 * (0.2 + 240 * random_())
        elif status == "cancelled":
            completed_at = created + 3600 * (0.2 + 720 * random_())
        due_at = created + DAY * (3 + int(28 * random_())) if random_() < 0.5 else None
        batch.append((region.uid(), inst_id, key, business_key, name, bpmn_id, lane, scope, candidate, assignee,
                      status, priority_of.pick(rng), form, created, due_at, claimed_at, completed_at, completed_by))
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


# --- loading ----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Loaded:
    """What was loaded and how long it took."""

    definitions: int
    instances: int
    tasks: int
    load_s: float
    analyze_s: float
    size_mb: float


def load(backend: str, url: str, rows: int, instances: int, seed: int) -> tuple[Region, Loaded]:
    """Generate the region and bulk-load it (executemany on SQLite, COPY on PostgreSQL); then ANALYZE."""
    began = time.monotonic()
    region = make_region(instances, seed)
    # A separate engine, so that the load's connection settings (SQLite cache size) do not reach the timed pool.
    loader = make_engine(url)
    try:
        with loader.begin() as conn:
            conn.execute(insert(DEFINITIONS), definition_rows(region))
        tables = (("process_instances", INSTANCE_LOAD_COLUMNS, instance_rows(region)),
                  ("human_tasks", TASK_LOAD_COLUMNS, task_rows(region, rows)))
        raw = loader.raw_connection()
        try:
            if backend == "sqlite":
                _load_sqlite(raw.driver_connection, loader, tables)
            else:
                _load_postgres(raw.driver_connection, tables)
        finally:
            raw.close()
        load_s = time.monotonic() - began
        began = time.monotonic()
        if backend == "sqlite":  # the driver connection is in autocommit mode (storage.db sets isolation_level)
            raw = loader.raw_connection()
            try:
                raw.driver_connection.execute("ANALYZE")  # type: ignore[union-attr]
                raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[union-attr]
            finally:
                raw.close()
            size = Path(make_url(url).database or "").stat().st_size
        else:
            with loader.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM (ANALYZE)")
                size = conn.exec_driver_sql("SELECT pg_database_size(current_database())").scalar_one()
        analyze_s = time.monotonic() - began
    finally:
        loader.dispose()
    return region, Loaded(len(region.definitions), instances, rows, load_s, analyze_s, size / 2**20)


Tables = Sequence[tuple[str, Sequence[str], Iterator[list[tuple[Any, ...]]]]]


def _sqlite_time(seconds: float) -> str:
    """What SQLAlchemy stores for a UtcDateTime on SQLite (checked against its bind processor in _load_sqlite)."""
    return (EPOCH + timedelta(seconds=seconds)).isoformat(" ", "microseconds")


def _load_sqlite(db: Any, loader: Engine, tables: Tables) -> None:
    """Driver-level executemany of the generated rows, one transaction per batch (SQLAlchemy's per-value type
    processing would triple the load time); timestamps in exactly the text the project's UtcDateTime writes."""
    sample = NOW + timedelta(microseconds=123_457)
    expected = TASKS.c.created_at.type.dialect_impl(loader.dialect).bind_processor(loader.dialect)(sample)  # type: ignore[misc]
    if _sqlite_time(sample.timestamp()) != expected:
        raise RuntimeError(f"SQLite timestamp text {_sqlite_time(sample.timestamp())!r} != SQLAlchemy's {expected!r}")
    db.execute("PRAGMA cache_size=-262144")  # 256 MiB, for this load connection only
    for table, columns, batches in tables:
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        times = [i for i, c in enumerate(columns) if c in TIMESTAMPS]
        for batch in batches:
            rows = []
            for row in batch:
                values = list(row)
                for i in times:
                    if values[i] is not None:
                        values[i] = _sqlite_time(values[i])
                rows.append(values)
            db.execute("BEGIN")
            db.executemany(sql, rows)
            db.execute("COMMIT")


def _load_postgres(pg: Any, tables: Tables) -> None:
    """COPY of the generated rows, one transaction per batch."""
    for table, columns, batches in tables:
        times = [i for i, c in enumerate(columns) if c in TIMESTAMPS]
        for batch in batches:
            with pg.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in batch:
                    values = list(row)
                    for i in times:
                        if values[i] is not None:
                            values[i] = _sqlite_time(values[i]) + "+00"
                    copy.write_row(values)
            pg.commit()


def census(db: Engine) -> dict[str, Counter[str]]:
    """Row counts by status and by lane role (and open+claimed by lane role)."""
    out: dict[str, Counter[str]] = {"status": Counter(), "lane": Counter(), "open lane": Counter()}
    with db.connect() as conn:
        for lane, status, n in conn.execute(text(
                "SELECT lane_role, status, count(*) FROM human_tasks GROUP BY lane_role, status")):
            out["status"][status] += n
            out["lane"][lane] += n
            if status in OPEN:
                out["open lane"][lane] += n
    return out


# --- the timed reads --------------------------------------------------------------------------------------------
MY_OPEN = TaskFilter(status=OPEN)


def my_open_tasks(services: Services, actor: Actor) -> tuple[int, int]:
    """What ``GET /api/tasks?status=open&status=claimed`` runs: first page of 50 by priority, with the total."""
    with services.uow(read_only=True) as uow:
        rows, total = uow.tasks.query(actor, MY_OPEN, "priority", PAGE, 0)
    return len(rows), total


def queue_counts(services: Services, actor: Actor) -> tuple[int, int]:
    """What ``GET /api/tasks/counts`` runs (for administrators and bureau officers)."""
    with services.uow(read_only=True) as uow:
        rows = uow.tasks.counts()
    return len(rows), sum(r.count for r in rows)


def actor_kinds(region: Region) -> dict[str, Callable[[random.Random], Actor]]:
    """Kinds of callers: each makes a random user of that kind."""
    largest = region.hospitals[0]

    def staff(role: str, orgs: Sequence[str]) -> Callable[[random.Random], Actor]:
        def make(rng: random.Random) -> Actor:
            org = rng.choice(orgs)
            return Actor(rng.choice(region.staff[(role, org)]), org, frozenset({role}), role)
        return make

    def expert(rng: random.Random) -> Actor:
        user, org = rng.choice(region.experts)
        return Actor(user, org, frozenset({"expert"}), "expert")

    return {
        "bureau_officer (sees all)": staff("bureau_officer", [region.bureau]),
        "hospital_officer, largest": staff("hospital_officer", [largest]),
        "hospital_officer, other": staff("hospital_officer", region.hospitals[1:]),
        "physician": staff("physician", region.hospitals),
        "expert (candidates)": expert,
        "pharmacist": staff("pharmacist", region.pharmacies),
        "nhsa_officer": staff("nhsa_officer", [region.nhsa]),
    }


@dataclass(frozen=True)
class Series:
    """Per-call times of one query, in nanoseconds, with the kind of caller of each call."""

    samples: tuple[int, ...]
    kinds: tuple[str, ...]
    results: tuple[tuple[int, int], ...]

    @staticmethod
    def stats(samples: Sequence[int]) -> tuple[float, float, float]:
        ordered = sorted(samples)
        p95 = ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]
        return statistics.median(ordered) / 1e6, p95 / 1e6, ordered[-1] / 1e6

    @property
    def p95_ms(self) -> float:
        return self.stats(self.samples)[1]

    def by_kind(self) -> dict[str, list[int]]:
        out: dict[str, list[int]] = {}
        for kind, sample in zip(self.kinds, self.samples, strict=True):
            out.setdefault(kind, []).append(sample)
        return out


def run_series(services: Services, operation: Callable[[Services, Actor], tuple[int, int]],
               callers: Sequence[tuple[str, Actor]], warmup: int) -> Series:
    """Call ``operation`` once per caller; the first ``warmup`` calls are not timed."""
    samples: list[int] = []
    kinds: list[str] = []
    results: list[tuple[int, int]] = []
    gc.collect()
    for index, (kind, actor) in enumerate(callers):
        began = time.perf_counter_ns()
        result = operation(services, actor)
        elapsed = time.perf_counter_ns() - began
        if index >= warmup:
            samples.append(elapsed)
            kinds.append(kind)
            results.append(result)
    return Series(tuple(samples), tuple(kinds), tuple(results))


def callers_for(region: Region, iterations: int, warmup: int, seed: int) -> list[tuple[str, Actor]]:
    """``warmup + iterations`` callers, cycling through the kinds, a different user each time."""
    rng = random.Random(seed)
    kinds = list(actor_kinds(region).items())
    return [(kinds[i % len(kinds)][0], kinds[i % len(kinds)][1](rng)) for i in range(warmup + iterations)]


def counts_callers(region: Region, iterations: int, warmup: int, seed: int) -> list[tuple[str, Actor]]:
    rng = random.Random(seed)
    officers = region.staff[("bureau_officer", region.bureau)] + region.staff[("admin", region.bureau)]
    out = []
    for _ in range(warmup + iterations):
        user = rng.choice(officers)
        role = "admin" if user in region.staff[("admin", region.bureau)] else "bureau_officer"
        out.append((role, Actor(user, region.bureau, frozenset({role}), role)))
    return out


# --- plans ------------------------------------------------------------------------------------------------------
@contextmanager
def captured(db: Engine) -> Iterator[list[tuple[str, Any]]]:
    """The SELECT statements (with their parameters) sent on ``db`` while the block runs."""
    statements: list[tuple[str, Any]] = []

    def hook(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    event.listen(db, "before_cursor_execute", hook)
    try:
        yield statements
    finally:
        event.remove(db, "before_cursor_execute", hook)


def explain(services: Services, backend: str, statement: str, parameters: Any) -> list[str]:
    """The plan of one captured statement, as lines."""
    prefix = "EXPLAIN QUERY PLAN " if backend == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS) "
    with services.db.connect().execution_options(yibao_read_only=True) as conn:
        result = conn.exec_driver_sql(prefix + statement, parameters)
        if backend == "sqlite":  # (id, parent, notused, detail): indent by depth
            depth: dict[int, int] = {0: -1}
            lines = []
            for node, parent, _unused, detail in result:
                depth[node] = depth.get(parent, -1) + 1
                lines.append("  " * depth[node] + detail)
        else:
            lines = [r[0] for r in result]
        conn.rollback()
    return lines


def print_plans(services: Services, backend: str, region: Region, seed: int) -> None:
    rng = random.Random(seed + 1)
    kinds = actor_kinds(region)
    explained = [(f"my open tasks, {kind}", my_open_tasks, kinds[kind](rng))
                 for kind in ("hospital_officer, largest", "bureau_officer (sees all)", "expert (candidates)")]
    explained.append(("queue counts", queue_counts, Actor("bench-admin", region.bureau, frozenset({"admin"}))))
    for label, operation, actor in explained:
        with captured(services.db) as statements:
            operation(services, actor)
        for part, (statement, parameters) in zip(("total count", "page") if len(statements) == 2 else ("",),
                                                 statements, strict=False):
            print(f"-- {label}{': ' + part if part else ''} "
                  f"(actor {actor.role} user={actor.user_id[:8]} org={(actor.org_id or '-')[:8]})")
            print("   " + " ".join(statement.split()))
            print(f"   parameters: {parameters}")
            for line in explain(services, backend, statement, parameters):
                print(f"   | {line}")
            print()


# --- experiment: candidate indexes not in the schema ------------------------------------------------------------
# Each is (name, SQL for SQLite, SQL for PostgreSQL). They are created only in the benchmark's own database.
CANDIDATE_INDEXES: tuple[tuple[str, str, str], ...] = ()


def add_candidate_indexes(services: Services, backend: str) -> float:
    began = time.monotonic()
    with services.db.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for name, sqlite_sql, postgres_sql in CANDIDATE_INDEXES:
            print(f"  EXPERIMENT: {sqlite_sql if backend == 'sqlite' else postgres_sql}")
            conn.exec_driver_sql(sqlite_sql if backend == "sqlite" else postgres_sql)
            del name
        conn.exec_driver_sql("ANALYZE")
    return time.monotonic() - began


# --- one database -----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Result:
    """Timings of one database (and, with --experiment, with the candidate indexes)."""

    backend: str
    loaded: Loaded
    my_open: Series
    counts: Series
    experiment_my_open: Series | None = None
    experiment_counts: Series | None = None


def bench_database(backend: str, url: str, args: argparse.Namespace) -> Result:
    print(f"== {backend} " + "=" * (110 - len(backend)))
    upgrade(url)
    region, loaded = load(backend, url, args.rows, args.instances, args.seed)
    print(f"loaded {loaded.tasks:,} tasks, {loaded.instances:,} instances, {loaded.definitions} definitions "
          f"({len(region.hospitals)} hospitals, {len(region.pharmacies)} pharmacies, 1 bureau, 1 NHSA office, "
          f"{region.users:,} users) in {loaded.load_s:.1f} s; "
          f"{'ANALYZE' if backend == 'sqlite' else 'VACUUM (ANALYZE)'} {loaded.analyze_s:.1f} s; "
          f"database {loaded.size_mb:,.0f} MiB")
    services = build_services(load_settings({}, database_url=url))
    try:
        rows = census(services.db)
        print("rows by status:     " + ", ".join(f"{k} {v:,}" for k, v in rows["status"].most_common()))
        print("rows by lane:       " + ", ".join(f"{k} {v:,}" for k, v in rows["lane"].most_common()))
        print("open+claimed/lane:  " + ", ".join(f"{k} {v:,}" for k, v in rows["open lane"].most_common()))
        callers = callers_for(region, args.iterations, WARMUP, args.seed)
        officers = counts_callers(region, args.iterations, WARMUP, args.seed)
        my_open = run_series(services, my_open_tasks, callers, WARMUP)
        counts = run_series(services, queue_counts, officers, WARMUP)
        print()
        print_series(backend, my_open, counts)
        print_plans(services, backend, region, args.seed)
        result = Result(backend, loaded, my_open, counts)
        if args.experiment and CANDIDATE_INDEXES:
            print(f"-- EXPERIMENT on {backend}: candidate indexes that are NOT in the project's schema --")
            print(f"  created and analyzed in {add_candidate_indexes(services, backend):.1f} s")
            e_open = run_series(services, my_open_tasks, callers, WARMUP)
            e_counts = run_series(services, queue_counts, officers, WARMUP)
            print()
            print_series(f"{backend} + candidate indexes (EXPERIMENT)", e_open, e_counts)
            print_plans(services, backend, region, args.seed)
            result = Result(backend, loaded, my_open, counts, e_open, e_counts)
        return result
    finally:
        services.dispose()


@contextmanager
def sqlite_url() -> Iterator[str]:
    """A fresh SQLite file in a temporary directory, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="yibao-bench-tasks-") as folder:
        yield f"sqlite:///{folder}/bench.db"


@contextmanager
def postgres_database(url: str) -> Iterator[str | None]:
    """Create the database of ``url`` (dropping a leftover one), yield its URL, drop it; None if no server."""
    parsed = make_url(url)
    name = parsed.database or ""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise SystemExit(f"--postgres-url must name a plain database, got {name!r}")
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT",
                          connect_args={"connect_timeout": 3})
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        admin.dispose()
        print(f"PostgreSQL skipped: {parsed.render_as_string()} does not answer ({type(exc).__name__}: "
              f"{str(exc).splitlines()[0] if str(exc) else ''})")
        yield None
        return
    try:
        yield parsed.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# --- report -----------------------------------------------------------------------------------------------------
def print_header(args: argparse.Namespace) -> None:
    import sqlite3

    print("Yibao Flow task queue benchmark")
    print(f"  Python {platform.python_version()} ({platform.python_implementation()}), SQLAlchemy "
          f"{version('SQLAlchemy')}, SQLite {sqlite3.sqlite_version}, psycopg {version('psycopg')}")
    print(f"  {os.cpu_count()} CPU cores, {platform.machine()}, {platform.system()} {platform.release()}")
    print(f"  {args.rows:,} tasks, {args.instances:,} instances; {args.iterations} timed calls per query after "
          f"{WARMUP} warm-up; seed {args.seed}; target p95 <= {TARGET_P95_MS:.0f} ms")
    print()


def print_series(label: str, my_open: Series, counts: Series) -> None:
    print(f"{label}: times in ms")
    print(f"  {'query':<16} {'caller':<28} {'n':>4} {'p50':>8} {'p95':>8} {'max':>8}   {'page/total (median)':>20}")
    print("  " + "-" * 102)
    for name, series in (("my open tasks", my_open), ("queue counts", counts)):
        p50, p95, worst = series.stats(series.samples)
        print(f"  {name:<16} {'all':<28} {len(series.samples):>4} {p50:>8.2f} {p95:>8.2f} {worst:>8.2f}")
        if name == "my open tasks":
            for kind, samples in series.by_kind().items():
                p50, p95, worst = series.stats(samples)
                totals = [r for k, r in zip(series.kinds, series.results, strict=True) if k == kind]
                page = statistics.median(r[0] for r in totals)
                total = statistics.median(r[1] for r in totals)
                print(f"  {'':<16} {kind:<28} {len(samples):>4} {p50:>8.2f} {p95:>8.2f} {worst:>8.2f}"
                      f"   {page:>8.0f}/{total:<11,.0f}")
        else:
            groups, total = series.results[0]
            print(f"  {'':<16} {'(' + str(groups) + ' queues, ' + format(total, ',') + ' open+claimed tasks)':<28}")
    print()


def print_targets(results: Sequence[Result]) -> bool:
    print("Targets (p95 <= 50 ms per query per database)")
    ok_all = True
    for r in results:
        for name, series in (("my open tasks", r.my_open), ("queue counts", r.counts)):
            ok = series.p95_ms <= TARGET_P95_MS
            ok_all = ok_all and ok
            print(f"  {'PASS' if ok else 'MISS'}  {r.backend:<11} {name:<15} p95 {series.p95_ms:8.2f} ms")
    for r in results:
        if r.experiment_my_open is None or r.experiment_counts is None:
            continue
        for name, series in (("my open tasks", r.experiment_my_open), ("queue counts", r.experiment_counts)):
            ok = series.p95_ms <= TARGET_P95_MS
            print(f"  {'pass' if ok else 'miss'}  {r.backend:<11} {name:<15} p95 {series.p95_ms:8.2f} ms"
                  "   (EXPERIMENT: with the candidate indexes, not the project's schema)")
    print()
    return ok_all


# --- main -------------------------------------------------------------------------------------------------------
def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=1_000_000, help="queue rows to load (default %(default)s)")
    parser.add_argument("--instances", type=int, default=None,
                        help="process instances the rows belong to (default rows / 10)")
    parser.add_argument("--iterations", type=int, default=200, help="timed calls per query (default %(default)s)")
    parser.add_argument("--seed", type=int, default=SEED, help="random seed of the data (default %(default)s)")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL,
                        help="database to create, use and drop (default %(default)s)")
    parser.add_argument("--no-postgres", action="store_true", help="skip PostgreSQL")
    parser.add_argument("--no-sqlite", action="store_true", help="skip SQLite")
    parser.add_argument("--experiment", action="store_true",
                        help="then add the candidate indexes (not in the schema) and measure again")
    parser.add_argument("--check", action="store_true", help="exit with status 1 when a target is missed")
    args = parser.parse_args(argv)
    if args.instances is None:
        args.instances = max(1, args.rows // 10)
    if args.rows < 1 or args.instances < 1 or args.iterations < 1:
        parser.error("--rows, --instances and --iterations must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    print_header(args)
    began = time.monotonic()
    results = []
    if args.no_sqlite:
        print("SQLite skipped: --no-sqlite")
    else:
        with sqlite_url() as url:
            results.append(bench_database("sqlite", url, args))
    if args.no_postgres:
        print("PostgreSQL skipped: --no-postgres")
    else:
        with postgres_database(args.postgres_url) as url_or_none:
            if url_or_none is not None:
                results.append(bench_database("postgresql", url_or_none, args))
    passed = print_targets(results)
    print(f"total run time {time.monotonic() - began:.1f} s")
    return 1 if args.check and not passed else 0


if __name__ == "__main__":
    sys.exit(main())
