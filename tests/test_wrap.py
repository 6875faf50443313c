"""byof.wrap end to end: real local Flyte runs of homegrown loops, checked against what Flyte recorded."""

from __future__ import annotations

import asyncio
import json
import threading
from pathlib import Path
from typing import Any

import flyte
import pytest
from flyte_records import run
from pydantic import BaseModel

import byof
from byof.observability.events import Event, ModelCalled, ToolCalled
from byof.testing.recorder import record_flyte

pytestmark = pytest.mark.usefixtures("flyte_local")

calls: dict[str, int] = {}
lock = threading.Lock()


def count(name: str) -> int:
    with lock:
        calls[name] = calls.get(name, 0) + 1
        return calls[name]


@byof.tool
def add(a: float, b: float) -> float:
    """Add two numbers."""
    count("add")
    return a + b


@byof.tool
async def shout(text: str) -> str:
    count("shout")
    return text.upper()


@byof.tool
def flaky(key: str) -> str:
    """Fails on its first call for each key."""
    if count(f"flaky:{key}") == 1:
        raise ConnectionError("transient")
    return f"ok:{key}"


@byof.model_call
async def think(prompt: str) -> dict:
    count("think")
    return {"plan": ["add", "shout"], "prompt": prompt}


@byof.model_call
def think_sync(prompt: str) -> str:
    count("think_sync")
    return prompt[::-1]


async def loop(prompt: str) -> str:
    plan = await think(prompt)
    total = await add.aio(a=1, b=2)
    loud = await shout(text=plan["prompt"])
    return f"{loud} {total}"


def sync_loop(prompt: str) -> str:
    reversed_prompt = think_sync(prompt)
    return f"{reversed_prompt} {add(2, 3)}"


def env(name: str = "wrap-tests") -> flyte.TaskEnvironment:
    return flyte.TaskEnvironment(name)


def test_async_loop_tools_are_child_tasks_and_model_calls_trace_steps() -> None:
    events: list[Event] = []
    task = byof.wrap(loop, env=env(), sinks=[events.append])
    with record_flyte() as rec:
        assert run(task, prompt="hi") == "HI 3.0"
    assert [t.name for t in rec.tasks_named("__add")] == ["wrap-tests.loop__add"]
    assert len(rec.tasks_named("__shout")) == 1
    assert [s.name for s in rec.steps] == ["think"]
    agent_action = rec.tasks_named(".loop")[0].action
    assert rec.steps[0].task_action == agent_action
    tools = [e for e in events if isinstance(e, ToolCalled)]
    assert [(t.name, t.task) for t in tools] == [
        ("add", "wrap-tests.loop__add"),
        ("shout", "wrap-tests.loop__shout"),
    ]


def test_sync_loop_with_sync_tools_and_sync_model_call() -> None:
    task = byof.wrap(sync_loop, env=env())
    with record_flyte() as rec:
        assert run(task, prompt="abc") == "cba 5.0"
    assert len(rec.tasks_named("__add")) == 1 and [s.name for s in rec.steps] == ["think_sync"]


@byof.model_call
def ask_once(prompt: str) -> str:
    count("ask_once")
    return prompt.upper()


@byof.model_call
def ask_with_retry(prompt: str) -> str:
    """A model call that calls a model itself (as a retrying or wrapping model does)."""
    return ask_once(prompt) + "!"


@byof.model_call
async def ask_async(prompt: str) -> str:
    return ask_once(prompt) + "?"


def nested_loop(prompt: str) -> str:
    return ask_with_retry(prompt) + " " + ask_once("b") + " " + asyncio.run(ask_async("c"))


