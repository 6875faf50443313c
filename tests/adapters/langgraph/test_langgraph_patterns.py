"""LangGraph / LangChain agents written the way their own docs and templates write them, wrapped.

The patterns: runtime context (`context_schema`, nodes taking `Runtime[Context]`, tools calling
`get_runtime()`, as in the langchain-ai/react-agent template; tools taking `ToolRuntime[Context]`
in `create_agent`, as in the LangChain quickstart), the run's config (thread, recursion limit,
configurable values), and tools writing to the graph's state (in place through `InjectedState`).
Each test runs the graph raw and wrapped (`byof.wrap` + local `flyte.run`), compares the
answers, and checks what Flyte recorded. Everything is offline, over byof's scripted chat model.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

import pytest

pytest.importorskip("langgraph")

import flyte
from flyte_records import model_steps, run
from langchain_core.messages import AIMessage, AnyMessage, SystemMessage
from langchain_core.runnables import RunnableConfig
from langchain_core.tools import tool
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import StateGraph, add_messages
from langgraph.managed import IsLastStep
from langgraph.prebuilt import InjectedState, ToolNode, create_react_agent
from langgraph.prebuilt.chat_agent_executor import AgentState
from langgraph.runtime import Runtime, get_runtime

import byof
from byof.observability.redact import to_jsonable
from byof.steps.tools import task_function_name
from byof.testing.langchain import ScriptedChatModel
from byof.testing.recorder import record_flyte
from byof.testing.script import Script, call, calls, say

pytestmark = [
    pytest.mark.usefixtures("flyte_local"),
    pytest.mark.filterwarnings("ignore:create_react_agent has been moved"),
]


def env() -> flyte.TaskEnvironment:
    return flyte.TaskEnvironment("lg-patterns")


def trace_steps(rec: Any, agent: str, tool: str) -> int:
    """How many trace steps Flyte recorded for `agent`'s tool `tool` run in the agent's task."""
    return len(rec.steps_named(task_function_name(agent, tool)))


# -- the react-agent template: context_schema, Runtime[Context] nodes, get_runtime() in a tool --------


@dataclass(kw_only=True)
class Context:
    system_prompt: str = "You are a helpful AI assistant. Answer in at most {max_search_results} points."
    model: str = "fast-model"
    max_search_results: int = 10


RESULTS = [f"result {i}" for i in range(1, 11)]


async def search(query: str) -> list[str]:
    """Search for general web results."""
    runtime = get_runtime(Context)
    return [f"{query}: {r}" for r in RESULTS[: runtime.context.max_search_results]]


TOOLS = [search]


@dataclass
class InputState:
    messages: Annotated[Sequence[AnyMessage], add_messages] = field(default_factory=list)


@dataclass
class State(InputState):
    is_last_step: IsLastStep = field(default=False)


REACT_TURNS = [call("search", query="flyte"), say("found: {last}")]
MODELS = {
    "fast-model": ScriptedChatModel(script=Script(by_prompt={"flyte": REACT_TURNS}), model_name="fast-model"),
    "smart-model": ScriptedChatModel(
        script=Script(by_prompt={"flyte": REACT_TURNS}), model_name="smart-model"
    ),
}


async def call_model(state: State, runtime: Runtime[Context]) -> dict[str, list[AIMessage]]:
    model = MODELS[runtime.context.model].bind_tools(TOOLS)
    system = runtime.context.system_prompt.format(max_search_results=runtime.context.max_search_results)
    response = await model.ainvoke([{"role": "system", "content": system}, *state.messages])
    if state.is_last_step and response.tool_calls:
        return {"messages": [AIMessage(id=response.id, content="Sorry, I could not find an answer in time.")]}
    return {"messages": [response]}


def route_model_output(state: State) -> Literal["__end__", "tools"]:
    last = state.messages[-1]
    return "tools" if isinstance(last, AIMessage) and last.tool_calls else "__end__"


builder = StateGraph(State, input_schema=InputState, context_schema=Context)
builder.add_node(call_model)
builder.add_node("tools", ToolNode(TOOLS))
builder.add_edge("__start__", "call_model")
builder.add_conditional_edges("call_model", route_model_output)
builder.add_edge("tools", "call_model")
react_graph = builder.compile(name="ReAct Agent")


def test_react_agent_template_reads_its_runtime_context_in_nodes_and_tools() -> None:
    prompt = "what is flyte?"
    raw = asyncio.run(
        react_graph.ainvoke(
            {"messages": [("user", prompt)]}, context=Context(model="smart-model", max_search_results=2)
        )
    )["messages"][-1].content
    assert raw == 'found: ["flyte: result 1", "flyte: result 2"]'
    smart = MODELS["smart-model"].script
    raw_system = smart.requests[-1].messages[0].content
    assert raw_system.endswith("at most 2 points.")

    task = byof.wrap(react_graph, env=env(), name="react")
    with record_flyte() as rec:
        out = run(task, prompt=prompt, context={"model": "smart-model", "max_search_results": 2})
    assert out == raw
    assert model_steps(rec, "smart-model") == 2 and model_steps(rec, "fast-model") == 0
    assert smart.requests[-1].messages[0].content == raw_system
    assert trace_steps(rec, "react", "search") == 1, "get_runtime() needs the agent's task: a trace step"
    assert [t.name for t in rec.tasks] == ["lg-patterns.react"]


def test_an_empty_context_input_is_the_context_schemas_defaults() -> None:
    raw = asyncio.run(react_graph.ainvoke({"messages": [("user", "flyte please")]}, context=Context()))
    answer = raw["messages"][-1].content
    assert answer.count("result") == 10
    task = byof.wrap(react_graph, env=env(), name="react_defaults")
    assert run(task, prompt="flyte please", context={}) == answer


@dataclass
class UnitsContext:
    units: str = "metric"


@tool
def units_for(city: str) -> str:
    """Say which units to report a city's weather in."""
    return f"{city} in {get_runtime(UnitsContext).context.units}"


