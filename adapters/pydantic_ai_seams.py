"""What the Pydantic AI adapter puts in `agent.override(...)` for one run, and the run itself.

- `TracedModel`: a `WrapperModel` whose requests are `flyte.trace` steps. A streamed request is
  traced as one request and replayed to the stream's consumer from the complete response, so
  `run_stream` and `iter` consumers still see events and the result is recorded durably.
- routed tools: copies of the agent's function tools (and of the tools of its `FunctionToolset`s,
  also inside wrappers like `.prefixed()`) whose function goes through byof's router. A
  `RunContext` crosses into the tool's task as the part a tool can use elsewhere (deps, retry,
  tool call id and name, run step, prompt) and is rebuilt there; deps must be picklable, and when
  they are not the error names the field. A tool routed inline keeps the live `RunContext`.
"""

from __future__ import annotations

import copy
import dataclasses
import inspect
import logging
import types
import typing
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import cloudpickle
from pydantic import TypeAdapter
from pydantic_ai import ModelRetry, RunContext
from pydantic_ai.exceptions import ApprovalRequired, CallDeferred
from pydantic_ai.messages import ModelMessagesTypeAdapter, ModelResponse
from pydantic_ai.models import CompletedStreamedResponse, Model, infer_model
from pydantic_ai.models.test import TestModel
from pydantic_ai.models.wrapper import WrapperModel
from pydantic_ai.output import NativeOutput, PromptedOutput, TextOutput, ToolOutput
from pydantic_ai.toolsets import FunctionToolset
from pydantic_ai.usage import RunUsage

from byof.adapter import output_type_for, to_output
from byof.errors import SerializationError
from byof.fingerprint import Drop
from byof.once import warn_once
from byof.redact import to_jsonable
from byof.run_context import RunContext as ByofRun
from byof.threads import drive
from byof.tool_signature import retyped
from byof.tools import ToolRouter

# A tool raises these to steer the agent (retry with feedback, defer, ask for approval): they
# must reach Pydantic AI as themselves and never be retried by Flyte.
CONTROL_FLOW = (ModelRetry, CallDeferred, ApprovalRequired)


# -- model calls --------------------------------------------------------------------------------


def _dump_messages(messages: list[Any]) -> Any:
    return ModelMessagesTypeAdapter.dump_python(messages, mode="json")


# What Pydantic AI stamps on each message and part in every run (and never sends to the model):
# left out of a request's identity.
RUN_STAMPS: tuple[Drop, ...] = (
    ("messages", "*", "timestamp"),
    ("messages", "*", "run_id"),
    ("messages", "*", "conversation_id"),
    ("messages", "*", "parts", "*", "timestamp"),
)


class TracedModel(WrapperModel):
    """The agent's model, each request a replayable trace step of the byof run."""

    def __init__(self, wrapped: Model, run: ByofRun) -> None:
        super().__init__(wrapped)
        self._run = run

    async def request(
        self,
        messages: list[Any],
        model_settings: Any,
        model_request_parameters: Any,
        *args: Any,
        **kwargs: Any,
    ) -> ModelResponse:
        request = {
            "model": self.wrapped.model_name,
            "messages": _dump_messages(messages),
            "settings": to_jsonable(model_settings),
            "parameters": to_jsonable(model_request_parameters),
        }
        return await self._run.tracer.acall(
            request,
            lambda: self.wrapped.request(messages, model_settings, model_request_parameters, *args, **kwargs),
            name=self.wrapped.model_name,
            encode=lambda response: _dump_messages([response])[0],
            decode=lambda data: ModelMessagesTypeAdapter.validate_python([data])[0],
            drop=RUN_STAMPS,
        )

    @asynccontextmanager
    async def request_stream(
        self,
        messages: list[Any],
        model_settings: Any,
        model_request_parameters: Any,
        *args: Any,
        **kwargs: Any,
    ) -> AsyncIterator[Any]:
        response = await self.request(messages, model_settings, model_request_parameters)
        yield CompletedStreamedResponse(
            response, model_request_parameters=model_request_parameters, replay_events=True
        )


def resolve_model(agent: Any, run: ByofRun) -> Model:
    """The agent's model as an instance (a provider string is resolved here, inside the task)."""
    if agent.model is None:
        raise ValueError(
            f"agent {getattr(agent, 'name', None) or agent!r} has no model: give Agent(model=...) so "
            "its wrapped task knows which model to call"
        )
    model = infer_model(agent.model)
    return TracedModel(model, run) if run.tracer is not None and run.tracer.enabled else model


