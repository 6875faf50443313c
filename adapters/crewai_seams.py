"""How the CrewAI adapter makes a kickoff durable: a run-scoped copy of the Crew (or Agent).

CrewAI objects are stateful, so every run works on copies made with CrewAI's own `copy()`, and
the user's Crew is never touched; concurrent kickoffs of one Crew each get their own. The copies
are put back as the user built them (CrewAI's `copy()` keeps what earlier kickoffs interpolated
and counted). In the copy, every agent's LLM (and a hierarchical crew's manager LLM) is a shallow
copy whose `call`/`acall` are trace steps, and every tool (agents' and tasks') is a copy whose body
is routed to a durable task, one per tool name (equal tools, e.g. one each agent made, share it).
CrewAI's executor, its ReAct-text and function-calling modes, its tool cache and its delegation
tools (which run the coworker inline, its LLM calls traced) all stay CrewAI's.
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
from crewai.tools.agent_tools.base_agent_tools import BaseAgentTool
from crewai.tools.structured_tool import CrewStructuredTool
from pydantic import BaseModel

from byof import RunContext, ToolRouter
from byof.kit import RunMemo, retyped, to_jsonable, warn_once

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


def _runs_tools(available_functions: Any) -> bool:
    """Whether a call's `available_functions` (which the LLM runs itself) include a tool: a trace
    may not contain the tool's task. CrewAI's own (agent reasoning's plan formatter) are plain."""
    return any(
        isinstance(getattr(fn, "__self__", None), (BaseTool, CrewStructuredTool))
        for fn in (available_functions or {}).values()
    )


# A native provider's API clients (OpenAI, Anthropic, Azure, Bedrock, ...) and how it builds them.
_CLIENTS = (("_client", "_build_sync_client"), ("_async_client", "_build_async_client"))


def _own_clients(llm: BaseLLM, traced: BaseLLM) -> None:
    """Give the run's copy API clients of its own, built as the LLM builds them: a shallow copy
    would share the user's, whose connections belong to the event loop of the user's own runs
    (an async kickoff outside byof, then a wrapped one, would fail) and which the run would open."""
    for client, build in _CLIENTS:
        if getattr(llm, client, None) is not None and callable(getattr(type(llm), build, None)):
            setattr(traced, client, getattr(traced, build)())


def traced_llm(llm: BaseLLM, run: RunContext) -> BaseLLM:
    """A shallow copy of `llm`, for one run, whose calls are trace steps.

    The calls run as the copy (`self` is the copy), so what CrewAI sets on the run's LLM, e.g.
    `stream` for a streaming crew, applies, its API clients and token counts are the run's own (an LLM
    calling itself again stays inside its step: the tracer sees to that). A call whose
    `available_functions` include tools is not traced, since a trace may not contain tasks: it
    runs as it is, and byof logs a warning naming the LLM once.
    """
    traced = copy.copy(llm)
    if isinstance(getattr(llm, "_token_usage", None), dict):
        traced._token_usage = dict(llm._token_usage)
    _own_clients(llm, traced)
    original_call = functools.partial(type(llm).call, traced)
    original_acall = functools.partial(type(llm).acall, traced)

    def untraced(kwargs: dict[str, Any]) -> bool:
        if run.tracer is None or not run.tracer.enabled:
            return True
        if _runs_tools(kwargs.get("available_functions")):
            warn_once(
                logger,
                ("crewai-available-functions", llm.model),
                "LLM %r was called with tools for it to run itself (available_functions); "
                "that call is not a trace step, and the tools it runs are not tasks",
                llm.model,
            )
            return True
        return False

    def call(messages: Any, *args: Any, **kwargs: Any) -> Any:
        if untraced(kwargs):
            return original_call(messages, *args, **kwargs)
        return run.tracer.call(  # type: ignore[union-attr]
            _request(llm, messages, kwargs),
            lambda: original_call(messages, *args, **kwargs),
            name=llm.model,
            encode=_encode,
            decode=_decoder(kwargs.get("response_model")),
        )

    async def acall(messages: Any, *args: Any, **kwargs: Any) -> Any:
        if untraced(kwargs):
            return await original_acall(messages, *args, **kwargs)
        return await run.tracer.acall(  # type: ignore[union-attr]
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


def _body(tool: BaseTool) -> Callable[..., Any]:
    """What CrewAI runs for `tool`: a @tool's function, else the subclass's `_run`."""
    func = getattr(tool, "func", None)
    return func if callable(func) else tool._run


def _same_tool(a: BaseTool, b: BaseTool) -> bool:
    """One class, one configuration: e.g. a crewai-tools tool that each agent made its own."""
    exclude = {"current_usage_count"}
    return type(a) is type(b) and a.model_dump(exclude=exclude) == b.model_dump(exclude=exclude)


def routed_tool(tool: BaseTool, routed: Callable[..., Any]) -> BaseTool:
    """A copy of `tool` (same name, description, args schema, cache function) whose body is `routed`."""
    copied = tool.model_copy()
    func = getattr(tool, "func", None)
    if callable(func):
        copied.func = _like(func, routed.sync)  # type: ignore[attr-defined]
    else:
        object.__setattr__(copied, "_run", _like(tool._run, routed.sync))  # type: ignore[attr-defined]
    if getattr(type(tool), "_arun", None) is not getattr(BaseTool, "_arun", None):  # an own async body
        object.__setattr__(copied, "_arun", _like(tool._arun, routed.aio))  # type: ignore[attr-defined]
    object.__setattr__(copied, ROUTED, True)
    return copied


# -- crews and agents ---------------------------------------------------------------------------

# The texts CrewAI interpolates kickoff inputs into, and where it keeps their templates.
_TEMPLATES = {
    "description": "_original_description",
    "expected_output": "_original_expected_output",
    "output_file": "_original_output_file",
    "role": "_original_role",
    "goal": "_original_goal",
    "backstory": "_original_backstory",
}
# What a kickoff leaves behind on Tasks and Agents (counters, outputs, timings).
_RUN_STATE = (
    "used_tools",
    "tools_errors",
    "delegations",
    "retry_count",
    "processed_by_agents",
    "output",
    "start_time",
    "end_time",
    "tools_results",
)


def _as_built(original: Any, copied: Any) -> None:
    """Make a copied Task or Agent what the user built. CrewAI's `copy()` carries over what earlier
    kickoffs of the original left: the texts they interpolated (so the run would ignore its own
    inputs) and their counters (which change the prompts, e.g. when CrewAI reminds of the tools)."""
    fields = type(copied).model_fields
    for field, private in _TEMPLATES.items():
        template = getattr(original, private, None)
        if template is not None and field in fields:
            setattr(copied, field, template)
    for field in _RUN_STATE:
        if field in fields:
            setattr(copied, field, fields[field].get_default(call_default_factory=True))


class _RunCopier:
    """Gives each tool one routed copy per run (an agent's tools reappear as its tasks' tools) and
    each tool name one route, which equal tools share."""

    def __init__(self, router: ToolRouter) -> None:
        self.router = router
        self.run = router.run
        self._copies: RunMemo[BaseTool, BaseTool] = RunMemo()
        self._routes: dict[str, tuple[BaseTool, Callable[..., Any]]] = {}

    def tools(self, tools: list[BaseTool] | None) -> list[BaseTool]:
        return [self._copy(tool) for tool in tools or []]

    def _copy(self, tool: BaseTool) -> BaseTool:
        if getattr(tool, ROUTED, False):
            return tool
        return self._copies.get(tool, lambda t: routed_tool(t, self._route(t)))

    def _route(self, tool: BaseTool) -> Callable[..., Any]:
        """The route of an equal tool of this name, else a new one (the router refuses a second,
        different tool of one name)."""
        known = self._routes.get(tool.name)
        if known is not None and _same_tool(known[0], tool):
            return known[1]
        routed = self.router.route(tool.name, retyped(_body(tool)), description=tool.description)
        self._routes[tool.name] = (tool, routed)
        return routed

    def agent(self, original: Any, agent: Any) -> None:
        """Route a copied agent's tools and trace its LLMs (the copy is the run's own)."""
        agent.tools = self.tools(agent.tools)
        self.llms(original, agent)

    def llms(self, original: Any, copied: Any) -> None:
        """Trace every LLM the copied Crew or Agent has, as the user built it: CrewAI's `copy()`
        rebuilds some by model name (`planning_llm`, `function_calling_llm`), which turns a
        custom `BaseLLM` into a different LLM."""
        if self.run is None:
            return
        for field in _LLM_FIELDS:
            built = getattr(original, field, None)
            if field in type(copied).model_fields and isinstance(built, BaseLLM):
                kept = getattr(copied, field)
                setattr(copied, field, traced_llm(kept if type(kept) is type(built) else built, self.run))


# Where Crews and Agents keep the LLMs they call (function_calling_llm is deprecated, and gone
# from Crew in later 1.15 releases; planning_llm is the planner's, see _planning_llm).
_LLM_FIELDS = ("llm", "function_calling_llm", "manager_llm")


def _planning_llm(crew: Crew) -> BaseLLM:
    """The LLM a planning crew's planner will call, as an object that can be traced. Given as a
    name, or not at all, CrewAI's planner would make it by name (its default) inside the kickoff."""
    if isinstance(crew.planning_llm, BaseLLM):
        return crew.planning_llm
    from crewai.utilities.llm_utils import create_llm
    from crewai.utilities.planning_handler import CrewPlanner

    llm = create_llm(CrewPlanner(tasks=[], planning_agent_llm=crew.planning_llm).planning_agent_llm)
    assert llm is not None  # given a model name, create_llm makes an LLM
    return llm


def _say_what_is_untraced(target: Crew | Agent, agent_name: str) -> None:
    """Memory and knowledge call their own LLM and embedder, which byof does not trace."""
    members = [target, *getattr(target, "agents", [])]
    for part in ("memory", "knowledge_sources"):
        if any(getattr(member, part, None) for member in members):
            warn_once(
                logger,
                ("crewai-untraced", agent_name, part),
                "agent %r: CrewAI's %s calls its own LLM and embedder in the agent's task; "
                "those calls are not trace steps",
                agent_name,
                part.replace("_", " "),
            )


def run_copy(target: Crew | Agent, router: ToolRouter) -> Crew | Agent:
    """A copy of the Crew or Agent for one run, with routed tools and traced LLMs."""
    copier = _RunCopier(router)
    _say_what_is_untraced(target, router.factory.agent_name)
    copied = target.copy()
    if isinstance(copied, Agent):
        _as_built(target, copied)
        copier.agent(target, copied)
        return copied
    for original, agent in zip(target.agents, copied.agents, strict=True):
        _as_built(original, agent)
        copier.agent(original, agent)
    if copied.manager_agent is not None:
        # A manager CrewAI built from `manager_llm` keeps delegation tools over the original's
        # agents (CrewAI 1.15.0 then refuses it: "Manager agent should not have tools"); CrewAI
        # gives the copy's manager fresh ones, over the copy's agents, for each task it runs.
        tools = copied.manager_agent.tools or []
        copied.manager_agent.tools = [t for t in tools if not isinstance(t, BaseAgentTool)]
        copier.agent(target.manager_agent, copied.manager_agent)
    copier.llms(target, copied)
    if copied.planning and router.run is not None:
        copied.planning_llm = traced_llm(_planning_llm(target), router.run)
    for original, task in zip(target.tasks, copied.tasks, strict=True):
        _as_built(original, task)
        if task.tools:
            task.tools = copier.tools(task.tools)
    return copied
