"""How long `byof runs` takes over a journal of 10,000 runs.

    python benchmarks/bench_runs_cli.py [--runs N] [--steps S] [--repeat R] [--json PATH]

Builds a journal of N runs (S journaled steps each) in a temp dir through byof's own journal API
(`Journal.start`, `put`, `finish`), then times the CLI as a user runs it, as a subprocess:
`byof runs` (the newest 50), `byof runs --all` (every run), and `byof --help` (the CLI's start-up
alone: interpreter, imports). Reports the median wall time and the median CPU time (user + system,
of the child process) over R calls each. The machine is shared: CPU time is the steadier number.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import harness

from byof.durability.journal import Journal, Step

LIMIT_S = 0.5  # issue 18: `byof runs` over a 10,000-run journal answers in under half a second


def build_journal(path: Path, runs: int, steps: int) -> float:
    """A journal of `runs` finished runs, `steps` steps each; returns the seconds it took."""
    start = time.perf_counter()
    journal = Journal(path)
    for i in range(runs):
        name = f"run-{i:05d}"
        journal.start(name, "a0", "agent", "", "inputs")
        for s in range(steps):
            kind = "model" if s % 2 == 0 else "tool"
            journal.put(name, "a0", Step(kind, f"{kind}:{s}#1", kind, "fp", s // 2, True, b"{}", 1.0))
        journal.finish(name, "a0", "succeeded")
    journal.close()
    return time.perf_counter() - start


def byof_command() -> list[str]:
    script = Path(sys.executable).with_name("byof")
    return [str(script)] if script.exists() else [sys.executable, "-c", "from byof.cli import main; main()"]


def timed(cmd: list[str]) -> tuple[float, float, str]:
    """(wall s, child CPU s, stdout) of one call of `cmd`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, proc.stdout


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10_000, help="runs in the journal (default 10000)")
    parser.add_argument("--steps", type=int, default=6, help="steps per run (default 6)")
    parser.add_argument("--repeat", type=int, default=7, help="calls of each command (default 7)")
    parser.add_argument("--json", metavar="PATH", help="write every sample here")
    args = parser.parse_args(argv)

    scratch = Path(tempfile.mkdtemp(prefix="byof-bench-runs-"))
    try:
        path = scratch / "journal.db"
        built = build_journal(path, args.runs, args.steps)
        byof_cli = byof_command()
        commands = {
            "byof runs": [*byof_cli, "runs", "--journal", str(path)],
            "byof runs --all": [*byof_cli, "runs", "--journal", str(path), "--all"],
            "byof --help": [*byof_cli, "--help"],
        }
        samples: dict[str, dict[str, list[float]]] = {k: {"wall_s": [], "cpu_s": []} for k in commands}
        for name, cmd in commands.items():  # warm the page cache and the interpreter's bytecode
            out = timed(cmd)[2]
            if name == "byof runs" and f"of {args.runs}" not in out:
                raise AssertionError(
                    f"`byof runs` did not list the journal's {args.runs} runs:\n{out[-500:]}"
                )
        for _ in range(args.repeat):
            for name, cmd in commands.items():
                wall, cpu, _ = timed(cmd)
                samples[name]["wall_s"].append(wall)
                samples[name]["cpu_s"].append(cpu)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    m = harness.machine()
    print(f"{m['os']}, {m['cpu_count']} CPUs, Python {m['python']}, flyte {m['flyte']}, byof {m['byof']}")
    print(
        f"journal of {args.runs} runs x {args.steps} steps (built in {built:.1f} s); {args.repeat} calls each, "
        f"medians; the issue's bound: < {LIMIT_S} s"
    )
    harness.print_table(
        "The CLI as a subprocess, seconds",
        ("command", "wall [p25–p75]", "CPU [p25–p75]"),
        [
            [k, str(harness.summarize(v["wall_s"])), str(harness.summarize(v["cpu_s"]))]
            for k, v in samples.items()
        ],
    )
    if args.json:
        results: dict[str, Any] = {"settings": vars(args), "build_s": built, "samples": samples}
        harness.write_json(args.json, results)


if __name__ == "__main__":
    main()
