"""The LangGraph adapter end to end: real local Flyte runs of graphs as users build them.

Every test runs the wrapped graph with `flyte.run` on Flyte's embedded local runtime and checks
what Flyte recorded (tool child tasks, model trace steps) and the answer the task returned.
"""

from __future__ import annotations

import asyncio
import json
import logging
import operator
import threading
from pathlib import Path
from typing import Annotated, Any

import pytest

pytest.importorskip("langgraph")

import flyte
from flyte_records import model_steps, run
from langchain.agents import create_agent
from langchain.agents.middleware import AgentMiddleware, ModelCallLimitMiddleware
from langchain_core.messages import HumanMessage, SystemMessage, ToolMessage
from langchain_core.runnables import RunnableConfig
from langchain_core.tools import BaseTool, InjectedToolCallId, StructuredTool, ToolException, tool
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph
from langgraph.prebuilt import InjectedState, ToolNode, create_react_agent, tools_condition
from langgraph.prebuilt.chat_agent_executor import AgentState
from langgraph.types import Command
from pydantic import BaseModel
from typing_extensions import TypedDict

import byof
from byof.adapters import langgraph_seams
from byof.observability.events import Event, SpanEvent, ToolCalled
from byof.testing.langchain import ScriptedChatModel
from byof.testing.openai_server import ScriptedOpenAIServer
from byof.testing.recorder import record_flyte
from byof.testing.script import Script, ScriptedToolCall, call, calls, say

pytestmark = [
    pytest.mark.usefixtures("flyte_local"),
    pytest.mark.filterwarnings("ignore:create_react_agent has been moved"),
]

MODEL = "scripted-model"


# -- tools of every kind ------------------------------------------------------------------------


@tool
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


@tool
async def shout(text: str) -> str:
    """Upper-case a text."""
    await asyncio.sleep(0)
    return text.upper()


def _multiply(a: int, b: int) -> int:
    """Multiply two integers."""
    return a * b


multiply = StructuredTool.from_function(_multiply, name="multiply")


class Reverse(BaseTool):
    name: str = "reverse"
    description: str = "Reverse a text."

    def _run(self, text: str, run_manager: Any = None) -> str:
        return text[::-1]


class CountChars(BaseTool):
    name: str = "count_chars"
    description: str = "Count the characters of a text."

    def _run(self, text: str, run_manager: Any = None) -> int:
        raise AssertionError("the async path must use _arun")

    async def _arun(self, text: str, run_manager: Any = None) -> int:
        await asyncio.sleep(0)
        return len(text)


reverse = Reverse()
count_chars = CountChars()


def env(name: str = "lg-tests") -> flyte.TaskEnvironment:
    return flyte.TaskEnvironment(name)


def user(text: str) -> dict[str, Any]:
    return {"messages": [{"role": "user", "content": text}]}


class Answer(BaseModel):
    value: int
    unit: str


# -- 1. create_agent with middleware -----------------------------------------------------------

hooks: list[str] = []
hooks_lock = threading.Lock()


def hook(name: str) -> None:
    with hooks_lock:
        hooks.append(name)


class Audit(AgentMiddleware):
    """Records that LangChain ran its hooks around each model call."""

    def before_model(self, state: Any, runtime: Any) -> None:
        hook(f"before:{len(state['messages'])}")

    def after_model(self, state: Any, runtime: Any) -> None:
        hook(f"after:{len(state['messages'])}")


def test_create_agent_with_middleware() -> None:
    hooks.clear()
    script = Script([call("add", a=2, b=3), say("the sum is {last}")])
    agent = create_agent(
        ScriptedChatModel(script=script),
        [add],
        system_prompt="You add numbers.",
        middleware=[Audit(), ModelCallLimitMiddleware(run_limit=5)],
    )
    task = byof.wrap(agent, env=env(), name="lc_agent")
    with record_flyte() as rec:
        assert run(task, prompt="what is 2+3?") == "the sum is 5"
    assert [t.name for t in rec.tasks_named("__add")] == ["lg-tests.lc_agent__add"]
    assert model_steps(rec) == 2
    assert hooks == ["before:1", "after:2", "before:3", "after:4"]
    assert script.requests[0].messages[0].content == "You add numbers."


