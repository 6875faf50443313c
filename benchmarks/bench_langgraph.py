"""What byof adds to a LangGraph agent: the same scripted create_react_agent run, raw and wrapped.

    python benchmarks/bench_langgraph.py [--repeat N] [--json PATH]

Raw is `await graph.ainvoke(...)` with no Flyte; wrapped is a local `flyte.run` of
`byof.wrap(graph)`, in which the two tool calls are child tasks and the three model calls
trace steps. Both use byof's scripted chat model, so the run is identical (see harness.py).
"""

from __future__ import annotations

import warnings
from typing import Any

import harness
from langchain_core.tools import tool
from langgraph.prebuilt import create_react_agent

from byof.testing.langchain import ScriptedChatModel
from byof.testing.script import Script, call, say

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


def main() -> None:
    script = Script(
        [call("add", a=2, b=3.5), call("word_count", text="hello durable world"), say("Results: {results}")]
    )
    graph = create_react_agent(ScriptedChatModel(script=script), [add, word_count])

    async def raw(prompt: str) -> Any:
        state = await graph.ainvoke({"messages": [{"role": "user", "content": prompt}]})
        return state["messages"][-1].content

    harness.framework_benchmark("langgraph", graph, raw, PROMPT, None, __doc__ or "")


if __name__ == "__main__":
    main()
