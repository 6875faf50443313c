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
from typing import TYPE_CHECKING, Any

from byof.kit import loaded_instance
from byof.plugins import Adapter, Param, TaskSignature, hookimpl

if TYPE_CHECKING:
    from byof import RunContext

NAME = "pydantic-ai"
SUPPORTED = ">=2.60,<3"


class PydanticAIAdapter(Adapter[Any]):
    """A `pydantic_ai.Agent`. Per run: the agent's (and its delegates') routed overrides."""

    name = NAME
    framework = "Pydantic AI"
    distribution = "pydantic-ai-slim"
    extra = "pydantic-ai"
    supported = SUPPORTED
    description = "pydantic_ai.Agent: tools, toolsets, deps, typed outputs, message history."
    entries = ("run", "run_sync", "run_stream", "iter")

    def claims(self, obj: Any) -> bool:
        return loaded_instance(obj, "pydantic_ai.agent", "AbstractAgent")

    def signature(self, obj: Any, options: Mapping[str, Any]) -> TaskSignature:
        import typing

        from .pydantic_ai_deps import check_deps
        from .pydantic_ai_seams import task_output_type

        check_deps(obj, options)
        return TaskSignature(
            params=(
                Param("prompt", str, ""),
                Param("deps", typing.Optional[dict], None),  # noqa: UP045 - a runtime type for Flyte
                Param("message_history", typing.Optional[list[dict]], None),  # noqa: UP045
                Param("usage_limits", typing.Optional[dict], None),  # noqa: UP045
                Param("model_settings", typing.Optional[dict], None),  # noqa: UP045
            ),
            output=dict if options.get("return_messages") else task_output_type(obj),
        )

    def prepare(self, obj: Any, run: RunContext) -> Any:
        from .pydantic_ai_tools import prepare

        return prepare(obj, run.router)

    async def invoke(self, obj: Any, prepared: Any, inputs: dict[str, Any], run: RunContext) -> Any:
        from .pydantic_ai_seams import invoke

        return await invoke(obj, prepared, self.entry(run.options.adapter_options), inputs, run)


@hookimpl
def byof_register_adapters(register: Any) -> None:
    register(PydanticAIAdapter())
