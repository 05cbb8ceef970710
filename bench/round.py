"""Adjustment round benchmark (issue 7): a round of N applications over HTTP through `yibao serve`, on SQLite and
PostgreSQL — the aggregation step (DA-3), expert assignment (DA-5) and the stored state of each waiting application.

Per database (SQLite in a fresh temporary file; PostgreSQL in a fresh database, dropped at the end):

1. migrate; load the demo data (the bureau, the NHSA, five hospitals, the experts, the Guizhou catalog) and
   ``--hospitals`` - 4 more hospitals, each with a hospital officer (all through the use cases); deploy the admission
   diagrams; start `yibao serve` (gunicorn, gthread, ``--web-workers`` processes of 4 threads, no embedded timer
   worker) on 127.0.0.1; set the simulated clock to 2026-09-01 and open a round (2026-09-01 to 2026-09-25);
2. set-up over HTTP, ``--threads`` client threads, untimed as a whole but bounded by ``--max-setup-seconds``:
   ``--applications`` applications from the hospitals' officers in turn, for products (27-character codes) under
   ``--entries`` new 15-character entries (not in the catalog, so no fast path), each drafted, given its four
   documents (DA-2), submitted (pre-check) and accepted at material review by the bureau, so it joins the round;
3. the stored state of every waiting application: ``len(process_instances.state)`` (the engine state column,
   zlib-compressed state-only JSON) of each accepted application's instance, median and max;
4. timed, one request each: ``POST /admission/rounds/{id}/closure`` — the bureau closes the window, the round
   instance runs to ``assign_experts`` and the round's projector aggregates the accepted applications into
   candidates by entry (DA-3) in the same transaction: **the aggregation step**; then ``GET …/candidates`` (the
   bureau's list) and ``PUT …/experts``, the assignment of a panel of three experts (three fields, none employed
   by a hospital, DA-5, SV-3) to **every candidate** — the API assigns all candidates in one step, so the
   per-candidate figure of that request is its time divided by the candidates; the per-candidate distribution
   (p50/p95) comes from ``GET …/candidates/{entry}``, the bureau reading each candidate with its experts after the
   assignment (at most ``--candidate-reads`` of them, bounded by ``--max-seconds``);
5. the round instance's stored state after the closure and after the assignment, and the expert review tasks made.

Baseline in the same run (in-process, no HTTP, read-only): the aggregation's own reads and grouping — the round's
accepted applications (``Applications.in_round``) grouped by ``domain.admission.round.aggregate`` — so the ratio says
what the closure request adds around them.

Targets (``--check`` exits 1 when one is missed): the aggregation step ≤ 5 s on PostgreSQL; the state of each
waiting application ≤ 2 KB (2048 B, the max over all of them). ``--profile`` drives the same run through the Flask
test client in this process (no gunicorn) and prints a cProfile of the closure and of the assignment (the
project's and SpiffWorkflow's functions by cumulative time, then every function by own time).

    PYTHONPATH=. .venv/bin/python bench/round.py [--applications 2000] [--entries 500] [--hospitals 8]
                                                 [--db sqlite|postgres|both] [--threads 4] [--web-workers 2]
                                                 [--quick] [--profile] [--check] ...
"""

from __future__ import annotations

import argparse
import cProfile
import http.client
import io
import json
import pstats
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from databases import postgres_database, sqlite_url  # bench/databases.py (run as a script)
from regworld import CHEAP_ARGON2, describe_machine, ms, pct, served, verdict
from sqlalchemy import func, select

from domain.actors import SYSTEM
from domain.admission.round import RoundApplication, aggregate
from domain.identity import OrganizationFacts
from storage.admission_models import Application
from storage.admission_repository import Applications, Rounds
from storage.migrate import upgrade
from storage.models import ProcessInstance
from storage.task_models import HumanTask
from workflows import definitions, demo, identity
from workflows.context import Services, build_services
from workflows.forms import forms_in
from workflows.settings import load_settings

