"""Guards for the private LangChain methods the LangGraph adapter wraps, and for their gating.

The seams in byof/adapters/langgraph_seams.py wrap private LangChain methods. If a LangChain
release renames them, changes their parameters, or stops routing model and tool calls through
them, these tests fail loudly instead of the adapter silently losing durability.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from typing import Any

import pytest

pytest.importorskip("langgraph")

import flyte
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage
from langchain_core.tools import BaseTool, StructuredTool, tool
from langgraph.graph import START, MessagesState, StateGraph
from langgraph.prebuilt import ToolNode
from pydantic import BaseModel

import byof
from byof.adapters import langgraph_seams
from byof.testing.langchain import ScriptedChatModel
from byof.testing.recorder import record_flyte
from byof.testing.script import Script, call, say

P = inspect.Parameter


@tool
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


@tool
async def shout(text: str) -> str:
    """Upper-case a text."""
    return text.upper()


class Point(BaseModel):
    x: int
    y: int


def original(cls: type, name: str) -> Callable[..., Any]:
    """The method LangChain defines on `cls` itself, beneath byof's wrapper if installed."""
    assert name in vars(cls), f"{cls.__name__}.{name} is no longer defined on {cls.__name__} itself"
    return inspect.unwrap(vars(cls)[name])


def params(func: Callable[..., Any]) -> list[tuple[str, Any, Any]]:
    return [(p.name, p.kind, p.default) for p in inspect.signature(func).parameters.values()]


# -- the private methods exist, with the parameters the seams call them with -------------------


@pytest.mark.parametrize(
    ("name", "is_async"), [("_generate_with_cache", False), ("_agenerate_with_cache", True)]
)
def test_chat_model_generate_with_cache_signature(name: str, is_async: bool) -> None:
    method = original(BaseChatModel, name)
    assert inspect.iscoroutinefunction(method) is is_async
    assert params(method) == [
        ("self", P.POSITIONAL_OR_KEYWORD, P.empty),
        ("messages", P.POSITIONAL_OR_KEYWORD, P.empty),
        ("stop", P.POSITIONAL_OR_KEYWORD, None),
        ("run_manager", P.POSITIONAL_OR_KEYWORD, None),
        ("kwargs", P.VAR_KEYWORD, P.empty),
    ]


@pytest.mark.parametrize(("name", "is_async"), [("stream", False), ("astream", True)])
def test_chat_model_stream_signature(name: str, is_async: bool) -> None:
    method = original(BaseChatModel, name)
    assert (inspect.isasyncgenfunction if is_async else inspect.isgeneratorfunction)(method)
    assert params(method) == [
        ("self", P.POSITIONAL_OR_KEYWORD, P.empty),
        ("input", P.POSITIONAL_OR_KEYWORD, P.empty),
        ("config", P.POSITIONAL_OR_KEYWORD, None),
        ("stop", P.KEYWORD_ONLY, None),
        ("kwargs", P.VAR_KEYWORD, P.empty),
    ]
    should_stream = inspect.signature(BaseChatModel._should_stream).parameters
    assert should_stream["async_api"].kind is P.KEYWORD_ONLY and "kwargs" in should_stream
    assert list(inspect.signature(BaseChatModel._convert_input).parameters) == ["self", "model_input"]


@pytest.mark.parametrize(("name", "is_async"), [("run", False), ("arun", True)])
def test_tool_run_signature(name: str, is_async: bool) -> None:
    method = original(BaseTool, name)
    assert inspect.iscoroutinefunction(method) is is_async
    names = [p[0] for p in params(method)]
    assert names[:2] == ["self", "tool_input"] and "config" in names and names[-1] == "kwargs"


def test_structured_tool_keeps_its_body_in_func_and_coroutine() -> None:
    fields = StructuredTool.model_fields
    assert "func" in fields and "coroutine" in fields
    sync_tool = StructuredTool.from_function(lambda a: a, name="echo", description="Echo.")
    assert callable(sync_tool.func) and sync_tool.coroutine is None
    assert isinstance(add, StructuredTool) and add.func.__name__ == "add"
    assert "_run" in vars(BaseTool) and "_arun" in vars(BaseTool)


# -- LangChain still sends every call through those methods --------------------------------------


def _spy(monkeypatch: pytest.MonkeyPatch, cls: type, name: str) -> list[str]:
    seen: list[str] = []
    current = getattr(cls, name)
    if inspect.isasyncgenfunction(current):

        async def spy_agen(self: Any, *args: Any, **kwargs: Any) -> Any:
            seen.append(name)
            async for item in current(self, *args, **kwargs):
                yield item

        monkeypatch.setattr(cls, name, spy_agen)
    elif inspect.iscoroutinefunction(current):

        async def spy_async(self: Any, *args: Any, **kwargs: Any) -> Any:
            seen.append(name)
            return await current(self, *args, **kwargs)

        monkeypatch.setattr(cls, name, spy_async)
    else:

        def spy(self: Any, *args: Any, **kwargs: Any) -> Any:
            seen.append(name)
            return current(self, *args, **kwargs)

        monkeypatch.setattr(cls, name, spy)
    return seen


