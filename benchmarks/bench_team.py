"""How close a team run comes to its plan's critical path, and what parallel waves buy.

    python benchmarks/bench_team.py [--latency S] [--repeat N] [--widths 1 4 16] [--depths 1 2 3 4] [--json PATH]

Each plan has `depth` layers of `width` steps; a step depends on the step in its column one
layer up, so the critical path is `depth` steps long. Every specialist's scripted model takes
`latency` seconds per call, and a step is one call, so the lower bound on a plan's makespan is
`depth × latency`. For each plan we report the makespan (first step start to last step end,
from the team's own events) over that bound, and the speedup over the same team running the
same steps one at a time (max_parallel=1), measured side by side in one process.
"""

from __future__ import annotations

import argparse
import json
import statistics
from typing import Any

import flyte
import harness

import byof
from byof.observability.events import Event, PlanStepFinished
from byof.team import chat_planner
from byof.testing.chat import ScriptedChat
from byof.testing.script import Script, Turn, say

ENV = flyte.TaskEnvironment("bench-team")


def layered_plan(width: int, depth: int) -> dict[str, Any]:
    steps = [
        {
            "id": f"s{layer}_{col}",
            "agent": "worker",
            "task": f"step {layer}.{col}",
            "depends_on": [f"s{layer - 1}_{col}"] if layer > 1 else [],
        }
        for layer in range(1, depth + 1)
        for col in range(width)
    ]
    return {"steps": steps, "final": f"s{depth}_0"}


def make_team(plan: dict[str, Any], latency: float, max_parallel: int, label: str) -> Any:
    worker_chat = ScriptedChat(Script([Turn(text="done", delay=latency)]))

    @byof.model_call(name="work")
    async def work(prompt: str) -> dict[str, Any]:
        return await worker_chat([{"role": "user", "content": prompt}])

    async def worker(prompt: str) -> str:
        return str((await work(prompt)).get("content"))

    worker_task = byof.wrap(worker, env=ENV, name=f"worker_{label}", journal=False)
    planner = byof.wrap(
        chat_planner(ScriptedChat(Script([say(json.dumps(plan))]))),
        env=ENV,
        name=f"planner_{label}",
        journal=False,
    )
    team = byof.Team(
        [byof.Specialist("worker", worker_task, "Does a step.")],
        planner=planner,
        max_parallel=max_parallel,
        limits=byof.PlanLimits(max_steps=len(plan["steps"]), max_width=len(plan["steps"])),
    )
    return team


def makespan(team: Any, label: str) -> float:
    events: list[Event] = []
    task = byof.wrap(team, env=ENV, name=f"team_{label}", sinks=[events.append], journal=False)
    out = flyte.run(task, prompt="run the plan").outputs()[0]
    assert out["status"] == "succeeded", out
    steps = [e for e in events if isinstance(e, PlanStepFinished)]
    return max(e.end_time or 0.0 for e in steps) - min(e.start_time for e in steps)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.1, help="seconds per model call (default 0.1)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per plan and side (default 3)")
    parser.add_argument("--widths", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument("--depths", type=int, nargs="+", default=[1, 2, 3, 4])
    parser.add_argument("--json", metavar="PATH", help="write every sample and summary here")
    args = parser.parse_args()

    flyte.init()
    rows, results = [], {}
    for width in args.widths:
        for depth in args.depths:
            plan = layered_plan(width, depth)
            label = f"w{width}_d{depth}"
            parallel = make_team(plan, args.latency, max_parallel=width, label=f"{label}_par")
            serial = make_team(plan, args.latency, max_parallel=1, label=f"{label}_seq")
            makespan(parallel, f"{label}_warm")  # warm-up: imports, first child actions
            par, seq = [], []
            for _ in range(args.repeat):  # interleaved, so drift hits both sides alike
                par.append(makespan(parallel, f"{label}_par"))
                seq.append(makespan(serial, f"{label}_seq"))
            bound = depth * args.latency
            p, q = statistics.median(par), statistics.median(seq)
            results[label] = {
                "width": width,
                "depth": depth,
                "bound_s": bound,
                "parallel_s": par,
                "serial_s": seq,
            }
            rows.append(
                [
                    str(width),
                    str(depth),
                    str(width * depth),
                    f"{bound:.2f}",
                    f"{p:.3f}",
                    f"{p / bound:.2f}",
                    f"{q:.3f}",
                    f"{q / p:.1f}x",
                ]
            )
    m = harness.machine()
    print(f"{m['os']}, {m['cpu_count']} CPUs, Python {m['python']}, flyte {m['flyte']}, byof {m['byof']}")
    print(f"{args.repeat} runs per plan and side, medians; model latency {args.latency} s per step")
    harness.print_table(
        "team runs: makespan against the critical path, and against one step at a time",
        (
            "width",
            "depth",
            "steps",
            "critical path s",
            "makespan s",
            "÷ critical",
            "one at a time s",
            "speedup",
        ),
        rows,
    )
    if args.json:
        harness.write_json(args.json, {"machine": m, "latency_s": args.latency, "runs": results})


if __name__ == "__main__":
    main()
