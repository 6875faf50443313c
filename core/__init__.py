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
    from .adapter import AdapterInfo, Param, TaskSignature
    from .durable import model_call, tool
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
    from .events import Event
    from .images import environment
    from .model_calls import ModelTracer
    from .options import ToolOptions
    from .plugins import hookimpl, register, unregister
    from .policy import Block, ToolCall
    from .team import Plan, PlanError, PlanLimits, PlanResult, PlanStep, Specialist, Team
    from .tool_errors import original_error
    from .tools import ToolRouter
    from .wrapping import wrap, wrapped_agent

_EXPORTS: dict[str, str] = {
    "wrap": "wrapping",
    "wrapped_agent": "wrapping",
    "environment": "images",
    "tool": "durable",
    "model_call": "durable",
    "ToolOptions": "options",
    "hookimpl": "plugins",
    "register": "plugins",
    "unregister": "plugins",
    "Block": "policy",
    "ToolCall": "policy",
    "Event": "events",
    "AdapterInfo": "adapter",
    "Param": "adapter",
    "TaskSignature": "adapter",
    "ModelTracer": "model_calls",
    "original_error": "tool_errors",
    "ToolRouter": "tools",
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
