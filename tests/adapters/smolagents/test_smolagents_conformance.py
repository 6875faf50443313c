"""The smolagents adapter passes the conformance kit: a ToolCallingAgent with @tool tools over byof's scripted model."""

from __future__ import annotations

import asyncio
import functools
import inspect
from collections.abc import Callable
from typing import Any

import pytest

pytest.importorskip("smolagents")

from smolagents import ToolCallingAgent, tool

from byof.testing import conformance
from byof.testing.script import Script
from byof.testing.smolagents import ScriptedModel


def smolagents_tool(fn: Callable[..., Any]) -> Any:
    """`fn` as a smolagents @tool, which wants each argument described in the docstring."""

    @functools.wraps(fn)
    def described(*args: Any, **kwargs: Any) -> Any:
        return fn(*args, **kwargs)

    args = "".join(f"    {name}: the {name}\n" for name in inspect.signature(fn).parameters)
    described.__doc__ = f"{inspect.getdoc(fn)}\n\nArgs:\n{args}"
    return tool(described)


def make_agent(script: Script, tools: conformance.KitTools) -> Any:
    return ToolCallingAgent(
        tools=[smolagents_tool(f) for f in tools.all], model=ScriptedModel(script), verbosity_level=0
    )


async def run_raw(agent: Any, prompt: str) -> str:
    return str(await asyncio.to_thread(agent.run, prompt))


CASE = conformance.ConformanceCase(
    name="smolagents",
    make_agent=make_agent,
    run_raw=run_raw,
    tool_error="to_model",  # smolagents shows a failing tool's error to the model in the next step
    import_path="test_smolagents_conformance:CASE",
)


@pytest.mark.parametrize("check", list(conformance.CHECKS))
def test_smolagents_adapter_conformance(check: str) -> None:
    conformance.run_check(CASE, check)
