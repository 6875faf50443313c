"""The CrewAI adapter end to end: real local Flyte runs of crews and agents as users build them.

Every test runs the wrapped Crew or Agent with `flyte.run` on Flyte's embedded local runtime and
checks what Flyte recorded (tool child tasks, model trace steps) and the answer the task returned.
"""

from __future__ import annotations

import asyncio
import builtins
import gc
import json
import tempfile
import threading
from collections import Counter
from pathlib import Path
from typing import Any

import flyte
import pytest

# isort: off
from crewai_home import CREWAI_HOME, USER_HOME, use_home  # imports CrewAI under a temporary HOME

# isort: on
from crewai import LLM, Agent, Crew, Process, Task
from crewai.events import crewai_event_bus
from crewai.tools import BaseTool, tool
from flyte_records import model_steps, run, tasks
from pydantic import BaseModel, Field

import byof
from byof.testing.crewai import ScriptedLLM
from byof.testing.openai_server import ScriptedOpenAIServer
from byof.testing.recorder import record_flyte
from byof.testing.script import Script, call, say
from byof.testing.snapshot import first_difference, snapshot

pytestmark = pytest.mark.usefixtures("flyte_local")


@pytest.fixture(autouse=True)
def _crewai_home(monkeypatch: pytest.MonkeyPatch) -> None:
    use_home(monkeypatch)


MODEL = "scripted-model"


def env(name: str = "crew-tests") -> flyte.TaskEnvironment:
    return flyte.TaskEnvironment(name)


def agent(
    llm: Any, *, role: str = "analyst", goal: str = "answer well", tools: list[Any] | None = None, **kw: Any
) -> Agent:
    return Agent(
        role=role, goal=goal, backstory="careful", llm=llm, tools=tools or [], max_retry_limit=0, **kw
    )


def kickoff(crew: Crew, **inputs: Any) -> str:
    """A plain kickoff, once CrewAI's event handlers (run in a thread pool) are done with the crew."""
    raw = str(crew.kickoff(inputs=inputs).raw)
    crewai_event_bus.flush()
    return raw


def crew_of(member: Agent, description: str = "{prompt}", **task_kw: Any) -> Crew:
    task = Task(description=description, expected_output="the answer", agent=member, **task_kw)
    return Crew(agents=[member], tasks=[task])


# -- tools of every kind -------------------------------------------------------------------------

bodies: Counter[str] = Counter()  # tool body executions, by tool
_bodies_lock = threading.Lock()


def ran(name: str) -> None:
    with _bodies_lock:
        bodies[name] += 1


@tool("add")
def add(a: int, b: int) -> int:
    """Add two integers."""
    ran("add")
    return a + b


@tool("shout")
async def shout(text: str) -> str:
    """Upper-case a text."""
    await asyncio.sleep(0)
    ran("shout")
    return text.upper()


class Multiply(BaseTool):
    """A BaseTool subclass with a sync `_run`."""

    name: str = "multiply"
    description: str = "Multiply two integers."

    def _run(self, a: int, b: int) -> int:
        ran("multiply")
        return a * b


class Lookup(BaseTool):
    """A BaseTool subclass with an async body too (`arun`): CrewAI's executors call `_run`."""

    name: str = "lookup"
    description: str = "Look a word up."

    def _run(self, word: str) -> str:
        ran("lookup")
        return f"{word}: a word"

    async def _arun(self, word: str) -> str:
        ran("lookup")
        return f"{word}: an awaited word"


class SearchInput(BaseModel):
    query: str = Field(description="What to look for.")
    limit: int = Field(default=2, description="How many hits to return.")


class Search(BaseTool):
    """A crewai-tools style tool: a BaseTool with an args_schema model."""

    name: str = "search"
    description: str = "Search the web."
    args_schema: type[BaseModel] = SearchInput

    def _run(self, query: str, limit: int = 2) -> str:
        ran("search")
        return f"{limit} hits for {query}"


def all_tools() -> list[Any]:
    return [add, shout, Multiply(), Lookup(), Search()]


TOOL_CALLS = [
    call("add", a=2, b=3),
    call("shout", text="hey"),
    call("multiply", a=4, b=5),
    call("lookup", word="flyte"),
    call("search", query="flyte", limit=3),
]
TOOL_RESULTS = ["5", "HEY", "20", "flyte: a word", "3 hits for flyte"]
TOOL_NAMES = ("add", "shout", "multiply", "lookup", "search")


