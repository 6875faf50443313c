"""Guards for the OpenAI Agents SDK internals the adapter relies on, and for the seam's gating.

The seam in byof/adapters/openai_agents_seams.py wraps `AgentRunner.run` / `run_streamed` (marked
experimental by the SDK) and rebuilds tools through `FunctionTool.__wrapped__`, private agent-tool
markers and `dataclasses.replace`. If an SDK release renames or changes any of them, these tests
fail loudly instead of the adapter silently losing durability.
"""

from __future__ import annotations

import asyncio
import dataclasses
import inspect
import json
from collections.abc import Callable
from typing import Any

import pytest

pytest.importorskip("agents")

import flyte
import openai
from agents import (
    Agent,
    FunctionTool,
    ModelSettings,
    OpenAIChatCompletionsModel,
    OpenAIResponsesModel,
    RunConfig,
    RunContextWrapper,
    RunHooks,
    Runner,
    function_tool,
    handoff,
    set_tracing_disabled,
)
from agents.models.interface import Model, ModelProvider, ModelTracing
from agents.run import AgentRunner
from agents.testing import ModelStep, ScriptedModel, assistant_message
from agents.tool_context import ToolContext
from agents.usage import Usage

import byof
from byof.adapters import openai_agents_seams
from byof.testing.openai_agents import ScriptedAgentsModel
from byof.testing.recorder import record_flyte
from byof.testing.script import Script, call, say

set_tracing_disabled(True)  # no trace export from tests

P = inspect.Parameter


@function_tool
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


@function_tool
async def shout(ctx: RunContextWrapper[Any], text: str) -> str:
    """Upper-case a text."""
    return text.upper()


def original(name: str) -> Callable[..., Any]:
    """The method the SDK defines on AgentRunner itself, beneath byof's wrapper if installed."""
    assert name in vars(AgentRunner), f"AgentRunner.{name} is no longer defined on AgentRunner itself"
    return inspect.unwrap(vars(AgentRunner)[name])


def params(func: Callable[..., Any]) -> list[tuple[str, Any]]:
    return [(p.name, p.kind) for p in inspect.signature(func).parameters.values()]


def spy_on_runner(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Any]]:
    """Record every call to the seam methods (beneath byof's wrapper, so also outside a run)."""
    calls: list[tuple[str, Any]] = []
    for name in ("run", "run_streamed"):
        method = vars(AgentRunner)[name]

        def spy(
            self: Any, agent: Any, *args: Any, _name: str = name, _method: Any = method, **kwargs: Any
        ) -> Any:
            calls.append((_name, agent))
            return _method(self, agent, *args, **kwargs)

        monkeypatch.setattr(AgentRunner, name, spy)
    return calls


# -- the runner seam exists, with the parameters it is wrapped with ---------------------------------


@pytest.mark.parametrize(("name", "is_async"), [("run", True), ("run_streamed", False)])
def test_agent_runner_seam_signature(name: str, is_async: bool) -> None:
    method = original(name)
    assert inspect.iscoroutinefunction(method) is is_async
    assert params(method) == [
        ("self", P.POSITIONAL_OR_KEYWORD),
        ("starting_agent", P.POSITIONAL_OR_KEYWORD),
        ("input", P.POSITIONAL_OR_KEYWORD),
        ("kwargs", P.VAR_KEYWORD),
    ]


