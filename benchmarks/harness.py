"""Side-by-side timing of an agent run raw and byof-wrapped, shared by every benchmark script.

Absolute times depend on the machine, so a benchmark only reports what one process measured
of both runs together: each round times every case raw and wrapped back to back (alternating
which goes first), so whatever noise the machine makes at that moment hits both sides.
"""

from __future__ import annotations

import asyncio
import atexit
import functools
import json
import os
import platform
import statistics
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import flyte
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

import byof

# Benchmarks run with byof's journal on (the default) but never write to the user's ~/.flyte.
if "BYOF_JOURNAL_PATH" not in os.environ:
    import atexit
    import shutil
    import tempfile

    _scratch = tempfile.mkdtemp(prefix="byof-bench-")
    atexit.register(shutil.rmtree, _scratch, ignore_errors=True)
    os.environ["BYOF_JOURNAL_PATH"] = str(Path(_scratch) / "journal.db")


@dataclass(frozen=True)
class Case:
    """One agent, measured both ways: `raw` and `wrapped` each do one full run and return its answer."""

    name: str
    raw: Callable[[], Any]
    wrapped: Callable[[], Any]


@dataclass
class Samples:
    """Per-round wall times of one case, in milliseconds; index i of both lists is the same round."""

    raw: list[float] = field(default_factory=list)
    wrapped: list[float] = field(default_factory=list)

    @property
    def added(self) -> list[float]:
        return [w - r for r, w in zip(self.raw, self.wrapped, strict=True)]

    @property
    def ratio(self) -> list[float]:
        return [w / r for r, w in zip(self.raw, self.wrapped, strict=True)]


@dataclass(frozen=True)
class Summary:
    """Median and interquartile range: robust to the odd slow round a shared machine produces."""

    median: float
    p25: float
    p75: float

    def __str__(self) -> str:
        return f"{self.median:.2f} [{self.p25:.2f}–{self.p75:.2f}]"


def summarize(values: Sequence[float]) -> Summary:
    p25, median, p75 = statistics.quantiles(values, n=4, method="inclusive")
    return Summary(median, p25, p75)


@functools.cache
def _loop() -> asyncio.AbstractEventLoop:
    """One loop for every raw run, so raw times do not include creating and closing a loop."""
    loop = asyncio.new_event_loop()
    atexit.register(loop.close)
    return loop


def raw_async(agent: Callable[..., Awaitable[Any]], **inputs: Any) -> Callable[[], Any]:
    """A raw run: await the agent directly, no Flyte."""
    return lambda: _loop().run_until_complete(agent(**inputs))


def flyte_run(task: Any, **inputs: Any) -> Callable[[], Any]:
    """A wrapped run: a real local `flyte.run` of the task, up to its output (needs `flyte.init()`)."""
    return lambda: flyte.run(task, **inputs).outputs()[0]


def _timed(run: Callable[[], Any]) -> float:
    start = time.perf_counter_ns()
    run()
    return (time.perf_counter_ns() - start) / 1e6


def measure(cases: Sequence[Case], *, repeat: int, warmup: int = 2) -> dict[str, Samples]:
    """Warm every case up (the first Flyte run pays imports), then time `repeat` interleaved rounds.

    Warm-up also checks that both ways give the same answer, so the two numbers measure the
    same run.
    """
    if repeat < 3:
        raise ValueError("repeat must be at least 3 to give a median and a spread")
    for case in cases:
        for _ in range(warmup):
            raw, wrapped = case.raw(), case.wrapped()
            if raw != wrapped:
                raise AssertionError(f"{case.name}: raw answered {raw!r}, wrapped answered {wrapped!r}")
    samples = {case.name: Samples() for case in cases}
    for i in range(repeat):
        for case in cases:
            s = samples[case.name]
            if i % 2:
                s.wrapped.append(_timed(case.wrapped))
                s.raw.append(_timed(case.raw))
            else:
                s.raw.append(_timed(case.raw))
                s.wrapped.append(_timed(case.wrapped))
    return samples


