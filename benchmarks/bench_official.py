"""byof against Flyte's official agent adapters, on equal durable work, side by side in one process.

    python benchmarks/bench_official.py [--repeat N] [--frameworks F ...] [--json PATH]

For LangGraph, Pydantic AI and the OpenAI Agents SDK, the same scripted agent (3 model calls,
2 tool calls, zero model latency) runs three ways (see official_agents.py): the Flyte floor (the
framework in a plain `@env.task`, written by hand), the official `flyteplugins-agents-*` adapter
as its docs use it, and `byof.wrap` (journal on). Every round runs all of them once, rotating the
order. What Flyte recorded for each (child actions + trace steps) is printed beside the times, so
a variant that is faster because it records less shows up. Needs the `bench-official` nox
session's environment (the three official plugins beside byof's extras).
"""

from __future__ import annotations

import argparse
import statistics
from dataclasses import asdict
from typing import Any

import flyte
import harness
import official_agents as oa

WIDTH = 100  # the spreads make rows wider than a terminal's 80 columns


def _median(values: list[float]) -> float:
    return statistics.median(values)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=40, help="interleaved rounds (default 40)")
    parser.add_argument("--frameworks", nargs="+", default=list(oa.FRAMEWORKS), choices=oa.FRAMEWORKS)
    parser.add_argument(
        "--observed", action="store_true", help="give byof's wrap a sink, so every event is prepared for it"
    )
    parser.add_argument("--json", metavar="PATH", help="write every sample and summary here")
    args = parser.parse_args(argv)
    if args.repeat < 3:
        parser.error("--repeat must be at least 3")

    flyte.init()
    spec = oa.agent_spec()
    steps = spec.model_calls + spec.tool_calls
    variants = {
        f"{fw}/{kind}": oa.build(fw, kind, spec, observed=args.observed)
        for fw in args.frameworks
        for kind in oa.KINDS
    }

    work: dict[str, oa.DurableWork] = {}
    answers = set()
    for name, variant in variants.items():
        work[name], answer = oa.durable_work(variant)
        answers.add(answer)
    if len(answers) != 1:
        raise AssertionError(f"the variants answered differently: {answers}")
    expect = answers.pop()

    timings = harness.interleave({n: v.run for n, v in variants.items()}, repeat=args.repeat, expect=expect)

    m = harness.machine()
    print(f"{m['os']}, {m['cpu_count']} CPUs, Python {m['python']}, flyte {m['flyte']}, byof {m['byof']}")
    print(
        f"{args.repeat} interleaved rounds; {spec.model_calls} model calls + {spec.tool_calls} tool calls "
        f"= {steps} steps per run; times in ms, medians; journal on for byof"
        + (", its events observed by a sink" if args.observed else "")
    )
    results: dict[str, Any] = {}
    for clock in ("wall", "cpu"):
        totals, added = [], []
        for fw in args.frameworks:
            floor, official, byof_ = (getattr(timings[f"{fw}/{k}"], clock) for k in oa.KINDS)
            added_off = harness.per_round(lambda o, f: (o - f) / steps, official, floor)
            added_byof = harness.per_round(lambda b, f: (b - f) / steps, byof_, floor)
            ratio = harness.per_round(lambda b, o: b / o, byof_, official)
            off_med, byof_med = _median(added_off), _median(added_byof)
            added_ratio = byof_med / off_med if off_med > 0 else None
            totals.append(
                [fw, *(f"{_median(v):.2f}" for v in (floor, official, byof_)), str(harness.summarize(ratio))]
            )
            added.append(
                [
                    fw,
                    str(harness.summarize(added_off)),
                    str(harness.summarize(added_byof)),
                    "official ≤ floor" if added_ratio is None else f"{added_ratio:.2f}",
                ]
            )
            results.setdefault(fw, {})[clock] = {
                "floor_ms": asdict(harness.summarize(floor)),
                "official_ms": asdict(harness.summarize(official)),
                "byof_ms": asdict(harness.summarize(byof_)),
                "byof_over_official": asdict(harness.summarize(ratio)),
                "official_added_per_step_ms": asdict(harness.summarize(added_off)),
                "byof_added_per_step_ms": asdict(harness.summarize(added_byof)),
                "byof_over_official_added": added_ratio,
                "samples": {k: getattr(timings[f"{fw}/{k}"], clock) for k in oa.KINDS},
            }
        harness.print_table(
            f"{clock} time per run, ms (byof÷official: per round)",
            ("framework", "floor", "official", "byof", "byof÷official [p25–p75]"),
            totals,
            width=WIDTH,
        )
        harness.print_table(
            f"{clock} time added per step over the floor, ms ((run − floor) / {steps}, per round)",
            ("framework", "official [p25–p75]", "byof [p25–p75]", "byof÷official"),
            added,
            width=WIDTH,
        )
    harness.print_table(
        "Durable work Flyte recorded per run: child actions + trace steps",
        ("framework", *oa.KINDS, "trace step names (floor / official / byof)"),
        [
            [
                fw,
                *(str(work[f"{fw}/{k}"]) for k in oa.KINDS),
                " / ".join(",".join(work[f"{fw}/{k}"].step_names) for k in oa.KINDS),
            ]
            for fw in args.frameworks
        ],
        width=WIDTH,
    )
    for fw in args.frameworks:
        results[fw]["durable_work"] = {k: asdict(work[f"{fw}/{k}"]) for k in oa.KINDS}
    if args.json:
        harness.write_json(
            args.json,
            {
                "settings": {"repeat": args.repeat, "steps_per_run": steps, "observed": args.observed},
                "frameworks": results,
            },
        )


if __name__ == "__main__":
    main()
