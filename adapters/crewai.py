"""The CrewAI adapter: an existing `crewai.Crew` (sequential or hierarchical) or a single `crewai.Agent`.

Each kickoff runs on a copy of the Crew or Agent (see crewai_seams.py): LLM calls, the manager
LLM's included, are trace steps and tool calls child tasks, and the user's objects are untouched.

Task inputs: `prompt` (for an Agent: its kickoff message; for a Crew: available to task
descriptions as `{prompt}`) and `inputs` (the kickoff inputs mapping interpolated into the crew's
tasks and agents). Output: the raw text, or the structured output (`output_pydantic`,
`output_json`) as JSON data when the last task declares one.

adapter_options: `entry` = "kickoff" (default) or "kickoff_async". A streaming crew's stream
runs to its end in the task, which returns the final output.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping
from typing import Any

from byof.adapter import AdapterInfo, Param, TaskSignature, loaded_instance
from byof.plugins import hookimpl
from byof.threads import drive

NAME = "crewai"
SUPPORTED = ">=1.15,<2"


@hookimpl
def byof_adapter_info() -> AdapterInfo:
    return AdapterInfo(
        name=NAME,
        framework="CrewAI",
        distribution="crewai",
        extra="crewai",
        supported=SUPPORTED,
        modules=("crewai",),
        description="Crews (sequential, hierarchical) and single Agents, their tools and LLMs.",
    )


@hookimpl
def byof_detect(agent: Any) -> str | None:
    if loaded_instance(agent, "crewai", "Crew") or loaded_instance(agent, "crewai", "Agent"):
        return NAME
    return None


def _structured(agent: Any) -> bool:
    tasks = getattr(agent, "tasks", None) or []
    last = tasks[-1] if tasks else None
    return last is not None and (last.output_pydantic is not None or last.output_json is not None)


@hookimpl
def byof_task_signature(adapter: str, agent: Any, options: Mapping[str, Any]) -> TaskSignature | None:
    if adapter != NAME:
        return None
    return TaskSignature(
        params=(Param("prompt", str, ""), Param("inputs", typing.Optional[dict], None)),  # noqa: UP045
        output=dict if _structured(agent) else str,
    )


@hookimpl
def byof_route_tools(adapter: str, agent: Any, router: Any) -> Any:
    if adapter != NAME:
        return None
    from .crewai_seams import run_copy

    return run_copy(agent, router)


@hookimpl
def byof_wrap_model(adapter: str, agent: Any, tracer: Any) -> Any:
    return agent if adapter == NAME else None  # the run copy's LLMs already trace through the run


def _output(result: Any, structured: bool) -> Any:
    from byof.redact import to_jsonable

    if structured:
        if getattr(result, "pydantic", None) is not None:
            return to_jsonable(result.pydantic)
        if getattr(result, "json_dict", None) is not None:
            return to_jsonable(result.json_dict)
    return str(result.raw)


async def _streamed(result: Any, entry: str) -> Any:
    """The CrewOutput of a kickoff; a streaming crew's (`Crew(stream=True)`) once its stream has
    run to the end in the task. Each LLM call in it is a whole trace step, so a replayed call
    streams no chunks but gives the same output."""
    from crewai.types.streaming import CrewStreamingOutput

    if not isinstance(result, CrewStreamingOutput):
        return result
    if entry == "kickoff_async":  # its stream is an async one
        async for _ in result:
            pass
    else:
        await drive(lambda: [None for _ in result])
    return result.result


async def _invoke(agent: Any, inputs: dict[str, Any], run: Any) -> Any:
    from crewai import Crew

    entry = run.options.adapter_options.get("entry", "kickoff")
    if entry not in ("kickoff", "kickoff_async"):
        raise ValueError(f"adapter_options entry={entry!r} is not one of kickoff, kickoff_async")
    if isinstance(agent, Crew):
        kickoff_inputs = {
            **({"prompt": inputs["prompt"]} if inputs.get("prompt") else {}),
            **(inputs.get("inputs") or {}),
        }
        if entry == "kickoff":
            result = await drive(agent.kickoff, inputs=kickoff_inputs)
        else:
            result = await agent.kickoff_async(inputs=kickoff_inputs)
        return _output(await _streamed(result, entry), _structured(agent))
    if not inputs.get("prompt"):
        raise ValueError("a CrewAI Agent's task needs a prompt (the message the agent kicks off with)")
    if entry == "kickoff":
        result = await drive(agent.kickoff, inputs["prompt"])
    else:
        result = await agent.kickoff_async(inputs["prompt"])
    return _output(result, False)


@hookimpl
def byof_invoke(adapter: str, agent: Any, inputs: dict[str, Any], run: Any) -> Any:
    if adapter != NAME:
        return None
    return _invoke(agent, inputs, run)
