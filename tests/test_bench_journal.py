"""The journal benchmark still runs and its resume replays what it should (no timing is asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_journal_benchmark_reports_overhead_and_a_resume_with_five_live_steps(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    smallest = ["--repeat", "3", "--k", "2", "--steps", "7", "--done", "2"]
    latencies = ["--model-latency-ms", "1", "--tool-latency-ms", "1"]
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "bench_journal.py"),
            *smallest,
            *latencies,
            "--json",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(out.read_text())
    assert {"date", "machine", "settings", "overhead_runs", "overhead_ms", "resume"} <= set(report)
    assert set(report["overhead_runs"]) == {"steps", "empty", "model_calls", "tool_calls"}
    assert {"off_ms", "on_ms", "added_ms", "ratio"} <= set(report["overhead_runs"]["steps"])
    assert {"per_run", "per_model_call", "per_tool_call", "per_step"} == set(report["overhead_ms"])
    resume = report["resume"]
    assert {"full_ms", "resume_ms", "naive_restart_ms", "resume_over_full", "per_replayed_step_ms"} <= set(
        resume
    )
    # 7 steps, 2 journaled before the crash: every resume ran exactly the 5 others live.
    assert resume["live_calls"] == [{"model": 5, "tool": 5}] * 3
