"""The OpenAI Agents SDK adapter end to end: real local Flyte runs of agents as users build them.

Every test runs the wrapped agent with `flyte.run` on Flyte's embedded local runtime and checks
what Flyte recorded (tool child tasks, model trace steps) and the answer the task returned.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("agents")

import flyte
import openai
from agents import (
    Agent,
    CodeInterpreterTool,
    FileSearchTool,
    FunctionTool,
    GuardrailFunctionOutput,
    InputGuardrailTripwireTriggered,
    ModelProvider,
    ModelSettings,
    OpenAIChatCompletionsModel,
    OpenAIProvider,
    OpenAIResponsesModel,
    OutputGuardrailTripwireTriggered,
    RunConfig,
    RunContextWrapper,
    Runner,
    SQLiteSession,
    UserError,
    WebSearchTool,
    function_tool,
    handoff,
    input_guardrail,
    output_guardrail,
    set_tracing_disabled,
)
from agents.models.interface import Model
from agents.models.multi_provider import MultiProvider
from agents.result import RunResultStreaming
from agents.retry import ModelRetryAdvice, ModelRetrySettings, retry_policies
from agents.testing import ModelStep, ScriptedModel, assistant_message
from agents.testing import function_call as sdk_function_call
from agents.tool_context import ToolContext
from flyte_records import model_steps, run, tasks
from openai import AsyncOpenAI
from openai.types.responses import ResponseFunctionWebSearch
from pydantic import BaseModel

import byof
from byof.testing.openai_agents import ScriptedAgentsModel
from byof.testing.openai_server import ScriptedOpenAIServer
from byof.testing.recorder import record_flyte
from byof.testing.script import Script, call, calls, say
from byof.testing.snapshot import first_difference, snapshot

set_tracing_disabled(True)  # no trace export from tests

pytestmark = pytest.mark.usefixtures("flyte_local")

MODEL = "scripted-model"


def env(name: str = "oa-tests") -> flyte.TaskEnvironment:
    return flyte.TaskEnvironment(name)


class RecordingModel(ScriptedAgentsModel):
    """byof's scripted model, also keeping the very tool objects each call was given."""

    def __init__(self, script: Script, model: str = MODEL) -> None:
        super().__init__(script, model)
        self.tools: list[list[Any]] = []

    async def get_response(
        self,
        system_instructions: Any,
        input: Any,
        model_settings: Any,
        tools: list[Any],
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        self.tools.append(list(tools))
        return await super().get_response(system_instructions, input, model_settings, tools, *args, **kwargs)


def described(tools: list[Any]) -> list[tuple[Any, ...]]:
    """Tools as the model is told about them."""
    return [
        (
            type(t).__name__,
            t.name,
            getattr(t, "description", None),
            getattr(t, "params_json_schema", None),
            getattr(t, "strict_json_schema", None),
        )
        for t in tools
    ]


# -- tools of every kind, and the user's context ------------------------------------------------


@dataclasses.dataclass
class User:
    name: str
    tier: int = 1


class Settings(BaseModel):
    region: str
    limit: int = 3


@function_tool
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


@function_tool
async def shout(text: str) -> str:
    """Upper-case a text."""
    await asyncio.sleep(0)
    return text.upper()


@function_tool
def greet(ctx: RunContextWrapper[User], greeting: str) -> str:
    """Greet the current user."""
    return f"{greeting} {ctx.context.name} (tier {ctx.context.tier})"


@function_tool
async def tier(ctx: RunContextWrapper[User]) -> int:
    """The current user's tier."""
    await asyncio.sleep(0)
    return ctx.context.tier


@function_tool
async def whereami(ctx: ToolContext[User]) -> str:
    """Say which tool call this is, and in which Flyte action it runs."""
    return f"{ctx.tool_name}:{ctx.tool_call_id}:{ctx.tool_arguments}:{ctx.context.name}:{flyte.ctx().action.name}"


def show_error(ctx: RunContextWrapper[Any], error: Exception) -> str:
    return f"failed: {type(error).__name__}: {error}"


@function_tool(failure_error_function=show_error)
def fragile(n: int) -> int:
    """Fail on odd numbers."""
    if n % 2:
        raise ValueError(f"{n} is odd")
    return n


async def echo_invoker(ctx: ToolContext[Any], arguments: str) -> str:
    return "echo " + json.loads(arguments)["text"]


echo = FunctionTool(
    name="echo",
    description="Echo a text.",
    params_json_schema={
        "type": "object",
        "properties": {"text": {"type": "string"}},
        "required": ["text"],
        "additionalProperties": False,
    },
    on_invoke_tool=echo_invoker,
)


def test_every_function_tool_kind_is_a_child_task_and_looks_the_same_to_the_model(
    caplog: pytest.LogCaptureFixture,
) -> None:
    turns = [
        calls(
            ("add", {"a": 1, "b": 2}),
            ("shout", {"text": "hey"}),
            ("greet", {"greeting": "hi"}),
            ("tier", {}),
            ("fragile", {"n": 3}),
            ("echo", {"text": "back"}),
        ),
        say("{results}"),
    ]
    script = Script(by_prompt={"raw": turns, "wrapped": turns})
    model = RecordingModel(script)
    agent = Agent[User](name="kinds", model=model, tools=[add, shout, greet, tier, fragile, echo])
    raw = Runner.run_sync(agent, "raw", context=User("ada", 2)).final_output
    assert raw == "3, HEY, hi ada (tier 2), 2, failed: ValueError: 3 is odd, echo back"
    task = byof.wrap(agent, env=env(), name="kinds", adapter_options={"context_type": User})
    with caplog.at_level(logging.WARNING, logger="byof.tools"), record_flyte() as rec:
        assert run(task, prompt="wrapped", context={"name": "ada", "tier": 2}) == raw
    for name in ("add", "shout", "greet", "tier", "fragile"):
        assert [t.name for t in rec.tasks_named(f"__{name}")] == [f"oa-tests.kinds__{name}"], name
    assert "3 is odd" in (rec.tasks_named("__fragile")[0].error or "")
    assert not rec.tasks_named("__echo"), "a custom invoker has no Python function to run as a task"
    assert any(
        "'echo'" in r.getMessage() and "custom on_invoke_tool" in r.getMessage() for r in caplog.records
    )
    assert model_steps(rec) == 2
    seen = script.tools_seen()
    assert len(seen) == 4 and seen[0] == seen[1] == seen[2] == seen[3]
    assert described(model.tools[0]) == described(model.tools[2])
    assert model.tools[2][-1] is echo


@function_tool(failure_error_function=None)
def brittle(n: int) -> int:
    """Fail, with no failure handling."""
    raise LookupError(f"no item {n}")


def test_tool_error_without_failure_handling_fails_the_run_like_an_unwrapped_one() -> None:
    turns = [call("brittle", n=4), say("never")]
    script = Script(by_prompt={"raw": turns, "wrapped": turns})
    agent = Agent(name="brittle", model=ScriptedAgentsModel(script), tools=[brittle])
    with pytest.raises(UserError) as raw:
        Runner.run_sync(agent, "raw")
    task = byof.wrap(agent, env=env(), name="brittle")
    with record_flyte() as rec, pytest.raises(Exception) as wrapped:
        run(task, prompt="wrapped")
    original = byof.original_error(wrapped.value)
    assert type(original) is UserError and str(original) == str(raw.value)
    assert "no item 4" in str(raw.value) and len(rec.tasks_named("brittle__brittle")) == 1


def test_tool_context_reaches_the_tool_inside_its_own_task() -> None:
    script = Script([call("whereami", _id="call_7"), say("{last}")])
    agent = Agent[User](name="where", model=ScriptedAgentsModel(script), tools=[whereami])
    task = byof.wrap(agent, env=env(), name="where", adapter_options={"context_type": User})
    with record_flyte() as rec:
        out = run(task, prompt="where?", context={"name": "grace"})
    (record,) = rec.tasks_named("where__whereami")
    assert out == f"whereami:call_7:{{}}:grace:{record.action}"


@pytest.mark.parametrize(
    ("context_type", "context", "expected"),
    [
        (User, {"name": "grace"}, "User(name='grace', tier=1)"),
        (Settings, {"region": "eu", "limit": 5}, "Settings(region='eu', limit=5)"),
    ],
)
def test_context_given_as_json_reaches_the_tool_task(
    context_type: type, context: dict, expected: str
) -> None:
    @function_tool
    def whoami(ctx: RunContextWrapper[Any]) -> str:
        """Describe the run's context object."""
        return f"{ctx.context!r} in {flyte.ctx().action.name}"

    script = Script([call("whoami"), say("{last}")])
    name = f"ctx_{context_type.__name__}"
    agent = Agent(name=name, model=ScriptedAgentsModel(script), tools=[whoami])
    task = byof.wrap(agent, env=env(), name=name, adapter_options={"context_type": context_type})
    with record_flyte() as rec:
        out = run(task, prompt="who am i", context=context)
    (record,) = rec.tasks_named(f"{name}__whoami")
    assert out == f"{expected} in {record.action}"


# -- models ----------------------------------------------------------------------------------------


class ScriptProvider(ModelProvider):
    """Resolves any model name to a scripted model of that name."""

    def __init__(self, script: Script) -> None:
        self.script = script

    def get_model(self, model_name: str | None) -> Model:
        return ScriptedAgentsModel(self.script, model=model_name or "default-model")


def test_model_name_resolved_by_the_run_configs_provider() -> None:
    script = Script([call("add", a=2, b=2), say("four: {last}")])
    agent = Agent(name="named", model="house-model", tools=[add])
    config = RunConfig(model_provider=ScriptProvider(script))
    task = byof.wrap(agent, env=env(), name="named", adapter_options={"run_config": config})
    with record_flyte() as rec:
        assert run(task, prompt="2+2") == "four: 4"
    assert model_steps(rec, "house-model") == 2 and tasks(rec, "named", "add") == 1
    assert [r.model for r in script.requests] == ["house-model", "house-model"]


def test_model_name_resolved_by_the_default_provider_which_the_run_closes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    closed: list[MultiProvider] = []
    original = MultiProvider.aclose

    async def aclose(self: MultiProvider) -> None:
        closed.append(self)
        await original(self)

    monkeypatch.setattr(MultiProvider, "aclose", aclose)
    script = Script([call("add", a=1, b=2), say("three: {last}")])
    agent = Agent(name="default_provider", model="gpt-4o-mini", tools=[add])
    task = byof.wrap(agent, env=env(), name="default_provider")
    with ScriptedOpenAIServer(script) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", server.api_key)
        with record_flyte() as rec:
            assert run(task, prompt="1+2") == "three: 3"
        assert server.count("/responses") == 2
    assert model_steps(rec, "gpt-4o-mini") == 2 and tasks(rec, "default_provider", "add") == 1
    assert len(closed) == 1, "the provider the SDK would have made and closed is closed"


def test_model_name_resolved_by_an_openai_provider_against_the_scripted_server() -> None:
    script = Script([call("add", a=20, b=22), say("the answer is {last}")])
    agent = Agent(name="provided", model="gpt-4o-mini", tools=[add])
    with ScriptedOpenAIServer(script) as server:
        provider = OpenAIProvider(base_url=server.base_url, api_key=server.api_key)
        config = RunConfig(model_provider=provider)
        task = byof.wrap(agent, env=env(), name="provided", adapter_options={"run_config": config})
        with record_flyte() as rec:
            assert run(task, prompt="20+22?") == "the answer is 42"
        assert len(server.requests) == 2
    assert model_steps(rec, "gpt-4o-mini") == 2 and tasks(rec, "provided", "add") == 1


def test_model_instance_on_the_agent_is_traced() -> None:
    # The official Flyte adapter traces only models resolved by name; byof traces this one too.
    script = Script([call("add", a=1, b=1), say("two: {last}")])
    agent = Agent(name="instance", model=ScriptedAgentsModel(script, model="on-agent"), tools=[add])
    task = byof.wrap(agent, env=env(), name="instance")
    with record_flyte() as rec:
        assert run(task, prompt="1+1") == "two: 2"
    assert model_steps(rec, "on-agent") == 2 and len(rec.steps) == 2
    assert tasks(rec, "instance", "add") == 1


def test_run_config_model_instance_overrides_the_agents_model() -> None:
    script = Script([call("add", a=3, b=3), say("six: {last}")])
    unused = Script([])  # asked for anything, it fails the run
    agent = Agent(name="overridden", model=ScriptedAgentsModel(unused, model="agent-model"), tools=[add])
    config = RunConfig(model=ScriptedAgentsModel(script, model="config-model"))
    task = byof.wrap(agent, env=env(), name="overridden", adapter_options={"run_config": config})
    with record_flyte() as rec:
        assert run(task, prompt="3+3") == "six: 6"
    assert model_steps(rec, "config-model") == 2 and len(rec.steps) == 2
    assert unused.call_count == 0 and tasks(rec, "overridden", "add") == 1


def test_sdk_scripted_model_is_traced() -> None:
    model = ScriptedModel(
        [
            [sdk_function_call("add", {"a": 4, "b": 5}, call_id="call_1")],
            [assistant_message("nine")],
        ]
    )
    agent = Agent(name="sdk_scripted", model=model, tools=[add])
    task = byof.wrap(agent, env=env(), name="sdk_scripted")
    with record_flyte() as rec:
        assert run(task, prompt="4+5") == "nine"
    assert model_steps(rec, "ScriptedModel") == 2 and tasks(rec, "sdk_scripted", "add") == 1
    assert model.remaining_steps == 0 and len(model.calls) == 2
    assert model.calls[1].input[-1]["output"] == "9"


def test_provider_retry_advice_reaches_the_sdks_model_retries() -> None:
    advice = ModelRetryAdvice(suggested=True)
    model = ScriptedModel(
        [ModelStep.raise_error(RuntimeError("flaky"), retry_advice=advice), [assistant_message("ok")]]
    )
    retry = ModelRetrySettings(
        max_retries=1,
        policy=retry_policies.provider_suggested(),
        backoff={"initial_delay": 0, "jitter": False},
    )
    agent = Agent(name="retried", model=model, model_settings=ModelSettings(retry=retry))
    task = byof.wrap(agent, env=env(), name="retried")
    with record_flyte() as rec:
        assert run(task, prompt="hi") == "ok"
    steps = rec.steps_named("ScriptedModel")
    assert [s.error for s in steps] == ["RuntimeError: flaky", None], "each attempt is its own step"


@pytest.mark.parametrize("model_class", [OpenAIResponsesModel, OpenAIChatCompletionsModel])
def test_real_openai_models_against_the_scripted_server(model_class: type) -> None:
    script = Script([call("add", a=20, b=22), say("the answer is {last}")])
    with ScriptedOpenAIServer(script) as server:
        client = AsyncOpenAI(base_url=server.base_url, api_key=server.api_key, max_retries=0)
        agent = Agent(name="oai", model=model_class(model="gpt-4o-mini", openai_client=client), tools=[add])
        name = f"oai_{model_class.__name__}"
        task = byof.wrap(agent, env=env(), name=name)
        with record_flyte() as rec:
            assert run(task, prompt="what is 20+22?") == "the answer is 42"
        bodies = [r["body"] for r in server.requests]
    path = "/v1/responses" if model_class is OpenAIResponsesModel else "/v1/chat/completions"
    assert [r["path"] for r in server.requests] == [path, path]
    assert model_steps(rec, "gpt-4o-mini") == 2 and tasks(rec, name, "add") == 1
    tools = [t.get("function", t) for t in bodies[0]["tools"]]  # Chat nests under "function"
    assert [(t["name"], t["description"]) for t in tools] == [("add", "Add two integers.")]


# -- handoffs and agents as tools -----------------------------------------------------------------


@function_tool
def refund(order: str) -> str:
    """Refund an order."""
    return f"refunded {order}"


@function_tool
def lookup(order: str) -> str:
    """Look an order up."""
    return f"{order} shipped"


@pytest.mark.parametrize("as_handoff", [False, True], ids=["agent", "handoff"])
def test_handoff_target_models_and_tools_are_durable(as_handoff: bool) -> None:
    # The target sees the whole conversation: its first answer is the conversation's second turn.
    billing_script = Script([say("never"), call("refund", order="A7"), say("billing: {last}")])
    billing = Agent(
        name="billing", model=ScriptedAgentsModel(billing_script, "billing-model"), tools=[refund]
    )
    triage_script = Script([calls(("lookup", {"order": "A7"}), ("transfer_to_billing", {}))])
    triage = Agent(
        name="triage",
        model=ScriptedAgentsModel(triage_script, "triage-model"),
        tools=[lookup],
        handoffs=[handoff(billing) if as_handoff else billing],
    )
    name = f"triage_{'handoff' if as_handoff else 'agent'}"
    before = snapshot(triage)
    task = byof.wrap(triage, env=env(), name=name)
    with record_flyte() as rec:
        assert run(task, prompt="refund A7") == "billing: refunded A7"
    after = snapshot(triage)
    assert after == before, first_difference(before, after)
    assert model_steps(rec, "triage-model") == 1 and model_steps(rec, "billing-model") == 2
    assert tasks(rec, name, "lookup") == 1 and tasks(rec, name, "refund") == 1
    assert [t.name for t in billing_script.tools_seen()[0]] == ["refund"]


def test_agent_as_tool_runs_its_models_and_tools_durably() -> None:
    expert_script = Script([call("lookup", order="B2"), say("expert: {last}")])
    expert = Agent(name="expert", model=ScriptedAgentsModel(expert_script, "expert-model"), tools=[lookup])
    boss_script = Script(
        [calls(("ask_expert", {"input": "where is B2?"}), ("add", {"a": 1, "b": 1})), say("{results}")]
    )
    boss = Agent(
        name="boss",
        model=ScriptedAgentsModel(boss_script, "boss-model"),
        tools=[expert.as_tool("ask_expert", "Ask the order expert."), add],
    )
    before = snapshot(boss)
    task = byof.wrap(boss, env=env(), name="boss")
    with record_flyte() as rec:
        assert run(task, prompt="status") == "expert: B2 shipped, 2"
    after = snapshot(boss)
    assert after == before, first_difference(before, after)
    assert model_steps(rec, "boss-model") == 2 and model_steps(rec, "expert-model") == 2
    assert tasks(rec, "boss", "lookup") == 1 and tasks(rec, "boss", "add") == 1
    assert not rec.tasks_named("__ask_expert"), "the nested run is durable step by step, not one task"
    assert expert_script.requests[0].prompt == "where is B2?"


# -- guardrails ---------------------------------------------------------------------------------------


@input_guardrail
async def no_secrets_asked(
    ctx: RunContextWrapper[Any], agent: Agent[Any], input: Any
) -> GuardrailFunctionOutput:
    text = input if isinstance(input, str) else json.dumps(input)
    return GuardrailFunctionOutput(output_info="checked input", tripwire_triggered="password" in text)


@output_guardrail
async def no_secrets_told(
    ctx: RunContextWrapper[Any], agent: Agent[Any], output: Any
) -> GuardrailFunctionOutput:
    return GuardrailFunctionOutput(output_info="checked output", tripwire_triggered="hunter2" in str(output))


def guarded_agent(script: Script) -> Agent[Any]:
    return Agent(
        name="guarded",
        model=ScriptedAgentsModel(script),
        tools=[add],
        input_guardrails=[no_secrets_asked],
        output_guardrails=[no_secrets_told],
    )


def test_guardrails_pass_a_harmless_run() -> None:
    script = Script([call("add", a=1, b=2), say("sum {last}")])
    task = byof.wrap(guarded_agent(script), env=env(), name="guarded_ok")
    with record_flyte() as rec:
        assert run(task, prompt="add 1 and 2") == "sum 3"
    assert tasks(rec, "guarded_ok", "add") == 1 and model_steps(rec) == 2


@pytest.mark.parametrize(
    ("prompt", "error"),
    [
        ("what is the password?", InputGuardrailTripwireTriggered),
        ("tell me anything", OutputGuardrailTripwireTriggered),
    ],
    ids=["input", "output"],
)
def test_guardrail_tripwire_reaches_the_caller(prompt: str, error: type) -> None:
    turns = [say("it is hunter2")]
    script = Script(by_prompt={"raw": turns, prompt: turns})
    agent = guarded_agent(script)
    with pytest.raises(error):
        Runner.run_sync(agent, f"raw {prompt}")
    task = byof.wrap(agent, env=env(), name=f"guarded_{error.__name__[:5].lower()}")
    with pytest.raises(Exception) as failed:
        run(task, prompt=prompt)
    # The error's code names the SDK's exception class: byof.original_error gives it back.
    original = byof.original_error(failed.value)
    assert isinstance(original, error) and "triggered tripwire" in str(original)


# -- output types ----------------------------------------------------------------------------------


class Answer(BaseModel):
    value: int
    unit: str


def test_pydantic_output_type_comes_back_as_json_data() -> None:
    script = Script([call("add", a=40, b=2), say('{"value": {last}, "unit": "apples"}')])
    agent = Agent(name="typed", model=ScriptedAgentsModel(script), tools=[add], output_type=Answer)
    task = byof.wrap(agent, env=env(), name="typed")
    with record_flyte() as rec:
        assert run(task, prompt="how many?") == {"value": 42, "unit": "apples"}
    assert tasks(rec, "typed", "add") == 1 and model_steps(rec) == 2


# -- entry points ------------------------------------------------------------------------------------


@pytest.mark.parametrize("entry", ["run", "run_sync", "run_streamed"])
def test_entry_points_give_the_same_answer(entry: str, monkeypatch: pytest.MonkeyPatch) -> None:
    events: list[Any] = []
    original = RunResultStreaming.stream_events

    async def recorded(self: RunResultStreaming) -> AsyncIterator[Any]:
        async for event in original(self):
            events.append(event)
            yield event

    monkeypatch.setattr(RunResultStreaming, "stream_events", recorded)
    script = Script([calls(("add", {"a": 2, "b": 3}), ("shout", {"text": "ok"})), say("got {results}")])
    agent = Agent(name="entries", model=ScriptedAgentsModel(script), tools=[add, shout])
    name = f"entry_{entry}"
    task = byof.wrap(agent, env=env(), name=name, adapter_options={"entry": entry})
    with record_flyte() as rec:
        assert run(task, prompt="go") == "got 5, OK"
    assert tasks(rec, name, "add") == 1 and tasks(rec, name, "shout") == 1 and model_steps(rec) == 2
    if entry == "run_streamed":
        deltas = [
            e.data.delta
            for e in events
            if e.type == "raw_response_event" and e.data.type == "response.output_text.delta"
        ]
        assert "".join(deltas) == "got 5, OK"
        items = [e.item.type for e in events if e.type == "run_item_stream_event"]
        assert items.count("tool_call_item") == 2 and items.count("tool_call_output_item") == 2
    else:
        assert events == []


# -- hosted tools ------------------------------------------------------------------------------------


def hosted_tools() -> list[Any]:
    return [
        WebSearchTool(),
        FileSearchTool(vector_store_ids=["vs_1"]),
        CodeInterpreterTool(tool_config={"type": "code_interpreter", "container": {"type": "auto"}}),
    ]


def test_hosted_tools_pass_through_untouched() -> None:
    hosted = hosted_tools()
    model = RecordingModel(Script([call("add", a=1, b=1), say("{last}")]))
    agent = Agent(name="hosted", model=model, tools=[*hosted, add])
    task = byof.wrap(agent, env=env(), name="hosted")
    with record_flyte() as rec:
        assert run(task, prompt="go") == "2"
    assert all(seen is mine for seen, mine in zip(model.tools[0][:3], hosted, strict=True))
    assert sorted(t.name for t in rec.tasks) == ["oa-tests.hosted", "oa-tests.hosted__add"]


def test_hosted_tools_are_listed_to_the_responses_api() -> None:
    script = Script([say("searched")])
    with ScriptedOpenAIServer(script) as server:
        client = AsyncOpenAI(base_url=server.base_url, api_key=server.api_key, max_retries=0)
        agent = Agent(
            name="hosted_oai",
            model=OpenAIResponsesModel(model="gpt-4o-mini", openai_client=client),
            tools=hosted_tools(),
        )
        task = byof.wrap(agent, env=env(), name="hosted_oai")
        with record_flyte() as rec:
            assert run(task, prompt="search") == "searched"
        body = server.requests[0]["body"]
    assert [t["type"] for t in body["tools"]] == ["web_search", "file_search", "code_interpreter"]
    assert body["tools"][1]["vector_store_ids"] == ["vs_1"]
    assert model_steps(rec, "gpt-4o-mini") == 1 and len(rec.tasks) == 1


def test_a_hosted_tool_call_in_a_model_response_survives_the_trace() -> None:
    search = ResponseFunctionWebSearch(
        id="ws_1", status="completed", type="web_search_call", action={"type": "search", "query": "flyte"}
    )
    model = ScriptedModel([ModelStep(output=[search, assistant_message("flyte is a workflow engine")])])
    agent = Agent(name="searcher", model=model, tools=[WebSearchTool()])
    task = byof.wrap(agent, env=env(), name="searcher")
    with record_flyte() as rec:
        assert run(task, prompt="what is flyte?") == "flyte is a workflow engine"
    assert model_steps(rec, "ScriptedModel") == 1 and len(rec.tasks) == 1


# -- sessions ----------------------------------------------------------------------------------------


def test_sqlite_session_carries_memory_between_runs(tmp_path: Path) -> None:
    script = Script([say("first answer"), say("you said {prompt}")])  # {prompt}: the first user message
    agent = Agent(name="chat", model=ScriptedAgentsModel(script))
    session = SQLiteSession("x", db_path=tmp_path / "memory.db")
    task = byof.wrap(agent, env=env(), name="chat", adapter_options={"session": session})
    with record_flyte() as rec:
        assert run(task, prompt="first question") == "first answer"
        assert run(task, prompt="second question") == "you said first question"
    assert [(m.role, m.content) for m in script.requests[-1].messages] == [
        ("user", "first question"),
        ("assistant", "first answer"),
        ("user", "second question"),
    ]
    assert model_steps(rec) == 2


# -- concurrent runs -------------------------------------------------------------------------------


def test_concurrent_runs_of_one_agent_from_a_parent_task() -> None:
    words = ("alpha", "beta", "gamma")
    script = Script(by_prompt={w: [call("shout", text=w), say(f"{w}: {{last}}")] for w in words})
    agent = Agent(name="fan", model=ScriptedAgentsModel(script), tools=[shout, greet])
    assert Runner.run_sync(agent, "alpha").final_output == "alpha: ALPHA"
    before = snapshot(agent)
    e = env("oa-fan-out")
    task = byof.wrap(agent, env=e, name="fan")

    @e.task
    async def parent(prompts: list[str]) -> list[str]:
        return list(await asyncio.gather(*(task(prompt=p) for p in prompts)))

    with record_flyte() as rec:
        assert run(parent, prompts=list(words)) == ["alpha: ALPHA", "beta: BETA", "gamma: GAMMA"]
    assert len(rec.tasks_named(".fan")) == 3 and len(rec.tasks_named("fan__shout")) == 3
    assert model_steps(rec) == 6
    after = snapshot(agent)
    assert after == before, first_difference(before, after)


# -- the run context: tool writes come back -----------------------------------------------------------


@dataclasses.dataclass
class Cart:
    owner: str
    items: list[str] = dataclasses.field(default_factory=list)
    coupon: str | None = None


@function_tool
def add_item(ctx: RunContextWrapper[Cart], item: str) -> str:
    """Put an item in the cart."""
    ctx.context.items.append(item)
    return f"{item} added"


@function_tool
async def apply_coupon(ctx: RunContextWrapper[Cart], code: str) -> str:
    """Apply a coupon."""
    ctx.context.coupon = code
    return f"{code} applied"


@function_tool
def checkout(ctx: RunContextWrapper[Cart]) -> str:
    """Check the cart out."""
    cart = ctx.context
    return f"{cart.owner}: {', '.join(cart.items)} with {cart.coupon}"


def cart_agent(name: str, script: Script) -> Agent[Cart]:
    return Agent[Cart](name=name, model=ScriptedAgentsModel(script), tools=[add_item, apply_coupon, checkout])


CART_TURNS = [
    calls(("add_item", {"item": "tea"}), ("apply_coupon", {"code": "TEA10"})),
    call("checkout"),
    say("{last}"),
]


@pytest.mark.parametrize("mode", ["task", "trace"])
def test_parallel_tool_writes_to_the_context_reach_later_tools_and_the_caller(mode: str) -> None:
    agent = cart_agent(f"cart_{mode}", Script(CART_TURNS))
    raw_cart = Cart("ada")
    raw = Runner.run_sync(agent, "buy tea", context=raw_cart).final_output
    assert raw == "ada: tea with TEA10"
    options = {"context_type": Cart, "return_result": True}
    task = byof.wrap(agent, env=env(), name=agent.name, tools=mode, adapter_options=options)
    with record_flyte() as rec:
        out = run(task, prompt="buy tea", context={"owner": "ada"})
    assert out["output"] == raw and out["context"] == dataclasses.asdict(raw_cart)
    launched = 1 if mode == "task" else 0
    assert [tasks(rec, agent.name, t) for t in ("add_item", "apply_coupon", "checkout")] == [launched] * 3
    if mode == "trace":
        assert len(rec.steps_named(f"{agent.name}__add_item")) == 1


@function_tool
def rename(ctx: RunContextWrapper[dict], name: str) -> str:
    """Rename the user, forgetting their nickname."""
    ctx.context["name"] = name
    del ctx.context["nickname"]
    return "renamed"


def test_a_dict_context_gets_keys_set_and_deleted() -> None:
    agent = Agent(
        name="renamer",
        model=ScriptedAgentsModel(Script([call("rename", name="Grace"), say("ok")])),
        tools=[rename],
    )
    task = byof.wrap(agent, env=env(), name="renamer", adapter_options={"return_result": True})
    with record_flyte() as rec:
        out = run(task, prompt="call me Grace", context={"name": "Ada", "nickname": "A", "tier": 2})
    assert out["context"] == {"name": "Grace", "tier": 2} and tasks(rec, "renamer", "rename") == 1


@function_tool
def reserve(ctx: RunContextWrapper[Cart], item: str) -> str:
    """Reserve an item, which is out of stock."""
    ctx.context.items.append(item)
    raise LookupError(f"{item} is out of stock")


@pytest.mark.parametrize("mode", ["task", "trace"])
def test_a_tool_that_writes_and_then_fails(mode: str, caplog: pytest.LogCaptureFixture) -> None:
    script = Script([call("reserve", item="tea"), call("checkout"), say("{last}")])
    agent = Agent[Cart](name=f"reserve_{mode}", model=ScriptedAgentsModel(script), tools=[reserve, checkout])
    raw = Runner.run_sync(agent, "reserve tea", context=Cart("ada")).final_output
    assert raw == "ada: tea with None", "raw, the write stays although the tool failed"
    task = byof.wrap(agent, env=env(), name=agent.name, tools=mode, adapter_options={"context_type": Cart})
    with caplog.at_level(logging.WARNING, logger="byof.tools"):
        out = run(task, prompt="reserve tea", context={"owner": "ada"})
    lost = [r.getMessage() for r in caplog.records if "then raised" in r.getMessage()]
    if mode == "trace":  # in-process, on the live context: nothing is lost
        assert out == raw and lost == []
    else:  # its task's copy of the context is gone with the failure, and byof says so
        assert out == "ada:  with None"
        assert len(lost) == 1 and "'reserve'" in lost[0] and "(items)" in lost[0] and '"trace"' in lost[0]


def test_a_retried_run_replays_a_tools_context_writes_from_the_journal() -> None:
    failed = {"done": False}

    def fail_third_call_once(request: Any) -> None:
        if request.turn == 2 and not failed["done"]:
            failed["done"] = True
            raise ConnectionError("model endpoint dropped the connection")

    script = Script(CART_TURNS, on_respond=fail_third_call_once)
    agent = cart_agent("cart_retry", script)
    task = byof.wrap(agent, env=env(), name="cart_retry", retries=1, adapter_options={"context_type": Cart})
    with record_flyte() as rec:
        assert run(task, prompt="buy tea", context={"owner": "ada"}) == "ada: tea with TEA10"
    assert failed["done"] and len(rec.tasks_named(".cart_retry")) == 2, "the run was retried"
    assert tasks(rec, "cart_retry", "add_item") == 1 and tasks(rec, "cart_retry", "checkout") == 1, (
        "the retry replayed the tools from the journal, with their writes"
    )


class Slotted:
    """A context with no attributes byof can read or set."""

    __slots__ = ("count",)

    def __init__(self) -> None:
        self.count = 0

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Slotted) and other.count == self.count


