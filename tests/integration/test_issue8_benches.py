"""The issue-8 benchmarks still run: a quick SQLite round of each, with its figure and target lines printed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _quick(script: str) -> str:
    """One --quick --no-postgres run (each takes 5-20 s on a 2-core machine); its stdout."""
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), "--quick", "--no-postgres"],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)},  # this checkout's code, not an installed copy's
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return run.stdout


def _target(out: str, text: str) -> None:
    line = next((line for line in out.splitlines() if text in line), "")
    assert line.strip().startswith(("PASS", "MISS")), out


def test_settlement_bench_quick_run_prints_latencies_throughput_and_baselines() -> None:
    out = _quick("settlement.py")
    for figure in ("POST /dispensings, 4 threads", "POST /dispensings, 1 thread", "GET /healthz, 4 threads",
                   "bare database, same statements", "p99 ms", "dispensing p50 / healthz p50"):
        assert figure in out, out
    assert "{201: " in out, out


def test_registration_bench_quick_run_prints_rates_and_the_stored_state() -> None:
    out = _quick("registration.py")
    for figure in ("POST /registrations, 4 threads", "GET /healthz, 4 threads", "use case in-process",
                   "stored state per waiting registration", "raw SpiffWorkflow default serializer"):
        assert figure in out, out
    _target(out, "sqlite stored state per waiting registration <= 2048 B")


def test_timers_bench_quick_run_prints_the_firing_rate_lateness_and_the_raw_engine() -> None:
    out = _quick("timers.py")
    for figure in ("1 worker process(es)", "fire on a restored workflow", "default load + fire + save",
                   "lateness (running clock)"):
        assert figure in out, out
    _target(out, "sqlite >= 200 timers fired/s per worker")
    _target(out, "sqlite lateness p99 <= 1 s")