def test_create_agent_with_a_response_format_returns_it_as_json_text() -> None:
    script = Script([call("add", a=40, b=2), call("Answer", value=42, unit="apples")])
    agent = create_agent(ScriptedChatModel(script=script), [add], response_format=Answer)
    task = byof.wrap(agent, env=env(), name="lc_structured")
    with record_flyte() as rec:
        assert json.loads(run(task, prompt="how many?")) == {"value": 42, "unit": "apples"}
    assert len(rec.tasks_named("lc_structured__add")) == 1 and model_steps(rec) == 2


# -- 2. create_react_agent with prompt, response format and hooks --------------------------------


def test_react_agent_with_prompt_response_format_and_model_hooks() -> None:
    hooks.clear()
    script = Script(
        [call("multiply", a=6, b=7), say("it is {last}"), call("Answer", value=42, unit="apples")]
    )

    def pre(state: dict[str, Any]) -> dict[str, Any]:
        hook("pre")
        return {"llm_input_messages": state["messages"]}

    def post(state: dict[str, Any]) -> dict[str, Any]:
        hook("post")
        return {}

    agent = create_react_agent(
        ScriptedChatModel(script=script),
        [multiply],
        prompt="You multiply.",
        response_format=Answer,
        pre_model_hook=pre,
        post_model_hook=post,
    )
    task = byof.wrap(agent, env=env(), name="react_structured")
    with record_flyte() as rec:
        assert run(task, prompt="6 times 7 apples?") == {"value": 42, "unit": "apples"}
    assert len(rec.tasks_named("__multiply")) == 1
    assert model_steps(rec) == 3  # two agent turns and the structured response
    assert hooks == ["pre", "post", "pre", "post"]
    assert script.requests[0].messages[0].content == "You multiply."
    assert [t.name for t in script.tools_seen()[-1]] == ["Answer"]


# -- 3. a hand-built StateGraph ----------------------------------------------------------------


class Report(TypedDict):
    messages: Annotated[list, operator.add]
    reversed: str


def build_report_graph(planner_script: Script, writer_script: Script) -> Any:
    planner = ScriptedChatModel(script=planner_script, model_name="planner").bind_tools([add, shout])
    writer = ScriptedChatModel(script=writer_script, model_name="writer")

    async def agent(state: Report) -> dict[str, Any]:
        return {"messages": [await planner.ainvoke(state["messages"])]}

    def lookup(state: Report) -> dict[str, Any]:
        return {"reversed": reverse.invoke({"text": state["messages"][-1].content})}

    def write(state: Report) -> dict[str, Any]:  # a sync node: LangGraph runs it in a thread
        return {"messages": [writer.invoke([HumanMessage(f"Summarize {state['reversed']}")])]}

    summarize = StateGraph(Report)
    summarize.add_node("write", write)
    summarize.add_edge(START, "write")
    summarize.add_edge("write", END)

    graph = StateGraph(Report)
    graph.add_node("agent", agent)
    graph.add_node("tools", ToolNode([add, shout]))
    graph.add_node("lookup", lookup)
    graph.add_node("summarize", summarize.compile())
    graph.add_edge(START, "agent")
    graph.add_conditional_edges("agent", tools_condition, {"tools": "tools", END: "lookup"})
    graph.add_edge("tools", "agent")
    graph.add_edge("lookup", "summarize")
    graph.add_edge("summarize", END)
    return graph.compile()


def test_hand_built_graph_with_two_models_subgraph_and_direct_tool_call() -> None:
    planner = Script([calls(("add", {"a": 1, "b": 2}), ("shout", {"text": "hi"})), say("done {results}")])
    writer = Script([say("summary of {prompt}")])
    graph = build_report_graph(planner, writer)
    task = byof.wrap(graph, env=env(), name="report")
    # A worker rebuilds each tool task without a run: the directly called tool must be found too.
    wrapped = byof.wrapped_agent(task)
    assert {n: wrapped.tool_task(n).name for n in ("add", "reverse")} == {
        "add": "lg-tests.report__add",
        "reverse": "lg-tests.report__reverse",
    }
    with record_flyte() as rec:
        answer = run(task, prompt="go")
    assert answer == "summary of Summarize IH ,3 enod"
    for name in ("add", "shout", "reverse"):
        assert len(rec.tasks_named(f"report__{name}")) == 1, name
    assert model_steps(rec, "planner") == 2 and model_steps(rec, "writer") == 1
    assert len(rec.steps) == 3


class Question(TypedDict, total=False):
    question: str
    answer: str
    length: int


