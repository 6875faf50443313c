"""flyte-byof: run any Python agent framework durably on Flyte 2, in one call.

    import byof, flyte
    env = byof.environment("my-agent")
    task = byof.wrap(my_agent_loop, env=env, name="weather")
    flyte.init(); print(flyte.run(task, prompt="Weather in Paris?").outputs())

`import byof` imports no agent framework: adapters import theirs only when an object of it
is wrapped. Public names are loaded on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:
    from .durability.exceptions import original_error
    from .errors import (
        AdapterError,
        ByofError,
        FrameworkVersionError,
        NoAdapterError,
        NotDurableError,
        SerializationError,
        TaskNameError,
        TeamError,
        ToolBlocked,
        ToolDecoratorOrderError,
        ToolFailed,
        ToolRoutingError,
        WriteConflictError,
    )
    from .observability.events import Event
    from .plugins import hookimpl, register, unregister
    from .plugins.adapter import Adapter, AdapterInfo, Param, TaskSignature
    from .runtime.images import environment
    from .runtime.options import ToolOptions
    from .runtime.run_context import RunContext
    from .runtime.wrapping import wrap, wrapped_agent
    from .steps.decorators import model_call, tool
    from .steps.models import ModelTracer
    from .steps.policy import Block, ToolCall
    from .steps.tools import ToolRouter
    from .team import Plan, PlanError, PlanLimits, PlanResult, PlanStep, Specialist, Team

_EXPORTS: dict[str, str] = {
    "wrap": "runtime.wrapping",
    "wrapped_agent": "runtime.wrapping",
    "environment": "runtime.images",
    "tool": "steps.decorators",
    "model_call": "steps.decorators",
    "ToolOptions": "runtime.options",
    "hookimpl": "plugins.manager",
    "register": "plugins.manager",
    "unregister": "plugins.manager",
    "Block": "steps.policy",
    "ToolCall": "steps.policy",
    "Event": "observability.events",
    "AdapterInfo": "plugins.adapter",
    "Param": "plugins.adapter",
    "TaskSignature": "plugins.adapter",
    "ModelTracer": "steps.models",
    "original_error": "durability.exceptions",
    "ToolRouter": "steps.tools",
    "RunContext": "runtime.run_context",
    "Adapter": "plugins.adapter",
    "ByofError": "errors",
    "AdapterError": "errors",
    "FrameworkVersionError": "errors",
    "NoAdapterError": "errors",
    "NotDurableError": "errors",
    "SerializationError": "errors",
    "ToolBlocked": "errors",
    "ToolDecoratorOrderError": "errors",
    "ToolFailed": "errors",
    "ToolRoutingError": "errors",
    "WriteConflictError": "errors",
    "TeamError": "errors",
    "TaskNameError": "errors",
    "Team": "team",
    "Specialist": "team",
    "Plan": "team",
    "PlanStep": "team",
    "PlanLimits": "team",
    "PlanError": "team",
    "PlanResult": "team",
}

__all__ = [
    "__version__",
    "Adapter",
    "AdapterError",
    "AdapterInfo",
    "Block",
    "ByofError",
    "Event",
    "FrameworkVersionError",
    "ModelTracer",
    "NoAdapterError",
    "NotDurableError",
    "Param",
    "Plan",
    "PlanError",
    "PlanLimits",
    "PlanResult",
    "PlanStep",
    "RunContext",
    "SerializationError",
    "Specialist",
    "TaskNameError",
    "TaskSignature",
    "Team",
    "TeamError",
    "ToolBlocked",
    "ToolCall",
    "ToolDecoratorOrderError",
    "ToolFailed",
    "ToolOptions",
    "ToolRouter",
    "ToolRoutingError",
    "WriteConflictError",
    "environment",
    "hookimpl",
    "model_call",
    "original_error",
    "register",
    "tool",
    "unregister",
    "wrap",
    "wrapped_agent",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'byof' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
