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
The plans of one "my open tasks" call (its count query and its page query, for the officers of the largest and
of a smaller hospital, a bureau officer and an expert) and of the counts query are printed with ``EXPLAIN QUERY
PLAN`` (SQLite) / ``EXPLAIN (ANALYZE, BUFFERS)`` (PostgreSQL), from the SQL the store actually sent (captured
with a ``before_cursor_execute`` hook). A "floor" line shows what an empty read-only unit of work costs.

``--experiment`` then repeats the timings, clearly labelled, for three variants that are NOT the project's code
or schema, to measure the fixes proposed in ``bench/README.md``: **q** the proposed query changes alone (a copy
of ``TaskStore.query``/``counts`` in this file with the organization test split into separate OR arms, the
status list rendered as literals and, for callers who see only some queues, the page sorted from a MATERIALIZED
CTE of their visible rows), **i** two candidate partial indexes alone (created with ``CREATE INDEX`` in the
benchmark's own database, then ANALYZE) with the project's query code, and **q+i** both. Each variant is checked
to return the same pages, totals and counts as the project's code.

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
import statistics
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib.metadata import version
from pathlib import Path
from typing import Any, cast

from databases import postgres_database, sqlite_url  # bench/databases.py (run as a script)
from sqlalchemy import (
    ColumnElement,
    Engine,
    Table,
    and_,
    bindparam,
    event,
    func,
    insert,
    or_,
    select,
    text,
    true,
)
from sqlalchemy.engine import make_url

from domain.actors import Actor
from domain.identity import ROLES
from storage.db import make_engine
from storage.migrate import upgrade
from storage.models import ProcessDefinition, ProcessInstance
from storage.task_models import HumanTask
from storage.task_store import OPEN, SORTS, TaskFilter
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

    def __init__(self, weights: Mapping[Any, float]) -> None:
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
    """``n`` queue rows in TASK_LOAD_COLUMNS order, oldest first, in batches; timestamps as epoch seconds."""
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
    # The service inserts a row when its task becomes ready, so the table's physical order follows created_at:
    # open work sits mostly in the newest pages, history in the old ones.
    batch.sort(key=lambda row: row[13])
    for start in range(0, len(batch), BATCH):
        yield batch[start:start + BATCH]


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
Outcome = tuple[int, int, int]  # rows on the page (or queues), total (or tasks counted), digest of the result


def my_open_tasks(services: Services, actor: Actor) -> Outcome:
    """What ``GET /api/tasks?status=open&status=claimed`` runs: first page of 50 by priority, with the total."""
    with services.uow(read_only=True) as uow:
        rows, total = uow.tasks.query(actor, MY_OPEN, "priority", PAGE, 0)
    return len(rows), total, hash(tuple(r.id for r in rows))


def queue_counts(services: Services, actor: Actor) -> Outcome:
    """What ``GET /api/tasks/counts`` runs (for administrators and bureau officers)."""
    with services.uow(read_only=True) as uow:
        rows = uow.tasks.counts()
    return len(rows), sum(r[3] for r in rows), hash(tuple(tuple(r) for r in rows))


def floor(services: Services, actor: Actor) -> Outcome:
    """The fixed cost every read pays: a read-only unit of work (session, pooled connection, BEGIN, ROLLBACK)
    running ``SELECT 1``."""
    with services.uow(read_only=True) as uow:
        uow.session.connection().exec_driver_sql("SELECT 1").scalar_one()
    return 0, 0, 0


# --- EXPERIMENT: proposed query changes -------------------------------------------------------------------------
# A copy of TaskStore.query / TaskStore.counts (storage/task_store.py) for the filter the benchmark uses, with the two
# changes proposed in bench/README.md; used only with --experiment, never by the service.
def proposed_visible_to(actor: Actor) -> ColumnElement[bool]:
    """``visible_to`` with the organization test lifted out of the queue arm: one OR arm per scope
    (``lane_role IN roles AND org_scope = :org AND candidate_user_id IS NULL`` and the same with
    ``org_scope IS NULL``), so that each arm is an index range on (lane_role, org_scope, ...) - SQLite cannot use
    an index past a nested OR."""
    if actor.sees_all_organizations:
        return true()
    scopes = [TASKS.c.org_scope == actor.org_id] if actor.org_id else []
    scopes.append(TASKS.c.org_scope.is_(None))
    queues = [and_(TASKS.c.lane_role.in_(sorted(actor.roles)), scope, TASKS.c.candidate_user_id.is_(None))
              for scope in scopes]
    return or_(*queues, TASKS.c.assignee_id == actor.user_id, TASKS.c.candidate_user_id == actor.user_id)


def status_in(statuses: Sequence[str]) -> ColumnElement[bool]:
    """``status IN ('open', 'claimed')`` with the values rendered as literals, so that both planners can match a
    partial index ``WHERE status IN ('open', 'claimed')`` (SQLite never does with bound parameters)."""
    return TASKS.c.status.in_(bindparam(None, list(statuses), expanding=True, literal_execute=True, unique=True))


def proposed_my_open_tasks(services: Services, actor: Actor) -> Outcome:
    """``TaskStore.query`` with ``proposed_visible_to``, ``status_in`` and, for callers who see only some queues,
    the page read from a MATERIALIZED CTE of the visible rows (PostgreSQL >= 12, SQLite >= 3.35): the planner then
    fetches those few queues by index and sorts them, instead of walking all open tasks in priority order hoping to
    meet 50 visible ones early (it does when it overestimates the ``org_scope IS NULL`` arm)."""
    with services.uow(read_only=True) as uow:
        conn = uow.session.connection()
        base = select(TASKS).where(proposed_visible_to(actor), status_in(OPEN))
        total = conn.execute(select(func.count()).select_from(base.subquery())).scalar_one()
        if actor.sees_all_organizations:
            page = base.order_by(*SORTS["priority"])
        else:
            visible = base.cte("visible_tasks").prefix_with("MATERIALIZED")
            page = select(visible).order_by(visible.c.priority.desc(), visible.c.created_at, visible.c.id)
        rows = conn.execute(page.limit(PAGE).offset(0)).all()
    return len(rows), int(total), hash(tuple(r.id for r in rows))


def proposed_queue_counts(services: Services, actor: Actor) -> Outcome:
    with services.uow(read_only=True) as uow:
        query = (
            select(TASKS.c.lane_role, TASKS.c.org_scope, TASKS.c.status, func.count().label("count"))
            .where(status_in(OPEN))
            .group_by(TASKS.c.lane_role, TASKS.c.org_scope, TASKS.c.status)
            .order_by(TASKS.c.lane_role, TASKS.c.org_scope, TASKS.c.status)
        )
        rows = list(uow.session.connection().execute(query))
    return len(rows), sum(r[3] for r in rows), hash(tuple(tuple(r) for r in rows))


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
    """Per-call times of one query, in nanoseconds, with the kind of caller and the outcome of each call."""

    samples: tuple[int, ...]
    kinds: tuple[str, ...]
    results: tuple[Outcome, ...]

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


Operation = Callable[[Services, Actor], Outcome]


def run_series(services: Services, operation: Operation, callers: Sequence[tuple[str, Actor]], warmup: int) -> Series:
    """Call ``operation`` once per caller; the first ``warmup`` calls are not timed."""
    samples: list[int] = []
    kinds: list[str] = []
    results: list[Outcome] = []
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
    """Administrators and bureau officers (the roles allowed to read the counts)."""
    rng = random.Random(seed)
    admins = region.staff[("admin", region.bureau)]
    officers = region.staff[("bureau_officer", region.bureau)] + admins
    out = []
    for _ in range(warmup + iterations):
        user = rng.choice(officers)
        role = "admin" if user in admins else "bureau_officer"
        out.append((role, Actor(user, region.bureau, frozenset({role}), role)))
    return out


# --- plans ------------------------------------------------------------------------------------------------------
@contextmanager
def captured(db: Engine) -> Iterator[list[tuple[str, Any]]]:
    """The SELECT statements (with their parameters) sent on ``db`` while the block runs."""
    statements: list[tuple[str, Any]] = []

    def hook(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
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


def print_plans(services: Services, backend: str, region: Region, seed: int, variant: Variant) -> None:
    rng = random.Random(seed + 1)
    kinds = actor_kinds(region)
    explained: list[tuple[str, Operation, Actor]] = [
        (f"my open tasks, {kind}", variant.my_open, kinds[kind](rng))
        for kind in ("hospital_officer, largest", "hospital_officer, other", "bureau_officer (sees all)",
                     "expert (candidates)")
    ]
    explained.append(("queue counts", variant.counts, Actor("bench-admin", region.bureau, frozenset({"admin"}))))
    print(f"Plans: {variant.label}")
    print()
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


# --- variants: the project as it is, and the experiments --------------------------------------------------------
@dataclass(frozen=True)
class Variant:
    """What is timed: which code runs the two reads, and whether the candidate indexes exist."""

    key: str
    label: str
    my_open: Operation
    counts: Operation
    indexes: bool
    plans: bool


BASELINE = Variant("baseline", "the project's schema and code (storage/task_store.py as it is)", my_open_tasks,
                   queue_counts, indexes=False, plans=True)
EXPERIMENTS = (
    Variant("q", "EXPERIMENT q: proposed query changes only (no new index)", proposed_my_open_tasks,
            proposed_queue_counts, indexes=False, plans=False),
    Variant("i", "EXPERIMENT i: candidate indexes only (project's query code)", my_open_tasks, queue_counts,
            indexes=True, plans=True),
    Variant("q+i", "EXPERIMENT q+i: candidate indexes + proposed query changes", proposed_my_open_tasks,
            proposed_queue_counts, indexes=True, plans=True),
)
# Candidate indexes, created only in the benchmark's own database (same SQL on both databases): the open and
# claimed rows are ~7 % of the table, so partial indexes on them stay small and hot.
CANDIDATE_INDEXES = (
    # a queue's open work (lane role x organization, no candidate): "my open tasks" arms, and covering the counts
    "CREATE INDEX ix_bench_open_queue ON human_tasks (lane_role, org_scope, status, candidate_user_id) "
    "WHERE status IN ('open', 'claimed')",
    # all open work in page order: the first page for oversight roles without sorting 70,000 rows
    "CREATE INDEX ix_bench_open_priority ON human_tasks (priority DESC, created_at, id) "
    "WHERE status IN ('open', 'claimed')",
)


def table_indexes(db: Engine) -> dict[str, str]:
    """The indexes of ``human_tasks`` as the database states them, by name, with the name left out of the text."""
    with db.connect().execution_options(yibao_read_only=True) as conn:
        if db.dialect.name == "sqlite":
            found = conn.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                                         "AND tbl_name = 'human_tasks' AND sql IS NOT NULL ORDER BY name").all()
        else:
            found = conn.exec_driver_sql("SELECT indexname, indexdef FROM pg_indexes "
                                         "WHERE tablename = 'human_tasks' ORDER BY indexname").all()
        conn.rollback()
    return {name: " ".join(sql.replace(f'"{name}"', name).replace(f" {name} ", " ").split()) for name, sql in found}


def print_indexes(db: Engine) -> None:
    print("indexes on human_tasks:")
    for name, definition in table_indexes(db).items():
        print(f"  {name}: {definition}")


def add_candidate_indexes(db: Engine) -> float:
    """Create the candidate indexes (skipping one the schema already has) and refresh the statistics."""
    began = time.monotonic()
    raw = db.raw_connection()  # SQLite: the driver is in autocommit mode; PostgreSQL: committed below
    try:
        for sql in CANDIDATE_INDEXES:
            name = sql.split()[2]
            existing = table_indexes(db)
            cursor = raw.cursor()
            cursor.execute(sql)
            raw.commit()
            created = table_indexes(db)[name]
            same = [other for other, definition in existing.items() if definition == created]
            if same:
                cursor.execute(f"DROP INDEX {name}")
                print(f"  EXPERIMENT: {name} skipped, the project's schema already has it as {same[0]}")
            else:
                print(f"  EXPERIMENT (bench database only): {sql}")
            cursor.close()
            raw.commit()
        cursor = raw.cursor()
        cursor.execute("ANALYZE")
        cursor.close()
        raw.commit()
    finally:
        raw.close()
    return time.monotonic() - began


# --- one database -----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Result:
    """Timings of one database, per variant."""

    backend: str
    loaded: Loaded
    series: dict[str, tuple[Variant, Series, Series]]


def server_info(db: Engine, backend: str) -> str:
    with db.connect().execution_options(yibao_read_only=True) as conn:
        if backend == "sqlite":
            pragma = {name: conn.exec_driver_sql(f"PRAGMA {name}").scalar() for name in
                      ("journal_mode", "synchronous", "cache_size", "page_size")}
            conn.rollback()
            return "SQLite " + ", ".join(f"{k}={v}" for k, v in pragma.items())
        settings = {name: conn.exec_driver_sql(f"SHOW {name}").scalar() for name in
                    ("server_version", "shared_buffers", "work_mem", "effective_cache_size", "random_page_cost",
                     "max_parallel_workers_per_gather")}
        conn.rollback()
    return "PostgreSQL " + ", ".join(f"{k}={v}" for k, v in settings.items())


def bench_database(backend: str, url: str, args: argparse.Namespace) -> Result:
    print(f"== {backend} " + "=" * (116 - len(backend)))
    upgrade(url)
    region, loaded = load(backend, url, args.rows, args.instances, args.seed)
    print(f"loaded {loaded.tasks:,} tasks, {loaded.instances:,} instances, {loaded.definitions} definitions "
          f"({len(region.hospitals)} hospitals, {len(region.pharmacies)} pharmacies, 1 bureau, 1 NHSA office, "
          f"{region.users:,} users) in {loaded.load_s:.1f} s; "
          f"{'ANALYZE' if backend == 'sqlite' else 'VACUUM (ANALYZE)'} {loaded.analyze_s:.1f} s; "
          f"database {loaded.size_mb:,.0f} MiB")
    services = build_services(load_settings({}, database_url=url))
    try:
        print(f"server: {server_info(services.db, backend)}")
        print_indexes(services.db)
        rows = census(services.db)
        print("rows by status:     " + ", ".join(f"{k} {v:,}" for k, v in rows["status"].most_common()))
        print("rows by lane:       " + ", ".join(f"{k} {v:,}" for k, v in rows["lane"].most_common()))
        print("open+claimed/lane:  " + ", ".join(f"{k} {v:,}" for k, v in rows["open lane"].most_common()))
        print()
        callers = callers_for(region, args.iterations, WARMUP, args.seed)
        officers = counts_callers(region, args.iterations, WARMUP, args.seed)
        p50, p95, worst = Series.stats(run_series(services, floor, callers, WARMUP).samples)
        print(f"floor (read-only unit of work running SELECT 1): p50 {p50:.2f} ms, p95 {p95:.2f} ms, "
              f"max {worst:.2f} ms")
        print()
        result = Result(backend, loaded, {})
        indexed = False
        for variant in (BASELINE, *(EXPERIMENTS if args.experiment else ())):
            if variant.indexes and not indexed:
                print(f"-- EXPERIMENT on {backend}: candidate indexes that are NOT in the project's schema --")
                print(f"  created and analyzed in {add_candidate_indexes(services.db):.1f} s")
                print()
                indexed = True
            my_open = run_series(services, variant.my_open, callers, WARMUP)
            counts = run_series(services, variant.counts, officers, WARMUP)
            result.series[variant.key] = (variant, my_open, counts)
            base = result.series["baseline"]
            print_series(f"{backend}, {variant.label}", my_open, counts,
                         same=None if variant is BASELINE else (my_open.results == base[1].results
                                                                and counts.results == base[2].results))
            if variant.plans:
                print_plans(services, backend, region, args.seed, variant)
        return result
    finally:
        services.dispose()


# --- report -----------------------------------------------------------------------------------------------------
def print_header(args: argparse.Namespace) -> None:
    import sqlite3

    print("Yibao Flow task queue benchmark")
    print(f"  Python {platform.python_version()} ({platform.python_implementation()}), SQLAlchemy "
          f"{version('SQLAlchemy')}, SQLite {sqlite3.sqlite_version}, psycopg {version('psycopg')}")
    print(f"  {os.cpu_count()} CPU cores, {platform.machine()}, {platform.system()} {platform.release()}")
    print(f"  {args.rows:,} tasks, {args.instances:,} instances; {args.iterations} timed calls per query after "
          f"{WARMUP} warm-up; seed {args.seed}; target p95 <= {TARGET_P95_MS:.0f} ms"
          f"{'; with --experiment' if args.experiment else ''}")
    print()


def print_series(label: str, my_open: Series, counts: Series, same: bool | None) -> None:
    print(f"Timings: {label} (ms)")
    if same is not None:
        print(f"  same pages, totals and counts as the project's code on every call: {'yes' if same else 'NO'}")
    print(f"  {'query':<16} {'caller':<28} {'n':>4} {'p50':>8} {'p95':>8} {'max':>8}   {'page/total (median)':>20}")
    print("  " + "-" * 102)
    for name, series in (("my open tasks", my_open), ("queue counts", counts)):
        p50, p95, worst = series.stats(series.samples)
        print(f"  {name:<16} {'all':<28} {len(series.samples):>4} {p50:>8.2f} {p95:>8.2f} {worst:>8.2f}"
              f"   {'PASS' if p95 <= TARGET_P95_MS else 'MISS'}")
        if name == "my open tasks":
            for kind, samples in series.by_kind().items():
                p50, p95, worst = series.stats(samples)
                outcomes = [r for k, r in zip(series.kinds, series.results, strict=True) if k == kind]
                page = statistics.median(r[0] for r in outcomes)
                total = statistics.median(r[1] for r in outcomes)
                print(f"  {'':<16} {kind:<28} {len(samples):>4} {p50:>8.2f} {p95:>8.2f} {worst:>8.2f}"
                      f"   {page:>8.0f}/{total:<11,.0f}")
        else:
            groups, total, _ = series.results[0]
            print(f"  {'':<16} ({groups} queues, {total:,} open+claimed tasks)")
    print()


def print_targets(results: Sequence[Result]) -> bool:
    print(f"Targets (p95 <= {TARGET_P95_MS:.0f} ms per query per database)")
    ok_all = True
    for r in results:
        for variant, my_open, counts in r.series.values():
            for name, series in (("my open tasks", my_open), ("queue counts", counts)):
                ok = series.p95_ms <= TARGET_P95_MS
                if variant is BASELINE:
                    ok_all = ok_all and ok
                    print(f"  {'PASS' if ok else 'MISS'}  {r.backend:<11} {name:<15} p95 {series.p95_ms:8.2f} ms")
                else:
                    print(f"  {'pass' if ok else 'miss'}  {r.backend:<11} {name:<15} p95 {series.p95_ms:8.2f} ms"
                          f"   ({variant.label})")
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
                        help="then also time the proposed query changes and candidate indexes (bench database only)")
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
        with sqlite_url("yibao-bench-tasks-") as url:
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
