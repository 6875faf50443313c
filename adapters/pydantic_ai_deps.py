"""A Pydantic AI run's deps inside its Flyte task, and in its tool tasks.

A task's inputs are JSON, while deps often hold live resources: an open database connection, an
`httpx.AsyncClient`. So deps reach the run one of two ways. Without a factory, the task's `deps`
input is validated into the agent's `deps_type`. With `adapter_options={"deps_factory": f}`, the
task calls `f(**deps)` and uses what it returns (awaited when async, entered and later exited
when it is a context manager, so a client is closed after the run).

A tool task gets the deps whole when they pickle. Otherwise, when the run's factory built them,
it gets the parts that pickle and builds the rest again with the same factory, from the same
input: each tool task opens its own client. Anything else is an error that says which fix
applies. What a tool changes in its copy comes back (see `byof.crossing`).
"""

from __future__ import annotations

import dataclasses
import inspect
import typing
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any

from pydantic import TypeAdapter
from pydantic.errors import PydanticSchemaGenerationError

from byof.errors import NotDurableError, SerializationError
from byof.kit import coerce, crossing


@dataclasses.dataclass(frozen=True)
class BuiltDeps:
    """The deps a run's deps factory built, and the JSON input it built them from."""

    deps: Any
    data: dict[str, Any] | None


@asynccontextmanager
async def built_deps(factory: Callable[..., Any], data: dict[str, Any] | None) -> AsyncIterator[Any]:
    """The deps `factory` makes from the task's JSON `deps` input: its items are the factory's
    keyword arguments, coerced to its annotations."""
    signature = inspect.signature(factory)
    try:
        bound = signature.bind(**dict(data or {}))
    except TypeError as exc:
        name = getattr(factory, "__qualname__", repr(factory))
        raise TypeError(f"the deps factory {name} cannot take the task's deps input {data!r}: {exc}") from exc
    try:
        hints = typing.get_type_hints(factory)
    except Exception:
        hints = {}
    for name, value in bound.arguments.items():
        if signature.parameters[name].kind in (
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
            inspect.Parameter.KEYWORD_ONLY,
        ):
            bound.arguments[name] = coerce(value, hints.get(name, Any))
    made = factory(*bound.args, **bound.kwargs)
    if inspect.isawaitable(made):
        made = await made
    if hasattr(made, "__aenter__"):
        async with made as deps:
            yield deps
    elif hasattr(made, "__enter__") and hasattr(made, "__exit__"):
        with made as deps:
            yield deps
    else:
        yield made


def _deps_type(agent: Any) -> Any:
    deps_type = agent._deps_type if hasattr(agent, "_deps_type") else getattr(agent, "deps_type", Any)
    return None if deps_type in (type(None), None) else deps_type


def _from_json(agent: Any, deps_type: Any) -> TypeAdapter[Any]:
    try:
        return TypeAdapter(deps_type)
    except PydanticSchemaGenerationError as exc:
        raise TypeError(
            f"agent {agent.name or agent!r} takes deps of type {getattr(deps_type, '__name__', deps_type)}, which "
            "cannot be built from the task's JSON deps input (it holds a type pydantic cannot build from JSON, "
            "like a client or a connection). Give a deps factory that builds them inside the task: "
            "byof.wrap(..., adapter_options={'deps_factory': make_deps}), where make_deps(**deps) returns the "
            "deps, or an (async) context manager that yields them"
        ) from exc


def check_deps(agent: Any, options: Mapping[str, Any]) -> None:
    """At wrap time: the task can give the agent its deps, from JSON or through a deps factory."""
    factory = options.get("deps_factory")
    if factory is not None:
        if not callable(factory):
            raise TypeError(f"adapter_options['deps_factory'] must be callable, got {type(factory).__name__}")
        return
    deps_type = _deps_type(agent)
    if deps_type is not None:
        _from_json(agent, deps_type)


def deps_from_json(agent: Any, data: Any) -> Any:
    """The task's JSON `deps` input validated into the agent's `deps_type`."""
    deps_type = _deps_type(agent)
    if data is None or deps_type is None:
        return data
    return _from_json(agent, deps_type).validate_python(data)


def _error(deps: Any, tool: str, live: list[str], factory_built: bool) -> str:
    what = (
        f"deps field {live[0]!r} ({type(getattr(deps, live[0], None)).__name__})"
        if live
        else f"the agent's deps ({type(deps).__name__})"
    )
    trace = f"run the tool in the agent's task as a durable trace step: tool_options={{{tool!r}: 'trace'}}"
    if factory_built:
        return (
            f"{what} cannot cross into tool {tool!r}'s Flyte task, and these deps are not the ones "
            f"adapter_options['deps_factory'] built for the run, so the task cannot build them again: {trace}."
        )
    return (
        f"{what} cannot cross into tool {tool!r}'s Flyte task. Either let each task build its own: "
        "byof.wrap(..., adapter_options={'deps_factory': make_deps}), where make_deps(**deps) returns the "
        f"deps or an (async) context manager yielding them; or {trace}."
    )


def crossing_deps(deps: Any, tool: str, built: BuiltDeps | None) -> dict[str, Any]:
    """The deps as they cross into a tool task: whole when they pickle; else, when the run's deps
    factory built them, their parts that pickle and the input to build the rest again."""
    if crossing.digest(deps) is not None:
        return {"value": deps}
    live = crossing.unpicklable(deps)
    if built is not None and deps is built.deps and live:
        sendable = {k: v for k, v in (crossing.parts(deps) or {}).items() if k not in live}
        return {"factory_input": built.data, "parts": sendable}
    raise SerializationError(_error(deps, tool, live, built is not None))


@asynccontextmanager
async def task_deps(data: dict[str, Any], factory: Callable[..., Any] | None) -> AsyncIterator[Any]:
    """The deps inside a tool task, from what `crossing_deps` sent."""
    if "factory_input" not in data:
        yield data["value"]
        return
    if factory is None:  # the worker imported a module whose byof.wrap has no deps_factory
        raise NotDurableError("the tool's task has no deps factory to build the agent's deps with")
    async with built_deps(factory, data["factory_input"]) as fresh:
        for name, value in data["parts"].items():
            crossing.set_part(fresh, name, value)
        yield fresh