@pytest.mark.parametrize("function_calling", [True, False], ids=["native", "react"])
def test_every_tool_kind_is_a_child_task_and_looks_the_same_to_the_model(function_calling: bool) -> None:
    turns = [*TOOL_CALLS, say("done: {last}")]
    script = Script(by_prompt={"raw": turns, "wrapped": turns})
    member = agent(ScriptedLLM(script, function_calling=function_calling), tools=all_tools())
    crew = crew_of(member)
    raw = kickoff(crew, prompt="raw")
    assert raw == "done: 3 hits for flyte"
    name = f"kinds_{'native' if function_calling else 'react'}"
    task = byof.wrap(crew, env=env(), name=name)
    bodies.clear()
    with record_flyte() as rec:
        assert run(task, prompt="wrapped") == raw
    for tool_name in TOOL_NAMES:
        assert [t.name for t in rec.tasks_named(f"__{tool_name}")] == [f"crew-tests.{name}__{tool_name}"]
        assert bodies[tool_name] == 1, tool_name
    assert model_steps(rec) == 6
    last_raw, last_wrapped = script.requests[5], script.requests[11]
    # CrewAI appends a reminder of the tools to some observations: compare the results' first lines.
    assert [r.splitlines()[0] for r in last_raw.tool_results] == TOOL_RESULTS
    assert last_wrapped.tool_results == last_raw.tool_results
    seen = script.tools_seen()
    assert len(seen) == 12 and all(s == seen[0] for s in seen)
    if function_calling:
        assert [t.name for t in seen[0]] == list(TOOL_NAMES)
        search = seen[0][-1]
        assert search.parameters["properties"]["limit"]["description"] == "How many hits to return."
    wrapped_prompts = [r.messages[0].content for r in script.requests if "wrapped" in r.prompt]
    raw_prompts = [r.messages[0].content for r in script.requests if "raw" in r.prompt]
    assert wrapped_prompts == raw_prompts, (
        "the system prompt (which lists the tools in ReAct mode) is the same"
    )


def test_equal_tools_of_several_agents_and_tasks_share_one_task_per_name() -> None:
    first = Script([call("search", query="a"), say("first: {last}")])
    second = Script([call("search", query="b"), call("multiply", a=2, b=3), say("second: {last}")])
    one = agent(ScriptedLLM(first, model="one-model"), role="one", tools=[Search()])
    two = agent(ScriptedLLM(second, model="two-model"), role="two", tools=[add])
    crew = Crew(
        agents=[one, two],
        tasks=[
            Task(description="first", expected_output="notes", agent=one),
            # A task's tools replace its agent's: each agent (or task) made its own Search.
            Task(description="second", expected_output="notes", agent=two, tools=[Search(), Multiply()]),
        ],
    )
    assert kickoff(crew) == "second: 6"
    task = byof.wrap(crew, env=env(), name="shared")
    bodies.clear()
    with record_flyte() as rec:
        assert run(task) == "second: 6"
    assert tasks(rec, "shared", "search") == 2 and tasks(rec, "shared", "multiply") == 1
    assert bodies == Counter(search=2, multiply=1)
    assert first.requests[-1].tool_results == ["2 hits for a"]
    assert second.requests[-1].tool_results == ["2 hits for b", "6"]


def test_different_tools_of_one_name_are_refused() -> None:
    web = agent(ScriptedLLM(Script([])), role="web", tools=[Search()])
    news = agent(ScriptedLLM(Script([])), role="news", tools=[Search(description="Search the news.")])
    crew = Crew(
        agents=[web, news],
        tasks=[Task(description="go", expected_output="notes", agent=member) for member in (web, news)],
    )
    task = byof.wrap(crew, env=env(), name="clash")
    with pytest.raises(Exception, match="two different tools named 'search'"):
        run(task)


# -- crews -----------------------------------------------------------------------------------------


def research_crew(researcher: Script, writer: Script) -> Crew:
    """Two agents and two tasks, the second reading the first's output as its context."""
    scout = agent(
        ScriptedLLM(researcher, model="researcher-model"),
        role="researcher",
        goal="Know everything about {topic}",
        tools=[Search()],
    )
    scribe = agent(ScriptedLLM(writer, model="writer-model"), role="writer", goal="Explain {topic}")
    research = Task(description="Research {topic}.", expected_output="notes on {topic}", agent=scout)
    summary = Task(
        description="Summarise the notes on {topic}.",
        expected_output="a summary",
        agent=scribe,
        context=[research],
    )
    return Crew(agents=[scout, scribe], tasks=[research, summary])


