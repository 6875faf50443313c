"""The routed tools the Pydantic AI adapter puts in `agent.override(tools=..., toolsets=...)`.

Copies of the agent's function tools (and of the tools of its `FunctionToolset`s, also inside
wrappers like `.prefixed()`) whose function goes through byof's router. A `RunContext` reaches
the tool as the mode it runs in allows:

- as a task: the part a tool can use elsewhere (deps, retry, tool call id and name, run step,
  prompt), rebuilt there (see pydantic_ai_deps for the deps); `ctx.model`, `ctx.usage` and
  `ctx.messages` are placeholders, and what the tool changes in the deps comes back;
- as a trace step or inline: the live context.

Agent delegation: a tool whose code names another agent (a module-level or enclosing variable,
as Pydantic AI's docs write it) runs inline in the agent's task, and that agent's own tools are
routed too (named `<variable>.<tool>`). In the agent's task the nested run gets a traced model
and routed tools through its own `override`, and its `usage=ctx.usage` is the live run's usage,
so it counts toward the run's usage limits as in a raw run. A child task in another process
could not update that usage object, and a trace step may not launch the nested run's tool tasks.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import inspect
import logging
from collections.abc import Callable
from typing import Any

from pydantic_ai import ModelRetry, RunContext
from pydantic_ai.agent import AbstractAgent
from pydantic_ai.exceptions import ApprovalRequired, CallDeferred
from pydantic_ai.models.test import TestModel
from pydantic_ai.toolsets import FunctionToolset
from pydantic_ai.usage import RunUsage

from byof import ToolRouter
from byof.kit import crossing, referenced_values, retyped, run_tool_body, warn_once

from .pydantic_ai_deps import BuiltDeps, crossing_deps, task_deps

# A tool raises these to steer the agent (retry with feedback, defer, ask for approval): they
# must reach Pydantic AI as themselves and never be retried by Flyte.
CONTROL_FLOW = (ModelRetry, CallDeferred, ApprovalRequired)


def crossing_ctx(ctx: RunContext[Any], tool: str, built: Any) -> dict[str, Any]:
    """The part of a RunContext `tool` can use in another process."""
    return {
        "deps": crossing_deps(ctx.deps, tool, built),
        "retry": ctx.retry,
        "tool_call_id": ctx.tool_call_id,
        "tool_name": ctx.tool_name,
        "run_step": ctx.run_step,
        "prompt": ctx.prompt if isinstance(ctx.prompt, str) else None,
    }


def _ctx_identity(ctx: RunContext[Any]) -> dict[str, Any]:
    """What a step's identity sees of a live RunContext: which call this is, all of it the same
    on a resumed run (tool call ids come from the journaled model responses)."""
    return {
        "tool_call_id": ctx.tool_call_id,
        "tool_name": ctx.tool_name,
        "retry": ctx.retry,
        "run_step": ctx.run_step,
    }


def _task_ctx(data: dict[str, Any], deps: Any) -> RunContext[Any]:
    return RunContext(
        deps=deps,
        model=TestModel(),
        usage=RunUsage(),
        prompt=data["prompt"],
        retry=data["retry"],
        tool_call_id=data["tool_call_id"],
        tool_name=data["tool_name"],
        run_step=data["run_step"],
    )


def _as_async(original: Callable[..., Any]) -> Callable[..., Any]:
    """`original` as a coroutine function with its signature; a sync body runs in a worker thread."""
    if inspect.iscoroutinefunction(original):
        return original

    @functools.wraps(original)
    async def call(*args: Any, **kwargs: Any) -> Any:
        return await run_tool_body(original, *args, **kwargs)

    return call


class Routing:
    """Routes one agent's tools, and those of every agent its tools run (its delegates)."""

    def __init__(self, router: ToolRouter, top: Any) -> None:
        self.router = router
        self.top = top
        self.delegates: dict[int, tuple[Any, dict[str, Any]]] = {}
        self._labels: dict[int, str] = {}

    def overrides(self, agent: Any, prefix: str = "") -> dict[str, Any]:
        """`agent.override(...)` arguments that route every function tool of `agent`."""
        tools = [self.tool(t, prefix) for t in agent._function_toolset.tools.values()]
        toolsets = [self._route_leaves(ts, prefix, agent.name) for ts in getattr(agent, "_user_toolsets", ())]
        return {"tools": tools, "toolsets": toolsets}

    def _delegates_of(self, func: Callable[..., Any]) -> list[str]:
        """Route every agent `func` names (once each, recursively), and say which it names."""
        names = []
        for name, value in referenced_values(func):
            if not isinstance(value, AbstractAgent):
                continue
            if value is not self.top and id(value) not in self._labels:
                self._labels[id(value)] = name
                self.delegates[id(value)] = (value, self.overrides(value, prefix=name))
            names.append(repr(self._labels.get(id(value), name)))
        return names

    def tool(self, tool: Any, prefix: str) -> Any:
        schema = tool.function_schema
        takes_ctx = schema.takes_ctx
        first = next(iter(inspect.signature(schema.function).parameters), None)
        name = f"{prefix}.{tool.name}" if prefix else tool.name
        delegates = self._delegates_of(schema.function)
        router = self.router
        factory = router.options.adapter_options.get("deps_factory")
        call = _as_async(schema.function)

        async def body(*args: Any, **kwargs: Any) -> Any:
            """The tool in its task or trace step (or inline): the context rebuilt as it came."""
            if not takes_ctx:
                return await call(*args, **kwargs)
            if first in kwargs:  # byof calls a task body with keyword arguments
                given = kwargs.pop(first)
            else:
                given, args = args[0], args[1:]
            if isinstance(given, RunContext):  # inline: the live context, written live
                return await call(given, *args, **kwargs)
            if isinstance(given, crossing.Live):  # a trace step in the agent's process
                ctx = given.value
                watch = crossing.Watch(name, {"deps": ctx.deps})
                return watch.done(await call(ctx, *args, **kwargs))
            async with task_deps(given["deps"], factory) as deps:
                watch = crossing.Watch(name, {"deps": deps})
                try:
                    output = await call(_task_ctx(given, deps), *args, **kwargs)
                except BaseException:
                    watch.failed()
                    raise
                return watch.done(output)

        routed = router.route(
            name,
            retyped(call, body, opaque=lambda param, hint: takes_ctx and param in (first, "return")),
            description=tool.description or "",
            control_flow=CONTROL_FLOW,
            blocked_error=lambda blocked: ModelRetry(str(blocked)),
            inline_reason=(
                f"it runs agent {', '.join(delegates)}; in the agent's task that run's model requests are "
                "trace steps, its tools are tasks, and its usage counts toward this run's"
            )
            if delegates
            else None,
        )

        async def front(*args: Any, **kwargs: Any) -> Any:
            """What Pydantic AI calls: hands the context over as the tool's mode allows, and
            writes back what the tool changed in the deps."""
            if not takes_ctx:
                return await routed.aio(*args, **kwargs)
            ctx, rest = args[0], args[1:]
            mode = router.options_for(router.specs[name]).mode
            if mode == "inline":
                return await routed.aio(ctx, *rest, **kwargs)
            live = {"deps": ctx.deps}
            if mode == "trace":
                given: Any = crossing.Live(ctx, _ctx_identity(ctx), f"the RunContext of tool {name!r}")
                sent = {"deps": crossing.digests(ctx.deps)}
            else:
                built = router.run.prepared.deps if router.run is not None else None
                given, sent = crossing.send(live, crossing_ctx(ctx, name, built))
            with crossing.lent(live):
                result = await routed.aio(given, *rest, **kwargs)
            return crossing.settle(result, live, sent, name)

        copied = copy.copy(tool)
        copied.function_schema = dataclasses.replace(schema, function=front, is_async=True)
        return copied

    def _routed_toolset(self, toolset: FunctionToolset[Any], prefix: str) -> FunctionToolset[Any]:
        copied = copy.copy(toolset)
        copied.tools = {name: self.tool(tool, prefix) for name, tool in toolset.tools.items()}
        return copied

    def _route_leaves(self, toolset: Any, prefix: str, agent: str | None) -> Any:
        """A copy of `toolset` whose `FunctionToolset`s, also inside wrappers (prefixed, filtered,
        ...), are routed. Other leaves (MCP servers, custom toolsets) keep running in the agent's
        task, which is logged once per agent and toolset."""

        def leaf(ts: Any) -> Any:
            if type(ts) is FunctionToolset:
                return self._routed_toolset(ts, prefix)
            warn_once(
                logging.getLogger("byof.tools"),
                ("pydantic-ai-toolset", agent, ts.label),
                "agent %r: tools of %s run in the agent's task, not as durable tasks",
                agent,
                ts.label,
            )
            return ts

        return toolset.visit_and_replace(leaf)


@dataclasses.dataclass
class PydanticAIRun:
    """One run's state: the agent's `override(...)` arguments (its routed tools), each delegate
    agent (one its tools run) with its own, and the deps the deps factory built for the run."""

    overrides: dict[str, Any]
    delegates: list[tuple[Any, dict[str, Any]]]
    deps: BuiltDeps | None = None


def prepare(agent: Any, router: ToolRouter) -> PydanticAIRun:
    """Route every function tool of `agent` and of its delegates, for one run."""
    routing = Routing(router, agent)
    overrides = routing.overrides(agent)
    return PydanticAIRun(overrides, list(routing.delegates.values()))
