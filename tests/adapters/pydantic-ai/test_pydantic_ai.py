"""The Pydantic AI adapter end to end: real local Flyte runs of agents as users build them.

Every test runs the wrapped agent with `flyte.run` on Flyte's embedded local runtime and checks
what Flyte recorded (tool child tasks, model trace steps) and the answer the task returned.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from typing import Any

import pytest

pytest.importorskip("pydantic_ai")

import flyte
from flyte_records import model_steps, run
from pydantic import BaseModel
from pydantic_ai import (
    Agent,
    ModelRetry,
    NativeOutput,
    RunContext,
    Tool,
    ToolOutput,
)
from pydantic_ai.exceptions import ModelHTTPError, UnexpectedModelBehavior
from pydantic_ai.messages import ModelMessage, ModelMessagesTypeAdapter, ModelResponse, TextPart
from pydantic_ai.models.fallback import FallbackModel
from pydantic_ai.models.function import AgentInfo, FunctionModel
from pydantic_ai.models.openai import OpenAIChatModel, OpenAIResponsesModel
from pydantic_ai.models.test import TestModel
from pydantic_ai.providers.openai import OpenAIProvider
from pydantic_ai.tools import ToolDefinition
from pydantic_ai.toolsets import AbstractToolset, FunctionToolset
from pydantic_ai.toolsets.abstract import ToolsetTool
from pydantic_core import SchemaValidator, core_schema

import byof
from byof.steps.models import step_name
from byof.testing.openai_server import ScriptedOpenAIServer
from byof.testing.pydantic_ai import scripted_model
from byof.testing.recorder import record_flyte
from byof.testing.script import Script, call, calls, say
from byof.testing.snapshot import first_difference, snapshot

pytestmark = pytest.mark.usefixtures("flyte_local")

MODEL = "scripted-model"


def env(name: str = "pai-tests") -> flyte.TaskEnvironment:
    return flyte.TaskEnvironment(name)


# -- tools of every kind, and deps ---------------------------------------------------------------


@dataclasses.dataclass
class User:
    name: str
    tier: int = 1


class Settings(BaseModel):
    region: str
    limit: int = 3


def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


async def shout(text: str) -> str:
    """Upper-case a text."""
    await asyncio.sleep(0)
    return text.upper()


def multiply(a: int, b: int) -> int:
    """Multiply two integers."""
    return a * b


def kinds_agent(script: Script) -> Agent[User, str]:
    toolset = FunctionToolset([shout])
    agent = Agent(
        scripted_model(script),
        name="kinds",
        deps_type=User,
        tools=[Tool(multiply, name="times")],
        toolsets=[toolset],
    )

    @agent.tool
    def greet(ctx: RunContext[User], greeting: str) -> str:
        """Greet the current user."""
        return f"{greeting} {ctx.deps.name} (tier {ctx.deps.tier})"

    agent.tool_plain(add)
    return agent


def test_every_tool_kind_is_a_child_task_and_looks_the_same_to_the_model() -> None:
    turns = [
        calls(
            ("greet", {"greeting": "hi"}),
            ("add", {"a": 1, "b": 2}),
            ("times", {"a": 3, "b": 4}),
            ("shout", {"text": "hey"}),
        ),
        say("{results}"),
    ]
    script = Script(by_prompt={"raw": turns, "wrapped": turns})
    agent = kinds_agent(script)
    raw = agent.run_sync("raw", deps=User("ada", 2)).output
    assert raw == "hi ada (tier 2), 3, 12, HEY"
    task = byof.wrap(agent, env=env(), name="kinds")
    with record_flyte() as rec:
        assert run(task, prompt="wrapped", deps={"name": "ada", "tier": 2}) == raw
    for name in ("greet", "add", "times", "shout"):
        assert [t.name for t in rec.tasks_named(f"__{name}")] == [f"pai-tests.kinds__{name}"], name
    assert model_steps(rec) == 2
    seen = script.tools_seen()
    assert len(seen) == 4 and seen[0] == seen[1] == seen[2] == seen[3]
    assert {s.name for s in seen[2]} == {"greet", "add", "times", "shout"}
    assert next(s for s in seen[2] if s.name == "greet").description == "Greet the current user."


def profile_agent(script: Script, deps_type: type) -> Agent[Any, str]:
    agent = Agent(scripted_model(script), name="profile", deps_type=deps_type)

    @agent.tool
    def whoami(ctx: RunContext[Any]) -> str:
        """Describe the caller from the run's deps."""
        return f"{type(ctx.deps).__name__}:{ctx.deps!r}:retry={ctx.retry}:{ctx.tool_name}"

    return agent