@pytest.mark.parametrize("entry", ["kickoff", "kickoff_async"])
def test_sequential_crew_with_task_context_and_kickoff_inputs(entry: str) -> None:
    researcher = Script(
        by_prompt={
            f"Research {topic}.": [call("search", query=topic), say("notes: {last}")]
            for topic in ("crewai", "flyte")
        }
    )
    writer = Script([say("summary of the notes")])
    crew = research_crew(researcher, writer)
    assert kickoff(crew, topic="crewai") == "summary of the notes"
    name = f"sequential_{entry}"
    task = byof.wrap(crew, env=env(), name=name, adapter_options={"entry": entry})
    bodies.clear()
    with record_flyte() as rec:
        assert run(task, inputs={"topic": "flyte"}) == "summary of the notes"
    assert tasks(rec, name, "search") == 1 and bodies["search"] == 1
    assert model_steps(rec, "researcher-model") == 2 and model_steps(rec, "writer-model") == 1
    research, summary = researcher.requests[-1], writer.requests[-1]
    assert "Research flyte." in research.prompt, "the run's inputs, not those of the earlier kickoff"
    assert "Know everything about flyte" in research.messages[0].content, "the goal is interpolated too"
    assert research.tool_results == ["2 hits for flyte"]
    assert "Summarise the notes on flyte." in summary.prompt
    assert "notes: 2 hits for flyte" in summary.prompt, "the first task's output is the second's context"


def test_prompt_and_kickoff_inputs_together() -> None:
    script = Script(by_prompt={"Compare flyte (in 3 words)": [say("durable, typed, fast")]})
    crew = crew_of(agent(ScriptedLLM(script)), description="{prompt} {topic} (in {n} words)")
    task = byof.wrap(crew, env=env(), name="prompted")
    with record_flyte() as rec:
        assert run(task, prompt="Compare", inputs={"topic": "flyte", "n": 3}) == "durable, typed, fast"
    assert model_steps(rec) == 1


@pytest.mark.parametrize(
    ("manager", "entry"),
    [("manager_llm", "kickoff"), ("manager_llm", "kickoff_async"), ("manager_agent", "kickoff")],
)
def test_hierarchical_crew_manager_and_delegation_are_traced(manager: str, entry: str) -> None:
    delegate = call("Delegate work to coworker", task="research flyte", context="none", coworker="researcher")
    manager_llm = ScriptedLLM(Script([delegate, say("manager: {last}")]), model="manager-model")
    researcher = Script([call("search", query="flyte"), say("found {last}")])
    unused = Script([])  # asked for anything, it fails the run
    crew = Crew(
        agents=research_crew(researcher, unused).agents,
        tasks=[Task(description="Report on {topic}.", expected_output="a report")],
        process=Process.hierarchical,
        **(
            {"manager_llm": manager_llm}
            if manager == "manager_llm"
            else {"manager_agent": agent(manager_llm, role="lead", allow_delegation=True)}
        ),
    )
    assert kickoff(crew, topic="flyte") == "manager: found 2 hits for flyte"
    before = snapshot(crew)
    name = f"{manager}_{entry}"
    task = byof.wrap(crew, env=env(), name=name, adapter_options={"entry": entry})
    with record_flyte() as rec:
        assert run(task, inputs={"topic": "flyte"}) == "manager: found 2 hits for flyte"
    assert model_steps(rec, "manager-model") == 2 and model_steps(rec, "researcher-model") == 2
    assert unused.call_count == 0 and tasks(rec, name, "search") == 1
    assert [t.name for t in rec.tasks] == [f"crew-tests.{name}__search", f"crew-tests.{name}"]
    (crew_task,) = rec.tasks_named(f".{name}")
    assert {s.task_action for s in rec.steps} == {crew_task.action}, "delegation runs inside the crew's task"
    assert "research flyte" in researcher.requests[-1].prompt
    after = snapshot(crew)
    assert after == before, first_difference(before, after)


# -- a single agent ----------------------------------------------------------------------------------


