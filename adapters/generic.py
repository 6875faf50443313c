"""The generic adapter: any sync or async callable is an agent loop.

This is the "homegrown loop or raw provider SDK" case. Such a loop has no framework objects
to rewrite, so its tools and model calls become durable where the user marks them, with
`byof.tool` and `byof.model_call`; this adapter only drives the callable inside the task.
"""

from __future__ import annotations

import inspect
import typing
from typing import Any

from byof.plugins import hookimpl
from byof.plugins.adapter import AdapterInfo, Param, TaskSignature, framework_of, output_type_for, to_output
from byof.runtime.threads import drive

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


@hookimpl
def byof_adapter_info() -> AdapterInfo:
    return AdapterInfo(
        name=NAME,
        framework="any Python callable",
        description="A homegrown loop: mark tools with byof.tool and model calls with byof.model_call.",
    )


@hookimpl(trylast=True)
def byof_detect(agent: Any) -> str | None:
    if callable(agent) and not isinstance(agent, type) and not _is_framework_object(agent):
        return NAME
    return None


@hookimpl
def byof_task_signature(adapter: str, agent: Any) -> TaskSignature | None:
    if adapter != NAME:
        return None
    return TaskSignature(params=(Param("prompt", str),), output=output_type_for(_return_annotation(agent)))


@hookimpl
def byof_route_tools(adapter: str, agent: Any, router: Any) -> Any:
    # byof.tool functions route themselves through the run's router when called.
    return agent if adapter == NAME else None


@hookimpl
def byof_wrap_model(adapter: str, agent: Any, tracer: Any) -> Any:
    # byof.model_call functions trace themselves through the run's tracer when called.
    return agent if adapter == NAME else None


async def _invoke(agent: Any, prompt: str) -> Any:
    output_type = output_type_for(_return_annotation(agent))
    if inspect.iscoroutinefunction(_target(agent)):
        result = await agent(prompt)
    else:
        # A sync loop runs in a worker thread that carries the task's context, so its sync
        # tool calls can wait on child tasks without blocking the task's event loop.
        result = await drive(agent, prompt)
        if inspect.isawaitable(result):
            result = await result
    return to_output(result, output_type)


@hookimpl
def byof_invoke(adapter: str, agent: Any, inputs: dict[str, Any], run: Any) -> Any:
    if adapter != NAME:
        return None
    return _invoke(agent, inputs["prompt"])