@pytest.mark.parametrize(
    ("deps_type", "deps", "described"),
    [
        (User, {"name": "grace"}, "User:User(name='grace', tier=1)"),
        (Settings, {"region": "eu", "limit": 5}, "Settings:Settings(region='eu', limit=5)"),
    ],
)
def test_deps_given_as_json_reach_the_tool_task(deps_type: type, deps: dict, described: str) -> None:
    script = Script([call("whoami"), say("{last}")])
    task = byof.wrap(profile_agent(script, deps_type), env=env(), name=f"deps_{deps_type.__name__}")
    with record_flyte() as rec:
        assert run(task, prompt="who am i", deps=deps) == f"{described}:retry=0:whoami"
    assert len(rec.tasks_named(f"deps_{deps_type.__name__}__whoami")) == 1


# -- output types ----------------------------------------------------------------------------------


class Answer(BaseModel):
    value: int
    unit: str


class Refusal(BaseModel):
    reason: str


def test_pydantic_model_output_through_the_default_output_tool() -> None:
    script = Script([call("add", a=40, b=2), call("final_result", value=42, unit="apples")])
    agent = Agent(scripted_model(script), name="typed", output_type=Answer)
    agent.tool_plain(add)
    task = byof.wrap(agent, env=env(), name="typed")
    with record_flyte() as rec:
        assert run(task, prompt="how many?") == {"value": 42, "unit": "apples"}
    assert len(rec.tasks_named("typed__add")) == 1 and model_steps(rec) == 2
    assert not rec.tasks_named("__final_result"), "output tools are Pydantic AI's, not durable tools"


def test_union_output_picks_the_model_the_model_chose() -> None:
    script = Script(
        by_prompt={
            "refuse": [call("final_result_Refusal", reason="no")],
            "answer": [call("final_result_Answer", value=1, unit="kg")],
        }
    )
    agent = Agent(scripted_model(script), name="either", output_type=Answer | Refusal)  # type: ignore[arg-type]
    task = byof.wrap(agent, env=env(), name="either")
    assert run(task, prompt="answer me") == {"value": 1, "unit": "kg"}
    assert run(task, prompt="refuse me") == {"reason": "no"}
    assert {t.name for t in script.tools_seen()[0]} == {"final_result_Answer", "final_result_Refusal"}


def test_tool_output_with_a_custom_tool_name() -> None:
    script = Script([call("report", value=7, unit="m")])
    agent = Agent(scripted_model(script), name="reporter", output_type=ToolOutput(Answer, name="report"))
    task = byof.wrap(agent, env=env(), name="reporter")
    with record_flyte() as rec:
        assert run(task, prompt="report") == {"value": 7, "unit": "m"}
    assert model_steps(rec) == 1 and [t.name for t in script.tools_seen()[0]] == ["report"]


def test_native_output_is_json_text_validated_by_pydantic_ai() -> None:
    # FunctionModel's default profile supports JSON schema output, so NativeOutput asks for it.
    script = Script([say('{"value": 3, "unit": "cm"}')])
    agent = Agent(scripted_model(script), name="native", output_type=NativeOutput(Answer))
    task = byof.wrap(agent, env=env(), name="native")
    with record_flyte() as rec:
        assert run(task, prompt="native") == {"value": 3, "unit": "cm"}
    assert model_steps(rec) == 1 and script.tools_seen() == [()]


@pytest.mark.parametrize(
    ("output_type", "turn", "expected"),
    [
        (ToolOutput(int), call("final_result", response=5), 5),
        (list[str], call("final_result", response=["a", "b"]), ["a", "b"]),
        ([Answer, str], say("plain text"), "plain text"),
        ([Answer, str], call("final_result", value=1, unit="kg"), '{"value": 1, "unit": "kg"}'),
    ],
    ids=["tool-int", "list", "mixed-text", "mixed-model"],
)
def test_other_output_kinds_keep_their_json_type(
    output_type: Any, turn: Any, expected: Any, request: pytest.FixtureRequest
) -> None:
    # Outputs of different kinds (a model or text) share one task type: text, models as JSON text.
    agent = Agent(scripted_model(Script([turn])), name="kinds_out", output_type=output_type)
    name = "out_" + request.node.callspec.id.replace("-", "_")
    task = byof.wrap(agent, env=env(), name=name)
    assert run(task, prompt="out") == expected


