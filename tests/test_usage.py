"""Token counts on model-call events, for each framework's real OpenAI model class against byof's
scripted OpenAI server (which reports usage as OpenAI does): what the report and the live view
show. Each test needs its framework; each adapter's nox session runs the ones it can."""

from __future__ import annotations

from typing import Any

import flyte
import pytest

import byof
from byof.observability.events import ModelCalled
from byof.testing.openai_server import ScriptedOpenAIServer
from byof.testing.script import Script, call, say

pytestmark = [
    pytest.mark.usefixtures("flyte_local"),
    pytest.mark.filterwarnings("ignore:create_react_agent has been moved"),
]


def add(a: float, b: float) -> float:
    """Add two numbers.

    Args:
        a: the first number
        b: the second number
    """
    return a + b


def counted(agent: Any, name: str, prompt: str, **wrap: Any) -> tuple[Any, list[dict[str, int] | None]]:
    """The run's output and each model call's usage, in order."""
    events: list[Any] = []
    task = byof.wrap(agent, env=flyte.TaskEnvironment("usage"), name=name, sinks=[events.append], **wrap)
    out = flyte.run(task, prompt=prompt).outputs()[0]
    return out, [e.usage for e in events if isinstance(e, ModelCalled)]


def assert_counted(usages: list[dict[str, int] | None]) -> None:
    assert len(usages) == 2, usages
    for used in usages:
        assert used is not None and used["input"] > 0 and used["output"] > 0
        assert used["total"] == used["input"] + used["output"]


def test_langgraph_chat_openai() -> None:
    pytest.importorskip("langgraph")
    langchain_openai = pytest.importorskip("langchain_openai")
    from langgraph.prebuilt import create_react_agent

    with ScriptedOpenAIServer(Script([call("add", a=1, b=2), say("3")])) as server:
        model = langchain_openai.ChatOpenAI(
            model="gpt-4o-mini", base_url=server.base_url, api_key=server.api_key, max_retries=0
        )
        out, usages = counted(create_react_agent(model, [add]), "lg_usage", "1+2?")
    assert out == "3"
    assert_counted(usages)


@pytest.mark.parametrize("api", ["chat", "responses"])
def test_pydantic_ai_openai_models(api: str) -> None:
    pytest.importorskip("pydantic_ai")
    pytest.importorskip("openai")
    from pydantic_ai import Agent
    from pydantic_ai.models.openai import OpenAIChatModel, OpenAIResponsesModel
    from pydantic_ai.providers.openai import OpenAIProvider

    with ScriptedOpenAIServer(Script([call("add", a=1, b=2), say("3")])) as server:
        provider = OpenAIProvider(base_url=server.base_url, api_key=server.api_key)
        model_class = OpenAIChatModel if api == "chat" else OpenAIResponsesModel
        agent = Agent(model_class("gpt-4o-mini", provider=provider), tools=[add])
        out, usages = counted(agent, f"pai_usage_{api}", "1+2?")
    assert out == "3"
    assert_counted(usages)


def test_openai_agents_sdk_provider() -> None:
    agents = pytest.importorskip("agents")
    from agents.models.openai_provider import OpenAIProvider

    agents.set_tracing_disabled(True)
    with ScriptedOpenAIServer(Script([call("add", a=1, b=2), say("3")])) as server:
        agent = agents.Agent(name="counter", model="gpt-4o-mini", tools=[agents.function_tool(add)])
        config = agents.RunConfig(
            model_provider=OpenAIProvider(base_url=server.base_url, api_key=server.api_key)
        )
        out, usages = counted(agent, "oa_usage", "1+2?", adapter_options={"run_config": config})
    assert out == "3"
    assert_counted(usages)


def test_smolagents_openai_server_model() -> None:
    smolagents = pytest.importorskip("smolagents")
    pytest.importorskip("openai")

    with ScriptedOpenAIServer(
        Script([call("add", a=1.5, b=1.5), call("final_answer", answer="3.0")])
    ) as server:
        model = smolagents.OpenAIServerModel(
            model_id="gpt-4o-mini", api_base=server.base_url, api_key=server.api_key
        )
        agent = smolagents.ToolCallingAgent(tools=[smolagents.tool(add)], model=model, verbosity_level=0)
        out, usages = counted(agent, "smol_usage", "1.5+1.5?")
    assert out == "3.0"
    assert_counted(usages)
