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
The SDK's own tracing is left alone. `AgentRunner` is marked experimental by the SDK:
tests/test_openai_agents_seams.py fails first when a release changes it.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import logging
import threading
import typing
from collections.abc import AsyncIterator, Callable
from typing import Any

from agents import Agent, FunctionTool, Handoff, ModelSettings, RunConfig, RunContextWrapper, function_tool
from agents.items import ModelResponse
from agents.models.interface import Model, ModelProvider
from agents.models.multi_provider import MultiProvider
from agents.retry import ModelRetryAdvice, ModelRetryAdviceRequest
from agents.run import AgentRunner
from agents.tool_context import ToolContext
from agents.usage import Usage
from openai.types.responses import ResponseOutputItem
from pydantic import TypeAdapter

from byof.redact import to_jsonable
from byof.run_context import RunContext, current_run
from byof.tools import ToolRouter

ADAPTER = "openai-agents"
logger = logging.getLogger("byof.tools")
_lock = threading.Lock()
_originals: dict[str, Callable[..., Any]] = {}


def _agents_run() -> RunContext | None:
    run = current_run()
    return run if run is not None and run.adapter == ADAPTER else None


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
    """The run config's provider, handing out traced models for names."""

    def __init__(self, wrapped: ModelProvider, run: RunContext) -> None:
        self.wrapped = wrapped
        self._run = run

    def get_model(self, model_name: str | None) -> Model:
        return TracedModel(self.wrapped.get_model(model_name), self._run)

    async def aclose(self) -> None:
        await self.wrapped.aclose()


# -- tools --------------------------------------------------------------------------------------


_CALL_FIELDS = ("tool_name", "tool_call_id", "tool_arguments", "tool_namespace")


def _crossing_context(ctx: Any) -> dict[str, Any]:
    """What a tool's ToolContext can carry into a task: the user's context object and the call's ids
    (its agent, run config and usage hold models and clients, which stay in the agent's task)."""
    return {"context": ctx.context, **{name: getattr(ctx, name, None) for name in _CALL_FIELDS}}


def _rebuilt_context(data: dict[str, Any]) -> ToolContext[Any]:
    """A ToolContext, which is also a RunContextWrapper: right for either annotation."""
    return ToolContext(**data)


def _routed_function_tool(tool: FunctionTool, router: ToolRouter) -> FunctionTool:
    """The same tool (name, description, schema, failure handling) calling a routed function."""
    from byof.tool_signature import retyped

    original = tool.__wrapped__
    params = list(inspect.signature(original).parameters.values())
    hints = typing.get_type_hints(original)
    takes_ctx = bool(params) and _is_context(hints.get(params[0].name, params[0].annotation))
    first = params[0].name if takes_ctx else None

    def with_context(*args: Any, **kwargs: Any) -> Any:
        if first is not None and first in kwargs:
            kwargs[first] = _rebuilt_context(kwargs[first])
        elif first is not None:
            args = (_rebuilt_context(args[0]), *args[1:])
        return original(*args, **kwargs)

    body = retyped(original, with_context, opaque=lambda name, hint: name == first)
    routed = router.route(tool.name, body, description=tool.description)

    @functools.wraps(original)
    async def front(*args: Any, **kwargs: Any) -> Any:
        if takes_ctx:
            args = (_crossing_context(args[0]), *args[1:])
        return await routed.aio(*args, **kwargs)

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


# -- agents -------------------------------------------------------------------------------------


class AgentCloner:
    """Clones an agent tree once per run: traced models, routed tools, cloned handoffs."""

    def __init__(self, run: RunContext) -> None:
        self.run = run
        self._clones: dict[int, tuple[Agent[Any], Agent[Any]]] = {}
        self._provider: MultiProvider | None = None
        self._lock = threading.Lock()

    def __call__(self, agent: Agent[Any]) -> Agent[Any]:
        with self._lock:
            known = self._clones.get(id(agent))
            if known is not None:
                return known[1]
            if getattr(agent, "__byof_clone__", False):
                return agent
            clone = agent.clone()
            self._clones[id(agent)] = (agent, clone)
        object.__setattr__(clone, "__byof_clone__", True)
        if isinstance(agent.model, Model):
            clone.model = TracedModel(agent.model, self.run)
        clone.tools = [_routed_tool(t, self.run.router) for t in agent.tools]
        clone.handoffs = [self._handoff(h) for h in agent.handoffs]
        return clone

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
        if isinstance(config, dict):
            config = RunConfig(**config)
        config = config or RunConfig()
        model = TracedModel(config.model, self.run) if isinstance(config.model, Model) else config.model
        provider = self._own_provider() if owned else config.model_provider
        if not isinstance(provider, TracedProvider):
            provider = TracedProvider(provider, self.run)
        return dataclasses.replace(config, model=model, model_provider=provider)

    def _own_provider(self) -> MultiProvider:
        with self._lock:
            if self._provider is None:
                self._provider = MultiProvider()
            return self._provider

    async def aclose(self) -> None:
        """Close the provider the run made (its cached models' connections), as the SDK would."""
        if self._provider is None:
            return
        try:
            await self._provider.aclose()
        except Exception as exc:  # like the SDK: a failed close must not hide the run's outcome
            logger.warning("closing the run's model provider failed: %s", exc)


def cloner_for(run: RunContext) -> AgentCloner:
    cloner = run.state.get("openai_agents_cloner")
    if cloner is None:
        cloner = run.state["openai_agents_cloner"] = AgentCloner(run)
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
    """Wrap the runner seam once per process (idempotent, thread-safe)."""
    with _lock:
        for name, is_async in (("run", True), ("run_streamed", False)):
            if name not in _originals:
                _originals[name] = getattr(AgentRunner, name)
                setattr(AgentRunner, name, _durable_run(_originals[name], is_async))
