"""The Pydantic AI adapter: an existing `pydantic_ai.Agent`, with deps, RunContext tools and typed outputs.

Seam: `agent.override(model=..., tools=..., toolsets=...)`, Pydantic AI's own context-scoped
override (a ContextVar per agent), entered around each run inside the task. The model is wrapped
in a `WrapperModel` whose requests are `flyte.trace` steps; the agent's function tools and its
`FunctionToolset`s are replaced, for that run only, by copies whose functions are routed to
durable tasks. Agents its tools run (delegation) get the same override. The user's agents, tools
and toolsets are never modified, and concurrent runs each see only their own override.

Task inputs: `prompt`, `deps` (JSON data validated into the agent's `deps_type`, or the keyword
arguments of the deps factory), `message_history` (Pydantic AI messages as JSON),
`usage_limits` (UsageLimits' fields), `model_settings`. Output: the agent's output as text, or
the validated output as JSON data (an output spec mixing kinds, like `[Answer, str]`, gives text,
models as JSON text); with adapter_options `return_messages=True`, a dict with the output and
`all_messages()` as JSON.

adapter_options: `entry` = "run" (default), "run_sync", "run_stream" or "iter";
`return_messages`; `deps_factory`, a callable (sync or async, or returning a context manager)
that builds the deps inside the task, and inside each tool task, from the `deps` input.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from byof.plugins import hookimpl
from byof.plugins.adapter import AdapterInfo, Param, TaskSignature, loaded_instance

NAME = "pydantic-ai"
SUPPORTED = ">=2.60,<3"


@hookimpl
def byof_adapter_info() -> AdapterInfo:
    return AdapterInfo(
        name=NAME,
        framework="Pydantic AI",
        distribution="pydantic-ai-slim",
        extra="pydantic-ai",
        supported=SUPPORTED,
        modules=("pydantic_ai",),
        description="pydantic_ai.Agent: tools, toolsets, deps, typed outputs, message history.",
    )


@hookimpl
def byof_detect(agent: Any) -> str | None:
    return NAME if loaded_instance(agent, "pydantic_ai.agent", "AbstractAgent") else None


@hookimpl
def byof_task_signature(adapter: str, agent: Any, options: Mapping[str, Any]) -> TaskSignature | None:
    if adapter != NAME:
        return None
    import typing

    from .pydantic_ai_deps import check_deps
    from .pydantic_ai_seams import task_output_type

    check_deps(agent, options)
    output = task_output_type(agent)
    return TaskSignature(
        params=(
            Param("prompt", str, ""),
            Param("deps", typing.Optional[dict], None),  # noqa: UP045 - a runtime type for Flyte
            Param("message_history", typing.Optional[list[dict]], None),  # noqa: UP045
            Param("usage_limits", typing.Optional[dict], None),  # noqa: UP045
            Param("model_settings", typing.Optional[dict], None),  # noqa: UP045
        ),
        output=dict if options.get("return_messages") else output,
    )


@hookimpl
def byof_route_tools(adapter: str, agent: Any, router: Any) -> Any:
    if adapter != NAME:
        return None
    from .pydantic_ai_tools import routed_overrides

    overrides = routed_overrides(agent, router)
    if router.run is not None:
        router.run.state["pydantic_ai_overrides"] = overrides
    return agent


@hookimpl
def byof_wrap_model(adapter: str, agent: Any, tracer: Any) -> Any:
    if adapter != NAME:
        return None
    tracer.run.state["pydantic_ai_trace_model"] = True
    return agent


@hookimpl
def byof_invoke(adapter: str, agent: Any, inputs: dict[str, Any], run: Any) -> Any:
    if adapter != NAME:
        return None
    from .pydantic_ai_seams import invoke

    return invoke(agent, inputs, run)
