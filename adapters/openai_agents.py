"""The OpenAI Agents SDK adapter: an existing `agents.Agent`, with handoffs, agents as tools and guardrails.

Every agent a run reaches (handoff targets, agents behind `as_tool`, guardrail agents) is made
durable through the SDK's runner (see openai_agents_seams.py): model calls, however the model is
given (a name, a `Model` on the agent, `RunConfig(model=..., model_provider=...)`), are trace
steps, and `@function_tool` calls are child tasks. The user's agents are never modified.

Task inputs: `prompt` and `context` (JSON data for the run's context object; give its type as
adapter_options `context_type`). Output: the final output's text, or structured output as JSON.

adapter_options: `entry` = "run" (default), "run_sync" or "run_streamed"; `run_config` (a
RunConfig), `session` (an SDK session, for conversation memory), `max_turns`, `context_type`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from byof.adapter import AdapterInfo, Param, TaskSignature, loaded_instance, output_type_for
from byof.plugins import hookimpl
from byof.threads import drive

NAME = "openai-agents"
SUPPORTED = ">=0.21,<1"


@hookimpl
def byof_adapter_info() -> AdapterInfo:
    return AdapterInfo(
        name=NAME,
        framework="OpenAI Agents SDK",
        distribution="openai-agents",
        extra="openai-agents",
        supported=SUPPORTED,
        modules=("agents",),
        description="agents.Agent with function tools, handoffs, agents as tools and guardrails.",
    )


@hookimpl
def byof_detect(agent: Any) -> str | None:
    return NAME if loaded_instance(agent, "agents", "Agent") else None


@hookimpl
def byof_task_signature(adapter: str, agent: Any, options: Mapping[str, Any]) -> TaskSignature | None:
    if adapter != NAME:
        return None
    import typing

    output = agent.output_type
    return TaskSignature(
        params=(Param("prompt", str), Param("context", typing.Optional[dict], None)),  # noqa: UP045
        output=str if output in (None, str) else output_type_for(output),
    )


@hookimpl
def byof_route_tools(adapter: str, agent: Any, router: Any) -> Any:
    if adapter != NAME:
        return None
    from . import openai_agents_seams

    openai_agents_seams.install()
    if router.run is None:  # discovery on a worker: route the whole tree's function tools now
        from agents import FunctionTool

        for tool in _tree_tools(agent):
            if isinstance(tool, FunctionTool) and not getattr(tool, "_is_agent_tool", False):
                openai_agents_seams._routed_tool(tool, router)
    return agent


def _tree_tools(agent: Any, seen: set[int] | None = None) -> list[Any]:
    """Every tool of `agent`, its handoff targets and the agents behind its agent tools."""
    from agents import Agent

    seen = seen if seen is not None else set()
    if id(agent) in seen:
        return []
    seen.add(id(agent))
    tools = list(agent.tools)
    for tool in agent.tools:
        inner = getattr(tool, "_agent_instance", None)
        if isinstance(inner, Agent):
            tools += _tree_tools(inner, seen)
    for handoff in agent.handoffs:
        if isinstance(handoff, Agent):
            tools += _tree_tools(handoff, seen)
    return tools


@hookimpl
def byof_wrap_model(adapter: str, agent: Any, tracer: Any) -> Any:
    return agent if adapter == NAME else None


async def _invoke(agent: Any, inputs: dict[str, Any], run: Any) -> Any:
    from pydantic import TypeAdapter

    from byof.redact import to_jsonable

    from . import openai_agents_seams

    options = dict(run.options.adapter_options)
    context = inputs.get("context")
    if context is not None and options.get("context_type") is not None:
        context = TypeAdapter(options["context_type"]).validate_python(context)
    kwargs: dict[str, Any] = {"context": context, "run_config": options.get("run_config")}
    for key in ("session", "max_turns"):
        if key in options:
            kwargs[key] = options[key]
    try:
        output = await _final_output(agent, inputs["prompt"], options.get("entry", "run"), kwargs)
    finally:
        await openai_agents_seams.cloner_for(run).aclose()
    return output if isinstance(output, str) else to_jsonable(output)


async def _final_output(agent: Any, prompt: str, entry: str, kwargs: dict[str, Any]) -> Any:

    from agents import Runner

    result: Any
    if entry == "run":
        result = await Runner.run(agent, prompt, **kwargs)
    elif entry == "run_sync":
        result = await drive(lambda: Runner.run_sync(agent, prompt, **kwargs))
    elif entry == "run_streamed":
        result = Runner.run_streamed(agent, prompt, **kwargs)
        async for _ in result.stream_events():
            pass
    else:
        raise ValueError(f"adapter_options entry={entry!r} is not one of run, run_sync, run_streamed")
    return result.final_output


@hookimpl
def byof_invoke(adapter: str, agent: Any, inputs: dict[str, Any], run: Any) -> Any:
    if adapter != NAME:
        return None
    return _invoke(agent, inputs, run)
