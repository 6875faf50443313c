"""How the OpenAI Agents SDK adapter makes a run durable, without touching the user's agents.

One seam: the SDK's `AgentRunner.run` / `run_streamed` (what `Runner.run`, `run_sync` and
`run_streamed` call, for the top-level run and for every nested run an agent-as-tool starts),
wrapped once per process and inert outside a byof OpenAI Agents run. Inside one, the starting
agent is replaced by a run-scoped clone of its whole tree (`Agent.clone`, handoff targets and the
agents behind `as_tool` included, each cloned once per run) in which:
- a `Model` instance becomes a `TracedModel`, and the run config's model provider is wrapped so a
  model given by name is traced too: every model call is a `flyte.trace` step;
- each `@function_tool` is rebuilt around a routed copy of its function (same name, description,
  schema, failure handling): every call is a Flyte child task;
- hosted tools (web search, file search, code interpreter, computer use) pass through untouched:
  they run at the provider.
An OpenAI model (`OpenAIResponsesModel`, `OpenAIChatCompletionsModel`) whose client uses a
connection pool the run does not own (the SDK's process-wide one, or the pool the OpenAI client
made itself) calls through a copy of that client with a pool of the run's own, closed when the
run ends: an HTTP connection belongs to the event loop that opened it, and the user's runs
outside byof use other loops than the Flyte task's.
The SDK's own tracing is left alone. `AgentRunner` is marked experimental by the SDK:
tests/adapters/openai-agents/test_openai_agents_seams.py fails first when a release changes it.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import inspect
import logging
import threading
import typing
from collections.abc import AsyncIterator, Callable
from typing import Any

import openai
from agents import (
    Agent,
    FunctionTool,
    Handoff,
    ModelSettings,
    OpenAIChatCompletionsModel,
    OpenAIResponsesModel,
    RunConfig,
    RunContextWrapper,
    function_tool,
)
from agents.items import ModelResponse
from agents.models.interface import Model, ModelProvider
from agents.models.multi_provider import MultiProvider
from agents.models.openai_provider import shared_http_client
from agents.retry import ModelRetryAdvice, ModelRetryAdviceRequest
from agents.run import AgentRunner
from agents.tool_context import ToolContext
from agents.usage import Usage
from openai import AsyncOpenAI
from openai._base_client import AsyncHttpxClientWrapper
from openai.types.responses import ResponseOutputItem
from pydantic import TypeAdapter

from byof.kit import RunMemo, active_run, patch_once
from byof.observability.redact import to_jsonable
from byof.runtime.run_context import RunContext
from byof.steps.tools import ToolRouter

from . import openai_agents_context as context_writes

ADAPTER = "openai-agents"
logger = logging.getLogger("byof.tools")


def _agents_run() -> RunContext | None:
    return active_run(ADAPTER)


# -- model calls --------------------------------------------------------------------------------


_CALL = ("system_instructions", "input", "model_settings", "tools", "output_schema", "handoffs", "tracing")


def _call_args(args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
    """A model call's arguments by name, however the runner passed them."""
    return {**dict(zip(_CALL, args, strict=False)), **kwargs}


def _request(model: Model, call: dict[str, Any]) -> dict[str, Any]:
    system, items, settings = call.get("system_instructions"), call.get("input"), call.get("model_settings")
    tools, output_schema, handoffs = (
        call.get("tools") or [],
        call.get("output_schema"),
        call.get("handoffs") or [],
    )
    kwargs = call
    return {
        "model": getattr(model, "model", None) or type(model).__name__,
        "system": system,
        "input": to_jsonable(items),
        "settings": to_jsonable(settings.to_json_dict() if isinstance(settings, ModelSettings) else settings),
        "tools": [getattr(t, "name", type(t).__name__) for t in tools],
        "schemas": [to_jsonable(getattr(t, "params_json_schema", None)) for t in tools],
        "output": None
        if output_schema is None or output_schema.is_plain_text()
        else output_schema.json_schema(),
        "handoffs": [h.tool_name for h in handoffs],
        "previous_response_id": kwargs.get("previous_response_id"),
        "conversation_id": kwargs.get("conversation_id"),
    }


_ITEMS: TypeAdapter[list[ResponseOutputItem]] = TypeAdapter(list[ResponseOutputItem])
_USAGE: TypeAdapter[Usage] = TypeAdapter(Usage)


