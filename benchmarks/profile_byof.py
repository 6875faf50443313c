"""Where a wrapped run's CPU time goes: a profile of every thread, byof's own functions first.

    python benchmarks/profile_byof.py SCENARIO [--kind byof|floor|official] [--profiler py-spy|yappi]
                                      [--runs R] [--top K] [--save PATH]

Scenarios (agents from official_agents.py, the same ones the benchmarks time):
  homegrown-300   one run of the homegrown loop, 300 model+tool turns
  langgraph-short R runs (default 30) of the standard LangGraph agent (3 model calls, 2 tool calls)
  langgraph-300   one run of the LangGraph agent, 300 model+tool turns
  pydantic-ai-short, openai-agents-short: as langgraph-short, for those frameworks

Flyte runs each task on an event loop in a thread of its own, which `cProfile` started on the main
thread never sees. Two profilers that see every thread:

- py-spy (default): samples, 200 times a second from outside the process (attached after the
  warm-up, detached after the profiled runs), the stack of whichever thread holds the GIL, so
  samples measure Python's CPU time in every thread (C code that releases the GIL, such as
  SQLite's commits, is not seen: bench_journal.py measures the journal). Sampling adds little
  overhead, so the proportions are the truest; there are no call counts.
- yappi: instruments every call, in every thread, on the CPU clock, following coroutines; exact
  call counts, but its per-call overhead inflates code that makes many small calls (pydantic's
  schema generation, recursive converters) relative to code that makes few.

The run is warmed up first (imports, first-run costs). Prints time by package (self time), byof's
functions by cumulative time (their callees included), and the top functions overall by self time.
`--kind floor` profiles the floor (Flyte alone doing the same durable work): time in `flyte` that
both share is not byof's to save. `--save` keeps the raw profile (py-spy: collapsed stacks for a
flame graph; yappi: pstats).
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import flyte
import harness
import official_agents as oa

import byof
import byof.adapters

SCENARIOS = {
    "homegrown-300": ("homegrown", 300),
    "langgraph-short": ("langgraph", None),
    "langgraph-300": ("langgraph", 300),
    "pydantic-ai-short": ("pydantic-ai", None),
    "openai-agents-short": ("openai-agents", None),
}
ROOT = Path(__file__).resolve().parent.parent
# Wherever the byof being measured lives (this checkout's core/ and adapters/, or another copy).
BYOF = Path(byof.__file__).resolve().parent
ADAPTERS = Path(byof.adapters.__file__).resolve().parent
STDLIB = Path(sysconfig.get_paths()["stdlib"]).resolve()
RATE = 200  # py-spy samples per second
WIDTH = 132  # the tables hold file paths: wider than a terminal's 80 columns


def package(path: str) -> str:
    """Which code a function belongs to: byof's core or adapters, a site-package, or the stdlib."""
    if not path or path.startswith("<"):
        return f"python {path or '?'}"  # <string> (generated dataclass methods), <frozen abc>, ...
    p = Path(path).resolve()
    if p.is_relative_to(BYOF / "testing"):
        return "byof.testing (scripted model)"
    if p.is_relative_to(BYOF / "examples"):
        return "byof.examples (the agent)"
    if p.is_relative_to(ADAPTERS):
        return "byof (adapters)"
    if p.is_relative_to(BYOF):
        return "byof (core)"
    if p.is_relative_to(ROOT / "benchmarks"):
        return "benchmark agents"
    parts = p.parts
    if "site-packages" in parts:
        return parts[parts.index("site-packages") + 1].split(".")[0]
    if p.is_relative_to(STDLIB):
        return f"stdlib {p.relative_to(STDLIB).parts[0].removesuffix('.py')}"
    return str(p)


def short(path: str) -> str:
    """A file's path from the repository or from site-packages, else its name."""
    p = Path(path)
    if "site-packages" in p.parts:
        return "/".join(p.parts[p.parts.index("site-packages") + 1 :])
    for base, shown in ((BYOF, "byof"), (ADAPTERS, "byof/adapters"), (ROOT, "")):
        if p.resolve().is_relative_to(base):
            return str(Path(shown) / p.resolve().relative_to(base))
    return p.name


@dataclass
class Func:
    """One function's totals: `cum` includes its callees, `own` does not (seconds or samples)."""

    label: str
    package: str
    cum: float = 0.0
    own: float = 0.0
    calls: int | None = None


def with_yappi(variant: oa.Variant, runs: int, save: str | None) -> tuple[list[Func], str]:
    import yappi

    yappi.clear_stats()
    yappi.set_clock_type("cpu")
    yappi.start(builtins=False, profile_threads=True)
    try:
        for _ in range(runs):
            variant.run()
    finally:
        yappi.stop()
    stats = yappi.get_func_stats()
    if save:
        stats.save(save, type="pstat")
    funcs = [
        Func(f"{short(s.module)}:{s.lineno} {s.name}", package(s.module), s.ttot, s.tsub, s.ncall)
        for s in stats
    ]
    return funcs, "s CPU"