# -- tool calls ---------------------------------------------------------------------------------


def _crossing_ctx(ctx: RunContext[Any], tool: str) -> dict[str, Any]:
    """The part of a RunContext `tool` can use in another process; deps must pickle."""
    try:
        cloudpickle.dumps(ctx.deps)
    except Exception as exc:
        raise SerializationError(_deps_error(ctx.deps, tool, exc)) from exc
    return {
        "deps": ctx.deps,
        "retry": ctx.retry,
        "tool_call_id": ctx.tool_call_id,
        "tool_name": ctx.tool_name,
        "run_step": ctx.run_step,
        "prompt": ctx.prompt if isinstance(ctx.prompt, str) else None,
    }


def _deps_error(deps: Any, tool: str, exc: Exception) -> str:
    fields = dataclasses.fields(deps) if dataclasses.is_dataclass(deps) else ()
    names = [f.name for f in fields] or list(getattr(type(deps), "model_fields", {}))
    for name in names:
        try:
            cloudpickle.dumps(getattr(deps, name))
        except Exception:
            return (
                f"deps field {name!r} ({type(getattr(deps, name)).__name__}) cannot cross into a tool's Flyte "
                "task. Make it serializable (pass settings, build the client inside the tool), or route the "
                f"tools that take RunContext inline: tool_options={{{tool!r}: 'inline'}}."
            )
    return f"the agent's deps ({type(deps).__name__}) cannot cross into a tool's Flyte task: {exc}"


def _rebuilt_ctx(data: dict[str, Any] | RunContext[Any]) -> RunContext[Any]:
    """A RunContext inside the tool's task: the crossing part, placeholders for the rest.
    An inline tool got the live context, and keeps it."""
    if isinstance(data, RunContext):
        return data
    return RunContext(
        deps=data["deps"],
        model=TestModel(),
        usage=RunUsage(),
        prompt=data["prompt"],
        retry=data["retry"],
        tool_call_id=data["tool_call_id"],
        tool_name=data["tool_name"],
        run_step=data["run_step"],
    )


def _runs_inline(router: ToolRouter, name: str) -> bool:
    """Whether the tool runs in the agent's task, where it can take the live RunContext."""
    spec = router.specs.get(name)
    return spec is not None and router.options_for(spec).mode == "inline"


def _routed_tool(tool: Any, router: ToolRouter) -> Any:
    schema = tool.function_schema
    original = schema.function
    takes_ctx = schema.takes_ctx
    first = next(iter(inspect.signature(original).parameters), None)

    def with_ctx(*args: Any, **kwargs: Any) -> Any:
        # byof calls a task body with keyword arguments, so the context arrives by name.
        if takes_ctx and first in kwargs:
            kwargs[first] = _rebuilt_ctx(kwargs[first])
        elif takes_ctx:
            args = (_rebuilt_ctx(args[0]), *args[1:])
        return original(*args, **kwargs)

    body = retyped(original, with_ctx, opaque=lambda name, hint: takes_ctx and name == first)
    routed = router.route(
        tool.name,
        body,
        description=tool.description or "",
        control_flow=CONTROL_FLOW,
        blocked_error=lambda blocked: ModelRetry(str(blocked)),
    )

    async def front(*args: Any, **kwargs: Any) -> Any:
        if takes_ctx and not _runs_inline(router, tool.name):
            args = (_crossing_ctx(args[0], tool.name), *args[1:])
        return await routed.aio(*args, **kwargs)

    copied = copy.copy(tool)
    copied.function_schema = dataclasses.replace(schema, function=front, is_async=True)
    return copied


def _routed_toolset(toolset: FunctionToolset[Any], router: ToolRouter) -> FunctionToolset[Any]:
    copied = copy.copy(toolset)
    copied.tools = {name: _routed_tool(tool, router) for name, tool in toolset.tools.items()}
    return copied


