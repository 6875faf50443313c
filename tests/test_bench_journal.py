"""The journal benchmark still runs and its resume replays what it should (no timing is asserted)."""

from __future__ import annotations

from pathlib import Path

from bench_runner import run_benchmark


def test_journal_benchmark_reports_overhead_and_a_resume_with_five_live_steps(tmp_path: Path) -> None:
    smallest = ["--repeat", "3", "--k", "2", "--steps", "7", "--done", "2"]
    latencies = ["--model-latency-ms", "1", "--tool-latency-ms", "1"]
    report, _ = run_benchmark(tmp_path, "bench_journal.py", *smallest, *latencies)
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