def test_a_change_to_a_context_byof_cannot_read_is_an_error_in_a_task_only() -> None:
    from byof.adapters.openai_agents_context import Snapshot
    from byof.errors import ToolRoutingError

    context = Slotted()
    before = Snapshot(context)
    context.count = 1
    assert before.writes("bump", context, "ok", in_process=True) == "ok", "live: nothing to carry"
    with pytest.raises(
        ToolRoutingError, match=r"tool 'bump' changed the run context, a Slotted.*\"bump\": \"trace\""
    ):
        before.writes("bump", context, "ok", in_process=False)
    assert Snapshot(context).writes("bump", context, "ok", in_process=False) == "ok", "unchanged: fine"


# -- every input Runner.run takes per run -------------------------------------------------------------


def test_a_task_without_prompt_or_input_items_says_what_it_needs() -> None:
    task = byof.wrap(
        Agent(name="empty", model=ScriptedAgentsModel(Script([say("hi")]))), env=env(), name="empty"
    )
    with pytest.raises(Exception, match="needs a prompt or input items") as failed:
        run(task)
    assert type(byof.original_error(failed.value)) is ValueError


def test_starting_agent_must_name_an_agent_of_the_tree() -> None:
    billing = Agent(name="billing", model=ScriptedAgentsModel(Script([say("billing here")])))
    triage = Agent(
        name="triage", model=ScriptedAgentsModel(Script([say("triage here")])), handoffs=[handoff(billing)]
    )
    task = byof.wrap(triage, env=env(), name="start_at")
    assert run(task, prompt="hi", starting_agent="billing") == "billing here"
    with pytest.raises(Exception, match=r"starting_agent='shipping': no agent .*known: 'triage', 'billing'"):
        run(task, prompt="hi", starting_agent="shipping")


