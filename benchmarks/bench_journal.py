"""What byof's local crash-resume journal costs per step, and what it saves on a resume.

    python benchmarks/bench_journal.py [--repeat N] [--k K] [--steps N] [--done D]
        [--model-latency-ms MS] [--tool-latency-ms MS] [--json PATH]

Overhead: the same wrapped runs with `journal=<file>` and `journal=False`, side by side, each
under a fresh run name so nothing is replayed. Resume: a run of N steps (one model call, then
one tool call) crashes at model call D+1; the same run name started again serves D steps from
the journal and runs the rest live. See README.md for what each number means.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import flyte
import harness

import byof

Agent = Callable[[str], Awaitable[str]]
PROMPT = "Work through the steps."
RESUME_ROUNDS = 5  # each round runs the long agent about twice; the ratio hardly varies
LIVE: Counter[str] = Counter()  # real (not replayed) model and tool calls, to check what a resume ran


class Crash(Exception):
    """The scripted model's failure mid-run: what the resumed run recovers from."""


@byof.tool
async def work(step: int, latency_ms: float) -> str:
    """A tool that only waits, so its time is a fixed latency plus byof's overhead."""
    LIVE["tool"] += 1
    await asyncio.sleep(latency_ms / 1000)
    return f"result {step}"


@dataclass
class ScriptedModel:
    """Answers every call after a fixed latency; raises `Crash` at live call `crash_at` (0: never)."""

    latency_s: float
    crash_at: int = 0

    def __post_init__(self) -> None:
        self.plan = byof.model_call(name="plan")(self._plan)

    async def _plan(self, prompt: str, transcript: list[str]) -> str:
        """The request grows with the transcript, as a real conversation's does."""
        LIVE["model"] += 1
        if LIVE["model"] == self.crash_at:
            raise Crash(f"model endpoint gone at call {self.crash_at}")
        await asyncio.sleep(self.latency_s)
        return f"call work for step {len(transcript)}"


def loop_agent(steps: int, model: ScriptedModel | None, tool_latency_ms: float | None) -> Agent:
    """A homegrown loop of `steps` steps: a model call and/or a tool call each (None leaves it out)."""

    async def agent(prompt: str) -> str:
        transcript: list[str] = []
        for step in range(steps):
            if model is not None:
                transcript.append(await model.plan(prompt, transcript))
            if tool_latency_ms is not None:
                transcript.append(await work.aio(step=step, latency_ms=tool_latency_ms))
        return f"{len(transcript)} messages"

    return agent


def named_run(task: Any, prefix: str) -> Callable[[], Any]:
    """A wrapped run under a fresh run name, so the journal has nothing to replay."""
    return lambda: run_as(task, f"{prefix}-{uuid.uuid4().hex[:12]}")


def run_as(task: Any, run_name: str) -> Any:
    return flyte.with_runcontext(name=run_name).run(task, prompt=PROMPT).outputs()[0]


# -- overhead --------------------------------------------------------------------------------


def overhead_cases(
    env: flyte.TaskEnvironment, journal: str, k: int
) -> tuple[list[harness.Case], dict[str, str]]:
    """Journal off and on, per agent: the harness's raw side is the journal-off wrapped run."""
    agents = {
        "steps": (f"{k} / {k}", loop_agent(k, ScriptedModel(0), 0)),
        "empty": ("0 / 0", loop_agent(0, None, None)),
        "model_calls": (f"{k} / 0", loop_agent(k, ScriptedModel(0), None)),
        "tool_calls": (f"0 / {k}", loop_agent(k, None, 0)),
    }
    cases = []
    for name, (_, agent) in agents.items():
        off = byof.wrap(agent, env=env, name=f"{name}_off", journal=False)
        on = byof.wrap(agent, env=env, name=f"{name}_on", journal=journal)
        cases.append(harness.Case(name, named_run(off, name), named_run(on, name)))
    return cases, {name: calls for name, (calls, _) in agents.items()}