ROOT = Path(__file__).resolve().parents[1]
BPMN = ROOT / "bpmn" / "admission"
DIAGRAMS = ("consumable_application.bpmn", "consumable_round.bpmn", "consumable_catalog_change.bpmn")
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/yibao_bench_round"
AGGREGATION_TARGET_S = 5.0
STATE_TARGET_BYTES = 2048
PASSWORD = "bench horse battery staple"
PANEL = ("expert.admin", "expert.supervision", "expert.insurance")  # three fields, employed by the bureau (SV-3)
DEMO_OFFICERS = ("h1.officer", "h2.officer", "h3.officer", "h4.officer")
# The documents of DA-2 items 1–4, one of each accepted format (recognised from their bytes).
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def ofd() -> bytes:
    """A minimal OFD package: a ZIP whose root holds OFD.xml."""
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("OFD.xml", b"<ofd:OFD xmlns:ofd='http://www.ofdspec.org/2016'/>")
        package.writestr("Doc_0/Document.xml", b"<Document/>")
    return buffer.getvalue()


DOCUMENTS = (("application_letter", "申请函.pdf", PDF, "application/pdf"),
             ("application_form", "申请表.ofd", ofd(), "application/ofd"),
             ("certificate", "注册证.png", PNG, "image/png"),
             ("instructions", "说明书.jpg", JPEG, "image/jpeg"))


def entry_code(e: int) -> str:
    """The e-th new 15-character entry (classification 99…, not in the Guizhou catalog: no fast path, DA-4)."""
    return f"C99{e:012d}"


def product_code(e: int, hospital: int, i: int) -> str:
    """A 27-character product code under entry ``e``: enterprise by hospital, model by application."""
    return f"{entry_code(e)}{hospital:05d}{i:07d}"


def facts(code: str, i: int) -> dict[str, Any]:
    """A complete, valid application for product ``code`` (documents are uploaded separately)."""
    return {
        "code": code, "product_name": f"一次性使用无菌导管{i}", "manufacturer": "贵阳某医疗器械有限公司",
        "specification": "型号A 规格10mm", "certificate_number": "国械注准20153460123",
        "certificate_kind": "registration", "certificate_issued_on": "2020-01-01",
        "certificate_expires_on": "2030-12-31", "use_category": "interventional", "separately_chargeable": True,
        "service_items": [{"code": "310701001", "name": "经皮穿刺置管术"}], "price": "1280.00",
        "online_procurement": "listed", "economic_evaluation": "与同类产品相比价格较低，疗效相当。",
        "annual_fund_impact": "-25000.00",
    }


def bench_settings(url: str, task_data_limit: int | None) -> Any:
    limit = {} if task_data_limit is None else {"task_data_limit_bytes": task_data_limit}
    return load_settings({}, env="development", database_url=url, allow_clock_control=True,
                         data_dir=str(ROOT / "data"), log_level="WARNING", **limit, **CHEAP_ARGON2)


# --- HTTP: to `yibao serve` on 127.0.0.1, or (--profile) the Flask test client in this process -----------------
Call = Callable[..., tuple[int, Any]]


def multipart(kind: str, name: str, content: bytes, media_type: str) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\n{kind}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
            f"Content-Type: {media_type}\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def http_caller(port: int) -> Callable[[], Call]:
    """A factory of callers, each on its own keep-alive connection to 127.0.0.1:port."""
    def make() -> Call:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)

        def call(method: str, path: str, body: Any = None, token: str | None = None,
                 document: tuple[str, str, bytes, str] | None = None) -> tuple[int, Any]:
            headers = {}
            if token:
                headers["Authorization"] = f"Bearer {token}"
            if document is not None:
                raw, headers["Content-Type"] = multipart(*document)
            else:
                headers["Content-Type"] = "application/json"
                raw = b"" if body is None else json.dumps(body).encode()
            try:
                conn.request(method, path, body=raw or None, headers=headers)
                response = conn.getresponse()
                answer = response.read()
            except (http.client.HTTPException, OSError):
                conn.close()  # a dropped keep-alive connection: reconnect once
                conn.request(method, path, body=raw or None, headers=headers)
                response = conn.getresponse()
                answer = response.read()
            return response.status, (json.loads(answer) if answer else None)
        return call
    return make


