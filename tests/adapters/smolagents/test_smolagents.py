"""The smolagents adapter end to end: real local Flyte runs of agents as users build them.

Every test runs the wrapped agent with `flyte.run` on Flyte's embedded local runtime and checks
what Flyte recorded (tool child tasks, model trace steps) and the answer the task returned.
"""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from typing import Any

import flyte
import pytest

pytest.importorskip("smolagents")

from flyte_records import model_steps, run, tasks
from smolagents import CodeAgent, OpenAIServerModel, Tool, ToolCallingAgent, ToolCollection, tool
from smolagents.memory import ActionStep
from smolagents.models import get_tool_json_schema

import byof
from byof.testing.openai_server import ScriptedOpenAIServer
from byof.testing.recorder import record_flyte
from byof.testing.script import Script, call, calls, say
from byof.testing.smolagents import ScriptedModel
from byof.testing.snapshot import first_difference, snapshot

pytestmark = pytest.mark.usefixtures("flyte_local")

MODEL = "scripted-model"


def env(name: str = "smol-tests") -> flyte.TaskEnvironment:
    return flyte.TaskEnvironment(name)


# -- tools of every kind -------------------------------------------------------------------------

bodies: Counter[str] = Counter()  # tool body executions, by tool
_lock = threading.Lock()


def ran(name: str) -> None:
    with _lock:
        bodies[name] += 1


@tool
def add(a: float, b: float) -> float:
    """Add two numbers.

    Args:
        a: the first number
        b: the second number
    """
    ran("add")
    return a + b


@tool
def word_count(text: str) -> int:
    """Count the words in a text.

    Args:
        text: the text
    """
    ran("word_count")
    return len(text.split())


class Multiply(Tool):
    """A `Tool` subclass, whose `setup()` loads what `forward` needs."""

    name = "multiply"
    description = "Multiply two numbers."
    inputs = {"a": {"type": "number", "description": "a"}, "b": {"type": "number", "description": "b"}}
    output_type = "number"

    def setup(self) -> None:
        ran("multiply.setup")
        self.factor = 1.0
        self.is_initialized = True

    def forward(self, a, b):  # type: ignore[no-untyped-def] - as users write them
        ran("multiply")
        return a * b * self.factor


def test_every_tool_kind_is_a_child_task_and_looks_the_same_to_the_model() -> None:
    multiply = Multiply()
    collection = ToolCollection([word_count])
    script = Script(
        [
            calls(("add", {"a": 2, "b": 3}), ("multiply", {"a": 4, "b": 5})),
            call("word_count", text="a b c"),
            say("{results}"),
        ]
    )
    agent = ToolCallingAgent(
        tools=[add, multiply, *collection.tools], model=ScriptedModel(script), verbosity_level=0
    )
    before = dict(bodies)
    with record_flyte() as rec:
        answer = run(byof.wrap(agent, env=env(), name="kinds"), prompt="compute")
    assert answer == "5.0\n20.0, 3"
    assert [tasks(rec, "kinds", t) for t in ("add", "multiply", "word_count")] == [1, 1, 1]
    assert tasks(rec, "kinds", "final_answer") == 0, "final_answer ends the run; it is no task"
    assert bodies["multiply.setup"] == before.get("multiply.setup", 0) + 1, "setup ran once, for the task"
    assert not multiply.is_initialized and not hasattr(multiply, "factor"), "the user's tool is as built"
    seen = script.requests[0].tools
    assert [(t.name, t.description) for t in seen] == [(t.name, t.description) for t in agent.tools.values()]
    assert [t.parameters["properties"] for t in seen] == [t.inputs for t in agent.tools.values()]
    assert model_steps(rec) == 3


