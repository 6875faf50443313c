"""The CrewAI adapter passes the conformance kit: a single-agent Crew with @tool tools over byof's scripted LLM."""

from __future__ import annotations

from typing import Any

import pytest

# isort: off
from crewai_home import use_home  # first: imports CrewAI under a temporary HOME
# isort: on

from crewai import Agent, Crew, Task
from crewai.tools import tool

from byof.testing import conformance
from byof.testing.crewai import ScriptedLLM
from byof.testing.script import Script


def make_agent(script: Script, tools: conformance.KitTools) -> Any:
    crew_tools = [tool(f.__name__)(f) for f in tools.all]
    agent = Agent(
        role="calculator",
        goal="answer with tools",
        backstory="careful",
        llm=ScriptedLLM(script, function_calling=True),
        tools=crew_tools,
        verbose=False,
        max_retry_limit=0,
    )
    task = Task(description="{prompt}", expected_output="the answer", agent=agent)
    return Crew(agents=[agent], tasks=[task], verbose=False)


async def run_raw(crew: Any, prompt: str) -> str:
    return str((await crew.kickoff_async(inputs={"prompt": prompt})).raw)


@pytest.fixture(autouse=True)
def _crewai_home(monkeypatch: pytest.MonkeyPatch) -> None:
    use_home(monkeypatch)


def settle() -> None:
    """CrewAI's event handlers finish in a thread pool after kickoff returns."""
    from crewai.events import crewai_event_bus

    crewai_event_bus.flush()


CASE = conformance.ConformanceCase(
    name="crewai",
    make_agent=make_agent,
    run_raw=run_raw,
    tool_error="to_model",  # CrewAI shows a failing tool's error to the model as the observation
    import_path="test_crewai_conformance:CASE",
    settle=settle,
)


@pytest.mark.parametrize("check", list(conformance.CHECKS))
def test_crewai_adapter_conformance(check: str) -> None:
    conformance.run_check(CASE, check)
