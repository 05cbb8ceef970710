"""Shared pieces of the issue-8 benchmarks (settlement, registration, timers): the registration world made through
the real use cases, a `yibao serve` (gunicorn) subprocess on 127.0.0.1, keep-alive HTTP client threads, bulk copies
of rows and the figures' statistics."""

from __future__ import annotations

import http.client
import json
import math
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.engine import Engine, make_url

from domain.actors import SYSTEM, Actor
from domain.dates import china_midnight
from domain.identity import OrganizationFacts
from domain.registration.demo_payment import DEMO_PAYMENT_RULES
from workflows import clock, definitions, identity, reference_data
from workflows.context import Services, build_services
from workflows.forms import forms_in
from workflows.registration import payment
from workflows.settings import load_settings

ROOT = Path(__file__).resolve().parents[1]
DIAGRAM = ROOT / "bpmn" / "registration" / "registration.bpmn"
DRUG_LIST = ROOT / "data" / "negotiated-drugs.csv"
START = date(2026, 8, 31)
DRUG = "托法替布"  # needs a rheumatologist (ND-16); annual limit 13 000 yuan (ND-9)
HOSPITAL = "H52010200001"
PHARMACY = "P52010200001"
PHYSICIAN_CODE = "D520102000001"
PASSWORD = "bench horse battery staple"
BATCH = 20_000
# Cheap password hashing: only a few logins happen, none is timed; the algorithm is the same argon2id.
CHEAP_ARGON2 = {"argon2_time_cost": 1, "argon2_memory_kib": 1024}


def bench_settings(url: str) -> Any:
    return load_settings({}, env="development", database_url=url, allow_clock_control=True, **CHEAP_ARGON2)


def make_services(url: str) -> Services:
    return build_services(bench_settings(url))


def at(day: date, hour: int = 9) -> datetime:
    """``hour`` o'clock of ``day`` in China time."""
    return china_midnight(day).replace(hour=hour, second=1)


@dataclass
class World:
    """The organizations and users the benchmarks act as."""

    orgs: dict[str, str] = field(default_factory=dict)
    users: dict[str, str] = field(default_factory=dict)
    actors: dict[str, Actor] = field(default_factory=dict)


def build_world(services: Services, today: date = START) -> World:
    """The bureau, a tier-3 hospital with a senior rheumatologist and an officer, a dual-channel pharmacy, the drug
    list, the registration diagram, a payment configuration and the simulated clock — all through the use cases."""
    world = World()
    for short, kind, code, extra in (
        ("bureau", "bureau", "BUREAU-520000", {"region_code": "520000"}),
        ("h1", "hospital", HOSPITAL, {"region_code": "520102", "tier": 3, "specialized": False,
                                      "cross_province": True}),
        ("p1", "pharmacy", PHARMACY, {"region_code": "520102", "dual_channel": True}),
    ):
        view = identity.create_organization(services, SYSTEM, OrganizationFacts(kind=kind, code=code, name=short,
                                                                                **extra),
                                            [HOSPITAL] if kind == "pharmacy" else None)
        world.orgs[short] = view.id
    people: tuple[tuple[str, str, str, str, dict[str, Any]], ...] = (
        ("admin", "admin", "BUREAU-520000", "bureau", {}),
        ("h1_doctor", "physician", HOSPITAL, "h1", {"physician_code": PHYSICIAN_CODE, "title": "主任医师",
                                                    "specialty": "rheumatology"}),
        ("h1_officer", "hospital_officer", HOSPITAL, "h1", {}),
        ("p1_pharmacist", "pharmacist", PHARMACY, "p1", {}),
    )
    for username, role, org_code, org_short, facts in people:
        user = identity.create_user(services, SYSTEM, username=username, password=PASSWORD, role=role,
                                    org_code=org_code, display_name=username, **facts)
        world.users[username] = user.id
        world.actors[username] = Actor(user.id, world.orgs[org_short], frozenset({role}), username)
    reference_data.load_drug_list(services, SYSTEM, DRUG_LIST, date(2026, 1, 1), DRUG_LIST.name)
    definitions.deploy(services, SYSTEM, DIAGRAM.read_text(encoding="utf-8"), DIAGRAM.name,
                       forms_in(DIAGRAM.parent / "forms"))
    payment.set_payment_config(services, SYSTEM, DEMO_PAYMENT_RULES, "bench configuration")
    clock.set_clock(services, SYSTEM, at(today))
    return world


def psn(n: int) -> str:
    """The n-th distinct patient (ND-3 forbids a second registration in force for one patient and drug)."""
    return f"52{n:018d}"


def patient(psn_no: str) -> dict[str, Any]:
    return {"psn_no": psn_no, "insurance_type": "employee", "insurance_region": "520100", "entitled": True}


def record() -> dict[str, Any]:
    return {
        "diagnosis_code": "M05.900", "diagnosis_name": "类风湿关节炎",
        "diagnostic_basis": "ACR/EULAR 2010 评分 7 分，DAS28 5.6",
        "indication": "类风湿关节炎经传统DMARDs治疗3-6个月疾病活动度下降低于50%", "indication_confirmed": True,
        "prescription": {"dose": "5 mg", "frequency": "每日2次", "quantity_per_fill": "56"},
    }