def test_model_call_inside_a_model_call_is_part_of_its_step(tmp_path: Path, monkeypatch) -> None:
    """Traced on its own, the inner call would be a step a replay never reaches (the outer step is
    served whole), shifting every later step's number: the resume would diverge."""
    monkeypatch.setenv("BYOF_JOURNAL_PATH", str(tmp_path / "journal.db"))
    events: list[Event] = []
    task = byof.wrap(nested_loop, env=env(), name="nested", sinks=[events.append])
    for attempt in ("live", "replayed"):
        with record_flyte() as rec:
            assert flyte.with_runcontext(name="nested-run").run(task, prompt="a").outputs()[0] == "A! B C?"
        assert [s.name for s in rec.steps] == ["ask_with_retry", "ask_once", "ask_async"], attempt
    calls = [e for e in events if isinstance(e, ModelCalled)]
    assert [(c.name, c.seq) for c in calls] == [("ask_with_retry", 1), ("ask_once", 2), ("ask_async", 3)] * 2
    assert [c.replayed for c in calls] == [False] * 3 + [True] * 3


def test_wrapped_task_awaited_from_another_task_and_fanned_out() -> None:
    e = env("fan-out")
    task = byof.wrap(loop, env=e)

    @e.task
    async def parent(prompts: list[str]) -> list[str]:
        return list(await asyncio.gather(*(task(prompt=p) for p in prompts)))

    with record_flyte() as rec:
        out = run(parent, prompts=["a", "b", "c"])
    assert out == ["A 3.0", "B 3.0", "C 3.0"]
    assert len(rec.tasks_named(".loop")) == 3 and len(rec.tasks_named("__shout")) == 3
    assert len(rec.steps) == 3


@pytest.mark.parametrize(("mode", "as_task", "as_step"), [("task", 1, 0), ("trace", 0, 1), ("inline", 0, 0)])
def test_tool_modes(mode: str, as_task: int, as_step: int) -> None:
    events: list[Event] = []
    task = byof.wrap(loop, env=env(), tools=mode, trace_models=False, sinks=[events.append])
    with record_flyte() as rec:
        assert run(task, prompt="x") == "X 3.0"
    assert len(rec.tasks_named("__add")) == as_task
    assert len([s for s in rec.steps if s.name.endswith("__add")]) == as_step
    assert {e.mode for e in events if isinstance(e, ToolCalled)} == {mode}


def test_per_tool_override_and_untraced_models_say_so() -> None:
    events: list[Event] = []
    task = byof.wrap(
        loop, env=env(), tool_options={"shout": "inline"}, trace_models=False, sinks=[events.append]
    )
    with record_flyte() as rec:
        run(task, prompt="x")
    assert len(rec.tasks_named("__add")) == 1 and not rec.tasks_named("__shout")
    assert not rec.steps
    model_events = [e for e in events if isinstance(e, ModelCalled)]
    assert model_events and all(not e.traced for e in model_events)


def test_tool_retries_are_flyte_retries() -> None:
    async def uses_flaky(prompt: str) -> str:
        return await flaky.aio(key=prompt)

    task = byof.wrap(uses_flaky, env=env(), tool_options={"flaky": byof.ToolOptions(retries=1)})
    with record_flyte() as rec:
        assert run(task, prompt="r1") == "ok:r1"
    attempts = rec.tasks_named("__flaky")
    assert len(attempts) == 2 and attempts[0].error and not attempts[1].error


def test_tool_without_retries_surfaces_its_own_exception_class() -> None:
    async def uses_flaky(prompt: str) -> str:
        try:
            return await flaky.aio(key=prompt)
        except ConnectionError as exc:
            return f"caught {type(exc).__name__}: {exc}"

    task = byof.wrap(uses_flaky, env=env())
    assert run(task, prompt="r2") == "caught ConnectionError: transient"


def test_tool_in_another_environment_and_resources() -> None:
    gpu = flyte.TaskEnvironment("gpu-env", resources=flyte.Resources(cpu=1))
    opts = byof.ToolOptions(env=gpu, resources=flyte.Resources(cpu=2, memory="1Gi"))
    task = byof.wrap(loop, env=env(), tool_options={"add": opts})
    with record_flyte() as rec:
        run(task, prompt="x")
    assert [t.name for t in rec.tasks_named("__add")] == ["gpu-env.loop__add"]
    tool_task = byof.wrapped_agent(task).tool_task("add")
    assert tool_task.resources.cpu == 2 and tool_task.parent_env().name == "gpu-env"
    assert "loop__add" not in str(list(gpu.tasks)), "the user's environment must not gain run-time tasks"


