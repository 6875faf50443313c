"""How the smolagents adapter makes a run durable: a run-scoped copy of the agent tree.

smolagents agents are stateful (memory, step counter, monitor, the CodeAgent's Python state), so
every run works on copies and the user's agent is never touched; concurrent runs each get their
own. In the copy, each agent (the manager and every managed agent) has:
- a shallow copy of its model whose `generate` / `generate_stream` are trace steps, made as the
  copy (so per-call state is the run's);
- copies of its tools whose `forward` is routed to a durable task (`final_answer` excepted: it is
  smolagents' way of ending the run and does no work);
- its own memory (the user's steps so far, for `reset=False`), monitor, state and, for a
  CodeAgent, its own Python executor with the same authorized imports.
The tool calls a CodeAgent's code makes come from the executor's worker thread, which has lost
the task's context; byof's router and tracer bring each call back to the run, so it is still a
child task.
"""

from __future__ import annotations

import copy
import functools
import inspect
import logging
import threading
from collections.abc import Callable, Iterator
from typing import Any

from smolagents.local_python_executor import LocalPythonExecutor
from smolagents.memory import ActionStep, CallbackRegistry
from smolagents.models import (
    ChatMessage,
    ChatMessageStreamDelta,
    ChatMessageToolCallFunction,
    ChatMessageToolCallStreamDelta,
    get_dict_from_nested_dataclasses,
    get_tool_json_schema,
)
from smolagents.monitoring import Monitor, TokenUsage
from smolagents.remote_executors import RemotePythonExecutor
from smolagents.tools import Tool

from byof import RunContext, ToolRouter
from byof.kit import RunMemo, retyped, to_jsonable, warn_once

logger = logging.getLogger("byof.tools")

# smolagents' tool for ending a run: it returns its argument and does no work, so it is not routed.
FINAL_ANSWER = "final_answer"


# -- model calls --------------------------------------------------------------------------------


def _jsonable(obj: Any) -> Any:
    """A smolagents message, delta or any dataclass as JSON data (without the provider's raw)."""
    return to_jsonable(get_dict_from_nested_dataclasses(obj, ignore_key="raw"))


def _request(
    model: Any, messages: list[Any], stop: Any, response_format: Any, tools: Any, kwargs: dict[str, Any]
) -> dict[str, Any]:
    return {
        "model": getattr(model, "model_id", None) or type(model).__name__,
        "messages": [_jsonable(m) for m in messages],
        "stop_sequences": stop,
        "response_format": to_jsonable(response_format),
        "tools": [get_tool_json_schema(t) for t in tools or []],
        "kwargs": to_jsonable(kwargs),
    }


def _usage(data: dict[str, Any] | None) -> TokenUsage | None:
    return (
        None
        if not data
        else TokenUsage(input_tokens=data["input_tokens"], output_tokens=data["output_tokens"])
    )


def _message(data: dict[str, Any]) -> ChatMessage:
    return ChatMessage.from_dict(
        {k: v for k, v in data.items() if k != "token_usage"}, token_usage=_usage(data.get("token_usage"))
    )


def _deltas(data: list[dict[str, Any]]) -> list[ChatMessageStreamDelta]:
    return [
        ChatMessageStreamDelta(
            content=d.get("content"),
            tool_calls=[
                ChatMessageToolCallStreamDelta(
                    index=c.get("index"),
                    id=c.get("id"),
                    type=c.get("type"),
                    function=ChatMessageToolCallFunction(**c["function"]) if c.get("function") else None,
                )
                for c in d["tool_calls"]
            ]
            if d.get("tool_calls")
            else None,
            token_usage=_usage(d.get("token_usage")),
        )
        for d in data
    ]


def _as(model: Any, copied: Any, method: str) -> Callable[..., Any]:
    """`model`'s `method`, called as `copied` (an instance override stays the instance's)."""
    if method in vars(model):
        return vars(model)[method]
    return functools.partial(getattr(type(model), method), copied)