def registration_body(psn_no: str) -> dict[str, Any]:
    return {"patient": patient(psn_no), "drug": DRUG, "record": record()}


def dispensing_body(psn_no: str, ref: str, amount: str = "10.00") -> dict[str, Any]:
    return {"psn_no": psn_no, "drug": DRUG, "physician_code": PHYSICIAN_CODE, "quantity": "56", "amount": amount,
            "external_ref": ref}


# --- the server -------------------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def served(url: str, web_workers: int, log: Path) -> Iterator[int]:
    """`yibao serve` (gunicorn, gthread, 4 threads a worker) on 127.0.0.1 on a free port, no embedded timer worker;
    yields the port; stopped with SIGTERM at the end."""
    port = free_port()
    env = {**os.environ, "YIBAO_ENV": "development", "YIBAO_DATABASE_URL": url, "YIBAO_HOST": "127.0.0.1",
           "YIBAO_PORT": str(port), "YIBAO_WEB_WORKERS": str(web_workers), "YIBAO_EMBEDDED_WORKER": "false",
           "YIBAO_ALLOW_CLOCK_CONTROL": "true", "YIBAO_LOG_LEVEL": "WARNING", "YIBAO_ARGON2_TIME_COST": "1",
           "YIBAO_ARGON2_MEMORY_KIB": "1024", "PYTHONPATH": str(ROOT)}
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-c", "from api.cli import main; main()", "serve"], cwd=ROOT,
                                env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _ = request(port, "GET", "/healthz")
                if status == 200:
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"yibao serve did not answer: {log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.2)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def request(port: int, method: str, path: str, body: Any = None, token: str | None = None,
            conn: http.client.HTTPConnection | None = None) -> tuple[int, Any]:
    """One request to 127.0.0.1:port; JSON in and out."""
    own = conn is None
    c = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        c.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
        response = c.getresponse()
        raw = response.read()
        return response.status, (json.loads(raw) if raw else None)
    finally:
        if own:
            c.close()


def login(port: int, username: str) -> str:
    status, body = request(port, "POST", "/sessions", {"username": username, "password": PASSWORD})
    if status != 201:
        raise RuntimeError(f"login of {username} failed: {status} {body}")
    return str(body["token"])


@dataclass
class Load:
    """What a run of client threads did: each request's latency (ns), the statuses seen, the wall time."""

    latencies: list[int]
    statuses: dict[int, int]
    wall_s: float
    errors: list[str]

    @property
    def n(self) -> int:
        return len(self.latencies)

    @property
    def per_s(self) -> float:
        return self.n / self.wall_s if self.wall_s else 0.0


def drive(port: int, threads: int, per_thread: int, make: Callable[[int, int], tuple[str, str, Any, str | None]],
          ok: Sequence[int], max_seconds: float) -> Load:
    """``threads`` client threads, each on one keep-alive connection, sending ``per_thread`` requests made by
    ``make(thread, i) -> (method, path, body, token)``; a thread stops early after ``max_seconds``."""
    latencies: list[list[int]] = [[] for _ in range(threads)]
    statuses: dict[int, int] = {}
    errors: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(threads + 1)
    stop_at = [0.0]

    def client(t: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = latencies[t]
        seen: dict[int, int] = {}
        try:
            barrier.wait()
            for i in range(per_thread):
                method, path, body, token = make(t, i)
                began = time.perf_counter_ns()
                status, answer = request(port, method, path, body, token, conn)
                mine.append(time.perf_counter_ns() - began)
                seen[status] = seen.get(status, 0) + 1
                if status not in ok and len(errors) < 5:
                    with lock:
                        errors.append(f"{status} {answer}")
                if time.monotonic() > stop_at[0]:
                    break
        except Exception as exc:  # reported, not hidden
            with lock:
                errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            conn.close()
            with lock:
                for k, v in seen.items():
                    statuses[k] = statuses.get(k, 0) + v

    workers = [threading.Thread(target=client, args=(t,), daemon=True) for t in range(threads)]
    for w in workers:
        w.start()
    stop_at[0] = time.monotonic() + max_seconds
    began = time.perf_counter()
    barrier.wait()
    for w in workers:
        w.join()
    wall = time.perf_counter() - began
    return Load([x for part in latencies for x in part], statuses, wall, errors)


# --- statistics -------------------------------------------------------------------------------------------------
def pct(samples: Sequence[float], p: float) -> float:
    """Nearest-rank percentile."""
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    return float(ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)])


def ms(ns: float) -> float:
    return ns / 1e6


def latency_row(label: str, load: Load) -> str:
    lat = load.latencies
    return (f"  {label:<38} {load.n:>7} {load.per_s:>10.1f} {ms(pct(lat, 50)):>9.3f} {ms(pct(lat, 95)):>9.3f} "
            f"{ms(pct(lat, 99)):>9.3f} {ms(max(lat)) if lat else float('nan'):>9.3f}")


LATENCY_HEADER = (f"  {'what':<38} {'n':>7} {'per s':>10} {'p50 ms':>9} {'p95 ms':>9} {'p99 ms':>9} "
                  f"{'max ms':>9}")


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