def test_the_model_sees_the_same_tool_schemas_and_system_prompt() -> None:
    """Byte for byte: the schemas a ToolCallingAgent sends and the prompt a CodeAgent writes."""
    seen: list[Any] = []

    class Capture(ScriptedModel):
        def generate(self, messages: list[Any], *args: Any, tools_to_call_from: Any = None, **kw: Any) -> Any:
            seen.append((messages[0].content, [get_tool_json_schema(t) for t in tools_to_call_from or []]))
            return super().generate(messages, *args, tools_to_call_from=tools_to_call_from, **kw)

    for kind in (ToolCallingAgent, CodeAgent):
        agent = kind(tools=[add, Multiply()], model=Capture(Script([say("done")])), verbosity_level=0)
        agent.run("raw")
        with record_flyte():
            run(byof.wrap(agent, env=env(), name=f"same_{kind.__name__}"), prompt="wrapped")
        raw, wrapped = seen[-2:]
        assert raw == wrapped, kind.__name__


# -- the two agent kinds ---------------------------------------------------------------------------


def test_tool_calling_agent_parallel_calls_are_concurrent_child_tasks() -> None:
    script = Script(
        [
            calls(("add", {"a": 1, "b": 2}), ("add", {"a": 10, "b": 20}), ("word_count", {"text": "x y"})),
            say("{last}"),
        ]
    )
    agent = ToolCallingAgent(
        tools=[add, word_count], model=ScriptedModel(script), verbosity_level=0, max_tool_threads=3
    )
    with record_flyte() as rec:
        answer = run(byof.wrap(agent, env=env(), name="parallel"), prompt="go")
    assert tasks(rec, "parallel", "add") == 2 and tasks(rec, "parallel", "word_count") == 1
    assert sorted(answer.split("\n")) == ["2", "3.0", "30.0"]


def test_code_agents_tool_calls_from_its_code_are_child_tasks() -> None:
    """The code runs in LocalPythonExecutor's worker thread, which lost the task's context: its
    tool calls must still be child tasks, not silently inline."""
    script = Script(
        [calls(("add", {"a": 2, "b": 3}), ("word_count", {"text": "hello durable world"})), say("sum {last}")]
    )
    agent = CodeAgent(tools=[add, word_count], model=ScriptedModel(script), verbosity_level=0)
    with record_flyte() as rec:
        answer = run(byof.wrap(agent, env=env(), name="coder"), prompt="compute")
    assert answer == "sum 3"
    assert tasks(rec, "coder", "add") == 1 and tasks(rec, "coder", "word_count") == 1
    assert model_steps(rec) == 2


def test_code_agent_keeps_its_authorized_imports() -> None:
    """smolagents' import limits still hold: an unauthorized import fails the step (the model sees
    the error), an authorized one works."""
    script = Script([say("Thought: look\n<code>\nimport os\nos.getcwd()\n</code>"), say("saw: {last}")])
    agent = CodeAgent(tools=[], model=ScriptedModel(script), verbosity_level=0)
    with record_flyte():
        answer = run(byof.wrap(agent, env=env(), name="imports"), prompt="cwd?")
    assert answer.startswith("saw:") and "Import of os is not allowed" in answer

    script = Script([say("Thought: dump\n<code>\nimport json\njson.dumps([1])\n</code>"), say("saw: {last}")])
    agent = CodeAgent(
        tools=[], model=ScriptedModel(script), verbosity_level=0, additional_authorized_imports=["json"]
    )
    with record_flyte():
        assert run(byof.wrap(agent, env=env(), name="imports_ok"), prompt="json?") == "saw: [1]"


# -- managed agents --------------------------------------------------------------------------------


def researcher(model_id: str = "researcher-model") -> ToolCallingAgent:
    script = Script([call("word_count", text="managed agents work"), say("{last} words")])
    return ToolCallingAgent(
        tools=[word_count],
        model=ScriptedModel(script, model_id=model_id),
        name="researcher",
        description="Counts words for you.",
        verbosity_level=0,
    )