def traced_model(model: Any, run: RunContext) -> Any:
    """A shallow copy of `model` whose `generate` (and `generate_stream`) are trace steps.

    A streamed call is one step holding all its deltas: live, they are yielded once the call is
    done; on a replay, from the journal.
    """
    traced = copy.copy(model)
    name = getattr(model, "model_id", None) or type(model).__name__
    generate = _as(model, traced, "generate")

    def traced_generate(
        messages: list[Any],
        stop_sequences: Any = None,
        response_format: Any = None,
        tools_to_call_from: Any = None,
        **kwargs: Any,
    ) -> ChatMessage:
        request = _request(model, messages, stop_sequences, response_format, tools_to_call_from, kwargs)
        return run.tracer.call(  # type: ignore[no-any-return]
            request,
            lambda: generate(
                messages,
                stop_sequences=stop_sequences,
                response_format=response_format,
                tools_to_call_from=tools_to_call_from,
                **kwargs,
            ),
            name=name,
            encode=_jsonable,
            decode=_message,
        )

    traced.generate = traced_generate
    if hasattr(model, "generate_stream"):
        stream = _as(model, traced, "generate_stream")

        def traced_stream(
            messages: list[Any],
            stop_sequences: Any = None,
            response_format: Any = None,
            tools_to_call_from: Any = None,
            **kwargs: Any,
        ) -> Iterator[ChatMessageStreamDelta]:
            request = _request(model, messages, stop_sequences, response_format, tools_to_call_from, kwargs)
            request["stream"] = True
            deltas = run.tracer.call(
                request,
                lambda: list(
                    stream(
                        messages,
                        stop_sequences=stop_sequences,
                        response_format=response_format,
                        tools_to_call_from=tools_to_call_from,
                        **kwargs,
                    )
                ),
                name=name,
                encode=lambda ds: [_jsonable(d) for d in ds],
                decode=_deltas,
            )
            yield from deltas

        traced.generate_stream = traced_stream
    return traced


# -- tools --------------------------------------------------------------------------------------

_ready: dict[int, Tool] = {}
_ready_lock = threading.Lock()


def _set_up(tool: Tool) -> Tool:
    """`tool` ready to run: a tool whose `setup()` has not run gets a set-up copy, once per
    process (where the tool's task runs), so the user's tool is not changed."""
    if tool.is_initialized:
        return tool
    with _ready_lock:
        ready = _ready.get(id(tool))
        if ready is None:
            ready = _ready[id(tool)] = copy.copy(tool)
            ready.setup()
        return ready


def _task_body(tool: Tool) -> Callable[..., Any]:
    """What a tool's task runs: its `forward`, presented with `forward`'s signature (`@tool`
    tools declare a `self` the staticmethod does not take)."""
    forward = tool.forward

    def run_forward(*args: Any, **kwargs: Any) -> Any:
        return _set_up(tool).forward(*args, **kwargs)

    drop = ("self",) if "self" in inspect.signature(forward).parameters else ()
    return retyped(forward, run_forward, drop=drop)


def routed_tool(tool: Tool, routed: Callable[..., Any]) -> Tool:
    """A copy of `tool` (same name, description, inputs, output type) whose `forward` is `routed`.
    Its setup is the task's business, so the copy counts as set up."""
    copied = copy.copy(tool)
    copied.forward = routed
    copied.is_initialized = True
    return copied


# -- agents -------------------------------------------------------------------------------------


def _callbacks(agent: Any, monitor: Monitor) -> CallbackRegistry:
    """The agent's step callbacks, with the run's monitor in place of the agent's own."""
    registry = CallbackRegistry()
    for step_cls, callbacks in agent.step_callbacks._callbacks.items():
        for callback in callbacks:
            if getattr(callback, "__self__", None) is not agent.monitor:
                registry.register(step_cls, callback)
    registry.register(ActionStep, monitor.update_metrics)
    return registry


def _memory(agent: Any) -> Any:
    memory = copy.copy(agent.memory)
    memory.steps = list(agent.memory.steps)
    return memory