def overheads(samples: dict[str, harness.Samples], k: int) -> dict[str, list[float]]:
    """Per-round journal overheads: the empty run's is fixed per run; the rest is spread over K calls."""
    fixed = samples["empty"].added

    def per_call(variant: str) -> list[float]:
        return [(v - f) / k for v, f in zip(samples[variant].added, fixed, strict=True)]

    return {
        "per_run": fixed,
        "per_model_call": per_call("model_calls"),
        "per_tool_call": per_call("tool_calls"),
        "per_step": per_call("steps"),
    }


def row(s: harness.Samples) -> list[str]:
    """Off, on and ratio medians; the spread only for the added time, to fit 80 columns."""
    off, on, ratio = (harness.summarize(v).median for v in (s.raw, s.wrapped, s.ratio))
    return [f"{off:.2f}", f"{on:.2f}", f"{ratio:.2f}x", str(harness.summarize(s.added))]


# -- resume ----------------------------------------------------------------------------------


@dataclass
class ResumeSamples:
    """Per-round times (ms) of the full run and of the resume after a crash, and what the resume ran."""

    full: list[float]
    resume: list[float]
    live: list[dict[str, int]]


def crash_then_resume(task: Any, model: ScriptedModel, done: int) -> tuple[float, dict[str, int]]:
    """Crash a fresh run at model call done+1, then time the same run name started again."""
    run_name = f"resume-{uuid.uuid4().hex[:12]}"
    LIVE.clear()
    model.crash_at = done + 1
    try:
        with quiet_flyte():
            run_as(task, run_name)
    except flyte.errors.RuntimeUserError as exc:
        if not isinstance(byof.original_error(exc), Crash):
            raise
    else:
        raise AssertionError(f"the scripted model did not crash at call {done + 1}")
    if LIVE["model"] != done + 1:
        raise AssertionError(f"the crashed run made {LIVE['model']} model calls, not {done + 1}")
    LIVE.clear()
    model.crash_at = 0
    start = time.perf_counter_ns()
    run_as(task, run_name)
    elapsed = (time.perf_counter_ns() - start) / 1e6
    return elapsed, dict(LIVE)


@contextmanager
def quiet_flyte() -> Iterator[None]:
    """Flyte logs a failed run's traceback; the planned crash of every round is not news."""
    logger = logging.getLogger("flyte")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


def full_run(task: Any) -> float:
    start = time.perf_counter_ns()
    run_as(task, f"full-{uuid.uuid4().hex[:12]}")
    return (time.perf_counter_ns() - start) / 1e6


def measure_resume(task: Any, model: ScriptedModel, done: int, rounds: int) -> ResumeSamples:
    """One warm-up round, then `rounds` rounds of a full run and a crash-and-resume, alternating order."""
    full_run(task)
    crash_then_resume(task, model, done)
    samples = ResumeSamples([], [], [])
    for i in range(rounds):
        if i % 2:
            resumed, live = crash_then_resume(task, model, done)
            samples.full.append(full_run(task))
        else:
            samples.full.append(full_run(task))
            resumed, live = crash_then_resume(task, model, done)
        samples.resume.append(resumed)
        samples.live.append(live)
    return samples


def resume_numbers(s: ResumeSamples, steps: int, done: int, step_latency_ms: float) -> dict[str, list[float]]:
    """Per round: the resume's share of a full run, and what serving the done steps cost.

    Two estimates of the replayed steps' time: the resume minus the live steps' scripted latency
    (an upper bound: it keeps the run's fixed cost and byof's overhead on the live steps), and the
    resume minus the live steps at the full run's average pace per step.
    """
    live = steps - done
    replayed = [r - live * step_latency_ms for r in s.resume]
    paced = [r - live * f / steps for r, f in zip(s.resume, s.full, strict=True)]
    return {
        "full_ms": s.full,
        "naive_restart_ms": s.full,
        "resume_ms": s.resume,
        "resume_over_full": [r / f for r, f in zip(s.resume, s.full, strict=True)],
        "replayed_ms": replayed,
        "per_replayed_step_ms": [r / done for r in replayed],
        "per_replayed_step_paced_ms": [r / done for r in paced],
        "byof_per_live_step_ms": [(f - steps * step_latency_ms) / steps for f in s.full],
    }


