"""bench/catalog.py still runs: a quick round on SQLite, with the search, baseline, diff and target lines printed."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_catalog_bench_quick_run_prints_search_diff_and_both_targets() -> None:
    run = subprocess.run([sys.executable, str(ROOT / "bench" / "catalog.py"), "--quick", "--no-postgres"],
                         cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert re.search(r"^search \(page of 50\)\s+[\d.]+\s+[\d.]+\s+[\d.]+$", out, re.M), out
    assert re.search(r"^baseline: one entry by code\s+[\d.]+", out, re.M), out
    assert "(added 20, removed 20, changed 20)" in out  # the diff finds exactly the changes made
    assert re.search(r"target search p95 ≤ 20 ms: (met|MISSED) \([\d.]+ ms\); target diff ≤ 2 s: (met|MISSED)", out)