@pytest.mark.parametrize("entry", ["ainvoke", "invoke"])
def test_a_sync_tool_reading_get_runtime_gets_the_runs_context(entry: str) -> None:
    """A sync tool runs in a LangChain worker thread: its trace step still sees the graph's runtime."""
    turns = [call("units_for", city="Oslo"), say("{last}")]
    graph = create_react_agent(
        ScriptedChatModel(script=Script(turns)), [units_for], context_schema=UnitsContext
    )
    raw = graph.invoke({"messages": [("user", "units?")]}, context=UnitsContext("imperial"))["messages"][
        -1
    ].content
    assert raw == "Oslo in imperial"
    task = byof.wrap(graph, env=env(), name=f"units_{entry}", adapter_options={"entry": entry})
    with record_flyte() as rec:
        assert run(task, prompt="units?", context={"units": "imperial"}) == raw
    assert trace_steps(rec, f"units_{entry}", "units_for") == 1


# -- the LangChain quickstart: create_agent, ToolRuntime[Context], structured response, a thread -----

try:  # ToolRuntime arrived after langgraph-prebuilt 1.0.0, the oldest release byof supports
    from langchain.agents import create_agent
    from langchain.agents.structured_output import ToolStrategy
    from langchain.tools import ToolRuntime
except ImportError:
    ToolRuntime = None

needs_tool_runtime = pytest.mark.skipif(ToolRuntime is None, reason="this LangChain has no ToolRuntime")

SYSTEM_PROMPT = "You are an expert weather forecaster, who speaks in puns."


@dataclass
class UserContext:
    user_id: str


@dataclass
class ResponseFormat:
    punny_response: str
    weather_conditions: str | None = None


@tool
def get_weather_for_location(city: str) -> str:
    """Get weather for a given city."""
    return f"It's always sunny in {city}!"


if ToolRuntime is not None:
    try:
        UserRuntime = ToolRuntime[UserContext]
    except TypeError:  # langchain 1.0.0's ToolRuntime takes the state's type as well
        UserRuntime = ToolRuntime[UserContext, Any]

    @tool
    def get_user_location(runtime: UserRuntime) -> str:
        """Retrieve user information based on user ID."""
        return "Florida" if runtime.context.user_id == "1" else "SF"


QUICKSTART = {  # one conversation (a script follows its first user message), in two runs on thread 1
    "weather outside": [
        call("get_user_location"),
        call("get_weather_for_location", city="Florida"),
        call("ResponseFormat", punny_response="Florida is sun-believable!", weather_conditions="sunny"),
        call("ResponseFormat", punny_response="You're weather-come!"),
    ],
}


def quickstart_agent(script: Script) -> Any:
    return create_agent(
        model=ScriptedChatModel(script=script),
        system_prompt=SYSTEM_PROMPT,
        tools=[get_user_location, get_weather_for_location],
        context_schema=UserContext,
        response_format=ToolStrategy(ResponseFormat),
        checkpointer=InMemorySaver(),
    )


@needs_tool_runtime
def test_langchain_quickstart_with_tool_runtime_context_and_a_thread() -> None:
    raw_agent = quickstart_agent(Script(by_prompt=QUICKSTART))
    config = {"configurable": {"thread_id": "1"}}
    raw = [
        json.dumps(
            to_jsonable(
                raw_agent.invoke(
                    {"messages": [{"role": "user", "content": text}]},
                    config=config,
                    context=UserContext(user_id="1"),
                )["structured_response"]
            )
        )
        for text in ("what is the weather outside?", "thank you!")
    ]
    assert json.loads(raw[0]) == {
        "punny_response": "Florida is sun-believable!",
        "weather_conditions": "sunny",
    }

    script = Script(by_prompt=QUICKSTART)
    task = byof.wrap(quickstart_agent(script), env=env(), name="quickstart")
    with record_flyte() as rec:
        wrapped = [
            run(task, prompt=text, config=config, context={"user_id": "1"})
            for text in ("what is the weather outside?", "thank you!")
        ]
    assert wrapped == raw
    assert trace_steps(rec, "quickstart", "get_user_location") == 1, "ToolRuntime: a trace step"
    assert len(rec.tasks_named("quickstart__get_weather_for_location")) == 1
    assert model_steps(rec) == 4
    assert [m.role for m in script.requests[-1].messages][:5] == [
        "system",
        "user",
        "assistant",
        "tool",
        "assistant",
    ], "the second run continued thread 1"


