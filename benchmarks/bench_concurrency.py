"""1,000 concurrent runs of one agent in one process: wall time, CPU time and peak memory.

    python benchmarks/bench_concurrency.py [--runs N] [--repeat R] [--frameworks F ...] [--json PATH]

Each variant (floor, official adapter, byof; see official_agents.py) runs in a fresh Python
process of its own, so each peak RSS is that variant's alone: the process builds the standard
agent (3 model calls, 2 tool calls), runs it once (imports, first-run costs), then starts N
`flyte.run` calls of it at once on one event loop and waits for all of them. Every run must give
the agent's answer. Rounds rotate the order of the variants; with the machine shared, compare
ratios to the floor, and CPU times, rather than wall times across rounds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import harness

CHILD_FLAG = "--child"


def _rss_mb() -> float:
    """This process's resident memory now (Linux /proc), in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def child(framework: str, kind: str, runs: int) -> dict[str, Any]:
    """In the variant's own process: one warm-up run, then `runs` concurrent runs."""
    import flyte
    import official_agents as oa

    flyte.init()
    variant = oa.build(framework, kind, oa.agent_spec())
    work, expect = oa.durable_work(variant)
    rss_before = _rss_mb()

    async def all_runs() -> list[Any]:
        return await asyncio.gather(*(variant.arun() for _ in range(runs)))

    wall, cpu = time.perf_counter(), time.process_time()
    answers = asyncio.run(all_runs())
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    wrong = [a for a in answers if a != expect]
    if wrong:
        raise AssertionError(f"{len(wrong)} of {runs} runs answered otherwise, e.g. {wrong[0]!r}")
    return {
        "wall_s": wall,
        "cpu_s": cpu,
        "rss_before_mb": rss_before,
        "rss_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "durable_work": str(work),
    }


def run_child(framework: str, kind: str, runs: int) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, __file__, CHILD_FLAG, framework, kind, str(runs)],
        capture_output=True,
        text=True,
        cwd=Path(__file__).parent,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{framework}/{kind} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    import official_agents as oa

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000, help="concurrent runs (default 1000)")
    parser.add_argument("--repeat", type=int, default=1, help="rounds of every variant (default 1)")
    parser.add_argument("--frameworks", nargs="+", default=["langgraph"], choices=oa.FRAMEWORKS)
    parser.add_argument(
        "--kinds", nargs="+", default=list(oa.KINDS), choices=oa.KINDS, help="variants (default: all)"
    )
    parser.add_argument("--json", metavar="PATH", help="write every sample here")
    args = parser.parse_args(argv)

    names = [(fw, k) for fw in args.frameworks for k in args.kinds]
    samples: dict[str, list[dict[str, Any]]] = {f"{fw}/{k}": [] for fw, k in names}
    for i in range(args.repeat):
        for fw, k in names[i % len(names) :] + names[: i % len(names)]:
            samples[f"{fw}/{k}"].append(run_child(fw, k, args.runs))

    m = harness.machine()
    print(f"{m['os']}, {m['cpu_count']} CPUs, Python {m['python']}, flyte {m['flyte']}, byof {m['byof']}")
    print(
        f"{args.runs} concurrent runs per process, {args.repeat} round(s), medians; one process per variant"
    )
    for fw in args.frameworks:
        med = {
            k: {
                key: statistics.median(s[key] for s in samples[f"{fw}/{k}"])
                for key in ("wall_s", "cpu_s", "rss_peak_mb", "rss_before_mb")
            }
            for k in args.kinds
        }
        base = med.get("official")
        harness.print_table(
            f"{fw}: {args.runs} concurrent runs of the standard agent (÷: over the official adapter)",
            ("variant", "wall s", "÷", "CPU s", "÷", "RSS start MiB", "RSS peak MiB", "work/run"),
            [
                [
                    k,
                    f"{v['wall_s']:.1f}",
                    f"{v['wall_s'] / base['wall_s']:.2f}" if base else "",
                    f"{v['cpu_s']:.1f}",
                    f"{v['cpu_s'] / base['cpu_s']:.2f}" if base else "",
                    f"{v['rss_before_mb']:.0f}",
                    f"{v['rss_peak_mb']:.0f}",
                    samples[f"{fw}/{k}"][0]["durable_work"],
                ]
                for k, v in med.items()
            ],
        )
    print("RSS start: after imports and one warm-up run; work/run = child actions + trace steps of one run")
    if args.json:
        harness.write_json(args.json, {"settings": vars(args), "samples": samples})


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == CHILD_FLAG:
        _, _, framework, kind, runs = sys.argv
        print(json.dumps(child(framework, kind, int(runs))))
    else:
        main()
