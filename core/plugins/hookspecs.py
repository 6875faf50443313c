"""The byof plugin contract: every adapter, sink and policy is a pluggy plugin of these hooks.

Dispatch hooks are `firstresult`: `byof_detect` names the adapter that owns an agent object,
and the other dispatch hooks receive that name as `adapter` so an implementation answers only
for its own adapter (return None otherwise). Broadcast hooks are called on every plugin.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from byof.templates import TemplateInfo

    from ..observability.events import Event
    from ..runtime.run_context import RunContext
    from ..steps.models import ModelTracer
    from ..steps.policy import Block, ToolCall
    from ..steps.tools import ToolRouter
    from .adapter import AdapterInfo, TaskSignature

hookspec = pluggy.HookspecMarker("byof")


# -- dispatch ---------------------------------------------------------------------------------


@hookspec(firstresult=True)
def byof_detect(agent: Any) -> str | None:
    """Return your adapter's name if you own `agent`; import no framework to decide."""


@hookspec(firstresult=True)
def byof_task_signature(adapter: str, agent: Any, options: Mapping[str, Any]) -> TaskSignature | None:
    """Return the wrapped task's inputs and output type (default: `(prompt: str) -> str`);
    `options` are the wrap's adapter_options."""


@hookspec(firstresult=True)
def byof_route_tools(adapter: str, agent: Any, router: ToolRouter) -> Any | None:
    """Return a run-scoped copy of `agent` whose tool bodies go through `router.route(...)`."""


@hookspec(firstresult=True)
def byof_wrap_model(adapter: str, agent: Any, tracer: ModelTracer) -> Any | None:
    """Return a run-scoped copy of `agent` whose model calls go through `tracer`."""


@hookspec(firstresult=True)
def byof_invoke(adapter: str, agent: Any, inputs: dict[str, Any], run: RunContext) -> Awaitable[Any] | None:
    """Return an awaitable that drives the framework's own loop and yields the task's output."""


# -- broadcast --------------------------------------------------------------------------------


@hookspec
def byof_adapter_info() -> AdapterInfo | None:
    """Describe your adapter: name, framework distribution, extra, supported range."""


@hookspec
def byof_on_event(event: Event) -> None:
    """Receive every agent, model, tool and plan event (already redacted)."""


@hookspec
def byof_before_tool_call(call: ToolCall) -> Block | None:
    """Return `Block(reason)` to stop a tool call; the agent sees it as the tool's error."""


@hookspec
def byof_image_packages(framework: str) -> list[str] | None:
    """Return the pip requirements a task image needs to run agents of `framework`."""


@hookspec
def byof_register_templates(register: Callable[[TemplateInfo], None]) -> None:
    """Call `register(TemplateInfo(...))` once per project template you provide."""