def _encode(response: ModelResponse) -> dict[str, Any]:
    return {
        "output": _ITEMS.dump_python(list(response.output), mode="json", exclude_none=True),
        "usage": _USAGE.dump_python(response.usage, mode="json"),
        "response_id": response.response_id,
    }


def _decode(data: dict[str, Any]) -> ModelResponse:
    return ModelResponse(
        output=_ITEMS.validate_python(data["output"]),
        usage=_USAGE.validate_python(data["usage"]),
        response_id=data.get("response_id"),
    )


class TracedModel(Model):
    """A model whose calls are trace steps of the byof run; streams are replayed from the whole response."""

    def __init__(self, wrapped: Model, run: RunContext) -> None:
        self.wrapped = wrapped
        self._run = run
        self.model = getattr(wrapped, "model", type(wrapped).__name__)

    async def get_response(self, *args: Any, **kwargs: Any) -> ModelResponse:
        return await self._run.tracer.acall(
            _request(self.wrapped, _call_args(args, kwargs)),
            lambda: self.wrapped.get_response(*args, **kwargs),
            name=str(self.model),
            encode=_encode,
            decode=_decode,
        )

    async def stream_response(self, *args: Any, **kwargs: Any) -> AsyncIterator[Any]:
        from agents.testing import ModelStep, ScriptedModel

        response = await self.get_response(*args, **kwargs)
        replay = ScriptedModel(
            [ModelStep(output=response.output, usage=response.usage, response_id=response.response_id)]
        )
        async for event in replay.stream_response(*args, **kwargs):
            yield event

    def get_retry_advice(self, request: ModelRetryAdviceRequest) -> ModelRetryAdvice | None:
        """The wrapped model's advice: the SDK's opt-in model retries ask the model it called."""
        return self.wrapped.get_retry_advice(request)

    async def _cleanup_on_run_end(self, owner: object) -> None:
        """The SDK tells each model it resolved when the run ends; pass that on."""
        await self.wrapped._cleanup_on_run_end(owner)

    async def close(self) -> None:
        await self.wrapped.close()


class TracedProvider(ModelProvider):
    """The run config's provider, handing out the run's traced models for names."""

    def __init__(self, wrapped: ModelProvider, cloner: AgentCloner) -> None:
        self.wrapped = wrapped
        self._cloner = cloner

    def get_model(self, model_name: str | None) -> Model:
        return self._cloner.model(self.wrapped.get_model(model_name))

    async def aclose(self) -> None:
        await self.wrapped.aclose()


# -- tools --------------------------------------------------------------------------------------


_CALL_FIELDS = ("tool_name", "tool_call_id", "tool_arguments", "tool_namespace")
# The crossings (see _crossing_context) of the calls in flight in this process: a tool body that
# receives one of these very objects runs in-process, on the live context, not in a task.
_in_flight: set[int] = set()


def _crossing_context(ctx: Any) -> dict[str, Any]:
    """What a tool's ToolContext can carry into a task: the user's context object and the call's ids
    (its agent, run config and usage hold models and clients, which stay in the agent's task)."""
    return {"context": ctx.context, **{name: getattr(ctx, name, None) for name in _CALL_FIELDS}}


def _rebuilt_context(data: dict[str, Any]) -> ToolContext[Any]:
    """A ToolContext, which is also a RunContextWrapper: right for either annotation."""
    return ToolContext(**data)


def _with_context(name: str, original: Callable[..., Any], first: str) -> Callable[..., Any]:
    """`original` called with its context rebuilt from the crossing, returning its result with the
    context fields it wrote (openai_agents_context.py), sync or async like `original`."""

    def call(*args: Any, **kwargs: Any) -> Any:
        if first in kwargs:
            data, kwargs[first] = kwargs[first], _rebuilt_context(kwargs[first])
            ctx = kwargs[first]
        else:
            data, ctx = args[0], _rebuilt_context(args[0])
            args = (ctx, *args[1:])
        in_process = id(data) in _in_flight
        before = context_writes.Snapshot(ctx.context)

        def finished(output: Any) -> Any:
            return before.writes(name, ctx.context, output, in_process)

        try:
            result = original(*args, **kwargs)
        except Exception:
            before.warn_lost(name, ctx.context, in_process)
            raise
        if not inspect.isawaitable(result):
            return finished(result)

        async def awaited() -> Any:
            try:
                return finished(await result)
            except Exception:
                before.warn_lost(name, ctx.context, in_process)
                raise

        return awaited()

    return call