@pytest.mark.parametrize("entry", ["kickoff", "kickoff_async"])
@pytest.mark.parametrize("function_calling", [True, False], ids=["native", "react"])
def test_single_agent_kickoff(entry: str, function_calling: bool) -> None:
    turns = [*TOOL_CALLS, say("done: {last}")]
    script = Script(by_prompt={"raw": turns, "wrapped": turns})
    solo = agent(ScriptedLLM(script, function_calling=function_calling), tools=all_tools())
    raw = solo.kickoff("raw") if entry == "kickoff" else asyncio.run(solo.kickoff_async("raw"))
    assert raw.raw == "done: 3 hits for flyte"
    name = f"solo_{entry}_{'native' if function_calling else 'react'}"
    task = byof.wrap(solo, env=env(), name=name, adapter_options={"entry": entry})
    bodies.clear()
    with record_flyte() as rec:
        assert run(task, prompt="wrapped") == "done: 3 hits for flyte"
    for tool_name in TOOL_NAMES:
        assert tasks(rec, name, tool_name) == 1 and bodies[tool_name] == 1, tool_name
    assert model_steps(rec) == 6
    last_raw, last_wrapped = script.requests[5], script.requests[11]
    assert [r.splitlines()[0] for r in last_raw.tool_results] == TOOL_RESULTS
    assert last_wrapped.tool_results == last_raw.tool_results
    assert script.tools_seen()[6:] == script.tools_seen()[:6]


def test_single_agent_needs_a_prompt() -> None:
    task = byof.wrap(agent(ScriptedLLM(Script([]))), env=env(), name="solo_no_prompt")
    with pytest.raises(Exception, match="needs a prompt"):
        run(task)


# -- LLMs ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("solo", [False, True], ids=["crew", "agent"])
@pytest.mark.parametrize("entry", ["kickoff", "kickoff_async"])
@pytest.mark.parametrize(
    ("model", "function_calling"),
    # CrewAI's OpenAI provider says o1 models have no function calling: CrewAI writes ReAct text.
    [("openai/gpt-4o-mini", True), ("openai/o1-mini", False)],
    ids=["native", "react"],
)
def test_real_crewai_llm_against_the_scripted_server(
    solo: bool, entry: str, model: str, function_calling: bool
) -> None:
    if function_calling:
        turns = [call("add", a=20, b=22), say("the answer is {last}")]
    else:
        turns = [
            say('Thought: add them\nAction: add\nAction Input: {"a": 20, "b": 22}'),
            say("Final Answer: 42"),
        ]
    with ScriptedOpenAIServer(Script(turns)) as server:
        llm = LLM(model=model, base_url=server.base_url, api_key=server.api_key)
        assert llm.supports_function_calling() is function_calling
        member = agent(llm, tools=[add])
        name = f"real_llm_{'agent' if solo else 'crew'}_{entry}_{'native' if function_calling else 'react'}"
        task = byof.wrap(
            member if solo else crew_of(member), env=env(), name=name, adapter_options={"entry": entry}
        )
        with record_flyte() as rec:
            answer = run(task, prompt="what is 20+22?")
        requests = server.requests
    assert [r["path"] for r in requests] == ["/v1/chat/completions"] * 2
    assert model_steps(rec, llm.model) == 2 and tasks(rec, name, "add") == 1
    assert llm.get_token_usage_summary().total_tokens == 0, "the run counted tokens on its own copy"
    first, second = (r["body"] for r in requests)
    if function_calling:
        assert answer == "the answer is 42"
        tools = [t["function"] for t in first["tools"]]
        assert [(t["name"], t["description"]) for t in tools] == [("add", "Add two integers.")]
        assert second["messages"][-1]["content"] == "42"
    else:
        assert answer == "42" and "tools" not in first
        assert second["messages"][-2]["content"].endswith("Observation: 42")


