"""The LangGraph adapter: any compiled graph, as users build it.

`create_react_agent` graphs, LangChain 1.x `create_agent` graphs (with middleware), and
hand-built `StateGraph`s with models and tools anywhere in their nodes and subgraphs. Model calls
and tool calls are made durable at LangChain's own seams (see langgraph_seams.py), so nothing
about the graph has to be rebuilt, and the graph object itself is never touched.

Task inputs: `prompt` (a user message) or `state` (a full input state), and `thread_id` for
graphs compiled with a checkpointer. Output: the last AI message's text for message graphs, the
`structured_response` for graphs with a response format, else the final state as JSON data.

adapter_options: `entry` = "ainvoke" (default), "invoke", "astream" or "stream";
`stream_mode` (default ["updates", "values"]) for the streaming entries; `recursion_limit`.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

from byof.adapter import AdapterInfo, Param, TaskSignature
from byof.plugins import hookimpl

NAME = "langgraph"
SUPPORTED = ">=1.0,<2"


def _is_graph(agent: Any) -> bool:
    if "langgraph" not in sys.modules:  # no graph can exist, and nothing gets imported
        return False
    from langgraph.pregel import Pregel

    return isinstance(agent, Pregel)


@hookimpl
def byof_adapter_info() -> AdapterInfo:
    return AdapterInfo(
        name=NAME,
        framework="LangGraph / LangChain agents",
        distribution="langgraph",
        extra="langgraph",
        supported=SUPPORTED,
        modules=("langgraph", "langchain", "langchain_core"),
        description="Compiled graphs: create_react_agent, create_agent, hand-built StateGraphs.",
    )


@hookimpl
def byof_detect(agent: Any) -> str | None:
    return NAME if _is_graph(agent) else None


def _output_keys(graph: Any) -> set[str]:
    try:
        return set(graph.get_output_jsonschema().get("properties", {}))
    except Exception:
        channels = graph.output_channels
        return {channels} if isinstance(channels, str) else set(channels)


def _output_type(graph: Any) -> Any:
    keys = _output_keys(graph)
    if "structured_response" in keys or "messages" not in keys:
        return dict
    return str


@hookimpl
def byof_task_signature(adapter: str, agent: Any) -> TaskSignature | None:
    if adapter != NAME:
        return None
    import typing

    return TaskSignature(
        params=(
            Param("prompt", str, ""),
            Param("state", typing.Optional[dict], None),  # noqa: UP045 - a runtime type for Flyte
            Param("thread_id", str, ""),
        ),
        output=_output_type(agent),
    )


def _graph_tools(graph: Any) -> list[Any]:
    """The tools of every ToolNode in the graph and its subgraphs (for eager discovery)."""
    from langgraph.prebuilt import ToolNode

    tools: list[Any] = []
    graphs = [graph, *(g for _, g in graph.get_subgraphs(recurse=True))]
    for g in graphs:
        for node in g.nodes.values():
            if isinstance(node.bound, ToolNode):
                tools.extend(node.bound.tools_by_name.values())
    return tools


@hookimpl
def byof_route_tools(adapter: str, agent: Any, router: Any) -> Any:
    if adapter != NAME:
        return None
    from . import langgraph_seams

    langgraph_seams.install()
    # Route every tool a ToolNode holds now, so a worker can rebuild its task; tools called from
    # the user's own nodes are routed when first called (see langgraph_seams._copy_for_run).
    copies = router.run.state.setdefault("langgraph_tools", {}) if router.run is not None else {}
    for tool in _graph_tools(agent):
        if id(tool) not in copies:
            copies[id(tool)] = (tool, langgraph_seams.routed_copy(tool, router))
    return agent


@hookimpl
def byof_wrap_model(adapter: str, agent: Any, tracer: Any) -> Any:
    if adapter != NAME:
        return None
    from . import langgraph_seams

    langgraph_seams.install()  # model calls trace through run.tracer while this run is active
    return agent


def _input(graph: Any, inputs: dict[str, Any]) -> dict[str, Any]:
    if inputs.get("state"):
        return dict(inputs["state"])
    if not inputs.get("prompt"):
        raise ValueError("the LangGraph agent's task needs a prompt or a state")
    return {"messages": [{"role": "user", "content": inputs["prompt"]}]}


def _config(graph: Any, inputs: dict[str, Any], run: Any) -> dict[str, Any]:
    options = run.options.adapter_options
    configurable: dict[str, Any] = {}
    thread_id = inputs.get("thread_id") or (run.span_id if getattr(graph, "checkpointer", None) else "")
    if thread_id:
        configurable["thread_id"] = thread_id
    config: dict[str, Any] = {"configurable": configurable} if configurable else {}
    if "recursion_limit" in options:
        config["recursion_limit"] = options["recursion_limit"]
    return config


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    return "".join(p.get("text", "") if isinstance(p, dict) else str(p) for p in content or [])


def _result(graph: Any, state: Any) -> Any:
    from byof.redact import to_jsonable

    output_type = _output_type(graph)
    if output_type is str:
        messages = state.get("messages") or []
        return _text(messages[-1].content) if messages else ""
    if (
        "structured_response" in _output_keys(graph)
        and isinstance(state, dict)
        and "structured_response" in state
    ):
        return to_jsonable(state["structured_response"])
    data = to_jsonable(state)
    return data if isinstance(data, dict) else {"output": data}


async def _stream(
    graph: Any, graph_input: dict[str, Any], config: dict[str, Any], run: Any, is_async: bool
) -> Any:
    """Drive the graph's own streaming, emitting each chunk as an event and keeping the final state."""
    from byof.events import SpanEvent

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
        async for mode, chunk in graph.astream(graph_input, config, stream_mode=modes):
            on_chunk(mode, chunk)
    else:

        def consume() -> None:
            for mode, chunk in graph.stream(graph_input, config, stream_mode=modes):
                on_chunk(mode, chunk)

        await asyncio.to_thread(consume)
    return final


async def _invoke(graph: Any, inputs: dict[str, Any], run: Any) -> Any:
    entry = run.options.adapter_options.get("entry", "ainvoke")
    graph_input, config = _input(graph, inputs), _config(graph, inputs, run)
    if entry == "ainvoke":
        state = await graph.ainvoke(graph_input, config)
    elif entry == "invoke":
        state = await asyncio.to_thread(graph.invoke, graph_input, config)
    elif entry in ("astream", "stream"):
        state = await _stream(graph, graph_input, config, run, is_async=entry == "astream")
    else:
        raise ValueError(f"adapter_options entry={entry!r} is not one of ainvoke, invoke, astream, stream")
    return _result(graph, state)


@hookimpl
def byof_invoke(adapter: str, agent: Any, inputs: dict[str, Any], run: Any) -> Any:
    if adapter != NAME:
        return None
    return _invoke(agent, inputs, run)