@pytest.mark.parametrize("manager_kind", [ToolCallingAgent, CodeAgent])
def test_managed_agents_have_durable_tools_and_traced_models(manager_kind: type) -> None:
    ask = call("researcher", task="count the words", additional_args={})  # smolagents 1.20 wants it
    manager = manager_kind(
        tools=[add],
        model=ScriptedModel(Script([ask, say("team says: {last}")]), model_id="manager-model"),
        managed_agents=[researcher()],
        verbosity_level=0,
    )
    name = f"managed_{manager_kind.__name__}"
    with record_flyte() as rec:
        answer = run(byof.wrap(manager, env=env(), name=name), prompt="how many words?")
    assert "3 words" in answer
    assert tasks(rec, name, "researcher__word_count") == 1, [t.name for t in rec.tasks]
    assert model_steps(rec, "manager-model") == 2 and model_steps(rec, "researcher-model") == 2
    assert not manager.managed_agents["researcher"].memory.steps, "the user's managed agent ran nothing"


def test_two_managed_agents_may_each_have_a_tool_of_one_name() -> None:
    first, second = researcher("first-model"), researcher("second-model")
    second.name = "checker"
    manager = ToolCallingAgent(
        tools=[],
        model=ScriptedModel(
            Script(
                [
                    call("researcher", task="a", additional_args={}),
                    call("checker", task="b", additional_args={}),
                    say("done"),
                ]
            )
        ),
        managed_agents=[first, second],
        verbosity_level=0,
    )
    with record_flyte() as rec:
        assert run(byof.wrap(manager, env=env(), name="two_teams"), prompt="go") == "done"
    assert (
        tasks(rec, "two_teams", "researcher__word_count")
        == tasks(rec, "two_teams", "checker__word_count")
        == 1
    )


# -- models ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["tool_calling", "code"])
def test_real_openai_server_model_against_the_scripted_server(kind: str) -> None:
    # smolagents sends a ToolCallingAgent's own tool calls back as text, so the model ends with an
    # explicit final_answer call (as real models do when offered the tool).
    answer_call = call("final_answer", answer="the answer is 42.0")
    # Non-integral numbers: smolagents before 1.21 refuses an integer for a "number" argument.
    with ScriptedOpenAIServer(Script([call("add", a=20.5, b=21.5), answer_call])) as server:
        model = OpenAIServerModel(model_id="gpt-4o-mini", api_base=server.base_url, api_key=server.api_key)
        if kind == "tool_calling":
            agent: Any = ToolCallingAgent(tools=[add], model=model, verbosity_level=0)
        else:
            script = Script(
                [
                    say("Thought: add\n<code>\nadd(a=20.5, b=21.5)\n</code>"),
                    say("Thought: done\n<code>\nfinal_answer('the answer is 42.0')\n</code>"),
                ]
            )
            server.script = script
            agent = CodeAgent(tools=[add], model=model, verbosity_level=0)
        name = f"openai_{kind}"
        with record_flyte() as rec:
            answer = run(byof.wrap(agent, env=env(), name=name), prompt="what is 20+22?")
        requests = server.requests
    assert answer == "the answer is 42.0"
    assert [r["path"] for r in requests] == ["/v1/chat/completions"] * 2
    assert model_steps(rec, "gpt-4o-mini") == 2 and tasks(rec, name, "add") == 1
    if kind == "tool_calling":
        sent = {t["function"]["name"] for t in requests[0]["body"]["tools"]}
        assert sent == {"add", "final_answer"}


@pytest.mark.parametrize("real", [False, True], ids=["scripted", "openai"])
def test_streaming_model_outputs_are_traced_whole(real: bool) -> None:
    """stream_outputs=True: the model streams (SSE from the server), each call is one step."""
    script = Script([call("add", a=1.5, b=1.5), call("final_answer", answer="sum 3.0")])
    if real:
        with ScriptedOpenAIServer(script) as server:
            model: Any = OpenAIServerModel(
                model_id="gpt-4o-mini", api_base=server.base_url, api_key=server.api_key
            )
            agent = ToolCallingAgent(tools=[add], model=model, verbosity_level=0, stream_outputs=True)
            with record_flyte() as rec:
                answer = run(byof.wrap(agent, env=env(), name="stream_openai"), prompt="1+2")
            assert all(r["body"].get("stream") for r in server.requests)
        assert model_steps(rec, "gpt-4o-mini") == 2
    else:
        agent = ToolCallingAgent(
            tools=[add], model=ScriptedModel(script), verbosity_level=0, stream_outputs=True
        )
        with record_flyte() as rec:
            answer = run(byof.wrap(agent, env=env(), name="stream_scripted"), prompt="1+2")
        assert model_steps(rec) == 2
    assert answer == "sum 3.0"


