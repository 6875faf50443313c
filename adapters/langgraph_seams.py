"""The two LangChain seams the LangGraph adapter works through, and nothing else.

Model calls: every chat model, wherever a graph holds it (bound with tools, in a closure, in a
subgraph, inside `create_agent` middleware), ends in `BaseChatModel._generate_with_cache` or
`_agenerate_with_cache`, defined once on the base class, for the `invoke` and `ainvoke` paths
alike; a node's own `model.stream` / `model.astream` of a model that streams natively skips
them, so those two are wrapped as well. Tool calls: every tool, whether a `ToolNode` or the
user's own node calls it, goes through `BaseTool.run` / `BaseTool.arun`.

byof wraps those methods on the classes, once per process, and the wrappers change nothing
unless the calling context belongs to a byof LangGraph run. Then a model call becomes a
`flyte.trace` step and a tool call runs on a run-scoped copy of the tool whose body is routed to
a durable task. The user's graph, models and tools are never modified. These are private
LangChain methods: tests/adapters/langgraph/test_langgraph_seams.py fails loudly when a LangChain release moves them.
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import message_to_dict, messages_from_dict
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.tools import BaseTool, InjectedToolArg, ToolException

from byof.kit import Drop, RunMemo, active_run, crossing, patch_once, referenced_values, retyped, to_jsonable
from byof.runtime.run_context import RunContext
from byof.steps.tools import ToolRouter

ADAPTER = "langgraph"
ROUTED = "__byof_routed__"
_DROPPED = ("callbacks", "run_manager")  # LangChain's tracing plumbing: never crosses into a task
_FRAMEWORKS = ("langchain", "langchain_core", "langgraph")


def _langgraph_run() -> RunContext | None:
    return active_run(ADAPTER)


# -- model calls --------------------------------------------------------------------------------


def model_label(model: BaseChatModel) -> str:
    for attr in ("model_name", "model", "model_id", "deployment_name"):
        value = getattr(model, attr, None)
        if isinstance(value, str) and value:
            return value
    return type(model).__name__


# LangGraph gives every message a fresh id in each run (uuid4, or the model run's id); the model
# never sees it, so it is left out of a model call's identity.
MESSAGE_IDS: tuple[Drop, ...] = (("messages", "*", "data", "id"),)


def model_request(
    model: BaseChatModel, messages: list[Any], stop: Any, kwargs: dict[str, Any]
) -> dict[str, Any]:
    """The step's identity: which model, the conversation, and what was bound (tools, format)."""
    return {
        "model": {"class": type(model).__name__, "name": model_label(model)},
        "messages": [message_to_dict(m) for m in messages],
        "stop": stop,
        "options": to_jsonable(kwargs),
    }


def encode_result(result: ChatResult) -> dict[str, Any]:
    return {
        "generations": [
            {"message": message_to_dict(g.message), "generation_info": to_jsonable(g.generation_info)}
            for g in result.generations
        ],
        "llm_output": to_jsonable(result.llm_output),
    }


def decode_result(data: dict[str, Any]) -> ChatResult:
    generations = [
        ChatGeneration(
            message=messages_from_dict([g["message"]])[0], generation_info=g.get("generation_info")
        )
        for g in data["generations"]
    ]
    return ChatResult(generations=generations, llm_output=data.get("llm_output"))


def _traced_generate(original: Callable[..., ChatResult]) -> Callable[..., ChatResult]:
    @functools.wraps(original)
    def _generate_with_cache(
        self: BaseChatModel, messages: list[Any], stop: Any = None, run_manager: Any = None, **kwargs: Any
    ) -> ChatResult:
        run = _langgraph_run()
        if run is None or run.tracer is None:
            return original(self, messages, stop, run_manager, **kwargs)
        return run.tracer.call(
            model_request(self, messages, stop, kwargs),
            lambda: original(self, messages, stop, run_manager, **kwargs),
            name=model_label(self),
            encode=encode_result,
            decode=decode_result,
            drop=MESSAGE_IDS,
        )

    return _generate_with_cache