def _route_leaves(toolset: Any, router: ToolRouter, agent: str | None) -> Any:
    """A copy of `toolset` whose `FunctionToolset`s, also inside wrappers (prefixed, filtered,
    ...), are routed. Other leaves (MCP servers, custom toolsets) keep running in the agent's
    task, which is logged once per agent and toolset."""

    def leaf(ts: Any) -> Any:
        if type(ts) is FunctionToolset:
            return _routed_toolset(ts, router)
        warn_once(
            logging.getLogger("byof.tools"),
            ("pydantic-ai-toolset", agent, ts.label),
            "agent %r: tools of %s run in the agent's task, not as durable tasks",
            agent,
            ts.label,
        )
        return ts

    return toolset.visit_and_replace(leaf)


def routed_overrides(agent: Any, router: ToolRouter) -> dict[str, Any]:
    """`agent.override(...)` arguments that route every function tool of the agent."""
    tools = [_routed_tool(t, router) for t in agent._function_toolset.tools.values()]
    toolsets = [_route_leaves(ts, router, agent.name) for ts in getattr(agent, "_user_toolsets", ())]
    return {"tools": tools, "toolsets": toolsets}


# -- the run ------------------------------------------------------------------------------------


def _deps(agent: Any, data: Any) -> Any:
    if data is None:
        return None
    deps_type = agent._deps_type if hasattr(agent, "_deps_type") else getattr(agent, "deps_type", Any)
    return TypeAdapter(deps_type).validate_python(data) if deps_type not in (type(None), None) else data


def _output_types(spec: Any) -> list[Any]:
    """The types an output spec can produce, through Pydantic AI's markers, sequences, unions
    and output functions (whose return annotation says what they produce)."""
    if isinstance(spec, (list, tuple)):
        return [t for item in spec for t in _output_types(item)]
    if isinstance(spec, ToolOutput):
        return _output_types(spec.output)
    if isinstance(spec, (NativeOutput, PromptedOutput)):
        return _output_types(spec.outputs)
    if isinstance(spec, TextOutput):
        return _output_types(typing.get_type_hints(spec.output_function).get("return", str))
    if typing.get_origin(spec) in (typing.Union, types.UnionType):
        return [t for member in typing.get_args(spec) for t in _output_types(member)]
    if inspect.isfunction(spec) or inspect.ismethod(spec):
        return _output_types(typing.get_type_hints(spec).get("return", str))
    return [spec]


def task_output_type(agent: Any) -> Any:
    """The task's output type: the one kind (text, dict, list, number) every output of the agent
    has; when they differ (`[Answer, str]`), text, with structured outputs as JSON text."""
    kinds = {output_type_for(t) for t in _output_types(agent.output_type) if t is not type(None)}
    return kinds.pop() if len(kinds) == 1 else str


def _output(result: Any, agent: Any, options: dict[str, Any]) -> Any:
    data = to_output(result.output, task_output_type(agent))
    if options.get("return_messages"):
        return {"output": data, "messages": _dump_messages(result.all_messages())}
    return data


async def invoke(agent: Any, inputs: dict[str, Any], run: ByofRun) -> Any:
    options = dict(run.options.adapter_options)
    entry = options.get("entry", "run")
    kwargs = {
        # Pydantic AI names an unnamed agent after the variable its run was called from: that
        # would be this function's `agent`, set on the user's object.
        "infer_name": False,
        "deps": _deps(agent, inputs.get("deps")),
        "message_history": ModelMessagesTypeAdapter.validate_python(inputs["message_history"])
        if inputs.get("message_history")
        else None,
    }
    prompt = inputs.get("prompt") or None
    overrides = run.state.get("pydantic_ai_overrides", {})
    with agent.override(model=resolve_model(agent, run), **overrides):
        if entry == "run":
            result = await agent.run(prompt, **kwargs)
        elif entry == "run_sync":
            result = await drive(agent.run_sync, prompt, **kwargs)
        elif entry == "run_stream":
            async with agent.run_stream(prompt, **kwargs) as stream:
                async for _ in stream.stream_output():
                    pass
                return _output(_Finished(await stream.get_output(), stream.all_messages()), agent, options)
        elif entry == "iter":
            async with agent.iter(prompt, **kwargs) as agent_run:
                async for _ in agent_run:
                    pass
                result = agent_run.result
        else:
            raise ValueError(f"adapter_options entry={entry!r} is not one of run, run_sync, run_stream, iter")
    return _output(result, agent, options)


@dataclasses.dataclass
class _Finished:
    """A finished streamed run, shaped like an AgentRunResult for `_output`."""

    output: Any
    messages: list[Any]

    def all_messages(self) -> list[Any]:
        return self.messages