def _routed_function_tool(tool: FunctionTool, router: ToolRouter) -> FunctionTool:
    """The same tool (name, description, schema, failure handling) calling a routed function."""
    from byof.steps.tool_signature import retyped

    original = tool.__wrapped__
    params = list(inspect.signature(original).parameters.values())
    hints = typing.get_type_hints(original)
    takes_ctx = bool(params) and _is_context(hints.get(params[0].name, params[0].annotation))
    if takes_ctx:  # the context crosses pickled, and the result comes back with its writes
        first = params[0].name
        body = retyped(
            original,
            _with_context(tool.name, original, first),
            opaque=lambda name, _: name in (first, "return"),
        )
    else:
        body = retyped(original)
    routed = router.route(tool.name, body, description=tool.description)

    @functools.wraps(original)
    async def front(*args: Any, **kwargs: Any) -> Any:
        if not takes_ctx:
            return await routed.aio(*args, **kwargs)
        live, crossing = args[0].context, _crossing_context(args[0])
        _in_flight.add(id(crossing))
        try:
            result = await routed.aio(crossing, *args[1:], **kwargs)
        finally:
            _in_flight.discard(id(crossing))
        return context_writes.applied(result, live)

    front.__annotations__ = dict(hints)  # resolved, so the SDK rebuilds the very same schema
    rebuilt = function_tool(
        front,
        name_override=tool.name,
        description_override=tool.description,
        strict_mode=tool.strict_json_schema,
    )
    # Keep every other setting of the user's tool (failure handling, guardrails, approval, timeout).
    return dataclasses.replace(tool, on_invoke_tool=rebuilt.on_invoke_tool)


def _is_context(annotation: Any) -> bool:
    origin = typing.get_origin(annotation) or annotation
    return isinstance(origin, type) and issubclass(origin, RunContextWrapper)


def _routed_tool(tool: Any, router: ToolRouter) -> Any:
    if not isinstance(tool, FunctionTool):
        return tool  # hosted tools run at the provider
    if getattr(tool, "_is_agent_tool", False):
        return tool  # its nested run comes through the runner seam and is cloned there
    try:
        tool.__wrapped__  # noqa: B018 - probing: only @function_tool tools have a Python function
    except AttributeError:
        logger.warning(
            "tool %r has a custom on_invoke_tool; it runs in the agent's task, not as a task", tool.name
        )
        return tool
    return _routed_function_tool(tool, router)


class ToolRouting:
    """Routes each function tool once per run: a tool that several agents share has one route."""

    def __init__(self, router: ToolRouter) -> None:
        self.router = router
        self._tools: RunMemo[Any, Any] = RunMemo()

    def tool(self, tool: Any) -> Any:
        return self._tools.get(tool, lambda t: _routed_tool(t, self.router))


# -- agents -------------------------------------------------------------------------------------