# -- the run's config: recursion limit, configurable values ------------------------------------------


@tool
def ping(config: RunnableConfig) -> str:
    """Ping the service the run is configured for."""
    return f"pong from {config['configurable'].get('service', 'nowhere')}"


def test_config_input_sets_the_recursion_limit_and_configurable_values() -> None:
    """create_react_agent stops gracefully when the recursion limit comes near: the same answer,
    after the same tool calls, shows the limit reached the wrapped graph."""
    limited = {"recursion_limit": 4, "configurable": {"service": "api"}}
    script = Script(by_prompt={"loop": [call("ping")] * 20, "once": [call("ping"), say("{last}")]})
    graph = create_react_agent(ScriptedChatModel(script=script), [ping])
    raw_loop = graph.invoke({"messages": [("user", "loop")]}, config=limited)["messages"][-1].content
    raw_once = graph.invoke({"messages": [("user", "once")]}, config=limited)["messages"][-1].content
    assert "need more steps" in raw_loop and raw_once == "pong from api"

    task = byof.wrap(graph, env=env(), name="configured")
    with record_flyte() as rec:
        assert run(task, prompt="loop", config=limited) == raw_loop
    assert len(rec.tasks_named("configured__ping")) == 1
    assert run(task, prompt="once", config=limited) == raw_once


# -- tools writing to the graph's state ----------------------------------------------------------------


class NotesState(AgentState):
    notes: list[str]


together = threading.Barrier(1)  # replaced per test: calls that must all be running at once


@tool
def take_note(text: str, state: Annotated[dict, InjectedState]) -> str:
    """Take a note."""
    together.wait()
    state["notes"].append(text)
    return f"{len(state['notes'])} note(s)"


def notes_prompt(state: dict[str, Any]) -> list[Any]:
    return [SystemMessage(f"notes: {state.get('notes')}"), *state["messages"]]


def notes_graph(script: Script) -> Any:
    return create_react_agent(
        ScriptedChatModel(script=script), [take_note], prompt=notes_prompt, state_schema=NotesState
    )


ONE_BY_ONE = [call("take_note", text="milk"), call("take_note", text="eggs"), say("{last}")]
AT_ONCE = [calls(("take_note", {"text": "milk"}), ("take_note", {"text": "eggs"})), say("{results}")]
SHOPPING = {"messages": [{"role": "user", "content": "shopping"}], "notes": []}


def raw_notes(turns: list[Any]) -> tuple[dict[str, Any], Script]:
    script = Script(turns)
    return notes_graph(script).invoke({"messages": [("user", "shopping")], "notes": []}), script


def meet(parties: int) -> None:
    global together
    together = threading.Barrier(parties, timeout=20)


def test_a_tool_task_writing_its_injected_state_in_place_carries_the_write_back() -> None:
    meet(1)
    raw, raw_script = raw_notes(ONE_BY_ONE)
    assert raw["notes"] == ["milk", "eggs"]
    script = Script(ONE_BY_ONE)
    task = byof.wrap(notes_graph(script), env=env(), name="notes", adapter_options={"output": "state"})
    with record_flyte() as rec:
        out = run(task, state=SHOPPING)
    assert out["notes"] == raw["notes"] and out["messages"][-1]["content"] == "2 note(s)"
    assert len(rec.tasks_named("notes__take_note")) == 2
    seen = [r.messages[0].content for r in script.requests]
    assert (
        seen
        == [r.messages[0].content for r in raw_script.requests]
        == [
            "notes: []",
            "notes: ['milk']",
            "notes: ['milk', 'eggs']",
        ]
    )


def test_parallel_tool_tasks_writing_one_state_key_fail_loudly_and_work_as_trace_steps() -> None:
    """Both calls run at once (a barrier holds each until the other arrives), raw and wrapped."""
    meet(2)
    raw, _ = raw_notes(AT_ONCE)
    assert sorted(raw["notes"]) == ["eggs", "milk"]
    as_tasks = byof.wrap(
        notes_graph(Script(AT_ONCE)), env=env(), name="notes_parallel", adapter_options={"output": "state"}
    )
    try:  # ToolNode hands the error to the model as the tool's result (langgraph-prebuilt 1.0) ...
        reported = json.dumps(run(as_tasks, state=SHOPPING)["messages"])
    except Exception as exc:  # ... or lets it fail the run (later releases)
        reported = str(exc)
    assert "changed state.notes in its task while another call changed it" in reported

    traced = byof.wrap(
        notes_graph(Script(AT_ONCE)),
        env=env(),
        name="notes_traced",
        tool_options={"take_note": "trace"},
        adapter_options={"output": "state"},
    )
    with record_flyte() as rec:
        out = run(traced, state=SHOPPING)
    assert sorted(out["notes"]) == sorted(raw["notes"]), "parallel calls append in either order"
    assert trace_steps(rec, "notes_traced", "take_note") == 2 and not rec.tasks_named("__take_note")
