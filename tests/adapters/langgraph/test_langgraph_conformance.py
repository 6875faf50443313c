"""The LangGraph adapter passes the conformance kit: a prebuilt ReAct agent over byof's scripted model."""

from __future__ import annotations

import warnings
from typing import Any

import pytest

pytest.importorskip("langgraph")

from langchain_core.tools import StructuredTool
from langgraph.prebuilt import create_react_agent

from byof.testing import conformance
from byof.testing.langchain import ScriptedChatModel
from byof.testing.script import Script

warnings.filterwarnings("ignore", message=".*create_react_agent has been moved.*")


def make_agent(script: Script, tools: conformance.KitTools) -> Any:
    lc_tools = [StructuredTool.from_function(f) for f in tools.all]
    return create_react_agent(ScriptedChatModel(script=script), lc_tools)


async def run_raw(agent: Any, prompt: str) -> str:
    state = await agent.ainvoke({"messages": [{"role": "user", "content": prompt}]})
    return state["messages"][-1].content


def tool_node_surfaces_errors_to_the_model() -> bool:
    """ToolNode's default error handling changed in langgraph-prebuilt 1.1: before, every tool
    exception became an error message to the model; since, only invalid arguments do."""
    import inspect

    from langgraph.prebuilt import ToolNode

    return inspect.signature(ToolNode.__init__).parameters["handle_tool_errors"].default is True


CASE = conformance.ConformanceCase(
    name="langgraph",
    make_agent=make_agent,
    run_raw=run_raw,
    tool_error="to_model" if tool_node_surfaces_errors_to_the_model() else "raises",
    import_path="test_langgraph_conformance:CASE",
)


@pytest.mark.parametrize("check", list(conformance.CHECKS))
def test_langgraph_adapter_conformance(check: str) -> None:
    conformance.run_check(CASE, check)