def test_planning_steps_are_traced() -> None:
    """planning_interval: the plan is a model call without tools, traced like the rest."""
    plans = Counter[str]()

    class Planner(ScriptedModel):
        def generate(self, messages: list[Any], *args: Any, tools_to_call_from: Any = None, **kw: Any) -> Any:
            if not tools_to_call_from:
                plans["plan"] += 1
            return super().generate(messages, *args, tools_to_call_from=tools_to_call_from, **kw)

    script = Script([say("1. add\n<end_plan>"), call("add", a=1, b=1), say("two")])
    agent = ToolCallingAgent(tools=[add], model=Planner(script), verbosity_level=0, planning_interval=5)
    with record_flyte() as rec:
        assert run(byof.wrap(agent, env=env(), name="planner"), prompt="1+1") == "two"
    assert plans["plan"] == 1 and model_steps(rec) == script.call_count == 3


def test_the_last_answer_after_max_steps_is_traced() -> None:
    script = Script([call("add", a=1, b=1), say("out of steps, but: {last}")])
    agent = ToolCallingAgent(tools=[add], model=ScriptedModel(script), verbosity_level=0, max_steps=1)
    with record_flyte() as rec:
        answer = run(byof.wrap(agent, env=env(), name="max_steps"), prompt="1+1")
    assert answer == "out of steps, but: 2.0"
    assert model_steps(rec) == 2 and tasks(rec, "max_steps", "add") == 1


# -- entry points, inputs and outputs ---------------------------------------------------------------


@pytest.mark.parametrize("kind", [ToolCallingAgent, CodeAgent])
def test_streamed_run_records_the_final_answer(kind: type) -> None:
    script = Script([call("add", a=2, b=2), say("four")])
    agent = kind(tools=[add], model=ScriptedModel(script), verbosity_level=0)
    name = f"streamed_{kind.__name__}"
    with record_flyte() as rec:
        answer = run(
            byof.wrap(agent, env=env(), name=name, adapter_options={"entry": "stream"}), prompt="2+2"
        )
    assert answer == "four" and tasks(rec, name, "add") == 1 and model_steps(rec) == 2


def test_memory_carries_a_conversation_to_the_next_run() -> None:
    """reset=False: the second run continues from the first run's memory, given as data."""
    script = Script(
        [say("unused")],
        # The second run goes on with the first run's conversation, so its script goes on too.
        by_prompt={"first": [call("add", a=2, b=3), say("it is {last}"), say("seen")]},
    )
    agent = ToolCallingAgent(tools=[add], model=ScriptedModel(script), verbosity_level=0)
    task = byof.wrap(agent, env=env(), name="chat", adapter_options={"return_memory": True})
    first = run(task, prompt="first: add 2 and 3")
    assert first["output"] == "it is 5.0" and [s["type"] for s in first["memory"]][0] == "TaskStep"
    second = run(task, prompt="then: what did you say?", reset=False, memory=first["memory"])
    assert second["output"] == "seen"
    last_request = script.requests[-1]
    seen = [m.content for m in last_request.messages]
    assert any("first: add 2 and 3" in c for c in seen) and "5.0" in seen, seen
    assert not agent.memory.steps, "the user's agent remembers nothing of wrapped runs"


