"""The generic adapter: any sync or async callable is an agent loop.

This is the "homegrown loop or raw provider SDK" case. Such a loop has no framework objects
to rewrite, so its tools and model calls become durable where the user marks them, with
`byof.tool` and `byof.model_call`; this adapter only drives the callable inside the task.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Mapping
from typing import Any

from byof.kit import drive, output_type_for, to_output
from byof.plugins import Adapter, Param, TaskSignature, hookimpl
from byof.plugins.detection import framework_of

NAME = "generic"


def _is_framework_object(obj: Any) -> bool:
    """A framework's agent (or its bound method): its own adapter must handle it, not this one."""
    owner = obj.__self__ if inspect.ismethod(obj) else obj
    return framework_of(owner) is not None


def _target(agent: Any) -> Any:
    """The function that runs when `agent` is called: itself, or its class's `__call__`."""
    return agent if inspect.isroutine(agent) else type(agent).__call__


def _return_annotation(agent: Any) -> Any:
    target = _target(agent)
    try:
        return typing.get_type_hints(target).get("return", inspect.Signature.empty)
    except Exception:
        return inspect.Signature.empty


class GenericAdapter(Adapter[None]):
    """Any sync or async callable: the loop is the user's; `byof.tool` and `byof.model_call`
    functions make themselves durable through the run's router and tracer when called."""

    name = NAME
    framework = "any Python callable"
    description = "A homegrown loop: mark tools with byof.tool and model calls with byof.model_call."
    fallback = True  # any callable: asked after every framework's adapter

    def claims(self, obj: Any) -> bool:
        return callable(obj) and not isinstance(obj, type) and not _is_framework_object(obj)

    def signature(self, obj: Any, options: Mapping[str, Any]) -> TaskSignature:
        return TaskSignature(params=(Param("prompt", str),), output=output_type_for(_return_annotation(obj)))

    def prepare(self, obj: Any, run: Any) -> None:
        return None  # nothing to route ahead: byof.tool functions route themselves when called

    async def invoke(self, obj: Any, prepared: None, inputs: dict[str, Any], run: Any) -> Any:
        output_type = output_type_for(_return_annotation(obj))
        if inspect.iscoroutinefunction(_target(obj)):
            result = await obj(inputs["prompt"])
        else:
            # A sync loop runs in a worker thread that carries the task's context, so its sync
            # tool calls can wait on child tasks without blocking the task's event loop.
            result = await drive(obj, inputs["prompt"])
            if inspect.isawaitable(result):
                result = await result
        return to_output(result, output_type)


@hookimpl
def byof_register_adapters(register: Any) -> None:
    register(GenericAdapter())