def test_graph_without_messages_returns_its_final_state_as_a_dict() -> None:
    model = ScriptedChatModel(script=Script([say("answer to {prompt}")]))

    async def ask(state: Question) -> dict[str, Any]:
        answer = await model.ainvoke(state["question"])
        return {"answer": answer.content}

    async def measure(state: Question) -> dict[str, Any]:
        return {"length": await count_chars.ainvoke({"text": state["answer"]})}

    graph = StateGraph(Question)
    graph.add_node("ask", ask)
    graph.add_node("measure", measure)
    graph.add_edge(START, "ask")
    graph.add_edge("ask", "measure")
    graph.add_edge("measure", END)
    task = byof.wrap(graph.compile(), env=env(), name="qa")
    with record_flyte() as rec:
        out = run(task, state={"question": "why"})
    assert out == {"question": "why", "answer": "answer to why", "length": 13}
    assert len(rec.tasks_named("qa__count_chars")) == 1 and model_steps(rec) == 1


# -- 4. tool kinds: routed, and unchanged as the model sees them --------------------------------

ALL_TOOLS = [add, shout, multiply, reverse, count_chars]


def test_every_tool_kind_is_a_child_task_and_looks_the_same_to_the_model() -> None:
    turns = [
        calls(
            ("add", {"a": 1, "b": 2}),
            ("shout", {"text": "hey"}),
            ("multiply", {"a": 3, "b": 4}),
            ("reverse", {"text": "abc"}),
            ("count_chars", {"text": "four"}),
        ),
        say("{results}"),
    ]
    script = Script(by_prompt={"raw": turns, "wrapped": turns})
    agent = create_react_agent(ScriptedChatModel(script=script), ALL_TOOLS)
    raw = asyncio.run(agent.ainvoke(user("raw")))
    assert raw["messages"][-1].content == "3, HEY, 12, cba, 4"
    before = [dict(vars(t)) for t in ALL_TOOLS]
    task = byof.wrap(agent, env=env(), name="kinds")
    with record_flyte() as rec:
        assert run(task, prompt="wrapped") == "3, HEY, 12, cba, 4"
    assert [dict(vars(t)) for t in ALL_TOOLS] == before, "the user's tools must not be modified"
    assert not any(hasattr(t, langgraph_seams.ROUTED) for t in ALL_TOOLS)
    for t in ALL_TOOLS:
        assert len(rec.tasks_named(f"kinds__{t.name}")) == 1, t.name
    seen = script.tools_seen()
    assert len(seen) == 4 and seen[0] == seen[1] == seen[2] == seen[3]
    assert [s.name for s in seen[2]] == [t.name for t in ALL_TOOLS]
    assert seen[2][2].description == "Multiply two integers."


# -- 5. injected arguments ---------------------------------------------------------------------


@tool
def count_messages(prefix: str, state: Annotated[dict, InjectedState]) -> str:
    """Count the conversation's messages."""
    return f"{prefix}{len(state['messages'])}"


@tool
def call_id(tool_call_id: Annotated[str, InjectedToolCallId]) -> str:
    """Say the id of this tool call."""
    return f"id={tool_call_id}"


@tool
def whoami(config: RunnableConfig) -> str:
    """Say who the user is."""
    configurable = config["configurable"]
    return f"{type(config).__name__}:{configurable.get('user_id')}:{configurable.get('thread_id')}"


try:  # ToolRuntime arrived after langgraph-prebuilt 1.0.0, the oldest release byof supports
    from langgraph.prebuilt import ToolRuntime
except ImportError:
    ToolRuntime = None

needs_tool_runtime = pytest.mark.skipif(
    ToolRuntime is None, reason="this langgraph-prebuilt has no ToolRuntime"
)

if ToolRuntime is not None:

    @tool
    def where_am_i(runtime: ToolRuntime) -> str:
        """Say which tool call this is, from the live runtime."""
        return f"runtime:{runtime.tool_call_id}:{len(runtime.state['messages'])}"