def test_memory_without_reset_false_is_refused() -> None:
    agent = ToolCallingAgent(tools=[], model=ScriptedModel(Script([say("x")])), verbosity_level=0)
    with pytest.raises(Exception, match="pass reset=False"):
        run(
            byof.wrap(agent, env=env(), name="bad_memory"),
            prompt="x",
            memory=[{"type": "TaskStep", "task": "t"}],
        )


def test_additional_args_reach_the_agent() -> None:
    script = Script([say("Thought: use them\n<code>\nfinal_answer(numbers[0] + numbers[1])\n</code>")])
    agent = CodeAgent(tools=[], model=ScriptedModel(script), verbosity_level=0)
    task = byof.wrap(agent, env=env(), name="extra_args")
    assert run(task, prompt="add the numbers", additional_args={"numbers": [20, 22]}) == "42"
    assert agent.state == {} and "numbers" not in agent.python_executor.state


def test_final_answer_output_type_types_the_task_output() -> None:
    class NumberAnswer(Tool):
        name = "final_answer"
        description = "The final answer, a number."
        inputs = {"answer": {"type": "number", "description": "the answer"}}
        output_type = "number"

        def forward(self, answer):  # type: ignore[no-untyped-def]
            return answer

    agent = ToolCallingAgent(
        tools=[add, NumberAnswer()],
        model=ScriptedModel(Script([call("add", a=1, b=2), call("final_answer", answer=3.0)])),
        verbosity_level=0,
    )
    assert run(byof.wrap(agent, env=env(), name="typed"), prompt="1+2") == 3.0


def test_a_task_without_a_prompt_is_refused() -> None:
    agent = ToolCallingAgent(tools=[], model=ScriptedModel(Script([say("x")])), verbosity_level=0)
    with pytest.raises(Exception, match="needs a prompt"):
        run(byof.wrap(agent, env=env(), name="no_prompt"))


# -- copies ------------------------------------------------------------------------------------------


steps_seen: list[int] = []


def seen_step(step: ActionStep) -> None:
    steps_seen.append(step.step_number)


def test_users_agent_is_untouched_and_concurrent_runs_do_not_interfere() -> None:
    script = Script(
        [say("unused")],
        by_prompt={
            "one": [call("add", a=1, b=1), say("one: {last}")],
            "two": [call("add", a=2, b=2), say("two: {last}")],
        },
    )
    agent = CodeAgent(
        tools=[add],
        model=ScriptedModel(script),
        managed_agents=[researcher()],
        verbosity_level=0,
        step_callbacks=[seen_step],
    )
    before = snapshot(agent)
    task = byof.wrap(agent, env=env(), name="shared")

    async def both() -> list[Any]:
        runs = [flyte.run.aio(task, prompt=p) for p in ("one", "two")]
        return [r.outputs()[0] for r in await asyncio.gather(*runs)]

    with record_flyte() as rec:
        assert asyncio.run(both()) == ["one: 2.0", "two: 4.0"]
    assert tasks(rec, "shared", "add") == 2
    assert first_difference(before, snapshot(agent)) is None
    assert sorted(steps_seen) == [1, 1, 2, 2], "the user's step callbacks saw both runs' steps"
    assert agent.monitor.total_input_token_count == 0


# -- remote executors ----------------------------------------------------------------------------------


