"""bench/engine.py still runs: a quick round of every variant on SQLite, with the target lines printed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_engine_bench_quick_run_prints_the_bare_database_figures_and_both_speed_targets() -> None:
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "engine.py"), "--quick", "--no-postgres"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert "bare database, same writes" in out
    assert "facade/(raw+bare db)" in out
    for target in ("SQLite facade start <= 3x raw engine",
                   "SQLite facade start <= 3x (raw engine + bare database)",
                   "SQLite facade load+complete+save <= 1.5x raw default engine",
                   "SQLite facade load+complete+save <= 1.5x (raw default engine + bare database)"):
        line = next((line for line in out.splitlines() if target in line), "")
        assert line.strip().startswith(("PASS", "MISS")), out
