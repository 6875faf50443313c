"""The Pydantic AI adapter passes the conformance kit: an Agent with tool_plain tools over byof's scripted model."""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("pydantic_ai")

from pydantic_ai import Agent

from byof.testing import conformance
from byof.testing.pydantic_ai import scripted_model
from byof.testing.script import Script


def make_agent(script: Script, tools: conformance.KitTools) -> Any:
    agent = Agent(scripted_model(script))  # unnamed, as the docs build agents: a run must not name it
    for fn in tools.all:
        agent.tool_plain(fn)
    return agent


async def run_raw(agent: Any, prompt: str) -> str:
    return (await agent.run(prompt)).output


CASE = conformance.ConformanceCase(
    name="pydantic_ai",
    make_agent=make_agent,
    run_raw=run_raw,
    tool_error="raises",  # Pydantic AI re-raises tool exceptions other than ModelRetry
    block_error="to_model",  # a policy block reaches the model as a ModelRetry
    import_path="test_pydantic_ai_conformance:CASE",
)


@pytest.mark.parametrize("check", list(conformance.CHECKS))
def test_pydantic_ai_adapter_conformance(check: str) -> None:
    conformance.run_check(CASE, check)