def test_remote_executor_gets_a_sandbox_per_run_and_its_code_tools_are_not_tasks(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A stand-in for smolagents' Docker executor (no Docker here): one per run, cleaned up after
    it; the tools its code calls run in the sandbox, which byof says."""
    import smolagents.agents
    from smolagents.local_python_executor import CodeOutput
    from smolagents.remote_executors import RemotePythonExecutor

    made: list[Any] = []

    class FakeSandbox(RemotePythonExecutor):
        def __init__(self, additional_imports: list[str], logger: Any, **kwargs: Any) -> None:
            self.tools: dict[str, Any] = {}
            self.cleaned = False
            made.append(self)

        def send_tools(self, tools: dict[str, Any]) -> None:
            self.tools = tools

        def send_variables(self, variables: dict[str, Any]) -> None:
            pass

        def __call__(self, code: str) -> Any:
            result = self.tools["add"](2.0, 3.0)  # the sandbox runs the tool it was sent
            return CodeOutput(output=result, logs="", is_final_answer=True)

        def cleanup(self) -> None:
            self.cleaned = True

    monkeypatch.setattr(smolagents.agents, "DockerExecutor", FakeSandbox)
    agent = CodeAgent(
        tools=[add],
        model=ScriptedModel(Script([call("add", a=2, b=3)])),
        executor_type="docker",
        verbosity_level=0,
    )
    assert len(made) == 1
    with caplog.at_level("WARNING", logger="byof.tools"), record_flyte() as rec:
        assert run(byof.wrap(agent, env=env(), name="sandboxed"), prompt="2+3") == "5.0"
    assert len(made) == 2 and made[1].cleaned and not made[0].cleaned
    assert tasks(rec, "sandboxed", "add") == 0 and model_steps(rec) == 1
    assert "runs its code in FakeSandbox" in caplog.text


def test_a_model_without_generate_is_said_to_be_untraced(caplog: pytest.LogCaptureFixture) -> None:
    """smolagents calls `model.generate`; an object without it cannot be traced, and byof says so."""
    from types import SimpleNamespace

    from byof.adapters.smolagents_seams import RunCopier

    agent = ToolCallingAgent(tools=[], model=ScriptedModel(Script([say("x")])), verbosity_level=0)
    agent.model = lambda messages: None  # as very old smolagents code passed models
    router = SimpleNamespace(run=SimpleNamespace(), route=None)
    with caplog.at_level("WARNING", logger="byof.tools"):
        RunCopier(router).agent(agent)  # type: ignore[arg-type]
    assert "has no generate(), the method byof traces" in caplog.text


# -- the multi-agent example: a CodeAgent manager and a web-search ToolCallingAgent -------------------

PAGES = {"https://flyte.org/history": "Flyte was open-sourced by Lyft in January 2020."}


@tool
def web_search(query: str) -> str:
    """Search the web.

    Args:
        query: what to look for
    """
    ran("web_search")
    return "[Flyte history](https://flyte.org/history)" if "flyte" in query.lower() else "no results"


@tool
def visit_webpage(url: str) -> str:
    """Read a web page as text.

    Args:
        url: the page's address
    """
    ran("visit_webpage")
    return PAGES.get(url, "404")


WEB_TASK = "Find the year flyte was open-sourced"
MULTI_AGENT = {
    # The web agent's conversation starts from the task the manager gives it.
    WEB_TASK: [
        call("web_search", query="flyte open source year"),
        call("visit_webpage", url="https://flyte.org/history"),
        call("final_answer", answer="2020, per flyte.org/history"),
    ],
}
MANAGER = [
    say(
        f'Thought: ask the web agent.\n<code>\nfound = web_search_agent(task="{WEB_TASK}")\nprint(found)\n</code>'
    ),
    say(
        "Thought: count the years.\n<code>\nimport math\nfinal_answer(f'{2026 - 2020} years, so {math.floor(6 / 2)} releases')\n</code>"
    ),
]


def test_multi_agent_example_matches_the_raw_run() -> None:
    """The docs' shape: one OpenAIServerModel shared by a CodeAgent manager (with authorized
    imports) and the ToolCallingAgent it manages, whose tools search and visit pages."""
    with ScriptedOpenAIServer(Script(MANAGER, by_prompt=MULTI_AGENT)) as server:
        model = OpenAIServerModel(model_id="gpt-4o-mini", api_base=server.base_url, api_key=server.api_key)
        web_agent = ToolCallingAgent(
            tools=[web_search, visit_webpage],
            model=model,
            max_steps=10,
            name="web_search_agent",
            description="Runs web searches for you. Give it your query as an argument.",
            verbosity_level=0,
        )
        manager = CodeAgent(
            tools=[],
            model=model,
            managed_agents=[web_agent],
            additional_authorized_imports=["math"],
            verbosity_level=0,
        )
        question = "How many years ago was flyte open-sourced?"
        raw = manager.run(question)
        assert raw == "6 years, so 3 releases"
        raw_bodies = [r["body"] for r in server.requests]
        before = client_aside(snapshot(manager))
        bodies.clear()
        with record_flyte() as rec:
            assert run(byof.wrap(manager, env=env(), name="multi"), prompt=question) == raw
        wrapped_bodies = [r["body"] for r in server.requests][len(raw_bodies) :]
    assert wrapped_bodies == raw_bodies, "the model was asked what it was asked raw"
    for tool_name in ("web_search", "visit_webpage"):
        assert tasks(rec, "multi", f"web_search_agent__{tool_name}") == 1 and bodies[tool_name] == 1
    assert model_steps(rec, "gpt-4o-mini") == 5
    after = client_aside(snapshot(manager))
    assert after == before, first_difference(before, after)


# Reached from the model, and no state of the agent: its API client, whose pool of connections a
# run uses as a raw run does (smolagents calls models synchronously; an HTTP client serves any
# thread), and the logging module's registry of every logger in the process.
_ASIDE = ("client", "loggerDict")


def client_aside(snap: Any) -> Any:
    """`snap` without the model's API client and the process's logger registry (see _ASIDE)."""
    if isinstance(snap, list):
        return [
            (item[0], "<aside>")
            if isinstance(item, tuple) and len(item) == 2 and item[0] in _ASIDE
            else client_aside(item)
            for item in snap
        ]
    if isinstance(snap, tuple):
        return tuple(client_aside(item) for item in snap)
    return snap


# -- what agent.run takes per run, and what it returns ----------------------------------------------


def test_max_steps_per_run_ends_the_run_as_smolagents_does() -> None:
    # Out of steps, smolagents asks the model for a last answer: the script's second turn.
    cut = [call("add", a=1, b=1), say("cut short: {last}")]
    free = [call("add", a=1, b=1), call("add", a=2, b=2), say("done: {last}")]
    script = Script(by_prompt={"raw": cut, "wrapped": cut, "free": free})
    agent = ToolCallingAgent(tools=[add], model=ScriptedModel(script), verbosity_level=0)
    raw = agent.run("raw", max_steps=1)
    task = byof.wrap(agent, env=env(), name="per_run_steps")
    with record_flyte() as rec:
        assert run(task, prompt="wrapped", max_steps=1) == raw == "cut short: 2.0"
        assert run(task, prompt="free") == "done: 4.0", "the next run has the agent's max_steps again"
    assert tasks(rec, "per_run_steps", "add") == 3


@pytest.mark.parametrize("where", ["agent", "adapter_options"])
def test_full_result_as_the_agent_or_the_wrap_asks(where: str) -> None:
    script = Script([call("add", a=2, b=3), say("five")])
    on_agent = where == "agent"
    agent = ToolCallingAgent(
        tools=[add], model=ScriptedModel(script), verbosity_level=0, return_full_result=on_agent
    )
    raw = agent.run("add 2 and 3")
    options = {} if on_agent else {"return_full_result": True}
    task = byof.wrap(agent, env=env(), name=f"full_{where}", adapter_options=options)
    out = run(task, prompt="add 2 and 3")
    assert out["output"] == "five" and out["state"] == "success"
    assert {"start_time", "end_time"} <= set(out["timing"])
    if on_agent:  # raw gives the RunResult too: the same, as data
        assert (raw.output, raw.state) == (out["output"], out["state"])
        usage = raw.token_usage
        assert (out["token_usage"]["input_tokens"], out["token_usage"]["output_tokens"]) == (
            usage.input_tokens,
            usage.output_tokens,
        )
    else:
        assert raw == "five"
    with pytest.raises(ValueError, match="return_full_result needs entry='run'"):
        byof.wrap(
            agent,
            env=env(),
            name="full_stream",
            adapter_options={"entry": "stream", "return_full_result": True},
        )