class RunCopier:
    """Copies an agent tree for one run: each agent, model and tool once."""

    def __init__(self, router: ToolRouter) -> None:
        self.router = router
        self.run = router.run
        self.remote: list[Any] = []  # executors made for this run, to clean up after it
        self._agents: RunMemo[Any, Any] = RunMemo()
        self._models: RunMemo[Any, Any] = RunMemo()
        self._routes: dict[str, tuple[Tool, Callable[..., Any]]] = {}

    def agent(self, agent: Any, path: tuple[str, ...] = ()) -> Any:
        """The run's copy of `agent` (and of its managed agents, models and tools)."""
        return self._agents.get(agent, copy.copy, lambda copied: self._fill(agent, copied, path))

    def _fill(self, agent: Any, copied: Any, path: tuple[str, ...]) -> None:
        copied.model = self._model(agent.model)
        copied.managed_agents = {
            name: self.agent(sub, (*path, name)) for name, sub in agent.managed_agents.items()
        }
        copied.memory = _memory(agent)
        copied.state = dict(agent.state)
        copied.monitor = Monitor(copied.model, agent.logger)
        copied.step_callbacks = _callbacks(agent, copied.monitor)
        executor = getattr(agent, "python_executor", None)
        if executor is not None and not isinstance(executor, LocalPythonExecutor):
            copied.python_executor = self._remote(agent, copied, executor)
            copied.tools = {name: copy.copy(tool) for name, tool in agent.tools.items()}
            return
        if executor is not None:
            copied.python_executor = _fresh_local(executor)
        copied.tools = {name: self._tool(tool, path) for name, tool in agent.tools.items()}

    def _model(self, model: Any) -> Any:
        if self.run is None:
            return model
        if not hasattr(model, "generate"):
            warn_once(
                logger,
                ("smolagents-untraced-model", id(model)),
                "model %r has no generate(), the method byof traces; its calls are not trace steps",
                model,
            )
            return model
        run = self.run
        return self._models.get(model, lambda m: traced_model(m, run))

    def _tool(self, tool: Tool, path: tuple[str, ...]) -> Tool:
        if tool.name == FINAL_ANSWER:
            return copy.copy(tool)  # remote executors patch it; the copy takes that
        # A managed agent's tools are named after it: two agents may each have a tool of one name.
        name = "__".join((*path, tool.name))
        known = self._routes.get(name)
        if known is None or known[0] is not tool:
            routed = self.router.route(name, _task_body(tool), description=tool.description)
            known = self._routes[name] = (tool, routed)
        return routed_tool(tool, known[1])

    def _remote(self, agent: Any, copied: Any, executor: Any) -> Any:
        """A remote executor runs the agent's code, and the tools it calls, in its sandbox: they
        cannot be tasks, which byof says. Each run gets its own sandbox when smolagents made the
        executor from `executor_type`; a custom executor object is shared, as it is."""
        label = agent.name or type(agent).__name__
        warn_once(
            logger,
            ("smolagents-remote", id(agent)),
            "agent %r runs its code in %s: the tools its code calls run in that sandbox, not as "
            "durable tasks (its model calls are still traced)",
            label,
            type(executor).__name__,
        )
        if isinstance(executor, RemotePythonExecutor) and agent.executor_type != "local":
            made = copied.create_python_executor()
            self.remote.append(made)
            return made
        warn_once(
            logger,
            ("smolagents-shared-executor", id(agent)),
            "agent %r has a custom executor object (%s): concurrent runs share it",
            label,
            type(executor).__name__,
        )
        return executor

    def cleanup(self) -> None:
        """Shut the sandboxes made for this run."""
        for executor in self.remote:
            if hasattr(executor, "cleanup"):
                executor.cleanup()


def _fresh_local(executor: LocalPythonExecutor) -> LocalPythonExecutor:
    """A local executor like `executor` (imports, limits, extra functions) with its own state."""
    fresh = copy.copy(executor)
    fresh.state = {"__name__": "__main__"}
    fresh.custom_tools = {}
    fresh.static_tools = None
    return fresh
