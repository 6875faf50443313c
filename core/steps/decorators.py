"""`byof.tool` and `byof.model_call`: durability for a homegrown agent loop.

Both decorators return plain functions with the original signature and docstring, so a
framework's own tool decorator can still be applied on top of `byof.tool`. Inside a byof run
the call goes through the run's router or tracer; outside any Flyte task the function runs as
written (as a Flyte task or trace does); inside a Flyte task but outside a byof run, where
durability was asked for and cannot be given, the call fails with a message saying so.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import threading
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, overload

from pydantic import TypeAdapter
from pydantic_core import to_jsonable_python

from ..errors import NotDurableError, ToolDecoratorOrderError, ToolRoutingError
from ..runtime.options import ToolMode, ToolOptions
from ..runtime.run_context import RunContext, active_runs, current_run, in_flyte_task
from ..runtime.threads import run_tool_body
from .tools import DURABLE_ATTR, is_async_callable, running_tool

F = TypeVar("F", bound=Callable[..., Any])

_tools: dict[str, dict[str, Callable[..., Any]]] = {}  # tool name -> {locator: function}
_tools_lock = threading.Lock()


@dataclass(frozen=True)
class DurableToolInfo:
    name: str
    func: Callable[..., Any]
    options: ToolOptions | None

    @property
    def locator(self) -> str:
        """Where a worker finds the tool again: "module:qualname"."""
        return f"{self.func.__module__}:{self.func.__qualname__}"


def durable_tool(name: str, locator: str | None = None) -> Callable[..., Any] | None:
    """The `byof.tool` function named `name` in this process: the one at `locator`
    ("module:qualname") when given, else the only one of that name."""
    if locator is not None:
        module, _, qualname = locator.partition(":")
        obj: Any = importlib.import_module(module)
        for part in qualname.split("."):
            obj = getattr(obj, part, None)
        if obj is not None and getattr(obj, DURABLE_ATTR, None) is not None:
            return obj
    found = _tools.get(name, {})
    if len(found) > 1:
        raise ToolRoutingError(
            f"several byof.tool functions are named {name!r} ({', '.join(sorted(found))}); "
            "give them distinct names with @byof.tool(name=...)"
        )
    return next(iter(found.values()), None)


def _check_plain_function(obj: Any, decorator: str) -> None:
    if inspect.isfunction(obj) or inspect.ismethod(obj) or isinstance(obj, functools.partial):
        return
    cls = type(obj)
    raise ToolDecoratorOrderError(
        f"{decorator} was applied to a {cls.__module__}.{cls.__qualname__} object ({obj!r}), not to a "
        f"function. Apply {decorator} directly to the function and the framework's decorator on top "
        f"of it, outermost:\n\n    @framework_tool\n    {decorator}\n    def my_tool(...): ..."
    )


def _check_not_a_method(fn: Any) -> None:
    """A tool's arguments cross into its task; an object's `self` cannot, or would cross as a copy
    whose changes are lost."""
    params = list(inspect.signature(fn).parameters)
    if params and params[0] in ("self", "cls"):
        raise ToolRoutingError(
            f"@byof.tool cannot make the method {fn.__qualname__} a tool: its {params[0]!r} would have to "
            "cross into the tool's Flyte task, as a copy whose changes are lost. Decorate a module-level "
            "function (or a @staticmethod) that takes what the tool needs as arguments, and call it from the "
            "method."
        )


def _active_run(kind: str, name: str) -> RunContext | None:
    """The byof run to route through; None means call the plain function (no run at all).

    A thread started without the run's context (a raw `threading.Thread`, an executor that does
    not copy context variables) still belongs to the run when it is the only one in the process.
    Inside a Flyte task that is not a byof run, durability was asked for and cannot be given.
    """
    run = current_run()
    if run is not None:
        return run
    if in_flyte_task():
        raise NotDurableError(
            f"{kind} {name!r} was called inside a Flyte task that is not a byof-wrapped agent run, where "
            f"it cannot be made durable. Wrap the loop that calls it with byof.wrap(...), or call "
            f"{name}.__wrapped__(...) to run the plain function on purpose."
        )
    runs = active_runs()
    if len(runs) > 1:
        raise NotDurableError(
            f"{kind} {name!r} was called from a thread that does not carry a byof run's context while "
            f"{len(runs)} runs are active, so byof cannot tell which run it belongs to. Start the thread "
            "with the caller's context: asyncio.to_thread(...), or contextvars.copy_context().run(...)."
        )
    return runs[0] if runs else None


@overload
def tool(func: F, /) -> F: ...


@overload
def tool(
    *,
    name: str | None = None,
    mode: ToolMode | None = None,
    retries: int | None = None,
    cache: Any = None,
    timeout: Any = None,
    resources: Any = None,
    env: Any = None,
) -> Callable[[F], F]: ...


def tool(
    func: Any = None,
    /,
    *,
    name: str | None = None,
    mode: ToolMode | None = None,
    retries: int | None = None,
    cache: Any = None,
    timeout: Any = None,
    resources: Any = None,
    env: Any = None,
) -> Any:
    """Make a plain function a durable tool: each call in a byof run is a Flyte child task.

    Options set here are defaults for this tool; `byof.wrap(tool_options=...)` overrides them.
    """
    options = ToolOptions(
        mode=mode, retries=retries, cache=cache, timeout=timeout, resources=resources, env=env
    )

    def decorate(fn: Any) -> Any:
        _check_plain_function(fn, "@byof.tool")
        _check_not_a_method(fn)
        tool_name = name or fn.__name__
        info = DurableToolInfo(tool_name, fn, options)

        if is_async_callable(fn):

            async def wrapper(*args: Any, **kwargs: Any) -> Any:
                run = None if running_tool() == tool_name else _active_run("byof.tool", tool_name)
                if run is None:
                    return await fn(*args, **kwargs)
                return await run.router.route_once(tool_name, wrapper)(*args, **kwargs)

        else:

            def wrapper(*args: Any, **kwargs: Any) -> Any:  # type: ignore[misc]
                run = None if running_tool() == tool_name else _active_run("byof.tool", tool_name)
                if run is None:
                    return fn(*args, **kwargs)
                return run.router.route_once(tool_name, wrapper)(*args, **kwargs)

        async def aio(*args: Any, **kwargs: Any) -> Any:
            """Await this tool from async code (a sync body then runs in a worker thread)."""
            run = None if running_tool() == tool_name else _active_run("byof.tool", tool_name)
            if run is None:
                if is_async_callable(fn):
                    return await fn(*args, **kwargs)
                return await run_tool_body(fn, *args, **kwargs)
            return await run.router.route_once(tool_name, wrapper).aio(*args, **kwargs)

        functools.update_wrapper(wrapper, fn)
        wrapper.__signature__ = inspect.signature(fn)  # type: ignore[attr-defined]
        wrapper.aio = aio  # type: ignore[attr-defined]
        setattr(wrapper, DURABLE_ATTR, info)
        with _tools_lock:
            _tools.setdefault(tool_name, {})[info.locator] = wrapper
        return wrapper

    if func is not None:
        return decorate(func)
    return decorate


@overload
def model_call(func: F, /) -> F: ...


@overload
def model_call(*, name: str | None = None) -> Callable[[F], F]: ...


def model_call(func: Any = None, /, *, name: str | None = None) -> Any:
    """Make a model-calling function a traced, replayable step of the byof run.

    The step is identified by the function's name and its arguments (as canonical JSON), and
    its result must be JSON-compatible or a type pydantic can rebuild from JSON (models,
    dataclasses, typed containers), per the return annotation: a replay returns it rebuilt.
    """

    def decorate(fn: Any) -> Any:
        _check_plain_function(fn, "@byof.model_call")
        step = name or fn.__name__
        sig = inspect.signature(fn)
        try:
            ret = typing.get_type_hints(fn).get("return", Any)
        except Exception:
            ret = Any
        rebuild = TypeAdapter(ret).validate_python if ret is not Any else (lambda v: v)

        def step_args(args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
            """The tracer's request (the step's identity) and its JSON codec."""
            bound = sig.bind(*args, **kwargs)
            bound.apply_defaults()
            request = {"step": step, "arguments": dict(bound.arguments)}
            return {"request": request, "name": step, "encode": to_jsonable_python, "decode": rebuild}

        if is_async_callable(fn):

            async def wrapper(*args: Any, **kwargs: Any) -> Any:
                run = _active_run("byof.model_call", step)
                if run is None:
                    return await fn(*args, **kwargs)
                return await run.tracer.acall(call=lambda: fn(*args, **kwargs), **step_args(args, kwargs))

        else:

            def wrapper(*args: Any, **kwargs: Any) -> Any:  # type: ignore[misc]
                run = _active_run("byof.model_call", step)
                if run is None:
                    return fn(*args, **kwargs)
                return run.tracer.call(call=lambda: fn(*args, **kwargs), **step_args(args, kwargs))

        functools.update_wrapper(wrapper, fn)
        wrapper.__signature__ = sig  # type: ignore[attr-defined]
        return wrapper

    if func is not None:
        return decorate(func)
    return decorate
