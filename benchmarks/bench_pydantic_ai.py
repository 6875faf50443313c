"""What byof adds to a Pydantic AI agent: the same scripted agent run, raw and wrapped.

    python benchmarks/bench_pydantic_ai.py [--repeat N] [--json PATH]

Raw is `await agent.run(...)` with no Flyte; wrapped is a local `flyte.run` of
`byof.wrap(agent)`, in which the two tool calls are child tasks and the three model requests
trace steps. Both use byof's scripted model, so the run is identical (see harness.py).
"""

from __future__ import annotations

from typing import Any

import harness
from pydantic_ai import Agent

from byof.testing.pydantic_ai import scripted_model
from byof.testing.script import Script, call, say

PROMPT = "Add 2 and 3.5, then count the words in 'hello durable world'."


def main() -> None:
    script = Script(
        [call("add", a=2, b=3.5), call("word_count", text="hello durable world"), say("Results: {results}")]
    )
    agent = Agent(scripted_model(script), name="bench")

    @agent.tool_plain
    def add(a: float, b: float) -> float:
        """Add two numbers."""
        return a + b

    @agent.tool_plain
    def word_count(text: str) -> int:
        """Count the words in a text."""
        return len(text.split())

    async def raw(prompt: str) -> Any:
        return (await agent.run(prompt)).output

    harness.framework_benchmark("pydantic-ai", agent, raw, PROMPT, None, __doc__ or "")


if __name__ == "__main__":
    main()
