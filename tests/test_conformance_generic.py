"""The generic adapter passes the conformance kit: a homegrown tool-calling loop over a raw chat API."""

from __future__ import annotations

from typing import Any

import pytest

import byof
from byof.examples.tool_loop import make_tool_agent
from byof.testing import conformance
from byof.testing.chat import ScriptedChat
from byof.testing.script import Script


def make_agent(script: Script, tools: conformance.KitTools) -> Any:
    return make_tool_agent(ScriptedChat(script), [byof.tool(f) for f in tools.all])


async def run_raw(agent: Any, prompt: str) -> str:
    return await agent(prompt)


CASE = conformance.ConformanceCase(
    name="generic", make_agent=make_agent, run_raw=run_raw, import_path="test_conformance_generic:CASE"
)


@pytest.mark.parametrize("check", list(conformance.CHECKS))
def test_generic_adapter_conformance(check: str) -> None:
    conformance.run_check(CASE, check)