def test_max_turns_per_run_stops_the_run_as_the_sdk_does() -> None:
    from agents import MaxTurnsExceeded

    script = Script(by_prompt={p: [call("add", a=1, b=1), say("{last}")] for p in ("raw", "wrapped", "free")})
    agent = Agent(name="turns", model=ScriptedAgentsModel(script), tools=[add])
    with pytest.raises(MaxTurnsExceeded):
        Runner.run_sync(agent, "raw", max_turns=1)
    task = byof.wrap(agent, env=env(), name="turns")
    with pytest.raises(Exception) as failed:
        run(task, prompt="wrapped", max_turns=1)
    assert isinstance(byof.original_error(failed.value), MaxTurnsExceeded)
    assert run(task, prompt="free") == "2", "the next run has the default again"


def test_run_config_input_sets_per_run_fields_over_the_adapter_options_config() -> None:
    script = Script([say("from {prompt}")])
    provider = ScriptProvider(script)
    agent = Agent(name="configured", model="agent-model")
    config = RunConfig(model_provider=provider, workflow_name="base")
    task = byof.wrap(agent, env=env(), name="configured", adapter_options={"run_config": config})
    with record_flyte() as rec:
        out = run(
            task,
            prompt="hi",
            run_config={"model": "run-model", "group_id": "chat-7", "model_settings": {"temperature": 0.1}},
        )
    assert out == "from hi" and model_steps(rec, "run-model") == 1 and script.requests[0].model == "run-model"
    with pytest.raises(
        Exception, match=r"model_provider cannot be given per run .*adapter_options\['run_config'\]"
    ):
        run(task, prompt="hi", run_config={"model_provider": "x"})