@pytest.mark.parametrize("entry", ["kickoff", "kickoff_async"])
def test_streaming_crew_streams_in_the_task_and_returns_its_final_output(entry: str) -> None:
    """Crew(stream=True): the LLM streams from the server (SSE), each call is one trace step, the
    tool a child task, and the task returns the final output rather than the stream object."""
    with ScriptedOpenAIServer(Script([call("add", a=20, b=22), say("the answer is {last}")])) as server:
        llm = LLM(model="openai/gpt-4o-mini", base_url=server.base_url, api_key=server.api_key)
        member = agent(llm, tools=[add])
        crew = Crew(
            agents=[member],
            tasks=[Task(description="{prompt}", expected_output="n", agent=member)],
            stream=True,
        )
        name = f"streaming_{entry}"
        with record_flyte() as rec:
            answer = run(
                byof.wrap(crew, env=env(), name=name, adapter_options={"entry": entry}), prompt="20+22?"
            )
        requests = server.requests
    assert answer == "the answer is 42"
    assert [r["body"].get("stream") for r in requests] == [True, True], "the LLM streamed"
    assert model_steps(rec, llm.model) == 2 and tasks(rec, name, "add") == 1
    assert crew.stream is True and llm.stream is not True, "the user's crew and LLM are as built"


# -- the other LLMs a crew calls: planning, tool-call parsing, agent reasoning -------------------


def test_planning_crew_calls_its_own_planning_llm_traced() -> None:
    """CrewAI's copy() rebuilds planning_llm by model name; the run uses the user's LLM."""
    plans = {"list_of_plans_per_task": [{"task_number": 1, "task": "add", "plan": "use add"}]}
    planner = ScriptedLLM(Script([say(json.dumps(plans))] * 3), model="planner")
    member = agent(
        ScriptedLLM(Script([call("add", a=2, b=3), say("sum {last}")]), function_calling=True), tools=[add]
    )
    crew = Crew(
        agents=[member],
        tasks=[Task(description="add 2 and 3", expected_output="n", agent=member)],
        planning=True,
        planning_llm=planner,
    )
    with record_flyte() as rec:
        answer = run(byof.wrap(crew, env=env(), name="planning"), prompt="go")
    assert answer == "sum 5" and tasks(rec, "planning", "add") == 1
    assert model_steps(rec, "planner") == planner.script.call_count >= 1
    worker = member.llm.script.requests
    assert any("use add" in m.content for m in worker[0].messages), "the plan reaches the worker"
    assert crew.planning_llm is planner


def test_planning_crew_without_a_planning_llm_traces_crewais_default(monkeypatch: pytest.MonkeyPatch) -> None:
    """No planning_llm: CrewAI's planner picks its default model by name; byof makes that LLM up
    front (as CrewAI would) so its call is traced. The scripted server stands in for OpenAI."""
    from crewai.utilities.planning_handler import CrewPlanner

    default = str(CrewPlanner(tasks=[]).planning_agent_llm)
    plans = {"list_of_plans_per_task": [{"task_number": 1, "task": "add", "plan": "use add"}]}
    member = agent(ScriptedLLM(Script([say("done")]), function_calling=True))
    crew = Crew(
        agents=[member], tasks=[Task(description="add", expected_output="n", agent=member)], planning=True
    )
    with ScriptedOpenAIServer(Script([say(json.dumps(plans))] * 3)) as server:
        monkeypatch.setenv("OPENAI_API_KEY", server.api_key)
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        with record_flyte() as rec:
            assert run(byof.wrap(crew, env=env(), name="default_planner"), prompt="go") == "done"
        requests = server.requests
    assert {r["body"]["model"] for r in requests} == {default.split("/")[-1]}
    assert model_steps(rec, default.split("/")[-1]) == len(requests) >= 1
    assert crew.planning_llm is None


@pytest.mark.parametrize("part", ["memory", "knowledge sources"])
def test_memory_and_knowledge_are_said_to_be_untraced(part: str, caplog: pytest.LogCaptureFixture) -> None:
    """They call their own LLM and embedder (embeddings need a network here, so the run copy is
    made directly, as the adapter makes it at the start of each run)."""
    from types import SimpleNamespace

    from crewai.knowledge.source.string_knowledge_source import StringKnowledgeSource

    from byof.adapters.crewai_seams import run_copy

    member = agent(ScriptedLLM(Script([say("done")])))
    extra: dict[str, Any] = (
        {"memory": True}
        if part == "memory"
        else {"knowledge_sources": [StringKnowledgeSource(content="facts")]}
    )
    crew = Crew(agents=[member], tasks=[Task(description="x", expected_output="n", agent=member)], **extra)
    router = SimpleNamespace(factory=SimpleNamespace(agent_name=f"remembers_{part[0]}"), run=None)
    with caplog.at_level("WARNING", logger="byof.tools"):
        run_copy(crew, router)  # type: ignore[arg-type]
    assert f"agent 'remembers_{part[0]}': CrewAI's {part} calls its own LLM" in caplog.text


