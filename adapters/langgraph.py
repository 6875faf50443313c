"""The LangGraph adapter: any compiled graph, as users build it.

`create_react_agent` graphs, LangChain 1.x `create_agent` graphs (with middleware), and
hand-built `StateGraph`s with models and tools anywhere in their nodes and subgraphs. Model calls
and tool calls are made durable at LangChain's own seams (see langgraph_seams.py), so nothing
about the graph has to be rebuilt, and the graph object itself is never touched.

Task inputs: `prompt` (a user message) or `state` (a full input state), `thread_id` for graphs
compiled with a checkpointer, `config` (the run's RunnableConfig: recursion_limit, configurable,
tags, metadata) and `context` (validated into the graph's `context_schema`, passed as
`invoke(context=...)`). Output: the last message's text for message graphs (the
structured response as JSON text when `create_agent` produced one), the `structured_response` for
`create_react_agent` graphs with a response format, else the final state as JSON data.

adapter_options: `entry` = "ainvoke" (default), "invoke", "astream" or "stream";
`stream_mode` (default ["updates", "values"]) for the streaming entries; `recursion_limit` (a
default the `config` input overrides);
`output` = "text", "structured" or "state" to choose the task's output.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from byof.kit import RunMemo, loaded_instance, referenced_values
from byof.plugins import Adapter, Param, TaskSignature, hookimpl
from byof.runtime.threads import drive

NAME = "langgraph"
SUPPORTED = ">=1.0,<2"


def _output_keys(graph: Any) -> tuple[set[str], set[str]]:
    """The graph's output keys, and the ones it always returns."""
    try:
        schema = graph.get_output_jsonschema()
        return set(schema.get("properties", {})), set(schema.get("required", ()))
    except Exception:
        channels = graph.output_channels
        keys = {channels} if isinstance(channels, str) else set(channels)
        return keys, keys


OUTPUTS = ("text", "structured", "state")


def _output_kind(graph: Any, options: Mapping[str, Any]) -> str:
    """What the task returns: adapter_options["output"], else what the graph's schema implies.

    A required `structured_response` (create_react_agent with a response format) means
    "structured"; a graph without messages means "state"; anything else "text". `create_agent`
    declares an optional `structured_response` whether or not it got a response format, so it
    gives "text" unless you ask for "structured".
    """
    chosen = options.get("output")
    if chosen is not None:
        if chosen not in OUTPUTS:
            raise ValueError(f"adapter_options output={chosen!r} is not one of {', '.join(OUTPUTS)}")
        return str(chosen)
    keys, required = _output_keys(graph)
    if "structured_response" in required:
        return "structured"
    return "text" if "messages" in keys else "state"


def _named_tools(func: Any) -> list[Any]:
    """The tools a node's own function refers to by name: the tools a node calls directly, not via
    a ToolNode."""
    from langchain_core.tools import BaseTool

    return [value for _, value in referenced_values(func) if isinstance(value, BaseTool)]


def _graph_tools(graph: Any) -> list[Any]:
    """Every tool of the graph and its subgraphs, for eager discovery: those a ToolNode holds and
    those a node's function calls directly."""
    from langgraph.prebuilt import ToolNode

    tools: list[Any] = []
    graphs = [graph, *(g for _, g in graph.get_subgraphs(recurse=True))]
    for g in graphs:
        for node in g.nodes.values():
            bound = node.bound
            if isinstance(bound, ToolNode):
                tools.extend(bound.tools_by_name.values())
                continue
            for func in (getattr(bound, "func", None), getattr(bound, "afunc", None)):
                tools.extend(_named_tools(func))
    return tools


def _input(graph: Any, inputs: dict[str, Any]) -> dict[str, Any] | None:
    if inputs.get("state"):
        return dict(inputs["state"])
    if not inputs.get("prompt"):
        raise ValueError("the LangGraph agent's task needs a prompt or a state")
    return {"messages": [{"role": "user", "content": inputs["prompt"]}]}


def _config(graph: Any, inputs: dict[str, Any], run: Any) -> dict[str, Any]:
    """The run's RunnableConfig: the task's `config` input (recursion_limit, configurable, tags,
    metadata, ...) over adapter_options' recursion_limit, its configurable values over the
    graph's own, and the thread: the `thread_id` input, else one per Flyte action for a graph
    with a checkpointer."""
    options = run.options.adapter_options
    given: dict[str, Any] = dict(inputs.get("config") or {})
    # Start from the graph's own configurable values (graph.with_config(...)): older LangGraph
    # releases replace them with the invoke config's instead of merging the two.
    configurable: dict[str, Any] = dict(((getattr(graph, "config", None) or {}).get("configurable")) or {})
    configurable.update(given.pop("configurable", None) or {})
    thread_id = inputs.get("thread_id") or configurable.get("thread_id")
    if not thread_id and getattr(graph, "checkpointer", None):
        thread_id = run.span_id
    if thread_id:
        configurable["thread_id"] = thread_id
    config: dict[str, Any] = {"configurable": configurable} if configurable else {}
    if "recursion_limit" in options:
        config["recursion_limit"] = options["recursion_limit"]
    config.update(given)
    return config


def _context(graph: Any, data: dict[str, Any] | None) -> Any:
    """The task's `context` input validated into the graph's `context_schema` (a dataclass, a
    pydantic model, a TypedDict), as `invoke(context=...)` takes it."""
    schema = getattr(graph, "context_schema", None)
    if data is None or schema is None:
        return data
    from pydantic import TypeAdapter

    return TypeAdapter(schema).validate_python(data)


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    return "".join(p.get("text", "") if isinstance(p, dict) else str(p) for p in content or [])


