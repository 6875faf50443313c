"""The OpenAI Agents SDK adapter: an existing `agents.Agent`, with handoffs, agents as tools and guardrails.

Every agent a run reaches (handoff targets, agents behind `as_tool`, guardrail agents) is made
durable through the SDK's runner (see openai_agents_seams.py): model calls, however the model is
given (a name, a `Model` on the agent, `RunConfig(model=..., model_provider=...)`), are trace
steps, and `@function_tool` calls are child tasks. The user's agents are never modified.

Task inputs, what `Runner.run` takes per run: `prompt` and/or `input` (a list of input items; the
prompt, if any, follows them as a user message), `context` (JSON data for the run's context object;
give its type as adapter_options `context_type`), `starting_agent` (the name of the agent of the
tree to start at), `max_turns`, `previous_response_id`, `conversation_id`, and `run_config` (the
RunConfig fields that are data, over adapter_options' RunConfig). Output: the final output's text,
or structured output as JSON; with adapter_options `return_result=True`, the run as data: final
output, input items to continue from, last agent, context, last response id.

adapter_options: `entry` = "run" (default), "run_sync" or "run_streamed"; `run_config` (a
RunConfig), `session` (an SDK session, for conversation memory), `hooks` (RunHooks),
`error_handlers`, `auto_previous_response_id`, `max_turns` (the default), `context_type`,
`return_result`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from byof.kit import drive, loaded_instance, output_type_for
from byof.plugins import Adapter, Param, TaskSignature, hookimpl

if TYPE_CHECKING:
    from byof import RunContext

NAME = "openai-agents"
SUPPORTED = ">=0.21,<1"


def _tree_agents(agent: Any) -> list[Any]:
    """`agent`, its handoff targets and the agents behind its agent tools, each once, in order."""
    from agents import Agent, Handoff

    found: dict[int, Any] = {}
    todo = [agent]
    while todo:
        current = todo.pop(0)
        if id(current) in found:
            continue
        found[id(current)] = current
        for tool in current.tools:
            inner = getattr(tool, "_agent_instance", None)
            if isinstance(inner, Agent):
                todo.append(inner)
        for handoff in current.handoffs:
            if isinstance(handoff, Handoff):  # handoff(agent, ...): the SDK keeps a weak reference
                ref = getattr(handoff, "_agent_ref", None)
                handoff = ref() if ref is not None else None
            if isinstance(handoff, Agent):
                todo.append(handoff)
    return list(found.values())


# RunConfig fields that are per-run data, which the task's `run_config` input may set.
RUN_CONFIG_DATA = (
    "model",
    "model_settings",
    "workflow_name",
    "trace_id",
    "group_id",
    "trace_metadata",
    "tracing_disabled",
    "trace_include_sensitive_data",
)


def _run_config(base: Any, data: dict[str, Any] | None) -> Any:
    """adapter_options' RunConfig, with the task's per-run fields over it."""
    import dataclasses

    from agents import ModelSettings, RunConfig

    if not data:
        return base
    unknown = sorted(set(data) - set(RUN_CONFIG_DATA))
    if unknown:
        raise ValueError(
            f"run_config input: {', '.join(unknown)} cannot be given per run (a task input holds data: "
            f"{', '.join(RUN_CONFIG_DATA)}); set the rest on a RunConfig in adapter_options['run_config']"
        )
    if "model" in data and not isinstance(data["model"], str):
        raise ValueError(
            "run_config input: model must be a model name; give a Model object in adapter_options"
        )
    config = RunConfig(**base) if isinstance(base, dict) else base or RunConfig()
    fields = dict(data)
    if isinstance(fields.get("model_settings"), dict):
        settings = ModelSettings(**fields["model_settings"])
        fields["model_settings"] = (
            config.model_settings.resolve(settings) if config.model_settings else settings
        )
    return dataclasses.replace(config, **fields)


def _starting_agent(agent: Any, name: str | None) -> Any:
    if not name:
        return agent
    agents = _tree_agents(agent)
    named = [a for a in agents if a.name == name]
    if len(named) != 1:
        known = ", ".join(repr(a.name) for a in agents)
        problem = "no agent" if not named else f"{len(named)} agents"
        raise ValueError(
            f"starting_agent={name!r}: {problem} of that name among {agent.name!r}'s handoffs and "
            f"agent tools (known: {known})"
        )
    return named[0]


def _run_input(inputs: dict[str, Any]) -> str | list[Any]:
    items, prompt = inputs.get("input"), inputs.get("prompt") or ""
    if items is None:
        if not prompt:
            raise ValueError("an OpenAI Agents SDK task needs a prompt or input items (input=[...])")
        return prompt
    return [*items, {"role": "user", "content": prompt}] if prompt else list(items)


async def _invoke(agent: Any, entry: str, inputs: dict[str, Any], run: Any) -> Any:
    from pydantic import TypeAdapter

    from byof.observability.redact import to_jsonable

    from . import openai_agents_seams

    options = dict(run.options.adapter_options)
    context = inputs.get("context")
    if context is not None and options.get("context_type") is not None:
        context = TypeAdapter(options["context_type"]).validate_python(context)
    kwargs: dict[str, Any] = {
        "context": context,
        "run_config": _run_config(options.get("run_config"), inputs.get("run_config")),
    }
    for key in ("session", "hooks", "error_handlers", "auto_previous_response_id", "max_turns"):
        if key in options:
            kwargs[key] = options[key]
    for key in ("max_turns", "previous_response_id", "conversation_id"):
        if inputs.get(key) is not None:
            kwargs[key] = inputs[key]
    starting = _starting_agent(agent, inputs.get("starting_agent"))
    try:
        result = await _result(starting, _run_input(inputs), entry, kwargs)
    finally:
        await openai_agents_seams.cloner_for(run).aclose()
    output = result.final_output
    output = output if isinstance(output, str) else to_jsonable(output)
    if not options.get("return_result"):
        return output
    return {
        "output": output,
        "items": to_jsonable(result.to_input_list()),
        "last_agent": result.last_agent.name,
        "context": to_jsonable(context),
        "last_response_id": result.last_response_id,
    }


async def _result(agent: Any, run_input: str | list[Any], entry: str, kwargs: dict[str, Any]) -> Any:
    from agents import Runner

    result: Any
    if entry == "run":
        result = await Runner.run(agent, run_input, **kwargs)
    elif entry == "run_sync":
        result = await drive(lambda: Runner.run_sync(agent, run_input, **kwargs))
    else:  # "run_streamed"
        result = Runner.run_streamed(agent, run_input, **kwargs)
        async for _ in result.stream_events():
            pass
    return result


class OpenAIAgentsAdapter(Adapter[Any]):
    """An `agents.Agent`. Per run: the run's clone of the agent tree (its `AgentCloner`); the
    SDK's runner seam clones each agent a run reaches, nested runs included."""

    name = NAME
    framework = "OpenAI Agents SDK"
    distribution = "openai-agents"
    extra = "openai-agents"
    supported = SUPPORTED
    description = "agents.Agent with function tools, handoffs, agents as tools and guardrails."
    entries = ("run", "run_sync", "run_streamed")

    def claims(self, obj: Any) -> bool:
        return loaded_instance(obj, "agents", "Agent")

    def signature(self, obj: Any, options: Mapping[str, Any]) -> TaskSignature:
        from typing import Optional

        output = obj.output_type
        return TaskSignature(
            params=(
                Param("prompt", str, ""),
                Param("input", Optional[list[dict]], None),  # noqa: UP045 - runtime types for Flyte
                Param("context", Optional[dict], None),  # noqa: UP045
                Param("starting_agent", Optional[str], None),  # noqa: UP045
                Param("max_turns", Optional[int], None),  # noqa: UP045
                Param("previous_response_id", Optional[str], None),  # noqa: UP045
                Param("conversation_id", Optional[str], None),  # noqa: UP045
                Param("run_config", Optional[dict], None),  # noqa: UP045
            ),
            output=dict
            if options.get("return_result")
            else str
            if output in (None, str)
            else output_type_for(output),
        )

    def prepare(self, obj: Any, run: RunContext) -> Any:
        from agents import FunctionTool

        from . import openai_agents_seams

        openai_agents_seams.install()
        cloner = openai_agents_seams.AgentCloner(run)
        # A run clones agents as the runner reaches them; a worker rebuilding a tool task must
        # find it now, in the whole tree (handoff targets and agents behind agent tools too).
        for tool in (t for a in _tree_agents(obj) for t in a.tools):
            if isinstance(tool, FunctionTool) and not getattr(tool, "_is_agent_tool", False):
                cloner.tools.tool(tool)
        return cloner

    async def invoke(self, obj: Any, prepared: Any, inputs: dict[str, Any], run: RunContext) -> Any:
        return await _invoke(obj, self.entry(run.options.adapter_options), inputs, run)


@hookimpl
def byof_register_adapters(register: Any) -> None:
    register(OpenAIAgentsAdapter())
