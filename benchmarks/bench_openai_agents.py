"""What byof adds to an OpenAI Agents SDK agent: the same scripted agent run, raw and wrapped.

    python benchmarks/bench_openai_agents.py [--repeat N] [--json PATH]

Raw is `await Runner.run(agent, ...)` with no Flyte; wrapped is a local `flyte.run` of
`byof.wrap(agent)`, in which the two tool calls are child tasks and the three model calls trace
steps. Both use byof's scripted model, so the run is identical (see harness.py).
"""

from __future__ import annotations

from typing import Any

import harness
from agents import Agent, Runner, function_tool, set_tracing_disabled

from byof.testing.openai_agents import ScriptedAgentsModel
from byof.testing.script import Script, call, say

PROMPT = "Add 2 and 3.5, then count the words in 'hello durable world'."


@function_tool
def add(a: float, b: float) -> float:
    """Add two numbers."""
    return a + b


@function_tool
def word_count(text: str) -> int:
    """Count the words in a text."""
    return len(text.split())


def main() -> None:
    set_tracing_disabled(True)
    script = Script(
        [call("add", a=2, b=3.5), call("word_count", text="hello durable world"), say("Results: {results}")]
    )
    agent = Agent(name="bench", model=ScriptedAgentsModel(script), tools=[add, word_count])

    async def raw(prompt: str) -> Any:
        return (await Runner.run(agent, prompt)).final_output

    harness.framework_benchmark("openai-agents", agent, raw, PROMPT, None, __doc__ or "")


if __name__ == "__main__":
    main()