RESUME_LABELS = {
    "full_ms": "full run",
    "naive_restart_ms": "naive restart (= full run)",
    "resume_ms": "resume",
    "resume_over_full": "resume / full (ratio)",
    "replayed_ms": "{done} replayed steps: resume − {live} × latency",
    "per_replayed_step_ms": "per replayed step",
    "per_replayed_step_paced_ms": "per replayed step, live steps at full pace",
    "byof_per_live_step_ms": "per live step beyond its latency",
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=40, help="interleaved overhead rounds (default 40)")
    parser.add_argument("--k", type=int, default=20, help="calls per overhead variant (default 20)")
    parser.add_argument("--steps", type=int, default=50, help="steps of the resumed run (default 50)")
    parser.add_argument("--done", type=int, default=45, help="steps done before the crash (default 45)")
    parser.add_argument("--model-latency-ms", type=float, default=50, help="resumed run's model latency")
    parser.add_argument("--tool-latency-ms", type=float, default=20, help="resumed run's tool latency")
    parser.add_argument("--json", metavar="PATH", help="write every sample and summary here")
    args = parser.parse_args(argv)
    if args.k < 1:
        parser.error("--k must be at least 1")
    if not 0 < args.done < args.steps:
        parser.error("--done must be between 0 and --steps, exclusive")

    flyte.init()
    env = flyte.TaskEnvironment("bench-journal")
    with tempfile.TemporaryDirectory() as tmp:
        journal = str(Path(tmp) / "journal.db")
        cases, labels = overhead_cases(env, journal, args.k)
        samples = harness.measure(cases, repeat=args.repeat)
        model = ScriptedModel(args.model_latency_ms / 1000)
        resume_task = byof.wrap(
            loop_agent(args.steps, model, args.tool_latency_ms), env=env, name="resume", journal=journal
        )
        rounds = min(args.repeat, RESUME_ROUNDS)
        resumed = measure_resume(resume_task, model, args.done, rounds)
    derived = overheads(samples, args.k)
    step_latency = args.model_latency_ms + args.tool_latency_ms
    numbers = resume_numbers(resumed, args.steps, args.done, step_latency)

    m = harness.machine()
    print(f"{m['os']}, {m['cpu_count']} CPUs, Python {m['python']}, flyte {m['flyte']}, byof {m['byof']}")
    print(f"{args.repeat} rounds, no model or tool latency; times in ms, medians; calls = model/tool")
    harness.print_table(
        "Wrapped runs, journal off vs on",
        ("agent", "calls", "off", "on", "ratio", "added [p25–p75]"),
        [[name, labels[name], *row(s)] for name, s in samples.items()],
    )
    harness.print_table(
        f"Journal overhead (K={args.k})",
        ("added per", "median [p25–p75]"),
        [
            [name.replace("per_", "").replace("_", " "), str(harness.summarize(v))]
            for name, v in derived.items()
        ],
    )
    live = args.steps - args.done
    harness.print_table(
        f"Resume after a crash: {args.steps} steps, {args.done} done ({rounds} rounds)",
        ("times in ms", "median [p25–p75]"),
        [
            [RESUME_LABELS[k].format(done=args.done, live=live), str(harness.summarize(v))]
            for k, v in numbers.items()
        ],
    )
    made = sorted({(run["model"], run["tool"]) for run in resumed.live})
    print(
        f"step = a model call ({args.model_latency_ms:g} ms) then a tool call ({args.tool_latency_ms:g} ms); "
        f"live (model, tool) calls per resume: {made}, {live} of each expected"
    )

    if args.json:
        harness.write_json(
            args.json,
            {
                "settings": vars(args) | {"resume_rounds": rounds},
                "overhead_runs": {
                    name: {"calls": labels[name], **harness.to_json(s, sides=("off", "on"))}
                    for name, s in samples.items()
                },
                "overhead_ms": {name: asdict(harness.summarize(v)) for name, v in derived.items()},
                "resume": {
                    **{name: asdict(harness.summarize(v)) for name, v in numbers.items()},
                    "live_calls": resumed.live,
                    "samples": {"full_ms": resumed.full, "resume_ms": resumed.resume},
                },
            },
        )


if __name__ == "__main__":
    main()