def _result(graph: Any, state: Any, options: Mapping[str, Any]) -> Any:
    from byof.observability.redact import to_jsonable

    kind = _output_kind(graph, options)
    structured = state.get("structured_response") if isinstance(state, dict) else None
    if kind == "text":
        if structured is not None:  # create_agent with a response format: the response as JSON text
            return json.dumps(to_jsonable(structured))
        messages = state.get("messages") or []
        return _text(messages[-1].content) if messages else ""
    if kind == "structured":
        if structured is None:
            raise ValueError(
                "the graph finished without a structured_response; wrap with output='text' or 'state'"
            )
        return to_jsonable(structured)
    data = to_jsonable(state)
    return data if isinstance(data, dict) else {"output": data}


async def _stream(
    graph: Any,
    graph_input: dict[str, Any] | None,
    config: dict[str, Any],
    context: Any,
    run: Any,
    is_async: bool,
) -> Any:
    """Drive the graph's own streaming, emitting each chunk as an event and keeping the final state."""
    from byof.observability.events import SpanEvent

    modes = list(run.options.adapter_options.get("stream_mode", ["updates", "values"]))
    if "values" not in modes:
        modes.append("values")  # the final state is what the task records
    final: Any = None

    def on_chunk(mode: str, chunk: Any) -> None:
        nonlocal final
        if mode == "values":
            final = chunk
        event = run.child(SpanEvent, name=f"langgraph.{mode}", output=chunk, attrs={"stream_mode": mode})
        event.end_time = event.start_time
        run.emit(event)

    if is_async:
        async for mode, chunk in graph.astream(graph_input, config, context=context, stream_mode=modes):
            on_chunk(mode, chunk)
    else:

        def consume() -> None:
            for mode, chunk in graph.stream(graph_input, config, context=context, stream_mode=modes):
                on_chunk(mode, chunk)

        await drive(consume)
    return final


async def _continues_thread(graph: Any, config: dict[str, Any], run: Any) -> bool:
    """A retried or resumed run whose thread checkpoint holds unfinished work continues it.

    Sending the prompt again would append it to the thread a second time, and the resumed run's
    model requests would no longer match its journal; LangGraph's own way to resume a thread is
    to invoke it with no input.
    """
    if getattr(graph, "checkpointer", None) is None or run.journal is None or not run.journal.resumed:
        return False
    snapshot = await drive(graph.get_state, config)
    if not snapshot.next:
        return False
    run.journal.continue_midway()
    return True


async def _invoke(graph: Any, entry: str, inputs: dict[str, Any], run: Any) -> Any:
    config = _config(graph, inputs, run)
    context = _context(graph, inputs.get("context"))
    graph_input = None if await _continues_thread(graph, config, run) else _input(graph, inputs)
    if entry == "ainvoke":
        state = await graph.ainvoke(graph_input, config, context=context)
    elif entry == "invoke":
        state = await drive(graph.invoke, graph_input, config, context=context)
    else:
        state = await _stream(graph, graph_input, config, context, run, is_async=entry == "astream")
    return _result(graph, state, run.options.adapter_options)


class LangGraphAdapter(Adapter["RunMemo[Any, Any]"]):
    """A compiled graph (Pregel). Per run: the routed copy of each tool the run meets."""

    name = NAME
    framework = "LangGraph / LangChain agents"
    distribution = "langgraph"
    extra = "langgraph"
    supported = SUPPORTED
    description = "Compiled graphs: create_react_agent, create_agent, hand-built StateGraphs."
    entries = ("ainvoke", "invoke", "astream", "stream")

    def claims(self, obj: Any) -> bool:
        return loaded_instance(obj, "langgraph.pregel", "Pregel")

    def refusal(self, obj: Any) -> str | None:
        if loaded_instance(obj, "langgraph.graph.state", "StateGraph"):
            return (
                "a StateGraph is a builder, not a runnable graph yet: call .compile() and wrap what it "
                "returns, e.g. byof.wrap(builder.compile(), env=env)"
            )
        return None

    def signature(self, obj: Any, options: Mapping[str, Any]) -> TaskSignature:
        import typing

        return TaskSignature(
            params=(
                Param("prompt", str, ""),
                Param("state", typing.Optional[dict], None),  # noqa: UP045 - a runtime type for Flyte
                Param("thread_id", str, ""),
                Param("config", typing.Optional[dict], None),  # noqa: UP045
                Param("context", typing.Optional[dict], None),  # noqa: UP045
            ),
            output=str if _output_kind(obj, options) == "text" else dict,
        )

    def prepare(self, obj: Any, run: Any) -> RunMemo[Any, Any]:
        from . import langgraph_seams

        langgraph_seams.install()  # model and tool calls go through this run while it is active
        # Route every tool found now, so a worker can rebuild its task; a tool reached some other
        # way (through a helper function) is routed when first called (langgraph_seams._copy_for_run).
        tools: RunMemo[Any, Any] = RunMemo()
        for tool in _graph_tools(obj):
            tools.get(tool, lambda t: langgraph_seams.routed_copy(t, run.router))
        return tools

    async def invoke(self, obj: Any, prepared: RunMemo[Any, Any], inputs: dict[str, Any], run: Any) -> Any:
        return await _invoke(obj, self.entry(run.options.adapter_options), inputs, run)


@hookimpl
def byof_register_adapters(register: Any) -> None:
    register(LangGraphAdapter())