def test_previous_response_and_conversation_ids_reach_the_responses_api() -> None:
    # The scripted server keeps no server-side state: it records such a request, then refuses it.
    with ScriptedOpenAIServer(Script([say("continued")])) as server:
        client = AsyncOpenAI(base_url=server.base_url, api_key=server.api_key, max_retries=0)
        agent = Agent(name="continued", model=OpenAIResponsesModel(model="gpt-4o-mini", openai_client=client))
        task = byof.wrap(agent, env=env(), name="continued")
        for ids in ({"previous_response_id": "resp_123"}, {"conversation_id": "conv_9"}):
            with pytest.raises(Exception, match="scripted models are stateless"):
                run(task, prompt="go on", **ids)
        bodies = [r["body"] for r in server.requests]
    assert bodies[0]["previous_response_id"] == "resp_123" and bodies[1]["conversation"] == "conv_9"


# -- raw and wrapped runs in one process ----------------------------------------------------------------


@pytest.mark.parametrize("kind", ["name", "responses", "chat"])
def test_raw_and_wrapped_runs_take_turns_in_one_process(kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # An HTTP connection belongs to the event loop that opened it. The SDK's shared client (a model
    # given by name) and a client the user made are used by raw runs on one loop and by the Flyte
    # task on another: byof's runs must neither fail on the raw runs' connections nor leave theirs.
    from agents.models.openai_provider import shared_http_client

    turns = [call("add", a=2, b=3), say("five: {last}")]
    with ScriptedOpenAIServer(Script(turns)) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", server.api_key)
        client = AsyncOpenAI(base_url=server.base_url, api_key=server.api_key, max_retries=0)
        models = {"responses": OpenAIResponsesModel, "chat": OpenAIChatCompletionsModel}
        model = models[kind]("gpt-4o-mini", client) if kind in models else "gpt-4o-mini"
        agent = Agent(name=f"mixed_{kind}", model=model, tools=[add])
        task = byof.wrap(agent, env=env(), name=agent.name)
        pool = client._client
        answers = []
        with record_flyte() as rec:
            for step in ("raw", "wrapped", "raw", "wrapped", "wrapped"):
                answers.append(
                    Runner.run_sync(agent, "2+3").final_output if step == "raw" else run(task, prompt="2+3")
                )
        assert answers == ["five: 5"] * 5 and len(server.requests) == 10
    assert model_steps(rec, "gpt-4o-mini") == 6 and tasks(rec, agent.name, "add") == 3
    assert client._client is pool and not client.is_closed(), "the user's client is untouched and open"
    assert not shared_http_client().is_closed, "so is the SDK's shared one"


def test_a_connection_pool_the_user_built_is_used_as_it_is() -> None:
    seen: list[str] = []

    async def log(request: Any) -> None:
        seen.append(request.url.path)

    with ScriptedOpenAIServer(Script([say("pooled")])) as server:
        pool = openai.DefaultAsyncHttpxClient(event_hooks={"request": [log]})
        client = AsyncOpenAI(base_url=server.base_url, api_key=server.api_key, http_client=pool)
        agent = Agent(name="own_pool", model=OpenAIResponsesModel(model="gpt-4o-mini", openai_client=client))
        assert run(byof.wrap(agent, env=env(), name="own_pool"), prompt="hi") == "pooled"
    assert seen == ["/v1/responses"] and client._client is pool