def test_injected_state_call_id_and_config_reach_the_tool_task() -> None:
    script = Script(
        [
            calls(
                ("count_messages", {"prefix": "n="}),
                ScriptedToolCall("call_id", {}, "abc-1"),
                ("whoami", {}),
            ),
            say("{results}"),
        ]
    )
    agent = create_react_agent(
        ScriptedChatModel(script=script), [count_messages, call_id, whoami], checkpointer=InMemorySaver()
    ).with_config(configurable={"user_id": "u-7"})  # still a graph: configurable values to every call
    task = byof.wrap(agent, env=env(), name="injected")
    with record_flyte() as rec:
        assert run(task, prompt="who", thread_id="t-9") == "n=2, id=abc-1, dict:u-7:t-9"
    for name in ("count_messages", "call_id", "whoami"):
        assert len(rec.tasks_named(f"injected__{name}")) == 1, name


def test_sanitize_config_keeps_plain_configurable_values_tags_and_metadata() -> None:
    config = {
        "configurable": {
            "user_id": "u-1",
            "thread_id": "t-1",
            "limits": {"max": 3},
            "__pregel_send": print,
            "checkpointer": InMemorySaver(),
        },
        "callbacks": [object()],
        "tags": ["a"],
        "metadata": {"langgraph_node": "tools"},
        "recursion_limit": 25,
        "run_id": "6f1c2a8e-0000-0000-0000-000000000000",
    }
    assert langgraph_seams.sanitize_config(config) == {
        "configurable": {"user_id": "u-1", "thread_id": "t-1", "limits": {"max": 3}},
        "tags": ["a"],
        "metadata": {"langgraph_node": "tools"},
        "recursion_limit": 25,
    }
    assert langgraph_seams.sanitize_config(None) == {"configurable": {}}


@needs_tool_runtime
def test_a_tool_taking_the_live_runtime_runs_as_a_trace_step_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    script = Script([call("add", a=1, b=1), say("{last}")])
    agent = create_react_agent(ScriptedChatModel(script=script), [add, where_am_i])
    task = byof.wrap(agent, env=env(), name="runtime_warned")
    with caplog.at_level(logging.WARNING, logger="byof.tools"), record_flyte() as rec:
        assert run(task, prompt="hi") == "2"
    warned = [r.getMessage() for r in caplog.records if "'where_am_i'" in r.getMessage()]
    assert len(warned) == 1 and "durable trace step" in warned[0] and "ToolRuntime" in warned[0]
    assert len(rec.tasks_named("__add")) == 1 and not rec.tasks_named("__where_am_i")


@needs_tool_runtime
@pytest.mark.parametrize("mode", ["task", "trace", "inline"])
def test_a_tool_taking_the_live_runtime_gets_it_in_the_agents_task(mode: str) -> None:
    """Asked for a task, it runs as a trace step: the runtime exists only in the agent's task."""
    script = Script([call("where_am_i"), say("{last}")])
    agent = create_react_agent(ScriptedChatModel(script=script), [where_am_i])
    task = byof.wrap(agent, env=env(), name=f"runtime_{mode}", tools=mode)
    with record_flyte() as rec:
        assert run(task, prompt="where") == "runtime:call_0_0:2"
    assert [t.name for t in rec.tasks] == [f"lg-tests.runtime_{mode}"]
    traced = rec.steps_named(f"runtime_{mode}__where_am_i")
    assert len(traced) == (0 if mode == "inline" else 1)


# -- 6. a tool returning a Command ---------------------------------------------------------------


class MoodState(AgentState):
    mood: str


@tool
def set_mood(mood: str, tool_call_id: Annotated[str, InjectedToolCallId]) -> Command:
    """Set the assistant's mood."""
    return Command(
        update={"mood": mood, "messages": [ToolMessage(f"mood is {mood}", tool_call_id=tool_call_id)]}
    )


def test_tool_returning_a_command_updates_the_state() -> None:
    script = Script([call("set_mood", mood="sunny"), say("{last}")])

    def prompt(state: dict[str, Any]) -> list[Any]:
        return [SystemMessage(f"mood: {state.get('mood', 'none')}"), *state["messages"]]

    agent = create_react_agent(
        ScriptedChatModel(script=script), [set_mood], prompt=prompt, state_schema=MoodState
    )
    task = byof.wrap(agent, env=env(), name="moody")
    with record_flyte() as rec:
        assert run(task, prompt="be sunny") == "mood is sunny"
    assert len(rec.tasks_named("moody__set_mood")) == 1
    assert [r.messages[0].content for r in script.requests[-2:]] == ["mood: none", "mood: sunny"]


# -- 7. the sync entry ------------------------------------------------------------------------------

paths: list[str] = []


