"""What byof adds to a homegrown agent loop: the same scripted run, raw and wrapped, side by side.

    python benchmarks/bench_generic.py [--repeat N] [--k K] [--model-latency-ms MS] [--latency-sweep] [--json PATH]

Besides the standard agent, three variants isolate where the time goes: an empty agent (the
fixed cost of a wrapped run), K model calls and no tools (the cost of a traced step), one
model call and K tool calls (the cost of a child task). See README.md for what each number means.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from typing import Any

import flyte
import harness

import byof
from byof.examples.tool_loop import make_tool_agent
from byof.testing.chat import ScriptedChat
from byof.testing.conformance import MAIN_PROMPT, KitTools, main_script

Agent = Callable[[str], Awaitable[str]]
SWEEP_LATENCY_MS = 200
SWEEP_ROUNDS = 10  # each round there takes over a second, and the ratio hardly varies


def standard_agent(latency_s: float) -> Agent:
    """The conformance kit's main run: 3 model turns (add, word_count, answer), 2 tool calls."""
    scripted = ScriptedChat(main_script())

    async def chat(messages: list[dict[str, Any]], tools: list[dict[str, Any]]) -> dict[str, Any]:
        await asyncio.sleep(latency_s)
        return await scripted(messages, tools)

    kit = KitTools()
    return make_tool_agent(chat, [byof.tool(kit.add), byof.tool(kit.word_count)])


async def empty_agent(prompt: str) -> str:
    """No calls at all: what is left is the fixed cost of a run."""
    return prompt


def thinker(latency_s: float) -> Callable[[str, int], Awaitable[str]]:
    """A model call; `turn` keeps the K calls of one run distinct steps, as real conversations are."""

    @byof.model_call(name="think")
    async def think(prompt: str, turn: int) -> str:
        await asyncio.sleep(latency_s)
        return f"{prompt}#{turn}"

    return think


@byof.tool
def echo(turn: int) -> int:
    """A tool that does nothing, so its time is all call overhead."""
    return turn


def model_calls_agent(k: int, latency_s: float) -> Agent:
    think = thinker(latency_s)

    async def model_calls(prompt: str) -> str:
        return "; ".join([await think(prompt, turn) for turn in range(k)])

    return model_calls


def tool_calls_agent(k: int, latency_s: float) -> Agent:
    think = thinker(latency_s)

    async def tool_calls(prompt: str) -> str:
        plan = await think(prompt, 0)
        total = sum([await echo.aio(turn=turn) for turn in range(k)])
        return f"{plan} {total}"

    return tool_calls


def case(env: flyte.TaskEnvironment, name: str, agent: Agent, prompt: str) -> harness.Case:
    task = byof.wrap(agent, env=env, name=name)
    return harness.Case(name, harness.raw_async(agent, prompt=prompt), harness.flyte_run(task, prompt=prompt))


def overheads(samples: dict[str, harness.Samples], k: int) -> dict[str, list[float]]:
    """Per-round overheads: the empty run's added time is fixed; the rest is spread over the K calls.

    The tool variant also makes one model call, so one model call's overhead comes off too.
    """
    fixed = samples["empty"].added
    per_model = [(m - f) / k for m, f in zip(samples["model_calls"].added, fixed, strict=True)]
    per_tool = [
        (t - f - pm) / k for t, f, pm in zip(samples["tool_calls"].added, fixed, per_model, strict=True)
    ]
    return {"per_run": fixed, "per_model_call": per_model, "per_tool_call": per_tool}


def run_row(label: str, calls: str, s: harness.Samples) -> list[str]:
    """Medians, with the spread only where it matters (the added time), so the table fits 80 columns."""
    raw, wrapped, ratio = (harness.summarize(v).median for v in (s.raw, s.wrapped, s.ratio))
    return [label, calls, f"{raw:.2f}", f"{wrapped:.2f}", f"{ratio:.2f}x", str(harness.summarize(s.added))]


RUN_HEADERS = ("agent", "calls", "raw", "wrapped", "ratio", "added [p25–p75]")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=100, help="interleaved rounds (default 100)")
    parser.add_argument("--k", type=int, default=10, help="calls in the per-call variants (default 10)")
    parser.add_argument("--model-latency-ms", type=float, default=0, help="sleep inside each model call")
    parser.add_argument(
        "--latency-sweep", action="store_true", help=f"also time the standard agent at {SWEEP_LATENCY_MS} ms"
    )
    parser.add_argument("--json", metavar="PATH", help="write every sample and summary here")
    args = parser.parse_args(argv)
    if args.k < 1:
        parser.error("--k must be at least 1")

    flyte.init()
    env = flyte.TaskEnvironment("bench-generic")
    latency_s = args.model_latency_ms / 1000
    k = args.k
    labels = {"standard": "3 / 2", "empty": "0 / 0", "model_calls": f"{k} / 0", "tool_calls": f"1 / {k}"}
    cases = [
        case(env, "standard", standard_agent(latency_s), MAIN_PROMPT),
        case(env, "empty", empty_agent, "hi"),
        case(env, "model_calls", model_calls_agent(k, latency_s), "hi"),
        case(env, "tool_calls", tool_calls_agent(k, latency_s), "hi"),
    ]
    samples = harness.measure(cases, repeat=args.repeat)
    derived = overheads(samples, k)

    m = harness.machine()
    print(f"{m['os']}, {m['cpu_count']} CPUs, Python {m['python']}, flyte {m['flyte']}, byof {m['byof']}")
    print(
        f"{args.repeat} rounds, model latency {args.model_latency_ms:g} ms; times in ms, medians; "
        "calls = model/tool"
    )
    harness.print_table(
        "Agent runs, raw vs wrapped",
        RUN_HEADERS,
        [run_row(name, labels[name], s) for name, s in samples.items()],
    )
    harness.print_table(
        f"byof overhead (K={k})",
        ("added per", "median [p25–p75]"),
        [
            [name.replace("per_", "").replace("_", " "), str(harness.summarize(v))]
            for name, v in derived.items()
        ],
    )
    results: dict[str, Any] = {
        "settings": {"repeat": args.repeat, "k": k, "model_latency_ms": args.model_latency_ms},
        "runs": {name: {"calls": labels[name], **harness.to_json(s)} for name, s in samples.items()},
        "overhead_ms": {name: asdict(harness.summarize(v)) for name, v in derived.items()},
    }

    if args.latency_sweep:
        slow = case(
            env, f"standard_{SWEEP_LATENCY_MS}ms", standard_agent(SWEEP_LATENCY_MS / 1000), MAIN_PROMPT
        )
        rounds = min(args.repeat, SWEEP_ROUNDS)
        swept = harness.measure([slow], repeat=rounds, warmup=1)[slow.name]
        harness.print_table(
            f"Standard agent as model latency grows ({rounds} rounds at {SWEEP_LATENCY_MS} ms)",
            ("model latency", *RUN_HEADERS[1:]),
            [
                run_row(f"{args.model_latency_ms:g} ms", labels["standard"], samples["standard"]),
                run_row(f"{SWEEP_LATENCY_MS} ms", labels["standard"], swept),
            ],
        )
        results["sweep"] = {
            "model_latency_ms": SWEEP_LATENCY_MS,
            "rounds": rounds,
            "standard": harness.to_json(swept),
        }

    if args.json:
        harness.write_json(args.json, results)


if __name__ == "__main__":
    main()
