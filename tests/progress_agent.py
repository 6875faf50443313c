"""A homegrown agent with byof's live view, run as its own process (in a terminal or a pipe).

    python tests/progress_agent.py RUN_NAME

The agent calls a tool, then answers; each model turn takes a moment, so a terminal shows it in
flight. Wrapped with report=True and ProgressSink(), as the examples are. Prints the answer last.
"""

from __future__ import annotations

import sys
from typing import Any

import flyte

import byof
from byof.examples.tool_loop import make_tool_agent
from byof.sinks import ProgressSink
from byof.testing.chat import ScriptedChat
from byof.testing.script import Script, ScriptedToolCall, calls, say


@byof.tool
def lookup(city: str) -> str:
    """Today's weather in a city."""
    return f"sunny in {city}"


chat = ScriptedChat(
    Script([calls(ScriptedToolCall("lookup", {"city": "Lima"}), delay=0.6), say("Lima: {last}", delay=0.6)])
)


@byof.model_call(name="chat")
async def complete(messages: list[dict[str, Any]], tools: list[dict[str, Any]]) -> dict[str, Any]:
    return await chat(messages, tools)


env = flyte.TaskEnvironment("progress-agent")
agent = byof.wrap(
    make_tool_agent(complete, [lookup]), env=env, name="weather", report=True, sinks=[ProgressSink()]
)

if __name__ == "__main__":
    flyte.init()
    run = flyte.with_runcontext(name=sys.argv[1]).run(agent, prompt="Weather in Lima?")
    print(run.outputs()[0])