def test_every_model_call_path_ends_in_the_generate_seams(monkeypatch: pytest.MonkeyPatch) -> None:
    seen_sync = _spy(monkeypatch, BaseChatModel, "_generate_with_cache")
    seen_async = _spy(monkeypatch, BaseChatModel, "_agenerate_with_cache")
    script = Script(
        [say("plain")], by_prompt={"tools": [call("add", a=1, b=2)], "point": [call("Point", x=1, y=2)]}
    )
    model = ScriptedChatModel(script=script)
    assert model.invoke("hi").content == "plain"
    assert model.bind_tools([add]).invoke("tools").tool_calls[0]["name"] == "add"
    assert model.with_structured_output(Point).invoke("point") == Point(x=1, y=2)
    assert [c.content for c in model.stream("hi")] == ["plain"]  # no native streaming: falls back
    assert len(seen_sync) == 4
    assert asyncio.run(model.ainvoke("hi")).content == "plain"
    assert asyncio.run(model.bind_tools([add]).ainvoke("tools")).tool_calls
    assert len(seen_async) == 2


def test_every_tool_call_path_goes_through_run_and_arun(monkeypatch: pytest.MonkeyPatch) -> None:
    seen_run = _spy(monkeypatch, BaseTool, "run")
    seen_arun = _spy(monkeypatch, BaseTool, "arun")
    builder = StateGraph(MessagesState)
    builder.add_node("tools", ToolNode([add, shout]))
    builder.add_edge(START, "tools")
    graph = builder.compile()

    def asks(name: str, **args: Any) -> dict[str, Any]:
        tool_call = {"name": name, "args": args, "id": "c1", "type": "tool_call"}
        return {"messages": [AIMessage("", tool_calls=[tool_call])]}

    assert add.invoke({"a": 1, "b": 2}) == 3
    assert asyncio.run(add.ainvoke({"a": 1, "b": 1})) == 2  # a sync tool's async path runs `run`
    assert graph.invoke(asks("add", a=2, b=2))["messages"][-1].content == "4"
    assert asyncio.run(graph.ainvoke(asks("add", a=2, b=3)))["messages"][-1].content == "5"
    assert len(seen_run) == 4 and not seen_arun
    assert asyncio.run(shout.ainvoke({"text": "a"})) == "A"
    assert asyncio.run(graph.ainvoke(asks("shout", text="b")))["messages"][-1].content == "B"
    assert len(seen_arun) == 2 and len(seen_run) == 4


# -- install() and gating --------------------------------------------------------------------------

SEAMS = [
    (BaseChatModel, "_generate_with_cache"),
    (BaseChatModel, "_agenerate_with_cache"),
    (BaseChatModel, "stream"),
    (BaseChatModel, "astream"),
    (BaseTool, "run"),
    (BaseTool, "arun"),
]


def test_install_is_idempotent() -> None:
    langgraph_seams.install()
    first = {name: vars(cls)[name] for cls, name in SEAMS}
    langgraph_seams.install()
    langgraph_seams.install()
    for cls, name in SEAMS:
        wrapper = vars(cls)[name]
        assert wrapper is first[name], f"{name} was wrapped again"
        assert wrapper.__wrapped__ is original(cls, name), f"{name} is wrapped more than once"


def test_outside_a_byof_run_models_and_tools_are_untouched(flyte_local: None) -> None:
    langgraph_seams.install()
    model = ScriptedChatModel(script=Script([say("hello {prompt}")]))
    with record_flyte() as rec:
        assert model.invoke("a").content == "hello a"
        assert asyncio.run(model.ainvoke("b")).content == "hello b"
        assert add.invoke({"a": 2, "b": 3}) == 5
        assert asyncio.run(add.ainvoke({"a": 2, "b": 4})) == 6
    assert not rec.tasks and not rec.steps
    assert langgraph_seams._copy_for_run(add) is None
    assert not hasattr(add, langgraph_seams.ROUTED)


def test_inside_another_adapters_run_the_seams_stay_out_of_the_way(flyte_local: None) -> None:
    langgraph_seams.install()
    model = ScriptedChatModel(script=Script([say("hello {prompt}")]))

    async def loop(prompt: str) -> str:
        answer = await model.ainvoke(prompt)
        return f"{answer.content} {await add.ainvoke({'a': 1, 'b': 1})}"

    task = byof.wrap(loop, env=flyte.TaskEnvironment("seams-generic"), name="plain_loop")
    with record_flyte() as rec:
        assert flyte.run(task, prompt="x").outputs()[0] == "hello x 2"
    assert [t.name for t in rec.tasks] == ["seams-generic.plain_loop"] and not rec.steps
