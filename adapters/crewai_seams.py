"""How the CrewAI adapter makes a kickoff durable: a run-scoped copy of the Crew (or Agent).

CrewAI objects are stateful, so every run works on copies made with CrewAI's own `copy()`, and
the user's Crew is never touched; concurrent kickoffs of one Crew each get their own. In the
copy, every agent's LLM (and a hierarchical crew's manager LLM) is a shallow copy whose
`call`/`acall` are trace steps, and every tool (agents' and tasks') is a copy whose body is routed
to a durable task. CrewAI's executor, its ReAct-text and function-calling modes, its tool cache
and its delegation tools all stay CrewAI's.
"""

from __future__ import annotations

import copy
import functools
import logging
from collections.abc import Callable
from typing import Any

from crewai import Agent, Crew
from crewai.llms.base_llm import BaseLLM
from crewai.tools import BaseTool
from pydantic import BaseModel

from byof.redact import to_jsonable
from byof.run_context import RunContext
from byof.tool_signature import retyped
from byof.tools import ToolRouter

logger = logging.getLogger("byof.tools")
ROUTED = "__byof_routed__"


# -- model calls --------------------------------------------------------------------------------


def _request(llm: BaseLLM, messages: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
    response_model = kwargs.get("response_model")
    return {
        "model": llm.model,
        "messages": to_jsonable(messages),
        "tools": to_jsonable(kwargs.get("tools")),
        "response_model": response_model.model_json_schema() if response_model is not None else None,
    }


def _encode(answer: Any) -> Any:
    return {"model": to_jsonable(answer)} if isinstance(answer, BaseModel) else {"value": to_jsonable(answer)}


def _decoder(response_model: type[BaseModel] | None) -> Callable[[Any], Any]:
    def decode(data: Any) -> Any:
        if "model" in data and response_model is not None:
            return response_model.model_validate(data["model"])
        return data.get("value", data.get("model"))

    return decode


def traced_llm(llm: BaseLLM, run: RunContext) -> BaseLLM:
    """A shallow copy of `llm` whose calls are trace steps. A call that would run tools itself
    (CrewAI's `available_functions`) is not traced, since a trace may not contain tasks: it is
    called as it is, and said so once."""
    traced = copy.copy(llm)
    original_call, original_acall = llm.call, llm.acall

    def call(messages: Any, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("available_functions") or run.tracer is None or not run.tracer.enabled:
            return original_call(messages, *args, **kwargs)
        return run.tracer.call(
            _request(llm, messages, kwargs),
            lambda: original_call(messages, *args, **kwargs),
            name=llm.model,
            encode=_encode,
            decode=_decoder(kwargs.get("response_model")),
        )

    async def acall(messages: Any, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("available_functions") or run.tracer is None or not run.tracer.enabled:
            return await original_acall(messages, *args, **kwargs)
        return await run.tracer.acall(
            _request(llm, messages, kwargs),
            lambda: original_acall(messages, *args, **kwargs),
            name=llm.model,
            encode=_encode,
            decode=_decoder(kwargs.get("response_model")),
        )

    object.__setattr__(traced, "call", call)
    object.__setattr__(traced, "acall", acall)
    return traced


# -- tools --------------------------------------------------------------------------------------


def _like(original: Callable[..., Any], target: Callable[..., Any]) -> Callable[..., Any]:
    """A plain function presenting `original`'s signature and name that calls `target`."""

    def call(*args: Any, **kwargs: Any) -> Any:
        return target(*args, **kwargs)

    return functools.wraps(original)(call)


def routed_tool(tool: BaseTool, router: ToolRouter) -> BaseTool:
    """A copy of `tool` (same name, description, args schema, cache function) whose body is a task."""
    if getattr(tool, ROUTED, False):
        return tool
    func = getattr(tool, "func", None)
    body = func if callable(func) else tool._run
    routed = router.route(tool.name, retyped(body), description=tool.description)
    copied = tool.model_copy()
    if callable(func):
        copied.func = _like(func, routed.sync)  # type: ignore[attr-defined]
    else:
        object.__setattr__(copied, "_run", _like(tool._run, routed.sync))  # type: ignore[attr-defined]
    if getattr(type(tool), "_arun", None) is not getattr(BaseTool, "_arun", None):  # an own async body
        object.__setattr__(copied, "_arun", _like(tool._arun, routed.aio))  # type: ignore[attr-defined]
    object.__setattr__(copied, ROUTED, True)
    return copied


# -- crews and agents ---------------------------------------------------------------------------


class _RunCopier:
    """Routes each distinct tool once per run (an agent's tools reappear as its tasks' tools)."""

    def __init__(self, router: ToolRouter) -> None:
        self.router = router
        self.run = router.run
        self._tools: dict[int, tuple[BaseTool, BaseTool]] = {}

    def tools(self, tools: list[BaseTool] | None) -> list[BaseTool]:
        out = []
        for tool in tools or []:
            known = self._tools.get(id(tool))
            if known is None:
                known = self._tools[id(tool)] = (tool, routed_tool(tool, self.router))
            out.append(known[1])
        return out

    def agent(self, agent: Any) -> None:
        """Route a copied agent's tools and trace its LLM (the copy is the run's own)."""
        agent.tools = self.tools(agent.tools)
        if self.run is not None and isinstance(agent.llm, BaseLLM):
            agent.llm = traced_llm(agent.llm, self.run)


def run_copy(target: Crew | Agent, router: ToolRouter) -> Crew | Agent:
    """A copy of the Crew or Agent for one run, with routed tools and traced LLMs."""
    copier = _RunCopier(router)
    copied = target.copy()
    if isinstance(copied, Agent):
        copier.agent(copied)
        return copied
    for agent in copied.agents:
        copier.agent(agent)
    if copied.manager_agent is not None:
        copier.agent(copied.manager_agent)
    if router.run is not None and isinstance(copied.manager_llm, BaseLLM):
        copied.manager_llm = traced_llm(copied.manager_llm, router.run)
    for task in copied.tasks:
        if task.tools:
            task.tools = copier.tools(task.tools)
    return copied
