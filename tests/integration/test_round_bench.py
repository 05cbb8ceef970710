"""bench/round.py still runs, and its figures are the round's: a quick round of 12 applications over 5 entries on
SQLite, and on PostgreSQL when it answers (skipped otherwise)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Not the bench's default database, so a smoke run never drops a full run's database.
SMOKE_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/yibao_bench_round_smoke"


def _quick(db: str) -> str:
    """One --quick run (12 applications, 5 entries; a few seconds per database); its stdout."""
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "round.py"), "--quick", "--db", db, "--postgres-url",
         SMOKE_POSTGRES_URL], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)},  # this checkout's code, not an installed copy's
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return run.stdout


def _figures(out: str, backend: str) -> None:
    section = out[out.index(f"\n{backend} (yibao serve"):]
    assert re.search(r"^\S+ \(yibao serve, 2 workers\): 12 applications accepted into the round, 5 distinct "
                     r"entries", section, re.M), out
    for name in (r"POST …/closure \(aggregation step, DA-3\)", r"PUT …/experts \(every candidate, one request\)",
                 r"GET …/candidates/\{entry\} \(bureau, per candidate\)"):
        assert re.search(rf"^  {name}\s+\d+\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+[\d.]+$", section, re.M), (name, out)
    # The candidates the API lists are the distinct entries applied for, with every accepted application in them,
    # and the assignment made one review task per expert of the panel per candidate.
    assert re.search(r"candidates: 5 listed \(distinct entries 5, baseline 5\), applications in them 12; stage "
                     r"after closure 'assigning', after assignment 'reviewing'; open expert review tasks 15 \(3 per "
                     r"candidate: 15\)", section), out
    state = re.search(r"stored state per waiting application \(len\(process_instances\.state\), 12 instances, "
                      r"\{'waiting': 12\}\): median (\d+) B, min (\d+) B, max (\d+) B", section)
    assert state is not None, out
    median, low, high = (int(x) for x in state.groups())
    assert 300 < low <= median <= high < 10_000, state.group(0)  # compressed engine state, not a placeholder
    rounds = re.search(r"round instance state: open (\d+) B, after closure (\d+) B, after assignment (\d+) B", section)
    assert rounds is not None, out
    opened, closed, assigned = (int(x) for x in rounds.groups())
    assert opened > 0 and closed < assigned, rounds.group(0)  # the assignment's task data is in the round's state
    assert re.search(rf"^  (PASS|MISS) {backend}: stored state per waiting application <= 2048 B: max {high} B",
                     out, re.M), out


def test_round_bench_quick_run_on_sqlite_counts_the_round_it_made() -> None:
    out = _quick("sqlite")
    _figures(out, "sqlite")
    assert re.search(r"^  \((PASS|MISS)\) sqlite: aggregation step <= 5 s", out, re.M), out


def test_round_bench_quick_run_on_postgres_when_it_answers() -> None:
    out = _quick("postgres")
    if "PostgreSQL skipped" in out:
        pytest.skip(out.strip().splitlines()[-1])
    _figures(out, "postgresql")
    assert re.search(r"^  (PASS|MISS) postgresql: aggregation step <= 5 s: [\d.]+ s \(12 applications, 5 "
                     r"candidates\)", out, re.M), out