_FRAME = re.compile(r"^(?P<name>.*) \((?P<file>.*):(?P<line>\d+)\)$")


def with_py_spy(variant: oa.Variant, runs: int, save: str | None) -> tuple[list[Func], str]:
    out = Path(save) if save else Path(tempfile.mkstemp(prefix="byof-pyspy-", suffix=".txt")[1])
    spy = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("py-spy")),
            "record",
            "--pid",
            str(os.getpid()),
            "--rate",
            str(RATE),
        ]
        + ["--gil", "--format", "raw", "--full-filenames", "--function", "--output", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(1.0)  # let py-spy attach before the profiled runs start
    try:
        for _ in range(runs):
            variant.run()
    finally:
        spy.send_signal(signal.SIGINT)
        _, err = spy.communicate(timeout=120)
    if spy.returncode not in (0, -signal.SIGINT) and not out.stat().st_size:
        raise RuntimeError(f"py-spy failed (needs ptrace permission): {err[-2000:]}")
    funcs: dict[str, Func] = {}
    for line in out.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = [_FRAME.match(f) for f in stack.split(";")]
        seen = set()
        for i, frame in enumerate(frames):
            if frame is None:
                continue
            key = f"{short(frame['file'])}:{frame['line']} {frame['name']}"
            func = funcs.setdefault(key, Func(key, package(frame["file"])))
            if key not in seen:  # a recursive function counts once per sample
                func.cum += int(count) / RATE
                seen.add(key)
            if i == len(frames) - 1:
                func.own += int(count) / RATE
    if not save:
        out.unlink()
    return list(funcs.values()), "s sampled"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", choices=SCENARIOS)
    parser.add_argument("--kind", choices=oa.KINDS, default="byof")
    parser.add_argument("--profiler", choices=("py-spy", "yappi"), default="py-spy")
    parser.add_argument("--runs", type=int, help="runs profiled (default: 30 for a short scenario, else 1)")
    parser.add_argument("--top", type=int, default=25, help="rows per table (default 25)")
    parser.add_argument("--save", metavar="PATH", help="keep the raw profile here")
    args = parser.parse_args(argv)

    framework, turns = SCENARIOS[args.scenario]
    if args.kind not in oa.BUILDERS[framework]:
        parser.error(f"{framework} has no {args.kind} variant")
    runs = args.runs or (30 if turns is None else 1)
    flyte.init()
    oa.build(framework, args.kind, oa.agent_spec(3)).run()  # warm-up: imports, first-run costs
    variant = oa.build(framework, args.kind, oa.agent_spec(turns))
    if turns is None:  # the short agent is cheap: warm it up itself
        variant.run()
    profiler = with_py_spy if args.profiler == "py-spy" else with_yappi
    funcs, unit = profiler(variant, runs, args.save)

    total = sum(f.own for f in funcs)
    steps = runs * (variant.spec.model_calls + variant.spec.tool_calls)
    m = harness.machine()
    print(f"{m['os']}, {m['cpu_count']} CPUs, Python {m['python']}, flyte {m['flyte']}, byof {m['byof']}")
    print(
        f"{args.scenario}, {args.kind}, {args.profiler}: {runs} run(s), {steps} steps; {total:.2f} {unit} in all "
        f"threads ({total / steps * 1000:.2f} ms per step, under the profiler)"
    )
    by_package: dict[str, float] = defaultdict(float)
    for f in funcs:
        by_package[f.package] += f.own
    harness.print_table(
        "Self time by package",
        ("package", unit, "%"),
        [
            [name, f"{t:.2f}", f"{100 * t / total:.1f}"]
            for name, t in sorted(by_package.items(), key=lambda kv: -kv[1])[: args.top]
        ],
        width=WIDTH,
    )
    calls = args.profiler == "yappi"
    ours = sorted((f for f in funcs if f.package.startswith("byof (")), key=lambda f: -f.cum)
    harness.print_table(
        "byof functions by cumulative time (their callees included, whoever's they are)",
        ("function", *(("calls",) if calls else ()), f"cum {unit}", "cum %", f"self {unit}"),
        [
            [
                f.label,
                *((str(f.calls),) if calls else ()),
                f"{f.cum:.3f}",
                f"{100 * f.cum / total:.1f}",
                f"{f.own:.3f}",
            ]
            for f in ours[: args.top]
        ],
        width=WIDTH,
    )
    harness.print_table(
        "All functions by self time",
        ("function", "package", *(("calls",) if calls else ()), f"self {unit}", "self %"),
        [
            [
                f.label,
                f.package,
                *((str(f.calls),) if calls else ()),
                f"{f.own:.3f}",
                f"{100 * f.own / total:.1f}",
            ]
            for f in sorted(funcs, key=lambda f: -f.own)[: args.top]
        ],
        width=WIDTH,
    )


if __name__ == "__main__":
    sys.setrecursionlimit(10_000)
    main()
