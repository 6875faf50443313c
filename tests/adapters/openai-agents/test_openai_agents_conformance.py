"""The OpenAI Agents SDK adapter passes the conformance kit: an Agent with function tools over byof's scripted model."""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("agents")

from agents import Agent, Runner, function_tool, set_tracing_disabled

from byof.testing import conformance
from byof.testing.openai_agents import ScriptedAgentsModel
from byof.testing.script import Script

set_tracing_disabled(True)  # no trace export from tests


def show_error(ctx: Any, error: Exception) -> str:
    """The SDK hides tool errors from the model by default; this app shows them (its own choice)."""
    return f"error: {type(error).__name__}: {error}"


def make_agent(script: Script, tools: conformance.KitTools) -> Any:
    function_tools = [function_tool(f, failure_error_function=show_error) for f in tools.all]
    return Agent(name="kit", model=ScriptedAgentsModel(script), tools=function_tools)


async def run_raw(agent: Any, prompt: str) -> str:
    return (await Runner.run(agent, prompt)).final_output


CASE = conformance.ConformanceCase(
    name="openai_agents",
    make_agent=make_agent,
    run_raw=run_raw,
    tool_error="to_model",  # failure_error_function turns a tool error into text for the model
    import_path="test_openai_agents_conformance:CASE",
)


@pytest.mark.parametrize("check", list(conformance.CHECKS))
def test_openai_agents_adapter_conformance(check: str) -> None:
    conformance.run_check(CASE, check)