def test_every_runner_entry_and_nested_agent_tool_run_goes_through_the_seam(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = spy_on_runner(monkeypatch)
    inner = Agent(name="inner", model=ScriptedAgentsModel(Script([say("inner {prompt}")])))
    tool = inner.as_tool("ask_inner", "Ask the inner agent.")
    outer = Agent(
        name="outer",
        model=ScriptedAgentsModel(Script([call("ask_inner", input="hi"), say("{last}")])),
        tools=[tool],
    )

    async def streamed() -> str:
        result = Runner.run_streamed(outer, "x")
        async for _ in result.stream_events():
            pass
        return result.final_output

    assert asyncio.run(Runner.run(outer, "x")).final_output == "inner hi"
    assert Runner.run_sync(outer, "x").final_output == "inner hi"
    assert asyncio.run(streamed()) == "inner hi"
    assert [(name, agent.name) for name, agent in calls] == [
        ("run", "outer"),
        ("run", "inner"),
        ("run", "outer"),
        ("run", "inner"),
        ("run_streamed", "outer"),
        ("run", "inner"),
    ]


# -- the tool and agent internals the clone is built from -----------------------------------------


def test_function_tool_keeps_its_function_in_wrapped() -> None:
    assert add.__wrapped__(1, 2) == 3
    assert inspect.iscoroutinefunction(shout.__wrapped__)
    assert list(inspect.signature(shout.__wrapped__).parameters) == ["ctx", "text"]

    async def invoke(ctx: ToolContext[Any], arguments: str) -> str:
        return arguments

    custom = FunctionTool(name="custom", description="", params_json_schema={}, on_invoke_tool=invoke)
    with pytest.raises(AttributeError):
        custom.__wrapped__  # noqa: B018 - a custom invoker has no Python function


def test_agent_tool_is_marked_with_its_agent() -> None:
    agent = Agent(name="expert")
    tool = agent.as_tool("ask_expert", "Ask the expert.")
    assert isinstance(tool, FunctionTool)
    assert tool._is_agent_tool is True and tool._agent_instance is agent
    assert add._is_agent_tool is False and add._agent_instance is None


def test_agent_clone_is_a_shallow_copy_whose_fields_can_be_replaced() -> None:
    model = ScriptedAgentsModel(Script([]))
    helper = Agent(name="helper")
    agent = Agent(name="a", model=model, tools=[add], handoffs=[helper])
    clone = agent.clone()
    assert clone is not agent and type(clone) is Agent
    assert clone.name == "a" and clone.model is model and clone.tools == [add] and clone.handoffs == [helper]
    clone.tools = []
    clone.handoffs = []
    clone.model = "other"
    assert agent.tools == [add] and agent.handoffs == [helper] and agent.model is model


def test_replacing_a_function_tools_invoker_keeps_the_users_failure_handling() -> None:
    def show(ctx: RunContextWrapper[Any], error: Exception) -> str:
        return f"user handler: {error}"

    @function_tool(failure_error_function=show, timeout=5)
    async def fragile(n: int) -> int:
        """Fail on odd numbers."""
        raise ValueError(f"{n} is odd")

    @function_tool
    async def replacement(n: int) -> int:
        """Fail differently."""
        raise ValueError(f"{n} failed in the replacement")

    rebuilt = dataclasses.replace(fragile, on_invoke_tool=replacement.on_invoke_tool)
    ctx = ToolContext(context=None, tool_name="fragile", tool_call_id="c1", tool_arguments='{"n": 3}')
    assert asyncio.run(rebuilt.on_invoke_tool(ctx, '{"n": 3}')) == "user handler: 3 failed in the replacement"
    assert rebuilt.timeout_seconds == 5 and rebuilt.name == "fragile"
    assert rebuilt.params_json_schema == fragile.params_json_schema
    assert fragile.on_invoke_tool is not rebuilt.on_invoke_tool  # the user's tool keeps its own


def test_tool_context_can_be_rebuilt_from_what_crosses_into_a_task() -> None:
    ctx = ToolContext(
        context={"user": "ada"}, tool_name="t", tool_call_id="c1", tool_arguments="{}", tool_namespace="ns"
    )
    data = openai_agents_seams._crossing_context(ctx)
    rebuilt = openai_agents_seams._rebuilt_context(data)
    assert isinstance(rebuilt, RunContextWrapper) and isinstance(rebuilt, ToolContext)
    assert rebuilt.context == {"user": "ada"} and rebuilt.tool_namespace == "ns"
    assert (rebuilt.tool_name, rebuilt.tool_call_id, rebuilt.tool_arguments) == ("t", "c1", "{}")


def test_model_and_provider_hooks_the_traced_wrappers_forward() -> None:
    for name in ("get_retry_advice", "_cleanup_on_run_end", "close", "get_response", "stream_response"):
        assert name in vars(Model), f"Model.{name} is gone"
    assert "aclose" in vars(ModelProvider) and "get_model" in vars(ModelProvider)
    assert {"model", "model_provider"} <= {f.name for f in dataclasses.fields(RunConfig)}


def test_a_handoff_object_keeps_a_reference_to_its_agent() -> None:
    # Worker discovery and starting_agent follow handoff(agent=...) to its agent through it.
    target = Agent(name="target")
    assert handoff(target)._agent_ref() is target


def test_openai_models_keep_their_client_where_the_run_swaps_its_pool() -> None:
    """A run's OpenAI models call through a copy of the client with a pool of the run's own: the
    model keeps its client in `_client`, and the pools byof may replace are recognisable."""
    from agents.models.openai_provider import shared_http_client
    from openai import AsyncOpenAI
    from openai._base_client import AsyncHttpxClientWrapper

    client = AsyncOpenAI(api_key="k", base_url="http://127.0.0.1:9/v1")
    for cls in (OpenAIResponsesModel, OpenAIChatCompletionsModel):
        assert cls("m", client)._client is client
    assert isinstance(client._client, AsyncHttpxClientWrapper), "the pool an OpenAI client makes itself"
    assert shared_http_client() is shared_http_client(), "the SDK shares one pool process-wide"
    own = client.copy(http_client=openai.DefaultAsyncHttpxClient())
    assert own._client is not client._client and str(own.base_url) == str(client.base_url)


def test_sdk_scripted_model_replays_a_response_as_a_stream() -> None:
    # TracedModel.stream_response replays the traced response through ScriptedModel's stream.
    output = [assistant_message("hello there")]
    model = ScriptedModel([ModelStep(output=output, usage=Usage(requests=1), response_id="r1")])

    async def events() -> list[Any]:
        keywords = dict(previous_response_id=None, conversation_id=None, prompt=None)
        stream = model.stream_response(
            None, "hi", ModelSettings(), [], None, [], ModelTracing.DISABLED, **keywords
        )
        return [event async for event in stream]

    seen = asyncio.run(events())
    deltas = "".join(e.delta for e in seen if e.type == "response.output_text.delta")
    completed = [e for e in seen if e.type == "response.completed"]
    assert deltas == "hello there" and len(completed) == 1
    assert completed[0].response.id == "r1"
    assert [item.model_dump() for item in completed[0].response.output] == [
        item.model_dump() for item in output
    ]


# -- install and gating -----------------------------------------------------------------------------


def test_install_is_idempotent() -> None:
    openai_agents_seams.install()
    first = {name: vars(AgentRunner)[name] for name in ("run", "run_streamed")}
    openai_agents_seams.install()
    openai_agents_seams.install()
    for name, wrapper in first.items():
        assert vars(AgentRunner)[name] is wrapper, f"{name} was wrapped again"
        assert wrapper.__wrapped__ is original(name), f"{name} is wrapped more than once"


class AgentsSeen(RunHooks[Any]):
    def __init__(self) -> None:
        self.agents: list[Agent[Any]] = []

    async def on_agent_start(self, context: Any, agent: Agent[Any]) -> None:
        self.agents.append(agent)


def test_outside_a_byof_run_the_runner_is_untouched(flyte_local: None) -> None:
    openai_agents_seams.install()
    script = Script([call("add", a=2, b=3), say("sum {last}")])
    model = ScriptedAgentsModel(script)
    agent = Agent(name="plain", model=model, tools=[add])
    hooks = AgentsSeen()
    with record_flyte() as rec:
        assert Runner.run_sync(agent, "x", hooks=hooks).final_output == "sum 5"
    assert len(hooks.agents) == 1 and hooks.agents[0] is agent, "no clone outside a byof run"
    assert not rec.tasks and not rec.steps
    assert agent.model is model and agent.tools == [add]


def test_inside_another_adapters_run_the_seam_stays_out_of_the_way(flyte_local: None) -> None:
    openai_agents_seams.install()
    agent = Agent(
        name="plain", model=ScriptedAgentsModel(Script([call("add", a=1, b=1), say("{last}")])), tools=[add]
    )
    hooks = AgentsSeen()

    async def loop(prompt: str) -> str:
        result = await Runner.run(agent, prompt, hooks=hooks)
        return json.dumps([result.final_output, hooks.agents[0] is agent])

    task = byof.wrap(loop, env=flyte.TaskEnvironment("oa-seams-generic"), name="plain_loop")
    with record_flyte() as rec:
        assert flyte.run(task, prompt="x").outputs()[0] == '["2", true]'
    assert [t.name for t in rec.tasks] == ["oa-seams-generic.plain_loop"] and not rec.steps