# -- models ------------------------------------------------------------------------------------------


def test_provider_string_is_resolved_inside_the_task(monkeypatch: pytest.MonkeyPatch) -> None:
    script = Script([call("add", a=2, b=2), say("four: {last}")])
    # defer_model_check keeps the string on the agent; Pydantic AI would otherwise resolve it here.
    agent = Agent("openai:gpt-4o-mini", name="lazy", defer_model_check=True)
    agent.tool_plain(add)
    # No OPENAI_API_KEY at wrap time: resolving the string now would fail.
    task = byof.wrap(agent, env=env(), name="lazy")
    with ScriptedOpenAIServer(script) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", server.api_key)
        with record_flyte() as rec:
            assert run(task, prompt="2+2") == "four: 4"
        assert len(server.requests) == 2  # chat completions or responses, as this version maps "openai:"
    assert model_steps(rec, "gpt-4o-mini") == 2 and len(rec.tasks_named("lazy__add")) == 1
    assert agent.model == "openai:gpt-4o-mini"


def test_function_model_is_traced_under_its_name() -> None:
    def answer(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        return ModelResponse(parts=[TextPart(f"{len(messages)} message(s)")])

    agent = Agent(FunctionModel(answer, model_name="plain-function"), name="fn")
    task = byof.wrap(agent, env=env(), name="fn")
    with record_flyte() as rec:
        assert run(task, prompt="count") == "1 message(s)"
    assert model_steps(rec, "plain-function") == 1


def test_test_model_calls_every_tool_then_answers_like_an_unwrapped_run() -> None:
    agent = Agent(TestModel(), name="tm")
    agent.tool_plain(add)
    agent.tool_plain(shout)
    raw = agent.run_sync("go").output
    task = byof.wrap(agent, env=env(), name="tm")
    with record_flyte() as rec:
        assert run(task, prompt="go") == raw
    assert len(rec.tasks_named("tm__add")) == 1 and len(rec.tasks_named("tm__shout")) == 1
    assert model_steps(rec, "test") == 2


def test_fallback_model_request_is_one_step_and_falls_back() -> None:
    failures: list[int] = []

    def broken(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        failures.append(len(messages))
        raise ModelHTTPError(503, "broken-model", {"error": "overloaded"})

    script = Script([call("add", a=1, b=1), say("sum {last}")])
    fallback = FallbackModel(FunctionModel(broken, model_name="broken-model"), scripted_model(script))
    agent = Agent(fallback, name="fallback")
    agent.tool_plain(add)
    task = byof.wrap(agent, env=env(), name="fallback")
    with record_flyte() as rec:
        assert run(task, prompt="1+1") == "sum 2"
    assert failures == [1, 3]  # the broken model was tried on both requests
    steps = rec.steps_named(step_name(fallback.model_name))
    assert len(steps) == 2 and all(s.error is None for s in steps) and len(rec.steps) == 2


# -- ModelRetry --------------------------------------------------------------------------------------


def retry_agent(script: Script, max_retries: int = 1) -> Agent[None, str]:
    agent = Agent(scripted_model(script), name="picky")

    @agent.tool(retries=max_retries)
    def lookup(ctx: RunContext[None], city: str) -> str:
        """Look up a city."""
        if city != "Paris":
            raise ModelRetry(f"unknown city {city!r}, try Paris")
        return f"found {city} after {ctx.retry} retry"

    return agent


def test_model_retry_reaches_the_model_and_is_not_retried_by_flyte() -> None:
    script = Script([call("lookup", city="Atlantis"), call("lookup", city="Paris"), say("{last}")])
    task = byof.wrap(retry_agent(script), env=env(), name="picky", tool_options={"lookup": {"retries": 2}})
    with record_flyte() as rec:
        assert run(task, prompt="find") == "found Paris after 1 retry"
    attempts = rec.tasks_named("picky__lookup")
    assert len(attempts) == 2, "one failed and one good call, no Flyte retries"
    failed = [t.error for t in attempts if t.error]
    assert len(failed) == 1 and "unknown city" in failed[0]
    retry_prompt = script.requests[1].messages[-1]
    assert retry_prompt.role == "tool" and "unknown city 'Atlantis', try Paris" in retry_prompt.content


def test_model_retry_past_max_retries_fails_like_an_unwrapped_run() -> None:
    turns = [call("lookup", city="Atlantis"), call("lookup", city="Mu"), say("never")]
    script = Script(by_prompt={"raw": turns, "wrapped": turns})
    agent = retry_agent(script)
    with pytest.raises(UnexpectedModelBehavior) as raw:
        agent.run_sync("raw")
    task = byof.wrap(agent, env=env(), name="hopeless", tool_options={"lookup": {"retries": 2}})
    with record_flyte() as rec, pytest.raises(Exception) as wrapped:
        run(task, prompt="wrapped")
    assert str(raw.value) in str(wrapped.value) and "exceeded max retries" in str(raw.value)
    assert len(rec.tasks_named("hopeless__lookup")) == 2


# -- entry points --------------------------------------------------------------------------------


@pytest.mark.parametrize("entry", ["run", "run_sync", "run_stream", "iter"])
def test_entry_points_give_the_same_answer(entry: str) -> None:
    script = Script([calls(("add", {"a": 2, "b": 3}), ("shout", {"text": "ok"})), say("got {results}")])
    agent = Agent(scripted_model(script), name="entries")
    agent.tool_plain(add)
    agent.tool_plain(shout)
    task = byof.wrap(agent, env=env(), name=f"entry_{entry}", adapter_options={"entry": entry})
    with record_flyte() as rec:
        assert run(task, prompt="go") == "got 5, OK"
    assert len(rec.tasks_named(f"entry_{entry}__add")) == 1
    assert len(rec.tasks_named(f"entry_{entry}__shout")) == 1
    assert model_steps(rec) == 2


@pytest.mark.parametrize("entry", ["run_stream", "iter"])
def test_streamed_entries_with_structured_output(entry: str) -> None:
    script = Script([call("add", a=1, b=2), call("final_result", value=3, unit="m")])
    agent = Agent(scripted_model(script), name="streamed", output_type=Answer)
    agent.tool_plain(add)
    task = byof.wrap(agent, env=env(), name=f"typed_{entry}", adapter_options={"entry": entry})
    with record_flyte() as rec:
        assert run(task, prompt="go") == {"value": 3, "unit": "m"}
    assert len(rec.tasks_named(f"typed_{entry}__add")) == 1 and model_steps(rec) == 2


# -- message history -------------------------------------------------------------------------------


def test_message_history_goes_in_and_all_messages_come_back() -> None:
    script = Script([say("first answer"), say("you said {prompt}")])  # {prompt}: the first user message
    agent = Agent(scripted_model(script), name="chat")
    first = agent.run_sync("first question")
    history = ModelMessagesTypeAdapter.dump_python(first.all_messages(), mode="json")
    task = byof.wrap(agent, env=env(), name="chat", adapter_options={"return_messages": True})
    with record_flyte() as rec:
        out = run(task, prompt="second question", message_history=history)
    assert out["output"] == "you said first question"
    assert [m.content for m in script.requests[-1].messages] == [
        "first question",
        "first answer",
        "second question",
    ]
    messages = ModelMessagesTypeAdapter.validate_python(out["messages"])
    assert len(messages) == 4 and messages[-1].parts[0].content == "you said first question"
    assert ModelMessagesTypeAdapter.dump_python(messages, mode="json") == out["messages"]
    assert out["messages"][:2] == history and model_steps(rec) == 1


# -- the real OpenAI models against the scripted server -------------------------------------------


@pytest.mark.parametrize("model_class", [OpenAIChatModel, OpenAIResponsesModel])
def test_real_openai_models_against_scripted_server(model_class: type) -> None:
    script = Script([call("add", a=20, b=22), say("the answer is {last}")])
    with ScriptedOpenAIServer(script) as server:
        provider = OpenAIProvider(base_url=server.base_url, api_key=server.api_key)
        agent = Agent(model_class("gpt-4o-mini", provider=provider), name="oai")
        agent.tool_plain(add)
        task = byof.wrap(agent, env=env(), name=f"oai_{model_class.__name__}")
        with record_flyte() as rec:
            assert run(task, prompt="what is 20+22?") == "the answer is 42"
        bodies = [r["body"] for r in server.requests]
    assert model_steps(rec, "gpt-4o-mini") == 2 and len(rec.tasks_named("__add")) == 1
    assert len(bodies) == 2
    tools = [t.get("function", t) for t in bodies[0]["tools"]]  # Chat nests under "function"
    assert [(t["name"], t["description"]) for t in tools] == [("add", "Add two integers.")]
    assert set(tools[0]["parameters"]["properties"]) == {"a", "b"}


def test_native_output_through_the_real_openai_chat_model() -> None:
    script = Script([say('{"value": 9, "unit": "kg"}')])
    with ScriptedOpenAIServer(script) as server:
        provider = OpenAIProvider(base_url=server.base_url, api_key=server.api_key)
        model = OpenAIChatModel("gpt-4o-mini", provider=provider)
        agent = Agent(model, name="oai_native", output_type=NativeOutput(Answer))
        task = byof.wrap(agent, env=env(), name="oai_native")
        with record_flyte() as rec:
            assert run(task, prompt="weigh it") == {"value": 9, "unit": "kg"}
        body = server.requests[0]["body"]
    assert body["response_format"]["type"] == "json_schema" and "tools" not in body
    assert model_steps(rec, "gpt-4o-mini") == 1


# -- concurrent runs -------------------------------------------------------------------------------


def test_concurrent_runs_of_one_agent_from_a_parent_task() -> None:
    words = ("alpha", "beta", "gamma")
    script = Script(by_prompt={w: [call("shout", text=w), say(f"{w}: {{last}}")] for w in words})
    agent = Agent(scripted_model(script), name="fan")
    agent.tool_plain(shout)
    assert agent.run_sync("alpha").output == "alpha: ALPHA"
    before = snapshot(agent)
    e = env("pai-fan-out")
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


# -- toolsets byof cannot route --------------------------------------------------------------------


class Clock(AbstractToolset[Any]):
    """A custom toolset (like an MCP server): its tools run where the agent runs."""

    @property
    def id(self) -> str | None:
        return "clock"

    async def get_tools(self, ctx: RunContext[Any]) -> dict[str, ToolsetTool[Any]]:
        schema = {"type": "object", "properties": {}, "additionalProperties": False}
        tool = ToolDefinition(name="now", description="The time.", parameters_json_schema=schema)
        validator = SchemaValidator(core_schema.dict_schema())
        return {"now": ToolsetTool(toolset=self, tool_def=tool, max_retries=0, args_validator=validator)}

    async def call_tool(self, name: str, tool_args: dict[str, Any], ctx: RunContext[Any], tool: Any) -> Any:
        return "noon"


def test_custom_toolset_runs_inline_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    script = Script(
        [calls(("now", {}), ("add", {"a": 1, "b": 1}), ("math_multiply", {"a": 2, "b": 5})), say("{results}")]
    )
    math = FunctionToolset([multiply]).prefixed("math")  # a FunctionToolset inside a wrapper is routed
    agent = Agent(scripted_model(script), name="clocked", toolsets=[Clock(), math])
    agent.tool_plain(add)
    task = byof.wrap(agent, env=env(), name="clocked")
    with caplog.at_level(logging.WARNING, logger="byof.tools"), record_flyte() as rec:
        assert run(task, prompt="time?") == "noon, 2, 10"
        assert run(task, prompt="time again?") == "noon, 2, 10"
    warned = [r.getMessage() for r in caplog.records if "Clock" in r.getMessage()]
    assert warned == ["agent 'clocked': tools of Clock 'clock' run in the agent's task, not as durable tasks"]
    assert len(rec.tasks_named("clocked__add")) == 2 and len(rec.tasks_named("clocked__multiply")) == 2
    assert not rec.tasks_named("__now")


@byof.tool
def shout_durably(text: str) -> str:
    """Upper-case a text."""
    return text.upper()


def test_a_byof_tool_function_is_a_pydantic_ai_tool_like_any_other() -> None:
    """Inside its task the byof.tool runs its body, instead of routing itself a second time."""
    agent = Agent(scripted_model(Script([call("shout_durably", text="hi"), say("{last}")])), name="shouter")
    agent.tool_plain(shout_durably)
    with record_flyte() as rec:
        assert run(byof.wrap(agent, env=env(), name="byof_tool_pai"), prompt="shout") == "HI"
    assert len(rec.tasks_named(".byof_tool_pai__shout_durably")) == 1