def test_task_retries_rerun_the_agent() -> None:
    attempts = {"n": 0}

    async def fragile(prompt: str) -> str:
        attempts["n"] += 1
        if attempts["n"] == 1:
            raise RuntimeError("first attempt fails")
        return "recovered"

    task = byof.wrap(fragile, env=env(), retries=1)
    assert run(task, prompt="x") == "recovered" and attempts["n"] == 2


class Answer(BaseModel):
    value: int
    unit: str


def test_structured_output_comes_back_as_json_data() -> None:
    async def structured(prompt: str) -> Answer:
        return Answer(value=len(prompt), unit="chars")

    task = byof.wrap(structured, env=env())
    assert run(task, prompt="four") == {"value": 4, "unit": "chars"}


def test_callable_object_and_lambda_are_agents() -> None:
    class Loop:
        def __call__(self, prompt: str) -> str:
            return prompt * 2

    assert run(byof.wrap(Loop(), env=env(), name="obj"), prompt="ab") == "abab"
    assert run(byof.wrap(lambda p: p.upper(), env=env(), name="lam"), prompt="ab") == "AB"


def test_report_holds_the_trace() -> None:
    task = byof.wrap(loop, env=env(), report=True)
    result = flyte.run(task, prompt="rep")
    reports = list(Path(result.url).rglob("report.html"))
    assert reports, f"no report written under {result.url}"
    html = reports[0].read_text()
    assert "<h3>Trace</h3>" in html and ">shout<" in html and ">think #1<" in html
    assert result.outputs()[0] == "REP 3.0"


def test_policy_plugin_registered_globally_blocks_and_is_recorded() -> None:
    events: list[Event] = []

    class NoShouting:
        def byof_before_tool_call(self, call: byof.ToolCall) -> byof.Block | None:
            return byof.Block("no shouting", policy="quiet") if call.tool == "shout" else None

    async def guarded(prompt: str) -> str:
        try:
            return await shout(text=prompt)
        except byof.ToolBlocked as blocked:
            return f"blocked: {blocked.reason} by {blocked.policy}"

    policy = NoShouting()
    byof.register(policy)
    try:
        task = byof.wrap(guarded, env=env(), sinks=[events.append])
        with record_flyte() as rec:
            assert run(task, prompt="x") == "blocked: no shouting by quiet"
    finally:
        byof.unregister(policy)
    assert not rec.tasks_named("__shout")
    assert [e.kind for e in events if e.kind.startswith("tool")] == ["tool.blocked"]


def test_events_reach_global_sink_plugins_redacted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACME_API_KEY", "acme-secret-value-42")
    seen: list[Event] = []

    class Sink:
        def byof_on_event(self, event: Event) -> None:
            seen.append(event)

    async def leaky(prompt: str) -> str:
        return await shout(text="acme-secret-value-42")

    sink = Sink()
    byof.register(sink)
    try:
        run(byof.wrap(leaky, env=env()), prompt="x")
    finally:
        byof.unregister(sink)
    dumped = json.dumps([e.to_dict() for e in seen])
    assert "acme-secret-value-42" not in dumped and "[REDACTED:ACME_API_KEY]" in dumped


def test_agent_task_registered_in_env_for_deploy() -> None:
    e = env("deployable")
    task = byof.wrap(loop, env=e, name="weather")
    assert e.tasks["deployable.weather"] is task
    assert list(task.interface.inputs) == ["prompt"] and task.interface.outputs["o0"] is str


TOOL_V1 = """
import byof
runs = []

@byof.tool
def lookup(city: str) -> str:
    runs.append(city)
    return f"v1:{city}"
"""


