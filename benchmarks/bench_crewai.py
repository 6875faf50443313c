"""What byof adds to a CrewAI crew: the same scripted one-agent crew kickoff, raw and wrapped.

    python benchmarks/bench_crewai.py [--repeat N] [--json PATH]

Raw is `await crew.kickoff_async(...)` with no Flyte; wrapped is a local `flyte.run` of
`byof.wrap(crew)` (each kickoff on a copy of the crew), in which the two tool calls are child
tasks and the three LLM calls trace steps. Both use byof's scripted LLM (see harness.py).
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from typing import Any

os.environ.update(CREWAI_TESTING="true", CREWAI_DISABLE_TELEMETRY="true", OTEL_SDK_DISABLED="true")
os.environ["HOME"] = tempfile.mkdtemp(prefix="byof-bench-crewai-")  # CrewAI writes under HOME...
for xdg in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):  # ...or under these, when set
    os.environ.pop(xdg, None)

import harness  # noqa: E402 - CrewAI reads the environment above when imported
from crewai import Agent, Crew, Task  # noqa: E402 - CrewAI reads the environment above when imported
from crewai.tools import tool  # noqa: E402 - CrewAI reads the environment above when imported

from byof.testing.crewai import ScriptedLLM  # noqa: E402 - CrewAI reads the environment above when imported
from byof.testing.script import Script, call, say  # noqa: E402 - CrewAI reads the environment above when imported

atexit.register(shutil.rmtree, os.environ["HOME"], ignore_errors=True)

PROMPT = "Add 2 and 3.5, then count the words in 'hello durable world'."


@tool("add")
def add(a: float, b: float) -> float:
    """Add two numbers."""
    return a + b


@tool("word_count")
def word_count(text: str) -> int:
    """Count the words in a text."""
    return len(text.split())


def main() -> None:
    script = Script(
        [call("add", a=2, b=3.5), call("word_count", text="hello durable world"), say("Results: {results}")]
    )
    agent = Agent(
        role="calculator",
        goal="answer",
        backstory="careful",
        llm=ScriptedLLM(script, function_calling=True),
        tools=[add, word_count],
        verbose=False,
    )
    crew = Crew(
        agents=[agent],
        tasks=[Task(description="{prompt}", expected_output="the answer", agent=agent)],
        verbose=False,
    )

    async def raw(prompt: str) -> Any:
        return str((await crew.kickoff_async(inputs={"prompt": prompt})).raw)

    harness.framework_benchmark("crewai", crew, raw, PROMPT, None, __doc__ or "")


if __name__ == "__main__":
    main()