class Sloppy(ScriptedLLM):
    """Writes its tool call's input as prose, so CrewAI asks the function-calling LLM to parse it."""

    def call(self, messages: Any, *args: Any, **kwargs: Any) -> Any:
        return (
            super()
            .call(messages, *args, **kwargs)
            .replace('Action Input: {"a": 2, "b": 3}', "Action Input: a=2 b=3")
        )


def test_function_calling_llm_is_the_users_and_traced() -> None:
    parsed = json.dumps({"tool_name": "add", "arguments": {"a": 2, "b": 3}})
    parser = ScriptedLLM(Script([say(parsed)]), model="parser", function_calling=True)
    member = agent(
        Sloppy(Script([call("add", a=2, b=3), say("sum {last}")])), tools=[add], function_calling_llm=parser
    )
    with record_flyte() as rec:
        answer = run(byof.wrap(crew_of(member), env=env(), name="parsing"), prompt="add 2 and 3")
    assert answer == "sum 5" and tasks(rec, "parsing", "add") == 1
    assert parser.script.call_count == 1 and model_steps(rec, "parser") == 1


def test_agent_reasoning_call_with_crewais_plan_function_is_traced() -> None:
    """Reasoning asks the LLM to run CrewAI's own plan formatter (available_functions): that
    function is no tool, so the call is a trace step like any other."""
    plan = call("create_reasoning_plan", plan="add them", steps=[], ready=True)
    script = Script([say("sum 5")], by_prompt={"reasoning": [plan], "planning": [plan]})
    member = agent(ScriptedLLM(script, function_calling=True), reasoning=True)
    with record_flyte() as rec:
        answer = run(byof.wrap(crew_of(member), env=env(), name="reasoning"), prompt="add 2 and 3")
    assert answer == "sum 5"
    planned = [r for r in script.requests if any(t.name == "create_reasoning_plan" for t in r.tools)]
    assert len(planned) == 1 and model_steps(rec) == script.call_count


def test_llm_running_tools_itself_is_called_untraced_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    """A trace may not contain tool tasks: given tools to run itself, the LLM call is not traced,
    and byof says so, naming the LLM."""
    from types import SimpleNamespace

    from byof.adapters.crewai_seams import traced_llm

    traced: list[Any] = []
    tracer = SimpleNamespace(enabled=True, call=lambda request, fn, **kw: traced.append(request) or fn())
    llm = traced_llm(
        ScriptedLLM(
            Script([call("add", a=2, b=3)], by_prompt={"fmt": [call("fmt", a=2, b=3)]}), model="self-runner"
        ),
        SimpleNamespace(tracer=tracer),
    )
    with caplog.at_level("WARNING", logger="byof.tools"):
        assert llm.call("add 2 and 3", available_functions={"add": add.run}) == "5"
        assert llm.call("fmt 2 and 3", available_functions={"fmt": lambda a, b: f"{a}+{b}"}) == "2+3"
    assert len(traced) == 1, "only the call without tools is traced"
    assert "'self-runner'" in caplog.text and "available_functions" in caplog.text


# -- structured outputs ------------------------------------------------------------------------------


class Report(BaseModel):
    title: str
    score: int


@pytest.mark.parametrize("kind", ["output_pydantic", "output_json"])
@pytest.mark.parametrize("function_calling", [True, False], ids=["native", "react"])
def test_structured_task_output_comes_back_as_json_data(kind: str, function_calling: bool) -> None:
    script = Script([call("add", a=40, b=2), say('{"title": "sum", "score": {last}}')])
    llm = ScriptedLLM(script, function_calling=function_calling)
    crew = crew_of(agent(llm, tools=[add]), **{kind: Report})
    name = f"structured_{kind}_{'native' if function_calling else 'react'}"
    task = byof.wrap(crew, env=env(), name=name)
    with record_flyte() as rec:
        assert run(task, prompt="score it") == {"title": "sum", "score": 42}
    assert tasks(rec, name, "add") == 1 and model_steps(rec) == 2


# -- copies ---------------------------------------------------------------------------------------------


