"""What byof adds to a smolagents agent: the same scripted ToolCallingAgent run, raw and wrapped.

    python benchmarks/bench_smolagents.py [--repeat N] [--json PATH]

Raw is `agent.run(...)` in a worker thread with no Flyte; wrapped is a local `flyte.run` of
`byof.wrap(agent)` (each run on a copy of the agent), in which the two tool calls are child tasks
and the three model calls trace steps. Both use byof's scripted model (see harness.py).
"""

from __future__ import annotations

import asyncio
from typing import Any

import harness
from smolagents import ToolCallingAgent, tool

from byof.testing.script import Script, call, say
from byof.testing.smolagents import ScriptedModel

PROMPT = "Add 2 and 3.5, then count the words in 'hello durable world'."


@tool
def add(a: float, b: float) -> float:
    """Add two numbers.

    Args:
        a: the first number
        b: the second number
    """
    return a + b


@tool
def word_count(text: str) -> int:
    """Count the words in a text.

    Args:
        text: the text
    """
    return len(text.split())


def main() -> None:
    script = Script(
        [call("add", a=2, b=3.5), call("word_count", text="hello durable world"), say("Results: {results}")]
    )
    agent = ToolCallingAgent(tools=[add, word_count], model=ScriptedModel(script), verbosity_level=0)

    async def raw(prompt: str) -> Any:
        return str(await asyncio.to_thread(agent.run, prompt))

    harness.framework_benchmark("smolagents", agent, raw, PROMPT, None, __doc__ or "")


if __name__ == "__main__":
    main()