class PathRecordingModel(ScriptedChatModel):
    """Records whether LangChain called the sync or the async generation."""

    def _generate(self, *args: Any, **kwargs: Any) -> Any:
        paths.append("sync")
        return super()._generate(*args, **kwargs)

    async def _agenerate(self, *args: Any, **kwargs: Any) -> Any:
        paths.append("async")
        return await super()._agenerate(*args, **kwargs)


def test_invoke_entry_traces_sync_model_calls_and_routes_tools() -> None:
    paths.clear()
    script = Script([calls(("add", {"a": 4, "b": 4}), ("reverse", {"text": "xy"})), say("{results}")])
    agent = create_react_agent(PathRecordingModel(script=script), [add, reverse])
    task = byof.wrap(agent, env=env(), name="sync_agent", adapter_options={"entry": "invoke"})
    with record_flyte() as rec:
        assert run(task, prompt="sync") == "8, yx"
    assert paths == ["sync", "sync"] and model_steps(rec) == 2
    assert len(rec.tasks_named("sync_agent__add")) == 1 and len(rec.tasks_named("sync_agent__reverse")) == 1


# -- 8. a full input state -----------------------------------------------------------------------


def test_full_state_input() -> None:
    script = Script([say("{prompt} / seen {results}")])
    agent = create_react_agent(ScriptedChatModel(script=script), [add])
    task = byof.wrap(agent, env=env(), name="stateful")
    state = {"messages": [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hello"}]}
    with record_flyte() as rec:
        assert run(task, state=state) == "hello / seen "
    assert model_steps(rec) == 1
    assert [m.role for m in script.requests[0].messages] == ["system", "user"]


# -- 9. a checkpointer keeps the thread's state between runs --------------------------------------


def test_checkpointer_thread_persists_across_runs() -> None:
    script = Script([say("first answer"), say("second answer")])
    agent = create_react_agent(ScriptedChatModel(script=script), [add], checkpointer=InMemorySaver())
    task = byof.wrap(agent, env=env(), name="threaded")
    assert run(task, prompt="first question", thread_id="thread-1") == "first answer"
    assert run(task, prompt="second question", thread_id="thread-1") == "second answer"
    assert [m.content for m in script.requests[-1].messages] == [
        "first question",
        "first answer",
        "second question",
    ]


# -- 10. streaming entries -------------------------------------------------------------------------


@pytest.mark.parametrize("entry", ["astream", "stream"])
def test_streaming_entries_emit_chunks_as_events(entry: str) -> None:
    events: list[Event] = []
    script = Script([call("add", a=5, b=6), say("got {last}")])
    agent = create_react_agent(ScriptedChatModel(script=script), [add])
    task = byof.wrap(
        agent,
        env=env(),
        name=f"streamer_{entry}",
        sinks=[events.append],
        adapter_options={"entry": entry, "stream_mode": ["updates", "messages"]},
    )
    with record_flyte() as rec:
        assert run(task, prompt="stream it") == "got 11"
    assert model_steps(rec) == 2 and len(rec.tasks_named("__add")) == 1
    spans = [e for e in events if isinstance(e, SpanEvent)]
    assert all(e.kind == "span" for e in spans)
    names = {e.name for e in spans}
    assert {"langgraph.updates", "langgraph.messages"} <= names
    updates = [e for e in spans if e.name == "langgraph.updates"]
    assert len(updates) == 3  # agent, tools, agent
    assert any(isinstance(e, ToolCalled) and e.name == "add" for e in events)


# -- 11. the real ChatOpenAI against the scripted OpenAI server ---------------------------------


@pytest.mark.parametrize("streaming", [False, True])
def test_real_chat_openai_against_scripted_server(streaming: bool) -> None:
    langchain_openai = pytest.importorskip("langchain_openai")
    script = Script([call("add", a=20, b=22), say("the answer is {last}")])
    with ScriptedOpenAIServer(script) as server:
        model = langchain_openai.ChatOpenAI(
            model="gpt-4o-mini",
            base_url=server.base_url,
            api_key=server.api_key,
            max_retries=0,
            streaming=streaming,
        )
        agent = create_react_agent(model, [add])
        task = byof.wrap(agent, env=env(), name=f"openai_{'stream' if streaming else 'plain'}")
        with record_flyte() as rec:
            assert run(task, prompt="what is 20+22?") == "the answer is 42"
        bodies = [r["body"] for r in server.requests]
    assert model_steps(rec, "gpt-4o-mini") == 2
    assert len(rec.tasks_named("__add")) == 1
    assert len(bodies) == 2 and bodies[0]["tools"][0]["function"]["name"] == "add"
    assert bodies[0]["tools"][0]["function"]["description"] == "Add two integers."
    assert bool(bodies[0].get("stream")) is streaming


class Draft(TypedDict, total=False):
    topic: str
    outline: str
    text: str


def test_nodes_streaming_a_real_chat_openai_are_traced() -> None:
    langchain_openai = pytest.importorskip("langchain_openai")
    # The first matching key wins, and the writer's prompt holds the word "Outline" too.
    script = Script(by_prompt={"Write": [say("text from {prompt}")], "Outline": [say("outline of {prompt}")]})
    with ScriptedOpenAIServer(script) as server:
        model = langchain_openai.ChatOpenAI(
            model="gpt-4o-mini", base_url=server.base_url, api_key=server.api_key, max_retries=0
        )

        async def outline(state: Draft) -> dict[str, Any]:
            chunks = [chunk.content async for chunk in model.astream(f"Outline {state['topic']}")]
            return {"outline": "".join(chunks)}

        def write(state: Draft) -> dict[str, Any]:
            return {"text": "".join(chunk.content for chunk in model.stream(f"Write {state['outline']}"))}

        graph = StateGraph(Draft)
        graph.add_node("outline", outline)
        graph.add_node("write", write)
        graph.add_edge(START, "outline")
        graph.add_edge("outline", "write")
        graph.add_edge("write", END)
        task = byof.wrap(graph.compile(), env=env(), name="drafter")
        with record_flyte() as rec:
            out = run(task, state={"topic": "owls"})
        assert all(r["body"].get("stream") for r in server.requests)
    assert out["text"] == "text from Write outline of Outline owls"
    assert model_steps(rec, "gpt-4o-mini") == 2


# -- 12. concurrent runs of one graph ------------------------------------------------------------


def test_concurrent_runs_of_one_graph_from_a_parent_task() -> None:
    script = Script(
        by_prompt={
            word: [call("shout", text=word), say(f"{word}: {{last}}")] for word in ("alpha", "beta", "gamma")
        }
    )
    graph = create_react_agent(ScriptedChatModel(script=script), [shout])
    e = env("lg-fan-out")
    task = byof.wrap(graph, env=e, name="fan")

    @e.task
    async def parent(prompts: list[str]) -> list[str]:
        return list(await asyncio.gather(*(task(prompt=p) for p in prompts)))

    with record_flyte() as rec:
        out = run(parent, prompts=["alpha", "beta", "gamma"])
    assert out == ["alpha: ALPHA", "beta: BETA", "gamma: GAMMA"]
    assert len(rec.tasks_named(".fan")) == 3 and len(rec.tasks_named("fan__shout")) == 3
    assert model_steps(rec) == 6


# -- 13. tool errors -----------------------------------------------------------------------------


def _no_weather(city: str) -> str:
    """Look up the weather."""
    raise ToolException(f"no weather for {city}")


weather = StructuredTool.from_function(_no_weather, name="weather", handle_tool_error=True)


def test_tool_exception_reaches_the_model_and_is_not_retried() -> None:
    events: list[Event] = []
    script = Script([call("weather", city="Atlantis"), say("sorry: {last}")])
    agent = create_react_agent(ScriptedChatModel(script=script), [weather])
    task = byof.wrap(
        agent, env=env(), name="stormy", tool_options={"weather": {"retries": 2}}, sinks=[events.append]
    )
    with record_flyte() as rec:
        assert run(task, prompt="weather?") == "sorry: no weather for Atlantis"
    attempts = rec.tasks_named("stormy__weather")
    assert len(attempts) == 1 and attempts[0].error and "no weather for Atlantis" in attempts[0].error
    tool_message = script.requests[-1].messages[-1]
    assert tool_message.role == "tool" and tool_message.content == "no weather for Atlantis"
    failed = [e for e in events if isinstance(e, ToolCalled)]
    assert len(failed) == 1 and "ToolException" in (failed[0].error or "")


def test_retry_with_a_checkpointer_continues_the_thread_instead_of_resending_the_prompt() -> None:
    """The failed attempt's checkpoint holds the finished tool step; the retry continues the thread
    (no second user message), so its model requests match the journal and nothing repeats."""
    from langgraph.checkpoint.memory import InMemorySaver

    failed = {"done": False}

    def fail_second_call_once(request: Any) -> None:
        if request.turn == 1 and not failed["done"]:
            failed["done"] = True
            raise ConnectionError("model endpoint dropped the connection")

    script = Script([call("add", a=2, b=3), say("Sum: {last}")], on_respond=fail_second_call_once)
    agent = create_react_agent(ScriptedChatModel(script=script), [add], checkpointer=InMemorySaver())
    task = byof.wrap(agent, env=env(), name="checkpointed_retry", retries=1)
    with record_flyte() as rec:
        assert run(task, prompt="Add 2 and 3", thread_id="thread-retry") == "Sum: 5"
    assert failed["done"] and script.call_count == 2, "each model turn answered once"
    assert len(rec.tasks_named("__add")) == 1
    assert [m.role for m in script.requests[-1].messages].count("user") == 1


def test_langchains_own_fake_chat_models_are_traced_too() -> None:
    """LangChain's fake models (no tool binding) in a hand-built graph: each call is a trace step."""
    from langchain_core.language_models.fake_chat_models import (
        FakeMessagesListChatModel,
        GenericFakeChatModel,
    )
    from langchain_core.messages import AIMessage

    drafter = GenericFakeChatModel(messages=iter([AIMessage(content="a draft")]))
    editor = FakeMessagesListChatModel(responses=[AIMessage(content="the final text")])

    class Doc(TypedDict):
        messages: Annotated[list, operator.add]

    def draft(state: Doc) -> dict:
        return {"messages": [drafter.invoke(state["messages"])]}

    async def edit(state: Doc) -> dict:
        return {"messages": [await editor.ainvoke(state["messages"])]}

    builder = StateGraph(Doc)
    builder.add_node("draft", draft)
    builder.add_node("edit", edit)
    builder.add_edge(START, "draft")
    builder.add_edge("draft", "edit")
    builder.add_edge("edit", END)
    task = byof.wrap(builder.compile(), env=env(), name="fakes")
    with record_flyte() as rec:
        assert run(task, prompt="write") == "the final text"
    assert sorted(s.name for s in rec.steps) == ["FakeMessagesListChatModel", "GenericFakeChatModel"]


@byof.tool
def whisper_durably(text: str) -> str:
    """Lower-case a text."""
    return text.lower()


def test_a_byof_tool_function_is_a_langchain_tool_like_any_other() -> None:
    """Inside its task the byof.tool runs its body, instead of routing itself a second time."""
    from langchain_core.tools import tool as lc_tool

    script = Script([call("whisper_durably", text="HI"), say("{last}")])
    agent = create_react_agent(ScriptedChatModel(script=script), [lc_tool(whisper_durably)])
    with record_flyte() as rec:
        assert run(byof.wrap(agent, env=env(), name="byof_tool_lg"), prompt="whisper") == "hi"
    assert len(rec.tasks_named(".byof_tool_lg__whisper_durably")) == 1


@pytest.mark.slow
def test_a_tool_with_injected_state_and_config_is_replayed_after_a_crash(tmp_path: Path) -> None:
    """The state and config LangGraph injects carry ids that change in every run; the journaled
    call is still found on resume, so the tool does not run again."""
    import os
    import signal
    import subprocess
    import sys
    import uuid

    script = str(Path(__file__).with_name("langgraph_injected_agent.py"))
    env = {**os.environ, "BYOF_JOURNAL_PATH": str(tmp_path / "journal.db")}
    run_name = f"inj-{uuid.uuid4().hex[:8]}"

    def run(log: str, *extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, script, run_name, str(tmp_path / log), *extra],
            capture_output=True, text=True, env=env, timeout=300,
        )  # fmt: skip

    assert run("first", "--kill").returncode == -signal.SIGKILL
    assert (tmp_path / "first").read_text() == "tool:measure\n"
    resumed = run("second")
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert resumed.stdout.strip().splitlines()[-1] == "2 messages (thread None)"
    assert not (tmp_path / "second").exists(), "the journaled tool call ran again"


def test_an_uncompiled_state_graph_says_to_compile_it() -> None:
    from langgraph.graph import MessagesState, StateGraph

    builder = StateGraph(MessagesState)
    with pytest.raises(byof.NoAdapterError, match=r"StateGraph is a builder.*call .compile\(\)"):
        byof.wrap(builder, env=env())