def test_cached_tool_is_served_by_flyte_and_invalidated_by_editing_it(tmp_path: Path, monkeypatch) -> None:
    import importlib
    import sys
    import uuid

    module = f"cached_tool_{uuid.uuid4().hex[:8]}"
    path = tmp_path / f"{module}.py"
    path.write_text(TOOL_V1)
    monkeypatch.syspath_prepend(str(tmp_path))
    tools = importlib.import_module(module)

    def wrapped() -> Any:
        async def agent(prompt: str) -> str:
            return await sys.modules[module].lookup.aio(city=prompt)

        return byof.wrap(
            agent, env=env("cache"), name=f"cached_{module}", tool_options={"lookup": {"cache": "auto"}}
        )

    assert run(wrapped(), prompt="Paris") == "v1:Paris"
    assert run(wrapped(), prompt="Paris") == "v1:Paris"
    assert tools.runs == ["Paris"], "the second identical call should come from Flyte's cache"

    path.write_text(TOOL_V1.replace("v1:", "v2:"))
    tools = importlib.reload(tools)
    assert run(wrapped(), prompt="Paris") == "v2:Paris", (
        "an edited tool must not be served a stale cached result"
    )
    assert tools.runs == ["Paris"]


def test_auto_cache_on_a_tool_without_source_is_refused() -> None:
    namespace: dict[str, Any] = {}
    exec("def upper(text: str) -> str:\n    return text.upper()", namespace)  # no source file to version
    upper = byof.tool(namespace["upper"])

    async def agent(prompt: str) -> str:
        return await upper.aio(prompt)

    task = byof.wrap(agent, env=env(), tool_options={"upper": {"cache": "auto"}})
    with pytest.raises(Exception, match="cache='auto' versions the cache by the tool's source"):
        run(task, prompt="x")


def test_tools_and_model_calls_from_threads_without_the_run_context_stay_durable() -> None:
    """A raw threading.Thread (no copied context), sync and with its own event loop: still durable."""
    results: dict[str, Any] = {}

    def worker() -> None:
        results["sync_tool"] = add(4, 5)
        results["sync_model"] = think_sync("xyz")
        results["async_tool"] = asyncio.run(shout(text="raw"))

    async def threaded(prompt: str) -> str:
        thread = threading.Thread(target=worker)
        thread.start()
        await asyncio.to_thread(thread.join)
        return json.dumps(results, sort_keys=True)

    task = byof.wrap(threaded, env=env())
    with record_flyte() as rec:
        out = json.loads(run(task, prompt="x"))
    assert out == {"async_tool": "RAW", "sync_model": "zyx", "sync_tool": 9.0}
    assert len(rec.tasks_named("__add")) == 1 and len(rec.tasks_named("__shout")) == 1
    assert [s.name for s in rec.steps] == ["think_sync"]


def test_failed_run_emits_an_error_event() -> None:
    events: list[Event] = []

    async def broken(prompt: str) -> str:
        raise KeyError("missing config")

    task = byof.wrap(broken, env=env(), sinks=[events.append])
    with pytest.raises(Exception, match="missing config"):
        run(task, prompt="x")
    errors = [e for e in events if e.kind == "error"]
    assert len(errors) == 1 and errors[0].error_type == "KeyError" and errors[0].where == "agent"
    assert [e.kind for e in events][-1] == "agent.end" and events[-1].error


def test_two_agents_under_one_name_in_one_environment_are_refused() -> None:
    shared = env("names")

    async def first(prompt: str) -> str:
        return "first"

    async def second(prompt: str) -> str:
        return "second"

    task = byof.wrap(first, env=shared, name="helper")
    assert byof.wrap(first, env=shared, name="helper").name == task.name, (
        "the same agent may be wrapped again"
    )
    with pytest.raises(byof.TaskNameError) as info:
        byof.wrap(second, env=shared, name="helper")
    message = str(info.value)
    assert "'names.helper'" in message and "first" in message and "second" in message
    assert "name=" in message
    assert list(shared.tasks) == ["names.helper"], "a refused wrap leaves nothing behind"
    assert run(byof.wrapped_agent(task).task, prompt="x") == "first"