class AgentCloner:
    """Clones an agent tree once per run: traced models, routed tools, cloned handoffs."""

    def __init__(self, run: RunContext) -> None:
        self.run = run
        self._clones: RunMemo[Agent[Any], Agent[Any]] = RunMemo()
        self._provider: MultiProvider | None = None
        self._clients: RunMemo[AsyncOpenAI, AsyncOpenAI] = RunMemo()
        self.tools = ToolRouting(run.router)
        self._lock = threading.Lock()

    def model(self, model: Model) -> TracedModel:
        """`model` for this run: traced, on connections of the run's own (see `_on_run_connections`)."""
        if isinstance(model, TracedModel):
            return model
        return TracedModel(self._on_run_connections(model), self.run)

    def _on_run_connections(self, model: Model) -> Model:
        """An OpenAI model whose client's connection pool byof may replace, as a copy calling
        through a copy of that client with a pool of this run's own (one per client per run).
        A pool the user built (`AsyncOpenAI(http_client=...)`) is theirs, and is used as it is."""
        if type(model) not in (OpenAIResponsesModel, OpenAIChatCompletionsModel):
            return model
        client = getattr(model, "_client", None)
        if not isinstance(client, AsyncOpenAI) or not _replaceable_pool(client):
            return model
        copied = copy.copy(model)
        copied._client = self._clients.get(
            client, lambda c: c.copy(http_client=openai.DefaultAsyncHttpxClient())
        )
        return copied

    def __call__(self, agent: Agent[Any]) -> Agent[Any]:
        if getattr(agent, "__byof_clone__", False):
            return agent

        def fill(clone: Agent[Any]) -> None:
            object.__setattr__(clone, "__byof_clone__", True)
            if isinstance(agent.model, Model):
                clone.model = self.model(agent.model)
            clone.tools = [self.tools.tool(t) for t in agent.tools]
            clone.handoffs = [self._handoff(h) for h in agent.handoffs]

        return self._clones.get(agent, lambda a: a.clone(), fill)

    def _handoff(self, handoff: Any) -> Any:
        if isinstance(handoff, Agent):
            return self(handoff)
        if isinstance(handoff, Handoff):
            original = handoff.on_invoke_handoff

            async def on_invoke_handoff(ctx: Any, input_json: str) -> Agent[Any]:
                return self(await original(ctx, input_json))

            return dataclasses.replace(handoff, on_invoke_handoff=on_invoke_handoff)
        return handoff

    def run_config(self, config: RunConfig | dict[str, Any] | None) -> RunConfig:
        """The config with traced models. Where the SDK would make (and close) a provider of its
        own, the run's provider is used instead: the SDK leaves a given provider open."""
        owned = config is None or (isinstance(config, dict) and "model_provider" not in config)
        given: RunConfig = RunConfig(**config) if isinstance(config, dict) else config or RunConfig()
        model = self.model(given.model) if isinstance(given.model, Model) else given.model
        provider = self._own_provider() if owned else given.model_provider
        if not isinstance(provider, TracedProvider):
            provider = TracedProvider(provider, self)
        return dataclasses.replace(given, model=model, model_provider=provider)

    def _own_provider(self) -> MultiProvider:
        with self._lock:
            if self._provider is None:
                self._provider = MultiProvider()
            return self._provider

    async def aclose(self) -> None:
        """Close the provider the run made (its cached models' connections), as the SDK would,
        and the connection pools the run opened."""
        closing: list[tuple[str, Callable[[], Any]]] = [
            (f"client {own.base_url}", own.close) for _, own in self._clients
        ]
        if self._provider is not None:
            closing.insert(0, ("model provider", self._provider.aclose))
        for what, close in closing:
            try:
                await close()
            except Exception as exc:  # like the SDK: a failed close must not hide the run's outcome
                logger.warning("closing the run's %s failed: %s", what, exc)


def _replaceable_pool(client: AsyncOpenAI) -> bool:
    """Whether `client`'s connection pool is one the SDK or the OpenAI client made (not the user)."""
    pool = getattr(client, "_client", None)
    return isinstance(pool, AsyncHttpxClientWrapper) or pool is shared_http_client()


def cloner_for(run: RunContext) -> AgentCloner:
    """The run's cloner: the OpenAI Agents adapter's per-run state."""
    cloner: AgentCloner = run.prepared
    return cloner


def _durable_run(original: Callable[..., Any], is_async: bool) -> Callable[..., Any]:
    def prepare(agent: Any, kwargs: dict[str, Any]) -> Any:
        run = _agents_run()
        if run is None or run.router is None:
            return agent
        cloner = cloner_for(run)
        kwargs["run_config"] = cloner.run_config(kwargs.get("run_config"))
        return cloner(agent)

    if is_async:

        @functools.wraps(original)
        async def run_async(self: Any, starting_agent: Any, *args: Any, **kwargs: Any) -> Any:
            return await original(self, prepare(starting_agent, kwargs), *args, **kwargs)

        return run_async

    @functools.wraps(original)
    def run_streamed(self: Any, starting_agent: Any, *args: Any, **kwargs: Any) -> Any:
        return original(self, prepare(starting_agent, kwargs), *args, **kwargs)

    return run_streamed


def install() -> None:
    """Wrap the runner seam once per process; inert outside an OpenAI Agents run."""
    patch_once(
        (AgentRunner, name, lambda original, is_async=is_async: _durable_run(original, is_async))
        for name, is_async in (("run", True), ("run_streamed", False))
    )