def test_client_caller(services: Services) -> Callable[[], Call]:
    from api import create_app

    app = create_app(services=services)

    def make() -> Call:
        client = app.test_client()

        def call(method: str, path: str, body: Any = None, token: str | None = None,
                 document: tuple[str, str, bytes, str] | None = None) -> tuple[int, Any]:
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            if document is not None:
                kind, name, content, _ = document
                response = client.open(path, method=method, headers=headers, content_type="multipart/form-data",
                                       data={"kind": kind, "file": (io.BytesIO(content), name)})
            else:
                response = client.open(path, method=method, headers=headers, json=body)
            return response.status_code, response.get_json(silent=True)
        return call
    return make


def expect(answer: tuple[int, Any], status: int, what: str) -> Any:
    if answer[0] != status:
        raise RuntimeError(f"{what}: expected {status}, got {answer[0]} {str(answer[1])[:600]}")
    return answer[1]


# --- set-up -----------------------------------------------------------------------------------------------------
@dataclass
class World:
    passwords: dict[str, str]
    officers: list[str]


def build_world(services: Services, hospitals: int) -> World:
    """The demo data, ``hospitals`` - 4 more hospitals with an officer each, the admission diagrams."""
    passwords = dict(demo.load(services).passwords)
    officers = list(DEMO_OFFICERS)
    bureau = identity.list_organizations(services)
    assert any(o.code == demo.BUREAU for o in bureau)
    for k in range(len(DEMO_OFFICERS) + 1, hospitals + 1):
        code = f"H520102{900 + k:05d}"
        identity.create_organization(services, SYSTEM, OrganizationFacts("hospital", code, f"基准医院{k}", "520102",
                                                                         2, False, True))
        username = f"bench.h{k}.officer"
        identity.create_user(services, SYSTEM, username=username, password=PASSWORD, role="hospital_officer",
                             org_code=code, display_name=f"基准医院{k}医保办")
        passwords[username] = PASSWORD
        officers.append(username)
    forms = forms_in(BPMN / "forms")
    for name in DIAGRAMS:
        definitions.deploy(services, SYSTEM, (BPMN / name).read_text(encoding="utf-8"), name, forms)
    return World(passwords, officers[:hospitals])


def login(call: Call, world: World, username: str) -> str:
    body = expect(call("POST", "/sessions", {"username": username, "password": world.passwords[username]}), 201,
                  f"login of {username}")
    return str(body["token"])


@dataclass
class SetupResult:
    accepted: list[tuple[str, str]]  # (application id, product code)
    seconds: float
    requests: int
    errors: list[str] = field(default_factory=list)


