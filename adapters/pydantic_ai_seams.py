"""The Pydantic AI adapter's model seam and the run itself.

- `TracedModel`: a `WrapperModel` whose requests are `flyte.trace` steps. A streamed request is
  traced as one request and replayed to the stream's consumer from the complete response, so
  `run_stream` and `iter` consumers still see events and the result is recorded durably.
- `invoke`: the run inside the task, in `agent.override(model=TracedModel, tools=routed...)`
  (routed tools: pydantic_ai_tools), and the same override for every delegate agent; deps from
  the task's input (pydantic_ai_deps), usage limits and model settings as the run takes them.
"""

from __future__ import annotations

import contextlib
import dataclasses
import inspect
import logging
import types
import typing
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from pydantic import TypeAdapter
from pydantic_ai.messages import ModelMessagesTypeAdapter, ModelResponse
from pydantic_ai.models import CompletedStreamedResponse, Model, infer_model
from pydantic_ai.models.wrapper import WrapperModel
from pydantic_ai.output import NativeOutput, PromptedOutput, TextOutput, ToolOutput
from pydantic_ai.usage import UsageLimits

from byof import RunContext as ByofRun
from byof.kit import Drop, drive, output_type_for, to_jsonable, to_output

from .pydantic_ai_deps import BuiltDeps, built_deps, deps_from_json
from .pydantic_ai_tools import PydanticAIRun

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


# -- the run ------------------------------------------------------------------------------------


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


def _usage_limits(data: dict[str, Any] | None) -> UsageLimits | None:
    """The task's `usage_limits` input (UsageLimits' fields as JSON) as a `UsageLimits`."""
    if data is None:
        return None
    known = {f.name for f in dataclasses.fields(UsageLimits)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ValueError(
            f"the usage_limits input has unknown keys {unknown}; UsageLimits takes {sorted(known)}"
        )
    return TypeAdapter(UsageLimits).validate_python(data)


@contextlib.asynccontextmanager
async def _run_deps(agent: Any, data: Any, run: ByofRun) -> AsyncIterator[Any]:
    """The run's deps: built by adapter_options["deps_factory"] (kept open for the run), or the
    JSON input validated into the agent's deps_type."""
    factory = run.options.adapter_options.get("deps_factory")
    if factory is None:
        yield deps_from_json(agent, data)
        return
    async with built_deps(factory, data) as deps:
        run.prepared.deps = BuiltDeps(deps, data)
        yield deps


def _overridden(stack: contextlib.ExitStack, agent: Any, overrides: dict[str, Any], run: ByofRun) -> None:
    """Enter `agent.override(...)` with its routed tools and, when it has a model, its traced model."""
    if agent.model is None:  # a delegate run with `model=...`: that model is the caller's to give
        logging.getLogger("byof.tools").warning(
            "agent %r has no model of its own; the model its caller passes to its run is not traced",
            agent.name,
        )
        stack.enter_context(agent.override(**overrides))
        return
    stack.enter_context(agent.override(model=resolve_model(agent, run), **overrides))


async def invoke(
    agent: Any, prepared: PydanticAIRun, entry: str, inputs: dict[str, Any], run: ByofRun
) -> Any:
    options = dict(run.options.adapter_options)
    prompt = inputs.get("prompt") or None
    overrides, delegates = prepared.overrides, prepared.delegates
    async with _run_deps(agent, inputs.get("deps"), run) as deps:
        kwargs = {
            # Pydantic AI names an unnamed agent after the variable its run was called from: that
            # would be this function's `agent`, set on the user's object.
            "infer_name": False,
            "deps": deps,
            "message_history": ModelMessagesTypeAdapter.validate_python(inputs["message_history"])
            if inputs.get("message_history")
            else None,
            "usage_limits": _usage_limits(inputs.get("usage_limits")),
            "model_settings": inputs.get("model_settings") or None,
        }
        with contextlib.ExitStack() as stack:
            for delegate, delegate_overrides in delegates:
                _overridden(stack, delegate, delegate_overrides, run)
            stack.enter_context(agent.override(model=resolve_model(agent, run), **overrides))
            return await _drive(agent, entry, prompt, kwargs, options)


async def _drive(
    agent: Any, entry: str, prompt: str | None, kwargs: dict[str, Any], options: dict[str, Any]
) -> Any:
    """One run through the chosen entry point; the task output."""
    if entry == "run":
        result = await agent.run(prompt, **kwargs)
    elif entry == "run_sync":
        result = await drive(agent.run_sync, prompt, **kwargs)
    elif entry == "run_stream":
        async with agent.run_stream(prompt, **kwargs) as stream:
            async for _ in stream.stream_output():
                pass
            return _output(_Finished(await stream.get_output(), stream.all_messages()), agent, options)
    else:  # "iter"
        async with agent.iter(prompt, **kwargs) as agent_run:
            async for _ in agent_run:
                pass
            result = agent_run.result
    return _output(result, agent, options)


@dataclasses.dataclass
class _Finished:
    """A finished streamed run, shaped like an AgentRunResult for `_output`."""

    output: Any
    messages: list[Any]

    def all_messages(self) -> list[Any]:
        return self.messages
