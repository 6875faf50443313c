"""Is byof's added time per step flat in the length of a run? N model+tool turns in one run.

    python benchmarks/bench_run_length.py [--turns N ...] [--rounds R] [--frameworks F ...] [--json PATH]

For each N (default 10, 100 and 300; add 1000 with `--turns 10 100 1000`, which takes several
minutes), an agent makes N model calls that each ask for one `echo` tool call, then answers
(N + 1 model calls, N tool calls). LangGraph runs three ways (floor, official adapter, byof),
the homegrown loop two (floor, byof; no official adapter exists for it), interleaved per round as
in bench_official.py. The floor is the same framework doing the same durable work by hand, so
(run − floor) / N is what the adapter adds per turn: the framework's own growth with a longer
conversation (bigger requests) is in the floor too and cancels out. Flat means the added time per
turn at the largest N is within 1.5x of the smallest.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
from dataclasses import asdict
from typing import Any

import flyte
import harness
import official_agents as oa

FRAMEWORKS = ("langgraph", "homegrown")
WIDTH = 100  # the spreads make rows wider than a terminal's 80 columns


def rounds_for(turns: int, rounds: int | None) -> int:
    """Rounds at N turns: as asked, else fewer for long runs (a 1000-turn byof run takes minutes)."""
    return rounds if rounds is not None else max(3, 200 // turns)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--turns", type=int, nargs="+", default=[10, 100, 300], help="N values (default 10 100 300)"
    )
    parser.add_argument("--rounds", type=int, help="rounds per N (default: max(3, 200 // N))")
    parser.add_argument("--frameworks", nargs="+", default=list(FRAMEWORKS), choices=FRAMEWORKS)
    parser.add_argument(
        "--observed", action="store_true", help="give byof's wrap a sink, so every event is prepared for it"
    )
    parser.add_argument("--json", metavar="PATH", help="write every sample and summary here")
    args = parser.parse_args(argv)
    if any(n < 1 for n in args.turns):
        parser.error("--turns must be at least 1")

    flyte.init()
    m = harness.machine()
    print(f"{m['os']}, {m['cpu_count']} CPUs, Python {m['python']}, flyte {m['flyte']}, byof {m['byof']}")
    print(
        "a turn = one model call + one tool call; ms per turn, medians [p25–p75]; journal on for byof"
        + (", its events observed by a sink" if args.observed else "")
    )
    results: dict[str, Any] = {}
    for fw in args.frameworks:
        kinds = [k for k in oa.KINDS if k in oa.BUILDERS[fw]]
        adapters = [k for k in kinds if k != "floor"]
        rows: dict[str, list[list[str]]] = {"wall": [], "cpu": []}
        per_turn: dict[str, dict[str, dict[int, float]]] = {c: {k: {} for k in adapters} for c in rows}
        for n in sorted(args.turns):
            spec = oa.agent_spec(n)
            variants = {k: oa.build(fw, k, spec, observed=args.observed) for k in kinds}
            work = {k: oa.durable_work(v)[0] for k, v in variants.items()}  # also the warm-up run
            count = rounds_for(n, args.rounds)
            timings = harness.interleave(
                {k: v.run for k, v in variants.items()}, repeat=count, warmup=0, expect=f"Echoed {n - 1}"
            )
            entry: dict[str, Any] = {"rounds": count, "durable_work": {k: asdict(w) for k, w in work.items()}}
            for clock in rows:
                floor = getattr(timings["floor"], clock)
                row = [str(n), str(count), f"{statistics.median(floor) / n:.2f}"]
                for k in adapters:
                    added = harness.per_round(
                        lambda x, f, n=n: (x - f) / n, getattr(timings[k], clock), floor
                    )
                    entry[f"{k}_added_per_turn_{clock}_ms"] = asdict(harness.summarize(added))
                    per_turn[clock][k][n] = statistics.median(added)
                    row.append(str(harness.summarize(added)))
                same = len({str(w) for w in work.values()}) == 1
                row.append(f"{work['floor']} (all)" if same else " / ".join(str(work[k]) for k in kinds))
                rows[clock].append(row)
            entry["samples"] = {k: asdict(t) for k, t in timings.items()}
            results.setdefault(fw, {})[str(n)] = entry
        for clock, table in rows.items():
            harness.print_table(
                f"{fw}: {clock} time per turn, ms: the floor's, and what each adapter adds to it",
                ("N", "rounds", "floor", *(f"{k} added" for k in adapters), "durable work"),
                table,
                width=WIDTH,
            )
        flat = []
        for clock in rows:
            for k in adapters:
                by_n = per_turn[clock][k]
                values = list(by_n.values())
                spread = max(values) / min(values) if values and min(values) > 0 else None
                # What one more turn costs between consecutive N: the per-run fixed cost cancels, so
                # growth here is work per step that grows with the run's history.
                ns = sorted(by_n)
                marginal = [(by_n[b] * b - by_n[a] * a) / (b - a) for a, b in itertools.pairwise(ns)]
                flat.append(
                    [
                        f"{k} ({clock})",
                        "  ".join(f"{v:.2f}" for v in values),
                        "n/a" if spread is None else f"{spread:.2f}x",
                        "  ".join(f"{v:.2f}" for v in marginal),
                    ]
                )
                results[fw][f"{k}_flatness_{clock}"] = spread
                results[fw][f"{k}_marginal_per_turn_{clock}_ms"] = marginal
        harness.print_table(
            f"{fw}: flatness, largest ÷ smallest added time per turn across N (issue 18: < 1.5x)",
            (
                "adapter",
                "added/turn at N = " + ", ".join(map(str, sorted(args.turns))),
                "largest ÷ smallest",
                "marginal added/turn between Ns",
            ),
            flat,
            width=WIDTH,
        )
    print(
        "durable work = child actions + trace steps Flyte recorded per run ((all): every variant the "
        "same, else floor / official / byof)"
    )
    if args.json:
        harness.write_json(
            args.json,
            {
                "settings": {"turns": args.turns, "rounds": args.rounds, "observed": args.observed},
                "frameworks": results,
            },
        )


if __name__ == "__main__":
    main()