def _traced_agenerate(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    async def _agenerate_with_cache(
        self: BaseChatModel, messages: list[Any], stop: Any = None, run_manager: Any = None, **kwargs: Any
    ) -> ChatResult:
        run = _langgraph_run()
        if run is None or run.tracer is None:
            return await original(self, messages, stop, run_manager, **kwargs)
        return await run.tracer.acall(
            model_request(self, messages, stop, kwargs),
            lambda: original(self, messages, stop, run_manager, **kwargs),
            name=model_label(self),
            encode=encode_result,
            decode=decode_result,
            drop=MESSAGE_IDS,
        )

    return _agenerate_with_cache


def stream_request(model: BaseChatModel, input: Any, stop: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
    """A streamed call's identity: as `model_request`, marked as a stream (it answers chunks)."""
    messages = model._convert_input(input).to_messages()
    return {**model_request(model, messages, stop, kwargs), "stream": True}


def encode_chunks(chunks: list[Any]) -> dict[str, Any]:
    return {"chunks": [message_to_dict(c) for c in chunks]}


def decode_chunks(data: dict[str, Any]) -> list[Any]:
    return messages_from_dict(data["chunks"])


def _streams(model: BaseChatModel, kwargs: dict[str, Any], *, async_api: bool) -> bool:
    """Whether LangChain would stream natively; otherwise it falls back to (traced) invoke."""
    return model._should_stream(async_api=async_api, **{**kwargs, "stream": True})


def _traced_stream(original: Callable[..., Iterator[Any]]) -> Callable[..., Iterator[Any]]:
    """A node's own `model.stream(...)`: the whole stream is one step; its chunks are yielded
    once it completes (callbacks, so LangGraph's "messages" stream mode, still see them live)."""

    @functools.wraps(original)
    def stream(
        self: BaseChatModel, input: Any, config: Any = None, *, stop: Any = None, **kwargs: Any
    ) -> Any:
        run = _langgraph_run()
        if run is None or run.tracer is None or not _streams(self, kwargs, async_api=False):
            yield from original(self, input, config, stop=stop, **kwargs)
            return
        yield from run.tracer.call(
            stream_request(self, input, stop, kwargs),
            lambda: list(original(self, input, config, stop=stop, **kwargs)),
            name=model_label(self),
            encode=encode_chunks,
            decode=decode_chunks,
            drop=MESSAGE_IDS,
        )

    return stream


def _traced_astream(original: Callable[..., AsyncIterator[Any]]) -> Callable[..., AsyncIterator[Any]]:
    """A node's own `model.astream(...)`, as `_traced_stream`."""

    @functools.wraps(original)
    async def astream(
        self: BaseChatModel, input: Any, config: Any = None, *, stop: Any = None, **kwargs: Any
    ) -> Any:
        run = _langgraph_run()
        if run is None or run.tracer is None or not _streams(self, kwargs, async_api=True):
            async for chunk in original(self, input, config, stop=stop, **kwargs):
                yield chunk
            return

        async def collect() -> list[Any]:
            return [chunk async for chunk in original(self, input, config, stop=stop, **kwargs)]

        chunks = await run.tracer.acall(
            stream_request(self, input, stop, kwargs),
            collect,
            name=model_label(self),
            encode=encode_chunks,
            decode=decode_chunks,
            drop=MESSAGE_IDS,
        )
        for chunk in chunks:
            yield chunk

    return astream


# -- tool calls ---------------------------------------------------------------------------------


def _annotation_names(annotation: Any) -> set[str]:
    names = {getattr(annotation, "__name__", "") or type(annotation).__name__}
    for extra in getattr(annotation, "__metadata__", ()):
        names.add(type(extra).__name__)
    origin = typing.get_origin(annotation)
    if origin is not None:
        names.add(getattr(origin, "__name__", ""))
    return names


_LIVE_TYPES = {"ToolRuntime", "InjectedStore", "BaseStore"}
_RUNTIME_READERS = {"get_runtime", "get_config", "get_store", "get_stream_writer"}


def _hints(func: Callable[..., Any]) -> dict[str, Any]:
    try:
        return typing.get_type_hints(func, include_extras=True)
    except Exception:
        return {}


def live_params(func: Callable[..., Any]) -> dict[str, str]:
    """The parameters that take a live LangGraph object (a ToolRuntime, a store), with its kind."""
    found = {}
    for name, annotation in _hints(func).items():
        kinds = _annotation_names(annotation) & _LIVE_TYPES
        if kinds and name != "return":
            found[name] = sorted(kinds)[0]
    return found


def state_params(func: Callable[..., Any]) -> list[str]:
    """The parameters LangGraph injects the graph's state into (`Annotated[..., InjectedState]`)."""
    from langgraph.prebuilt import InjectedState

    def injected_state(marker: Any) -> bool:
        return isinstance(marker, InjectedState) or (
            isinstance(marker, type) and issubclass(marker, InjectedState)
        )

    return [
        name
        for name, annotation in _hints(func).items()
        if any(injected_state(m) for m in getattr(annotation, "__metadata__", ()))
    ]


def in_process_reason(func: Callable[..., Any]) -> str | None:
    """Why a tool body must run in the agent's task: it takes or reads the running graph's live
    runtime (its context, store, stream writer), which exists only there."""
    live = live_params(func)
    if live:
        name, kind = next(iter(live.items()))
        return f"its parameter {name!r} takes the run's live LangGraph {kind}"
    for name, value in referenced_values(func):
        if getattr(value, "__name__", None) in _RUNTIME_READERS and getattr(
            value, "__module__", ""
        ).startswith(_FRAMEWORKS):
            return f"it calls {name}(), which reads the running graph's live runtime"
    return None


def _injected(annotation: Any) -> bool:
    """A value LangGraph injects (state, tool-call id, config), not one the model sends."""
    if "RunnableConfig" in _annotation_names(annotation):
        return True
    return any(
        isinstance(m, InjectedToolArg) or (isinstance(m, type) and issubclass(m, InjectedToolArg))
        for m in getattr(annotation, "__metadata__", ())
    )


# What LangGraph puts anew into an injected value in every run: the checkpoint ids in a tool's
# config and the message ids in its state. Left out of the tool call's identity.
_CONFIG_RUN_IDS: tuple[Drop, ...] = (
    ("configurable", "checkpoint_id"),
    ("configurable", "checkpoint_map"),
    ("configurable", "checkpoint_ns"),
    ("metadata", "checkpoint_ns"),
    ("metadata", "langgraph_checkpoint_ns"),
)


def identity_drop(func: Callable[..., Any]) -> tuple[Drop, ...]:
    """The run-varying paths in the values LangGraph injects into `func`'s parameters."""
    try:
        hints = typing.get_type_hints(func, include_extras=True)
    except Exception:
        return ()
    drop: list[Drop] = []
    for name, annotation in hints.items():
        if "RunnableConfig" in _annotation_names(annotation):
            drop += [(name, *path) for path in _CONFIG_RUN_IDS]
        elif any(
            "InjectedState" in (getattr(m, "__name__", ""), type(m).__name__)
            for m in getattr(annotation, "__metadata__", ())
        ):
            drop.append((name, "messages", "*", "id"))
    return tuple(drop)


def _framework_type(annotation: Any) -> bool:
    """Whether `annotation` names a LangChain/LangGraph type anywhere (a Command, a message):
    Flyte's type engine cannot rebuild those faithfully, so such values cross a task boundary as they are."""
    origin = typing.get_origin(annotation) or annotation
    if isinstance(origin, type) and origin.__module__.split(".")[0] in _FRAMEWORKS:
        return True
    return any(_framework_type(a) for a in typing.get_args(annotation))


def sanitize_config(config: Any) -> dict[str, Any]:
    """The part of a RunnableConfig a tool can use inside a task: its plain configurable values,
    tags and metadata (LangGraph's own entries and callback managers stay behind)."""
    config = dict(config or {})
    plain = {
        k: v
        for k, v in dict(config.get("configurable") or {}).items()
        if not k.startswith("__")
        and isinstance(to_jsonable(v), (str, int, float, bool, list, dict, type(None)))
        and to_jsonable(v) == v
    }
    out: dict[str, Any] = {"configurable": plain}
    for key in ("tags", "metadata", "run_name", "recursion_limit"):
        if key in config:
            out[key] = to_jsonable(config[key])
    return out


def _live_identity(value: Any) -> dict[str, Any]:
    """What a step's identity sees of a live LangGraph object: its kind and, for a ToolRuntime,
    which tool call it serves (the same on a resumed run, from the journaled model response)."""
    return {"type": type(value).__name__, "tool_call_id": getattr(value, "tool_call_id", None)}


def _watched(name: str, original: Callable[..., Any]) -> Callable[..., Any]:
    """`original`, with its live parameters unwrapped, returning what it changed in its injected
    state as `byof.kit.crossing.Carried` (when it has an injected state)."""
    state = state_params(original)

    def values(kwargs: dict[str, Any]) -> dict[str, Any]:
        return {p: kwargs[p] for p in state if p in kwargs}

    if inspect.iscoroutinefunction(original):

        async def call(*args: Any, **kwargs: Any) -> Any:
            kwargs = {k: crossing.unwrap(v) for k, v in kwargs.items()}
            watch = crossing.Watch(name, values(kwargs))
            try:
                output = await original(*args, **kwargs)
            except BaseException:
                watch.failed()
                raise
            return watch.done(output) if state else output

        return call

    def sync_call(*args: Any, **kwargs: Any) -> Any:
        kwargs = {k: crossing.unwrap(v) for k, v in kwargs.items()}
        watch = crossing.Watch(name, values(kwargs))
        try:
            output = original(*args, **kwargs)
        except BaseException:
            watch.failed()
            raise
        return watch.done(output) if state else output

    return sync_call


def task_body(original: Callable[..., Any], name: str = "") -> Callable[..., Any]:
    """What the tool's task (or trace step) runs: the tool's own function, without LangChain's
    callback plumbing.

    Injected values (state, tool-call id, config, runtime) and LangChain/LangGraph types (a
    returned Command) are typed Any, so they cross the task boundary as they are. A tool with an
    injected state returns what it changed in it along with its output.
    """
    carries = bool(state_params(original))
    return retyped(
        original,
        _watched(name or getattr(original, "__name__", "tool"), original),
        drop=_DROPPED,
        opaque=lambda param, hint: (
            _injected(hint) or _framework_type(hint) or (param == "return" and carries)
        ),
    )


def front(
    original: Callable[..., Any],
    target: Callable[..., Any],
    *,
    is_async: bool,
    name: str = "",
    mode: Callable[[], str | None] = lambda: "task",
) -> Callable[..., Any]:
    """What LangChain calls on the routed copy: the original's signature (so LangChain passes
    config and injected values as before), forwarding all but its callback plumbing to `target`.

    A live runtime or store goes as `byof.kit.crossing.Live`. An injected state goes live to a tool
    running in the agent's task (`mode()` says where it runs), and as a copy to a task, whose
    changes to it are then written back onto the state LangGraph gave the tool.
    """
    config_params = {
        n
        for n, p in inspect.signature(original).parameters.items()
        if "RunnableConfig" in _annotation_names(p.annotation) or n == "config"
    }
    live = live_params(original)
    state = state_params(original)
    tool = name or getattr(original, "__name__", "tool")

    def prepare(kwargs: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        out = {k: v for k, v in kwargs.items() if k not in _DROPPED}
        for param in config_params & out.keys():
            out[param] = sanitize_config(out[param])
        for param in live.keys() & out.keys():
            what = f"the {live[param]} of tool {tool!r}"
            out[param] = crossing.Live(out[param], _live_identity(out[param]), what)
        values = {p: out[p] for p in state if p in out}
        if values and mode() == "task":
            copies, sent = crossing.send(values, values)
            out.update(copies)
        else:
            sent = {p: crossing.digests(v) for p, v in values.items()}
        return out, values, sent

    if is_async:

        async def call(*args: Any, **kwargs: Any) -> Any:
            out, values, sent = prepare(kwargs)
            with crossing.lent(values):
                result = await target(*args, **out)
            return crossing.settle(result, values, sent, tool)

    else:

        def call(*args: Any, **kwargs: Any) -> Any:  # type: ignore[misc]
            out, values, sent = prepare(kwargs)
            with crossing.lent(values):
                result = target(*args, **out)
            return crossing.settle(result, values, sent, tool)

    return functools.wraps(original)(call)


def routed_copy(tool: BaseTool, router: ToolRouter) -> BaseTool:
    """A copy of `tool`, same type, name, description and schema, whose body is a durable task
    (a trace step when it needs the live runtime)."""
    func = getattr(tool, "func", None)
    coroutine = getattr(tool, "coroutine", None)
    own_arun = type(tool)._arun is not BaseTool._arun and not hasattr(tool, "coroutine")
    body = coroutine or func or (tool._arun if own_arun else tool._run)
    routed = router.route(
        tool.name,
        task_body(body, tool.name),
        description=tool.description,
        control_flow=(ToolException,),
        blocked_error=lambda blocked: ToolException(str(blocked)),
        in_process_reason=in_process_reason(body),
        drop=identity_drop(body),
    )

    def mode() -> str | None:
        return router.options_for(router.specs[tool.name]).mode

    def routed_front(original: Callable[..., Any], is_async: bool) -> Callable[..., Any]:
        target = routed.aio if is_async else routed.sync  # type: ignore[attr-defined]
        return front(original, target, is_async=is_async, name=tool.name, mode=mode)

    if func is not None or coroutine is not None:
        update = {}
        if func is not None:
            update["func"] = routed_front(func, False)
        if coroutine is not None:
            update["coroutine"] = routed_front(coroutine, True)
        copy = tool.model_copy(update=update)
    else:
        copy = tool.model_copy()
        object.__setattr__(copy, "_run", routed_front(tool._run, False))
        if own_arun:
            object.__setattr__(copy, "_arun", routed_front(tool._arun, True))
    object.__setattr__(copy, ROUTED, True)
    return copy


def _copy_for_run(tool: BaseTool) -> BaseTool | None:
    """The run-scoped routed copy of `tool`, or None outside a LangGraph run (or for a copy)."""
    if getattr(tool, ROUTED, False):
        return None
    run = _langgraph_run()
    if run is None or run.router is None:
        return None
    return run_tools(run).get(tool, lambda t: routed_copy(t, run.router))


def _routed_run(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def run(self: BaseTool, *args: Any, **kwargs: Any) -> Any:
        return original(_copy_for_run(self) or self, *args, **kwargs)

    return run


def _routed_arun(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    async def arun(self: BaseTool, *args: Any, **kwargs: Any) -> Any:
        return await original(_copy_for_run(self) or self, *args, **kwargs)

    return arun


_SEAMS: list[tuple[type, str, Callable[[Callable[..., Any]], Callable[..., Any]]]] = [
    (BaseChatModel, "_generate_with_cache", _traced_generate),
    (BaseChatModel, "_agenerate_with_cache", _traced_agenerate),
    (BaseChatModel, "stream", _traced_stream),
    (BaseChatModel, "astream", _traced_astream),
    (BaseTool, "run", _routed_run),
    (BaseTool, "arun", _routed_arun),
]


def install() -> None:
    """Wrap the seams once per process; inert outside a LangGraph run."""
    patch_once(_SEAMS)


def run_tools(run: RunContext) -> RunMemo[BaseTool, BaseTool]:
    """The run's routed copy of each tool it met."""
    tools: RunMemo[BaseTool, BaseTool] = run.prepared
    return tools
