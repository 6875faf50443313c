"""The seed tutorial's math agent, the reference homegrown loop, over a scripted model and over HTTP."""

from __future__ import annotations

import json

import flyte
import pytest

import byof
from byof.examples.math_agent import DEMO_PLAN, DEMO_REQUEST, make_math_agent, parse_plan
from byof.testing.chat import OpenAIChat, ScriptedChat
from byof.testing.openai_server import ScriptedOpenAIServer
from byof.testing.recorder import record_flyte
from byof.testing.script import Script, say

pytestmark = pytest.mark.usefixtures("flyte_local")

PLAN_TEXT = "Here is the plan:\n```json\n" + json.dumps(DEMO_PLAN) + "\n```"


def test_math_agent_chains_previous_results_through_durable_tools() -> None:
    task = byof.wrap(
        make_math_agent(ScriptedChat(Script([say(PLAN_TEXT)]))), env=flyte.TaskEnvironment("math")
    )
    with record_flyte() as rec:
        assert flyte.run(task, prompt=DEMO_REQUEST).outputs()[0] == "26.5"
    assert [t.name.rsplit("__", 1)[1] for t in rec.tasks if "__" in t.name] == ["multiply", "add", "divide"]
    assert [s.name for s in rec.steps] == ["plan"]


def test_math_agent_over_a_real_openai_compatible_endpoint() -> None:
    """The same loop through OpenAIChat: real HTTP requests and JSON responses go through the trace step."""
    with ScriptedOpenAIServer(Script([say(PLAN_TEXT)])) as server:
        chat = OpenAIChat("scripted-model", base_url=server.base_url, api_key=server.api_key)
        task = byof.wrap(make_math_agent(chat), env=flyte.TaskEnvironment("math-http"))
        assert flyte.run(task, prompt=DEMO_REQUEST).outputs()[0] == "26.5"
        sent = server.requests[0]["body"]
    assert sent["messages"][1] == {"role": "user", "content": DEMO_REQUEST}


def test_plan_errors_name_the_problem() -> None:
    with pytest.raises(ValueError, match="no JSON list"):
        parse_plan("I cannot help with that")
    with pytest.raises(ValueError, match="step 1 uses unknown tool 'power'"):
        parse_plan('[{"tool": "power", "args": {"a": 2, "b": 3}}]')