def test_users_crew_is_untouched_and_concurrent_kickoffs_do_not_interfere() -> None:
    words = ("alpha", "beta", "gamma")
    script = Script(by_prompt={w: [call("shout", text=w), say(f"{w}: {{last}}")] for w in words})
    crew = crew_of(agent(ScriptedLLM(script, function_calling=True), tools=[shout, add]))
    assert kickoff(crew, prompt="alpha") == "alpha: ALPHA"
    before = snapshot(crew)
    e = env("crew-fan-out")
    task = byof.wrap(crew, env=e, name="fan")

    @e.task
    async def parent(prompts: list[str]) -> list[str]:
        return list(await asyncio.gather(*(task(prompt=p) for p in prompts)))

    with record_flyte() as rec:
        assert run(parent, prompts=list(words)) == ["alpha: ALPHA", "beta: BETA", "gamma: GAMMA"]
    assert len(rec.tasks_named(".fan")) == 3 and len(rec.tasks_named("fan__shout")) == 3
    assert model_steps(rec) == 6
    after = snapshot(crew)
    assert after == before, first_difference(before, after)


# -- CrewAI's tool result cache --------------------------------------------------------------------------


@pytest.mark.parametrize("cache", [True, False], ids=["cached", "uncached"])
def test_crewais_tool_cache_serves_repeated_calls_without_a_task(cache: bool) -> None:
    turns = [call("add", a=1, b=2), call("add", a=1, b=2), say("{results}")]
    script = Script(by_prompt={"raw": turns, "wrapped": turns})
    member = agent(ScriptedLLM(script, function_calling=True), tools=[add], cache=cache)
    work = Task(description="{prompt}", expected_output="the answer", agent=member)
    crew = Crew(agents=[member], tasks=[work], cache=True)  # opt in: off by default since 1.15.x
    runs = 1 if cache else 2
    bodies.clear()
    assert kickoff(crew, prompt="raw") == "3, 3" and bodies["add"] == runs
    name = f"cache_{cache}"
    task = byof.wrap(crew, env=env(), name=name)
    bodies.clear()
    with record_flyte() as rec:
        assert run(task, prompt="wrapped") == "3, 3"
    assert tasks(rec, name, "add") == runs and bodies["add"] == runs


# -- housekeeping ------------------------------------------------------------------------------------------