@dataclass
class Timings:
    """Per-round wall and CPU times of one side, in milliseconds. CPU time is the whole process's
    (Flyte runs tasks on threads of its own), so it leaves out time the machine spent elsewhere."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)


def timed_run(run: Callable[[], Any]) -> tuple[float, float, Any]:
    """(wall ms, process CPU ms, result) of one call."""
    wall, cpu = time.perf_counter_ns(), time.process_time_ns()
    result = run()
    return (time.perf_counter_ns() - wall) / 1e6, (time.process_time_ns() - cpu) / 1e6, result


def interleave(
    sides: dict[str, Callable[[], Any]], *, repeat: int, warmup: int = 1, expect: Any = None
) -> dict[str, Timings]:
    """Time every side once per round, `repeat` rounds, rotating which side goes first, after
    `warmup` untimed rounds. Each side must answer `expect` (when given) in warm-up and in every
    round, so no side is faster because it did something else."""
    names = list(sides)
    for _ in range(warmup):
        for name in names:
            _check_answer(name, sides[name](), expect)
    timings = {name: Timings() for name in names}
    for i in range(repeat):
        for name in names[i % len(names) :] + names[: i % len(names)]:
            wall, cpu, answer = timed_run(sides[name])
            _check_answer(name, answer, expect)
            timings[name].wall.append(wall)
            timings[name].cpu.append(cpu)
    return timings


def _check_answer(name: str, answer: Any, expect: Any) -> None:
    if expect is not None and answer != expect:
        raise AssertionError(f"{name} answered {answer!r}, expected {expect!r}")


def per_round(fn: Callable[..., float], *series: Sequence[float]) -> list[float]:
    """`fn` applied round by round to series measured in the same rounds (ratios, differences)."""
    return [fn(*values) for values in zip(*series, strict=True)]


def print_table(
    title: str, headers: Sequence[str], rows: Sequence[Sequence[str]], *, width: int | None = None
) -> None:
    """A rich table; text is escaped, since spreads like "[1.2–3.4]" would read as markup."""
    table = Table(title=escape(title), title_justify="left", box=box.SIMPLE_HEAD)
    for i, header in enumerate(headers):
        table.add_column(escape(header), justify="left" if i == 0 else "right")
    for row in rows:
        table.add_row(*map(escape, row))
    Console(width=width).print(table)


def machine() -> dict[str, Any]:
    """What the numbers were measured on, since they mean nothing without it."""
    return {
        "os": platform.platform(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "flyte": flyte.__version__,
        "byof": byof.__version__,
    }


def to_json(samples: Samples, sides: tuple[str, str] = ("raw", "wrapped")) -> dict[str, Any]:
    """Summaries and samples; `sides` names the two runs when they are not raw and wrapped."""
    first, second = sides
    return {
        f"{first}_ms": asdict(summarize(samples.raw)),
        f"{second}_ms": asdict(summarize(samples.wrapped)),
        "added_ms": asdict(summarize(samples.added)),
        "ratio": asdict(summarize(samples.ratio)),
        "samples": {f"{first}_ms": samples.raw, f"{second}_ms": samples.wrapped},
    }


def write_json(path: str, results: dict[str, Any]) -> None:
    payload = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": machine(),
        **results,
    }
    Path(path).write_text(json.dumps(payload, indent=2) + "\n")


def framework_benchmark(
    label: str,
    agent: Any,
    raw: Callable[[str], Awaitable[Any]],
    prompt: str,
    argv: list[str] | None,
    doc: str,
) -> None:
    """The raw-vs-wrapped row of one framework's standard agent: `raw(prompt)` runs `agent` natively,
    the wrapped side is a local `flyte.run` of `byof.wrap(agent)`; both must give the same answer."""
    import argparse

    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50, help="interleaved rounds (default 50)")
    parser.add_argument("--json", metavar="PATH", help="write every sample and summary here")
    args = parser.parse_args(argv)

    flyte.init()
    task = byof.wrap(agent, env=flyte.TaskEnvironment(f"bench-{label}"), name=label.replace("-", "_"))
    case = Case(label, raw=raw_async(raw, prompt=prompt), wrapped=flyte_run(task, prompt=prompt))
    samples = measure([case], repeat=args.repeat)[label]
    m = machine()
    print(f"{m['os']}, {m['cpu_count']} CPUs, Python {m['python']}, flyte {m['flyte']}, byof {m['byof']}")
    print(f"{args.repeat} rounds; times in ms, medians")
    raw_ms, wrapped_ms, ratio = (summarize(v).median for v in (samples.raw, samples.wrapped, samples.ratio))
    print_table(
        f"{label}: raw vs wrapped (3 model calls / 2 tool calls)",
        ("agent", "raw", "wrapped", "ratio", "added [p25–p75]"),
        [[label, f"{raw_ms:.2f}", f"{wrapped_ms:.2f}", f"{ratio:.2f}x", str(summarize(samples.added))]],
    )
    if args.json:
        write_json(args.json, {"settings": {"repeat": args.repeat}, "runs": {label: to_json(samples)}})
