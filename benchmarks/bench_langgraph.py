"""What byof adds to a LangGraph agent: the same scripted create_react_agent run, raw and wrapped.

    python benchmarks/bench_langgraph.py [--repeat N] [--model-latency-ms MS] [--json PATH]

Raw is `await graph.ainvoke(...)` with no Flyte; wrapped is a local `flyte.run` of
`byof.wrap(graph)`, in which the two tool calls are child tasks and the three model calls
trace steps. Both use byof's scripted chat model, so the run is identical; the ratio and the
added milliseconds are measured side by side in one process (see harness.py).
"""

from __future__ import annotations

import argparse
import warnings
from dataclasses import asdict
from typing import Any

import flyte
import harness
from langchain_core.tools import tool
from langgraph.prebuilt import create_react_agent

import byof
from byof.testing.langchain import ScriptedChatModel
from byof.testing.script import Script, ScriptedToolCall, Turn, say

warnings.filterwarnings("ignore", message=".*create_react_agent has been moved.*")

PROMPT = "Add 2 and 3.5, then count the words in 'hello durable world'."


@tool
def add(a: float, b: float) -> float:
    """Add two numbers."""
    return a + b


@tool
def word_count(text: str) -> int:
    """Count the words in a text."""
    return len(text.split())


def graph(latency_s: float) -> Any:
    """A ReAct agent: 3 model turns, 2 tool calls, the same as the other benchmarks' standard agent."""
    script = Script(
        [
            Turn(tool_calls=(ScriptedToolCall("add", {"a": 2, "b": 3.5}),), delay=latency_s),
            Turn(
                tool_calls=(ScriptedToolCall("word_count", {"text": "hello durable world"}),), delay=latency_s
            ),
            say("Results: {results}", delay=latency_s),
        ]
    )
    return create_react_agent(ScriptedChatModel(script=script), [add, word_count])


def raw_answer(graph: Any):
    async def answer(prompt: str) -> str:
        state = await graph.ainvoke({"messages": [{"role": "user", "content": prompt}]})
        return state["messages"][-1].content

    return answer


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50, help="interleaved rounds (default 50)")
    parser.add_argument(
        "--model-latency-ms", type=float, default=0, help="scripted latency of each model call"
    )
    parser.add_argument("--json", metavar="PATH", help="write every sample and summary here")
    args = parser.parse_args(argv)

    flyte.init()
    agent = graph(args.model_latency_ms / 1000)
    task = byof.wrap(agent, env=flyte.TaskEnvironment("bench-langgraph"), name="react")
    case = harness.Case(
        "langgraph",
        raw=harness.raw_async(raw_answer(agent), prompt=PROMPT),
        wrapped=harness.flyte_run(task, prompt=PROMPT),
    )
    samples = harness.measure([case], repeat=args.repeat)["langgraph"]
    m = harness.machine()
    print(f"{m['os']}, {m['cpu_count']} CPUs, Python {m['python']}, flyte {m['flyte']}, byof {m['byof']}")
    print(f"{args.repeat} rounds, model latency {args.model_latency_ms:g} ms; times in ms, medians")
    raw, wrapped, ratio = (harness.summarize(v).median for v in (samples.raw, samples.wrapped, samples.ratio))
    harness.print_table(
        "LangGraph create_react_agent, raw vs wrapped (3 model calls / 2 tool calls)",
        ("agent", "raw", "wrapped", "ratio", "added [p25–p75]"),
        [
            [
                "langgraph",
                f"{raw:.2f}",
                f"{wrapped:.2f}",
                f"{ratio:.2f}x",
                str(harness.summarize(samples.added)),
            ]
        ],
    )
    if args.json:
        results: dict[str, Any] = {
            "settings": {"repeat": args.repeat, "model_latency_ms": args.model_latency_ms},
            "runs": {"langgraph": harness.to_json(samples)},
            "added_ms": asdict(harness.summarize(samples.added)),
        }
        harness.write_json(args.json, results)


if __name__ == "__main__":
    main()