# --- bulk copies ------------------------------------------------------------------------------------------------
def table_rows(db: Engine, table: Table, where: Any) -> list[dict[str, Any]]:
    """Rows as the driver returns them (no SQLAlchemy type processing), so copies keep the stored forms."""
    sql = select(table).where(where).compile(db, compile_kwargs={"literal_binds": True})
    raw = db.raw_connection()
    try:
        cursor = raw.driver_connection.cursor()  # type: ignore[union-attr]
        cursor.execute(str(sql))
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        cursor.close()
        raw.driver_connection.commit()  # type: ignore[union-attr]
    finally:
        raw.close()
    return rows


def bulk_copy(db: Engine, table: str, columns: Sequence[str], rows: Iterator[Sequence[Any]]) -> int:
    """executemany on SQLite (one transaction per batch), COPY on PostgreSQL; values in the driver's stored form."""
    count = 0
    raw = db.raw_connection()
    try:
        conn: Any = raw.driver_connection
        if db.dialect.name == "sqlite":
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
            batch: list[Sequence[Any]] = []
            for row in rows:
                batch.append(row)
                if len(batch) >= BATCH:
                    conn.execute("BEGIN")
                    conn.executemany(sql, batch)
                    conn.execute("COMMIT")
                    count += len(batch)
                    batch = []
            if batch:
                conn.execute("BEGIN")
                conn.executemany(sql, batch)
                conn.execute("COMMIT")
                count += len(batch)
        else:
            done = False
            while not done:
                n = 0
                with conn.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as cp:
                    for row in rows:
                        cp.write_row(row)
                        n += 1
                        if n >= BATCH:
                            break
                    else:
                        done = True
                conn.commit()
                count += n
    finally:
        raw.close()
    return count


def analyze(db: Engine) -> None:
    raw = db.raw_connection()
    try:
        conn: Any = raw.driver_connection
        if db.dialect.name == "sqlite":
            conn.execute("ANALYZE")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            conn.autocommit = True
            conn.execute("VACUUM (ANALYZE)")
            conn.autocommit = False
    finally:
        raw.close()


def database_mb(db: Engine) -> float:
    if db.dialect.name == "sqlite":
        path = Path(make_url(str(db.url)).database or "")
        return sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 2**20
    with db.connect() as conn:
        return float(conn.exec_driver_sql("SELECT pg_database_size(current_database())").scalar_one()) / 2**20


def new_uuid() -> str:
    return str(uuid.uuid4())


def backend_of(url: str) -> str:
    return "sqlite" if url.startswith("sqlite") else "postgresql"


def describe_machine() -> str:
    load = os.getloadavg()
    return (f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, load average "
            f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, Python {sys.version.split()[0]}")


def stored(values: Mapping[str, Any], changes: Mapping[str, Any], columns: Sequence[str]) -> tuple[Any, ...]:
    return tuple(changes[c] if c in changes else values[c] for c in columns)


TIMEDELTA_ZERO = timedelta(0)


# --- raw SpiffWorkflow ------------------------------------------------------------------------------------------
class RawRegistration:
    """The registration diagram in SpiffWorkflow alone: parsed once with ``SpiffBpmnParser``, its default serializer
    (``SPIFF_CONFIG``, the spec embedded in every state) and the facade's state-only one, a plain script engine."""

    def __init__(self) -> None:
        from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
        from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
        from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
        from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

        from domain.dates import CHINA_TZ
        from workflows.engine.clock import current_time
        from workflows.engine.serializer import StateSerializer
        from workflows.script_functions import SCRIPT_FUNCTIONS

        parser = SpiffBpmnParser()
        parser.add_bpmn_file(str(DIAGRAM))
        self.spec = parser.get_spec("drug_registration")
        self.subprocess_specs = parser.get_subprocess_specs("drug_registration")
        registry = BpmnWorkflowSerializer.configure(SPIFF_CONFIG)
        registry.register(date, lambda v: {"value": v.isoformat()}, lambda v: date.fromisoformat(v["value"]))
        registry.register(Decimal, lambda v: {"value": str(v)}, lambda v: Decimal(v["value"]))
        self.default = BpmnWorkflowSerializer(registry)
        self.state_only = StateSerializer()
        functions = {**SCRIPT_FUNCTIONS, "today": lambda: current_time().astimezone(CHINA_TZ).date()}
        self.script_engine = PythonScriptEngine(environment=TaskDataEnvironment(functions))

    def restore(self, blob: bytes) -> Any:
        """A workflow from the facade's stored state (zlib-compressed state-only JSON)."""
        workflow = self.state_only.load(blob, self.spec, self.subprocess_specs)
        workflow.script_engine = self.script_engine
        return workflow

    def sizes(self, blob: bytes) -> tuple[int, int, int]:
        """(stored bytes, state-only JSON bytes, raw default serializer JSON bytes) of one stored state."""
        workflow = self.restore(blob)
        return (len(blob), len(self.state_only.dump_text(workflow).encode()),
                len(str(self.default.serialize_json(workflow)).encode()))