def files(root: Path) -> dict[str, int]:
    return {str(p.relative_to(root)): p.stat().st_mtime_ns for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("writable_home", [True, False], ids=["home", "unwritable_home"])
def test_a_wrapped_run_never_prompts_and_writes_only_crewais_storage(
    writable_home: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CrewAI needs a writable data directory (~/.local/share, or XDG_DATA_HOME) to build a Crew,
    the run's copy included; a wrapped run writes nothing else, and never asks anything."""
    if writable_home:
        root, data = tmp_path / "home", tmp_path / "home" / ".local" / "share"
        monkeypatch.setenv("HOME", str(root))
    else:
        blocker = tmp_path / "blocker"
        blocker.write_text("")
        monkeypatch.setenv("HOME", str(blocker / "home"))  # under a file: nobody, root included, writes there
        root = data = tmp_path / "data"
        monkeypatch.setenv("XDG_DATA_HOME", str(data))
    data.mkdir(parents=True)
    monkeypatch.setenv("CREWAI_STORAGE_DIR", "byof-crew")
    asked: list[tuple[Any, ...]] = []
    monkeypatch.setattr(builtins, "input", lambda *args: asked.append(args) or "n")
    elsewhere = [
        USER_HOME / ".local" / "share" / "byof-crew",
        Path.cwd() / "crewai_settings.json",  # where CrewAI keeps its settings when HOME is not writable
        Path(tempfile.gettempdir()) / "crewai_settings.json",
    ]
    gc.collect()  # CrewAI's sqlite connections write (WAL checkpoints) when they are collected
    crewai_home = files(Path(CREWAI_HOME))
    name = f"housekeeping_{'home' if writable_home else 'data'}"
    crew = crew_of(agent(ScriptedLLM(Script([call("add", a=1, b=1), say("{last}")])), tools=[add]))
    task = byof.wrap(crew, env=env(), name=name)
    built = files(root)
    with record_flyte() as rec:
        assert run(task, prompt="1+1") == "2"
    assert tasks(rec, name, "add") == 1 and asked == []
    assert list(files(root)) == list(built), "the run wrote no file that building the crew did not"
    outputs = data.relative_to(root) / "byof-crew" / "latest_kickoff_task_outputs"
    assert {f.split(".db")[0] for f in built} == {str(outputs)}  # with -wal and -shm in 1.15.0
    assert files(Path(CREWAI_HOME)) == crewai_home
    assert not any(p.exists() for p in elsewhere)


# -- a YAML crew, as CrewAI's project template writes one ---------------------------------------------


@pytest.mark.parametrize("entry", ["kickoff", "kickoff_async"])
def test_yaml_crew_with_task_context_and_kickoff_inputs_matches_the_raw_kickoff(
    entry: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """tests/adapters/crewai/yaml_crew: agents and tasks from YAML with {placeholders}, a tool, a task that takes
    another's output as context, a @before_kickoff hook, and the LLM named in the YAML (reached
    through OPENAI_BASE_URL, as the template's .env sets it). The raw kickoff runs first in this
    process, on its own event loop for kickoff_async: the wrapped run must not use its connections."""
    from yaml_crew.crew import ResearchCrew

    turns = {
        "Research flyte in the notes as of 2026.": [
            call("search_notes", topic="flyte"),
            say("Facts: {last}"),
        ],
        "Review the research and write a report on flyte for ops.": [say("Report for ops: {prompt}")],
    }
    inputs = {"topic": "flyte", "audience": "ops"}
    with ScriptedOpenAIServer(Script(by_prompt=turns)) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", server.api_key)
        raw_crew = ResearchCrew().crew()
        if entry == "kickoff":
            raw = kickoff(raw_crew, **inputs)
        else:
            raw = str(asyncio.run(raw_crew.kickoff_async(inputs=inputs)).raw)
            crewai_event_bus.flush()
        assert "Flyte 2 runs tasks in containers" in raw, "the report's context holds the research"
        raw_bodies = [r["body"] for r in server.requests]
        crew = ResearchCrew().crew()
        before = snapshot(crew)
        name = f"yaml_research_{entry}"
        task = byof.wrap(crew, env=env(), name=name, adapter_options={"entry": entry})
        with record_flyte() as rec:
            assert run(task, inputs=inputs) == raw
        wrapped_bodies = [r["body"] for r in server.requests][len(raw_bodies) :]
    assert wrapped_bodies == raw_bodies, "the LLM was asked exactly what the raw kickoff asked"
    assert tasks(rec, name, "search_notes") == 1 and model_steps(rec, "gpt-4o-mini") == 3
    after = snapshot(crew)
    assert after == before, first_difference(before, after)


# -- a single agent's kickoff arguments --------------------------------------------------------------


class Verdict(BaseModel):
    topic: str
    durable: bool


def test_single_agent_with_messages_and_a_response_format_matches_the_raw_kickoff() -> None:
    script = Script([call("search", query="flyte"), say('{"topic": "flyte", "durable": true}')])
    solo = agent(ScriptedLLM(script, function_calling=True), tools=[Search()])
    # User turns only: CrewAI 1.15.0 folds a history into one message, later releases keep roles.
    history = [{"role": "user", "content": "We are choosing an orchestrator."}]
    raw = solo.kickoff([*history, {"role": "user", "content": "Is flyte durable?"}], response_format=Verdict)
    assert raw.pydantic == Verdict(topic="flyte", durable=True)
    raw_requests = list(script.requests)
    task = byof.wrap(solo, env=env(), name="solo_verdict", adapter_options={"response_format": Verdict})
    with record_flyte() as rec:
        assert run(task, messages=history, prompt="Is flyte durable?") == {"topic": "flyte", "durable": True}
    assert script.requests[len(raw_requests) :] == raw_requests
    assert "We are choosing an orchestrator." in str(raw_requests[0].messages)
    assert tasks(rec, "solo_verdict", "search") == 1 and model_steps(rec) == 2


def test_kickoff_inputs_go_to_a_crew_and_messages_to_an_agent_only() -> None:
    solo = agent(ScriptedLLM(Script([say("hi")])))
    assert [
        p.name for p in byof.wrapped_agent(byof.wrap(solo, env=env(), name="solo_sig")).signature.params
    ] == [
        "prompt",
        "messages",
    ]
    with pytest.raises(ValueError, match="response_format is for a single crewai Agent"):
        byof.wrap(crew_of(solo), env=env(), name="crew_format", adapter_options={"response_format": Verdict})