def make_applications(caller: Callable[[], Call], tokens: dict[str, str], officers: Sequence[str], bureau: str,
                      round_id: str, args: argparse.Namespace) -> SetupResult:
    """``--applications`` applications, each drafted, documented, submitted and accepted, by ``--threads`` threads."""
    accepted: list[tuple[str, str]] = []
    errors: list[str] = []
    counter = iter(range(args.applications))
    lock = threading.Lock()
    sent = [0]
    stop_at = time.monotonic() + args.max_setup_seconds

    def worker() -> None:
        call = caller()
        mine = 0
        try:
            while time.monotonic() < stop_at:
                with lock:
                    i = next(counter, None)
                if i is None:
                    break
                h = i % len(officers)
                code = product_code(i % args.entries, h + 1, i)
                token = tokens[officers[h]]
                app_id = expect(call("POST", "/admission/applications", facts(code, i), token), 201, "draft")["id"]
                for document in DOCUMENTS:
                    expect(call("POST", f"/admission/applications/{app_id}/documents", token=token,
                                document=document), 201, "document")
                submitted = expect(call("POST", f"/admission/applications/{app_id}/submission", token=token), 200,
                                   "submission")
                if submitted["status"] != "material_review":
                    raise RuntimeError(f"submitted application {app_id} is {submitted['status']}")
                done = expect(call("POST", f"/admission/applications/{app_id}/material-review",
                                   {"decision": "accept"}, bureau), 200, "material review")
                mine += 7
                if (done["status"], done.get("round_id")) != ("accepted", round_id):
                    raise RuntimeError(f"accepted application {app_id}: {done['status']} {done.get('round_id')}")
                with lock:
                    accepted.append((app_id, code))
        except Exception as exc:  # reported, not hidden
            with lock:
                errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            with lock:
                sent[0] += mine

    began = time.perf_counter()
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(args.threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return SetupResult(accepted, time.perf_counter() - began, sent[0], errors)


# --- figures ----------------------------------------------------------------------------------------------------
@dataclass
class Result:
    backend: str
    via: str
    setup: SetupResult
    states: list[int]
    instance_statuses: dict[str, int]
    distinct_entries: int
    close_s: float
    stage_after_close: str
    candidates: int
    candidate_applications: int
    list_s: float
    baseline_s: float
    baseline_candidates: int
    assign_s: float
    stage_after_assign: str
    review_tasks: int
    reads_ns: list[int]
    round_state_open: int
    round_state_closed: int
    round_state_assigned: int
    profiles: dict[str, str] = field(default_factory=dict)


def waiting_states(services: Services) -> tuple[list[int], dict[str, int]]:
    """``len(process_instances.state)`` of every accepted application's instance; the instances' statuses."""
    with services.uow(read_only=True) as uow:
        rows = uow.session.execute(
            select(ProcessInstance.state, ProcessInstance.status).join(
                Application, Application.instance_id == ProcessInstance.id).where(Application.status == "accepted")
        ).all()
    statuses: dict[str, int] = {}
    for _, status in rows:
        statuses[status] = statuses.get(status, 0) + 1
    return [len(state) for state, _ in rows], statuses


def instance_state(services: Services, instance_id: str) -> int:
    with services.uow(read_only=True) as uow:
        state = uow.session.execute(select(ProcessInstance.state).where(ProcessInstance.id == instance_id)
                                    ).scalar_one()
    return len(state)


def aggregation_baseline(services: Services, round_id: str) -> tuple[float, int]:
    """The aggregation's own reads and grouping, in-process: the round's accepted applications by entry (DA-3)."""
    began = time.perf_counter()
    with services.uow(read_only=True) as uow:
        uow.repository(Rounds).get(round_id)
        found = [a for a in uow.repository(Applications).in_round(round_id, ("accepted",)) if not a.fast_path]
        candidates = aggregate([RoundApplication(a.id, a.hospital_id, a.code or "") for a in found])
    return time.perf_counter() - began, len(candidates)


def review_tasks(services: Services, instance_id: str) -> int:
    with services.uow(read_only=True) as uow:
        return int(uow.session.execute(select(func.count()).select_from(HumanTask).where(
            HumanTask.instance_id == instance_id, HumanTask.bpmn_id == "expert_review",
            HumanTask.status.in_(("open", "claimed")))).scalar_one())


@contextmanager
def profiled(into: dict[str, str], name: str, on: bool) -> Iterator[None]:
    if not on:
        yield
        return
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        yield
    finally:
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(r"(workflows|storage|domain|api|SpiffWorkflow)/", 45)
        stats.sort_stats("tottime").print_stats(20)
        into[name] = out.getvalue()


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    began = time.perf_counter()
    answer = fn()
    return time.perf_counter() - began, answer


def run_round(services: Services, caller: Callable[[], Call], world: World, backend: str, via: str,
              args: argparse.Namespace) -> Result:
    call = caller()
    admin = login(call, world, "admin")
    bureau = login(call, world, "bureau.wang")
    tokens = {u: login(call, world, u) for u in world.officers}
    expect(call("PUT", "/clock", {"now": "2026-09-01T10:00:00+08:00"}, admin), 200, "clock")
    opened = expect(call("POST", "/admission/rounds", {"name": "2026年度贵州省医保医用耗材目录调整（基准）",
                                                       "opens_on": "2026-09-01", "closes_on": "2026-09-25"}, bureau),
                    201, "open round")
    round_id, round_instance = opened["id"], opened["instance_id"]
    print(f"  round {round_id} open; making {args.applications} applications over {args.entries} entries from "
          f"{len(world.officers)} hospitals with {args.threads} client threads …", flush=True)
    setup = make_applications(caller, tokens, world.officers, bureau, round_id, args)
    print(f"  set-up: {len(setup.accepted)} applications accepted in {setup.seconds:.1f} s "
          f"({setup.requests} requests, {setup.requests / setup.seconds:.1f}/s)"
          + (f"; errors: {setup.errors[:3]}" if setup.errors else ""), flush=True)
    if not setup.accepted:
        raise RuntimeError(f"no application was accepted: {setup.errors[:3]}")
    states, statuses = waiting_states(services)
    distinct = len({code[:15] for _, code in setup.accepted})
    round_open = instance_state(services, round_instance)
    profiles: dict[str, str] = {}
    expect(call("PUT", "/clock", {"now": "2026-09-10T10:00:00+08:00"}, admin), 200, "clock")
    with profiled(profiles, "closure (aggregation, DA-3)", args.profile):
        close_s, closed = timed(lambda: expect(call("POST", f"/admission/rounds/{round_id}/closure",
                                                    {"reason": "申报截止"}, bureau), 200, "closure"))
    round_closed = instance_state(services, round_instance)
    list_s, listed = timed(lambda: expect(call("GET", f"/admission/rounds/{round_id}/candidates", token=bureau),
                                          200, "candidates"))
    baseline_s, baseline_candidates = aggregation_baseline(services, round_id)
    users = {u["username"]: u["id"] for u in expect(call("GET", "/users", token=admin), 200, "users")}
    panel = [users[u] for u in PANEL]
    body = {"assignments": [{"entry_code": c["entry_code"], "expert_ids": panel} for c in listed]}
    with profiled(profiles, "expert assignment (DA-5), every candidate", args.profile):
        assign_s, _ = timed(lambda: expect(call("PUT", f"/admission/rounds/{round_id}/experts", body, bureau), 200,
                                           "expert assignment"))
    round_assigned = instance_state(services, round_instance)
    stage = expect(call("GET", f"/admission/rounds/{round_id}", token=bureau), 200, "round")["stage"]
    reads: list[int] = []
    stop_at = time.monotonic() + args.max_seconds
    step = max(1, len(listed) // max(1, args.candidate_reads))
    for c in listed[::step][: args.candidate_reads]:
        began = time.perf_counter_ns()
        seen = expect(call("GET", f"/admission/rounds/{round_id}/candidates/{c['entry_code']}", token=bureau), 200,
                      "candidate")
        reads.append(time.perf_counter_ns() - began)
        if sorted(seen["experts"]) != sorted(panel):
            raise RuntimeError(f"candidate {c['entry_code']} has experts {seen['experts']}")
        if time.monotonic() > stop_at:
            break
    return Result(backend, via, setup, states, statuses, distinct, close_s, closed["stage"], len(listed),
                  sum(int(c["applications"]) for c in listed), list_s, baseline_s, baseline_candidates, assign_s,
                  stage, review_tasks(services, round_instance), reads, round_open, round_closed, round_assigned,
                  profiles)


def bench_database(backend: str, url: str, args: argparse.Namespace) -> Result:
    print(f"\n== {backend}: {args.applications} applications ==", flush=True)
    upgrade(url)
    services = build_services(bench_settings(url, args.task_data_limit))
    try:
        began = time.monotonic()
        world = build_world(services, args.hospitals)
        print(f"  world (demo data, {args.hospitals} hospitals, diagrams): {time.monotonic() - began:.1f} s",
              flush=True)
        if args.profile:
            return run_round(services, test_client_caller(services), world, backend, "Flask test client", args)
        with tempfile.TemporaryDirectory(prefix="yibao-bench-round-") as folder, \
                served_with(url, args, Path(folder) / "serve.log") as port:
            return run_round(services, http_caller(port), world, backend,
                             f"yibao serve, {args.web_workers} workers", args)
    finally:
        services.dispose()


@contextmanager
def served_with(url: str, args: argparse.Namespace, log: Path) -> Iterator[int]:
    """`yibao serve` with the task data limit of the run (a round's task data grows with its candidates)."""
    import os

    old = os.environ.get("YIBAO_TASK_DATA_LIMIT_BYTES")
    if args.task_data_limit is not None:
        os.environ["YIBAO_TASK_DATA_LIMIT_BYTES"] = str(args.task_data_limit)
    try:
        with served(url, args.web_workers, log) as port:
            yield port
    finally:
        if old is None:
            os.environ.pop("YIBAO_TASK_DATA_LIMIT_BYTES", None)
        else:
            os.environ["YIBAO_TASK_DATA_LIMIT_BYTES"] = old


def print_result(r: Result) -> None:
    s = r.setup
    print(f"\n{r.backend} ({r.via}): {len(s.accepted)} applications accepted into the round, "
          f"{r.distinct_entries} distinct entries; set-up {s.seconds:.1f} s for {s.requests} requests")
    print(f"  {'what':<52} {'n':>6} {'total s':>9} {'p50 ms':>9} {'p95 ms':>9} {'max ms':>9}")
    rows: list[tuple[str, int, float, float, float, float]] = [
        ("POST …/closure (aggregation step, DA-3)", 1, r.close_s, r.close_s * 1e3, r.close_s * 1e3, r.close_s * 1e3),
        ("baseline: in_round + aggregate, in-process", 1, r.baseline_s, r.baseline_s * 1e3, r.baseline_s * 1e3,
         r.baseline_s * 1e3),
        ("GET …/candidates (bureau, all candidates)", 1, r.list_s, r.list_s * 1e3, r.list_s * 1e3, r.list_s * 1e3),
        ("PUT …/experts (every candidate, one request)", 1, r.assign_s, r.assign_s * 1e3, r.assign_s * 1e3,
         r.assign_s * 1e3),
    ]
    if r.candidates:
        each = r.assign_s / r.candidates * 1e3
        rows.append(("  the same per candidate (total / candidates)", r.candidates, r.assign_s, each, each, each))
    if r.reads_ns:
        rows.append(("GET …/candidates/{entry} (bureau, per candidate)", len(r.reads_ns), sum(r.reads_ns) / 1e9,
                     ms(pct(r.reads_ns, 50)), ms(pct(r.reads_ns, 95)), ms(max(r.reads_ns))))
    for name, n, total, p50, p95, top in rows:
        print(f"  {name:<52} {n:>6} {total:>9.3f} {p50:>9.1f} {p95:>9.1f} {top:>9.1f}")
    print(f"  candidates: {r.candidates} listed (distinct entries {r.distinct_entries}, baseline "
          f"{r.baseline_candidates}), applications in them {r.candidate_applications}; stage after closure "
          f"{r.stage_after_close!r}, after assignment {r.stage_after_assign!r}; open expert review tasks "
          f"{r.review_tasks} ({len(PANEL)} per candidate: {len(PANEL) * r.candidates})")
    if r.baseline_s:
        print(f"  closure / baseline: {r.close_s / r.baseline_s:.1f}x")
    st = r.states
    print(f"  stored state per waiting application (len(process_instances.state), {len(st)} instances, "
          f"{r.instance_statuses}): median {statistics.median(st):.0f} B, min {min(st)} B, max {max(st)} B")
    print(f"  round instance state: open {r.round_state_open} B, after closure {r.round_state_closed} B, "
          f"after assignment {r.round_state_assigned} B")


def print_targets(results: Sequence[Result]) -> bool:
    passed = True
    print("\ntargets")
    for r in results:
        state_ok = max(r.states) <= STATE_TARGET_BYTES
        passed &= state_ok
        print(f"  {verdict(state_ok)} {r.backend}: stored state per waiting application <= {STATE_TARGET_BYTES} B: "
              f"max {max(r.states)} B, median {statistics.median(r.states):.0f} B")
        reviews_ok = r.review_tasks == len(PANEL) * r.candidates  # the assignment really opened every review
        passed &= reviews_ok
        print(f"  {verdict(reviews_ok)} {r.backend}: every assigned expert has an open review task: {r.review_tasks} "
              f"of {len(PANEL) * r.candidates} (round stage after assignment {r.stage_after_assign!r})")
        aggregation_ok = r.close_s <= AGGREGATION_TARGET_S
        if r.backend == "postgresql":
            passed &= aggregation_ok
            print(f"  {verdict(aggregation_ok)} postgresql: aggregation step <= {AGGREGATION_TARGET_S:.0f} s: "
                  f"{r.close_s:.3f} s ({len(r.setup.accepted)} applications, {r.candidates} candidates)")
        else:
            print(f"  ({verdict(aggregation_ok)}) {r.backend}: aggregation step <= {AGGREGATION_TARGET_S:.0f} s "
                  f"(the target is PostgreSQL's): {r.close_s:.3f} s")
    if not any(r.backend == "postgresql" for r in results):
        print("  (no PostgreSQL run: the aggregation target is for PostgreSQL)")
    return passed


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--applications", type=int, default=2000, help="applications (default %(default)s)")
    parser.add_argument("--entries", type=int, default=None,
                        help="distinct 15-character entries the products fall under (default applications / 4)")
    parser.add_argument("--hospitals", type=int, default=8, help="applying hospitals, at least 4 (default %(default)s)")
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--threads", type=int, default=4, help="client threads of the set-up (default %(default)s)")
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn worker processes (default %(default)s)")
    parser.add_argument("--candidate-reads", type=int, default=60,
                        help="candidates read one by one after the assignment (default %(default)s)")
    parser.add_argument("--max-setup-seconds", type=float, default=900.0,
                        help="bound of the set-up; fewer applications when it is reached (default %(default)s)")
    parser.add_argument("--max-seconds", type=float, default=60.0, help="bound of the per-candidate reads")
    parser.add_argument("--task-data-limit", type=int, default=None,
                        help="YIBAO_TASK_DATA_LIMIT_BYTES of the run (default: the service's own, 1048576; the "
                             "round's task data grows with its candidates)")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 12 applications over 5 entries")
    parser.add_argument("--profile", action="store_true",
                        help="through the Flask test client in this process, with a cProfile of the timed steps")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL,
                        help="database to create, use and drop (default %(default)s)")
    parser.add_argument("--check", action="store_true", help="exit with status 1 when a target is missed")
    args = parser.parse_args(argv)
    if args.quick:
        args.applications, args.entries, args.candidate_reads = 12, 5, 5
    if args.entries is None:
        args.entries = max(1, args.applications // 4)
    if args.applications < 1 or not 1 <= args.entries <= args.applications or args.hospitals < 4 \
            or args.threads < 1 or args.hospitals > 99:
        parser.error("need --applications ≥ 1, 1 ≤ --entries ≤ applications, 4 ≤ --hospitals ≤ 99, --threads ≥ 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    print(f"round benchmark: {describe_machine()}")
    print(f"  {args.applications} applications, {args.entries} entries, {args.hospitals} hospitals, "
          f"{args.threads} client threads, " + ("the Flask test client (--profile)" if args.profile else
                                                f"{args.web_workers} gunicorn workers x 4 threads")
          + (" (--quick)" if args.quick else ""))
    began = time.monotonic()
    results = []
    if args.db in ("sqlite", "both"):
        with sqlite_url("yibao-bench-round-") as url:
            results.append(bench_database("sqlite", url, args))
    else:
        print("SQLite skipped: --db postgres")
    if args.db in ("postgres", "both"):
        with postgres_database(args.postgres_url) as url_or_none:
            if url_or_none is not None:
                results.append(bench_database("postgresql", url_or_none, args))
    else:
        print("PostgreSQL skipped: --db sqlite")
    for r in results:
        print_result(r)
    for r in results:
        for name, text in r.profiles.items():
            print(f"\n-- cProfile, {r.backend}: {name} --\n{text}")
    passed = print_targets(results)
    print(f"total run time {time.monotonic() - began:.1f} s")
    return 1 if args.check and not passed else 0


if __name__ == "__main__":
    sys.exit(main())
