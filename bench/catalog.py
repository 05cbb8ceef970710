"""Catalog search and diff at scale (issue 7): search p95 at 100,000 entries (target ≤ 20 ms) and the diff of two
versions of that size (target ≤ 2 s), on SQLite and PostgreSQL.

Each database is fresh (SQLite in a temporary file, PostgreSQL in a database created and dropped here) and migrated
with the project's migrations. Version 1 is ``--entries`` rows made from the real Guizhou catalog: its 3,211 rows
repeated with new codes (the 14 digits renumbered), so the names, and so the search terms, are real. Version 2 is
version 1 with ``--changes`` entries removed, as many added and as many with a changed payment standard. Both are
stored through ``Catalogs.insert_entries``, the path a load or a publication takes: entries, their search terms and
the terms' counts, then ``ANALYZE`` of those tables (the service's own, so the searches are planned as in service).

Searches go through the use case ``workflows.reference_data.get_catalog_entries`` (what ``GET /catalog/entries``
calls), one page of 50: words of 1, 2 and 3+ characters and code prefixes. Baseline in the same run: reading one
entry by its code (``get_catalog_entry``, a primary-index lookup), so the ratio says what the search adds to the
cheapest read. The diff goes through ``catalog_diff``; its baseline is reading both versions' entries
(``Catalogs.all_entries`` twice), which the diff must do anyway.

    .venv/bin/python bench/catalog.py [--entries 100000] [--changes 1000] [--rounds 280] [--diff-rounds 3] [--quick]
                                      [--no-sqlite] [--no-postgres] [--postgres-url URL] [--analyze] [--check]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from databases import postgres_database, sqlite_url  # noqa: E402

from domain.reference_data import CatalogRow, parse_catalog  # noqa: E402
from storage.catalog_models import CatalogVersion  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import new_id  # noqa: E402
from workflows import reference_data  # noqa: E402
from workflows.context import Services, build_services  # noqa: E402
from workflows.settings import load_settings  # noqa: E402

SOURCE = ROOT / "data" / "guizhou-consumables-catalog.csv"
SEARCH_TARGET_MS = 20.0
DIFF_TARGET_S = 2.0
QUERIES = ("支架", "导管", "骨", "钛", "一次性使用", "人工关节", "吻合器", "不存在的名字", "ct", "螺钉")
PREFIXES = ("C03", "C0101", "C020107", "C14010100")


def make_rows(count: int) -> list[CatalogRow]:
    """``count`` rows: the real catalog repeated, each copy with its own codes (C + 14 digits, unique, ordered)."""
    real = parse_catalog(SOURCE.read_text(encoding="utf-8"))
    rows = []
    for i in range(count):
        base = real[i % len(real)]
        rows.append(replace(base, code=f"C{base.code[1:3]}{i:012d}"))
    return sorted(rows, key=lambda r: r.code)


def changed(rows: list[CatalogRow], changes: int) -> list[CatalogRow]:
    """Version 2: ``changes`` removed, ``changes`` added, ``changes`` with a new payment standard."""
    step = max(1, len(rows) // (3 * changes)) if changes else len(rows) + 1
    picked = rows[::step][: 2 * changes]
    removed = {r.code for r in picked[:changes]}
    repriced = {r.code for r in picked[changes:]}
    kept = [replace(r, payment_standard=(r.payment_standard or Decimal("100.00")) + Decimal("1.00"))
            if r.code in repriced else r for r in rows if r.code not in removed]
    added = [replace(rows[i], code=f"C99{i:012d}") for i in range(changes)]
    return sorted(kept + added, key=lambda r: r.code)


def store(services: Services, number: int, rows: list[CatalogRow]) -> float:
    """Store a version through the repository; the seconds it took (entries and search terms, one transaction)."""
    began = time.perf_counter()
    with services.uow() as uow:
        version = CatalogVersion(id=new_id(), version=number, effective_date=date(2026, 1, number),
                                 published_at=datetime.now(UTC), source=f"bench v{number}",
                                 entries=len(rows))
        uow.catalogs.add(version)
        uow.flush()
        uow.catalogs.insert_entries(version.id, rows)
        uow.commit()
    return time.perf_counter() - began


@dataclass
class Figures:
    backend: str
    load_s: list[float]
    search_ms: list[float]
    lookup_ms: list[float]
    per_query_p95: dict[str, float]
    diff_s: list[float]
    read_s: list[float]
    diff_counts: tuple[int, int, int]


def timed(fn: Callable[[], object]) -> float:
    began = time.perf_counter()
    fn()
    return time.perf_counter() - began


def p(samples: Sequence[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[max(0, min(len(ordered) - 1, round(q * len(ordered)) - 1))]


def bench(backend: str, url: str, args: argparse.Namespace) -> Figures:
    upgrade(url)
    services = build_services(load_settings({}, database_url=url))
    rows = make_rows(args.entries)
    second = changed(rows, args.changes)
    load_s = [store(services, 1, rows), store(services, 2, second)]
    if args.analyze:  # beyond the store's own ANALYZE of the catalog tables: every table, in full
        with services.uow() as uow:
            uow.connection.exec_driver_sql("ANALYZE")
            uow.commit()
    searches: list[Callable[[], object]] = [
        *(lambda q=q: reference_data.get_catalog_entries(services, version=1, q=q) for q in QUERIES),
        *(lambda c=c: reference_data.get_catalog_entries(services, version=1, code_prefix=c) for c in PREFIXES)]
    labels = [f"q={q}" for q in QUERIES] + [f"code_prefix={c}" for c in PREFIXES]
    codes = [rows[(i * 7919) % len(rows)].code for i in range(args.rounds)]
    for fn in searches:  # warm-up: caches and plans
        fn()
    search_ms: list[float] = []
    lookup_ms: list[float] = []
    by_query: dict[str, list[float]] = {label: [] for label in labels}
    for i in range(args.rounds):  # interleaved, so a busy machine slows search and baseline alike
        label, fn = labels[i % len(labels)], searches[i % len(searches)]
        ms = timed(fn) * 1000
        search_ms.append(ms)
        by_query[label].append(ms)
        lookup_ms.append(timed(lambda c=codes[i]: reference_data.get_catalog_entry(services, c, 1)) * 1000)
    diff_s, read_s = [], []
    diff = reference_data.catalog_diff(services, 1, 2)
    for _ in range(args.diff_rounds):
        def read_both() -> None:
            with services.uow(read_only=True) as uow:
                for number in (1, 2):
                    found = uow.catalogs.version(number)
                    assert found is not None
                    uow.catalogs.all_entries(found.id)
        read_s.append(timed(read_both))
        diff_s.append(timed(lambda: reference_data.catalog_diff(services, 1, 2)))
    return Figures(backend, load_s, search_ms, lookup_ms,
                   {k: p(v, 0.95) for k, v in by_query.items() if v}, diff_s, read_s,
                   (len(diff.added), len(diff.removed), len(diff.changed)))


def report(f: Figures, args: argparse.Namespace) -> bool:
    print(f"\n== {f.backend}: {args.entries:,} entries per version, {args.rounds} searches, "
          f"{args.diff_rounds} diffs ==")
    print(f"store version 1 (entries + search terms): {f.load_s[0]:.2f} s; version 2: {f.load_s[1]:.2f} s; "
          f"{'and a whole-database ANALYZE (--analyze)' if args.analyze else 'the store ANALYZEs the catalog tables'}")
    print(f"{'operation':<34}{'median ms':>11}{'p95 ms':>10}{'p99 ms':>10}")
    for name, samples in (("search (page of 50)", f.search_ms), ("baseline: one entry by code", f.lookup_ms)):
        print(f"{name:<34}{statistics.median(samples):>11.2f}{p(samples, 0.95):>10.2f}{p(samples, 0.99):>10.2f}")
    ratio = statistics.median(f.search_ms) / statistics.median(f.lookup_ms)
    print(f"search / lookup (medians): {ratio:.1f}×")
    print("p95 per query (ms): " + ", ".join(f"{k} {v:.1f}" for k, v in f.per_query_p95.items()))
    diff_median, read_median = statistics.median(f.diff_s), statistics.median(f.read_s)
    print(f"diff v1→v2: median {diff_median:.3f} s, max {max(f.diff_s):.3f} s "
          f"(added {f.diff_counts[0]}, removed {f.diff_counts[1]}, changed {f.diff_counts[2]}); "
          f"baseline, reading both versions: {read_median:.3f} s; diff / read {diff_median / read_median:.2f}×")
    search_ok = p(f.search_ms, 0.95) <= SEARCH_TARGET_MS
    diff_ok = max(f.diff_s) <= DIFF_TARGET_S
    print(f"target search p95 ≤ {SEARCH_TARGET_MS:.0f} ms: {'met' if search_ok else 'MISSED'} "
          f"({p(f.search_ms, 0.95):.2f} ms); target diff ≤ {DIFF_TARGET_S:.0f} s: "
          f"{'met' if diff_ok else 'MISSED'} ({max(f.diff_s):.3f} s)")
    return search_ok and diff_ok


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--changes", type=int, default=1_000)
    parser.add_argument("--rounds", type=int, default=280)
    parser.add_argument("--diff-rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="a smoke run: 2,000 entries, few rounds")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--postgres-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/yibao_bench_catalog")
    parser.add_argument("--analyze", action="store_true",
                        help="ANALYZE the whole database after the load, beyond what the store itself analyzes")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    if args.quick:
        args.entries, args.changes, args.rounds, args.diff_rounds = 2_000, 20, 28, 1
    if args.entries < 10 or args.changes * 3 > args.entries or args.rounds < 1:
        parser.error("need --entries ≥ 10, --changes ≤ entries/3 and --rounds ≥ 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    began = time.monotonic()
    passed = True
    if args.no_sqlite:
        print("SQLite skipped: --no-sqlite")
    else:
        with sqlite_url("yibao-bench-catalog-") as url:
            passed &= report(bench("sqlite", url, args), args)
    if args.no_postgres:
        print("PostgreSQL skipped: --no-postgres")
    else:
        with postgres_database(args.postgres_url) as pg:
            if pg is not None:
                passed &= report(bench("postgresql", pg, args), args)
    print(f"\ntotal run time {time.monotonic() - began:.1f} s")
    return 1 if args.check and not passed else 0


if __name__ == "__main__":
    sys.exit(main())