DEFAULT_NAMES = """
import json, flyte, byof
env = flyte.TaskEnvironment("defaults")
tasks = [
    byof.wrap(lambda prompt: "a", env=env),
    byof.wrap(lambda prompt: "b", env=env),
    byof.wrap(type("Agent", (), {"name": "météo", "__call__": lambda self, prompt: "c"})(), env=env),
    byof.wrap(type("Agent", (), {"name": "天气", "__call__": lambda self, prompt: "d"})(), env=env),
    byof.wrap(type("Agent", (), {"name": "weather-bot", "__call__": lambda self, prompt: "e"})(), env=env),
]
print(json.dumps([t.name for t in tasks]))
"""


def test_default_names_are_unique_and_the_same_in_every_process(tmp_path: Path) -> None:
    """Every lambda is `<lambda>` and non-ASCII names clean down to nothing: their default task
    names must still differ, and come out the same in a fresh process (a worker rebuilds the
    task by its name)."""
    import subprocess
    import sys

    module = tmp_path / "default_names.py"
    module.write_text(DEFAULT_NAMES)
    names = [
        json.loads(subprocess.run([sys.executable, str(module)], capture_output=True, text=True).stdout)
        for _ in range(2)
    ]
    assert names[0] == names[1]
    assert len(set(names[0])) == 5 and all(n.isascii() for n in names[0])
    assert names[0][4] == "defaults.weather_bot"
    assert names[0][0].startswith("defaults.lambda_") and names[0][2].startswith("defaults.m_t_o_")


class TripwireTriggered(Exception):
    """Like a framework's guardrail error: it needs more than a message to be built."""

    def __init__(self, guardrail: str, *, info: dict[str, Any]) -> None:
        super().__init__(f"guardrail {guardrail} tripped")
        self.guardrail, self.info = guardrail, info


def test_a_caller_recovers_the_agent_error_class_with_original_error() -> None:
    async def guarded(prompt: str) -> str:
        raise TripwireTriggered("no-homework", info={"prompt": prompt})

    task = byof.wrap(guarded, env=env())
    with pytest.raises(flyte.errors.RuntimeUserError) as info:
        flyte.run(task, prompt="do my homework")
    original = byof.original_error(info.value)
    assert isinstance(original, TripwireTriggered) and str(original) == "guardrail no-homework tripped"
    assert original.__cause__ is info.value
    other = flyte.errors.RuntimeUserError("OOMKilled", "out of memory")
    assert byof.original_error(other) is other


def test_a_conversation_given_as_history_is_read_once_per_message() -> None:
    """A model call's conversation given apart (byof.kit.History): each message is turned into
    JSON once per run, the step's identity still covers all of it, and the model-call event
    shows only what is new since the run's previous call."""
    from byof.kit import History
    from byof.runtime.run_context import current_run

    converted: list[str] = []

    def to_json(message: tuple[str, str]) -> dict:
        converted.append(message[1])
        return {"role": message[0], "content": message[1]}

    async def chatty(prompt: str) -> str:
        run = current_run()
        assert run is not None
        conversation = [("user", prompt)]
        for turn in range(3):

            async def answer(turn: int = turn) -> str:
                return f"answer {turn}"

            reply = await run.tracer.acall(
                {"model": "m"}, answer, name="chat", history=History("messages", list(conversation), to_json)
            )
            conversation += [("assistant", reply), ("user", f"and then {turn}?")]
        return conversation[-2][1]

    events: list[Event] = []
    task = byof.wrap(chatty, env=env(), sinks=[events.append])
    assert run(task, prompt="hi") == "answer 2"
    assert converted == ["hi", "answer 0", "and then 0?", "answer 1", "and then 1?"], "each message once"
    calls = [e for e in events if isinstance(e, ModelCalled)]
    shown = [[m["content"] for m in e.input["messages"]] for e in calls]
    assert shown == [["hi"], ["answer 0", "and then 0?"], ["answer 1", "and then 1?"]]
    assert [e.input["earlier_items"] for e in calls] == [0, 1, 3]
    assert len({e.fingerprint for e in calls}) == 3
