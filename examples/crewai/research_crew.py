"""A two-agent CrewAI crew made durable with byof: offline by default, a real model with OPENAI_API_KEY.

    python examples/crewai/research_crew.py ["durable agents"]

The crew is built with CrewAI's own API and never changed: byof.wrap turns a kickoff into a Flyte
task that runs on a copy of the crew, in which every LLM call is a trace step and the tool call a
child task. The kickoff inputs mapping becomes the task's `inputs`.

In a terminal, ProgressSink shows each model and tool call as it starts and ends, and at
the end where the run's report (report=True) is; `byof report` finds it again later.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile

# CrewAI asks an interactive question on first use and sends telemetry unless told otherwise.
os.environ.setdefault("CREWAI_TESTING", "true")
os.environ.setdefault("CREWAI_DISABLE_TELEMETRY", "true")
os.environ.setdefault("OTEL_SDK_DISABLED", "true")
if not os.environ.get("OPENAI_API_KEY"):
    # CrewAI writes its data under HOME (or XDG_DATA_HOME) and ~/.config: offline, a throwaway home.
    os.environ["HOME"] = tempfile.mkdtemp(prefix="byof-crewai-example-")
    for xdg in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        os.environ.pop(xdg, None)
    atexit.register(shutil.rmtree, os.environ["HOME"], ignore_errors=True)

import flyte
from crewai import Agent, Crew, Task
from crewai.tools import tool

import byof
from byof.sinks import ProgressSink

NOTES = {"durable agents": "Durable agents resume after crashes without repeating finished steps."}


@tool("lookup_notes")
def lookup_notes(topic: str) -> str:
    """Look up the team's notes on a topic."""
    return NOTES.get(topic.lower(), "no notes yet")


def llm(role: str):
    """A real model when a key is set, else byof's scripted LLM (no network, no key)."""
    if os.environ.get("OPENAI_API_KEY"):
        from crewai import LLM

        return LLM(model=os.environ.get("BYOF_EXAMPLE_MODEL", "openai/gpt-4o-mini"))
    from byof.testing.crewai import ScriptedLLM
    from byof.testing.script import Script, call, say

    if role == "researcher":
        return ScriptedLLM(
            Script([call("lookup_notes", topic="durable agents"), say("Notes: {last}")]),
            function_calling=True,
        )
    return ScriptedLLM(
        Script([say("Summary: agents that survive crashes and skip finished steps.")]), function_calling=True
    )


researcher = Agent(
    role="researcher",
    goal="Find what the team knows about {topic}",
    backstory="A librarian.",
    llm=llm("researcher"),
    tools=[lookup_notes],
    verbose=False,
)
writer = Agent(
    role="writer",
    goal="Summarize {topic} in one sentence",
    backstory="An editor.",
    llm=llm("writer"),
    verbose=False,
)
research = Task(description="Collect the notes on {topic}.", expected_output="the notes", agent=researcher)
summary = Task(
    description="Summarize the notes on {topic}.",
    expected_output="one sentence",
    agent=writer,
    context=[research],
)
crew = Crew(agents=[researcher, writer], tasks=[research, summary], verbose=False)

env = byof.environment("research-crew", frameworks=["crewai"])
research_crew = byof.wrap(crew, env=env, name="research", report=True, sinks=[ProgressSink()])

if __name__ == "__main__":
    flyte.init()  # Flyte's embedded local runtime; flyte.init_from_config() targets a cluster
    topic = sys.argv[1] if len(sys.argv) > 1 else "durable agents"
    print(flyte.run(research_crew, inputs={"topic": topic}).outputs()[0])
