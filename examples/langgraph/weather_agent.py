"""A LangGraph ReAct agent made durable with byof: offline by default, a real model with OPENAI_API_KEY.

    python examples/langgraph/weather_agent.py ["What's the weather in Paris and Oslo?"]

The graph is built with LangGraph's own API and never changed: byof.wrap turns its run into a
Flyte task in which both tool calls are child tasks and every model turn is a trace step.

In a terminal, ProgressSink shows each model and tool call as it starts and ends, and at
the end where the run's report (report=True) is; `byof report` finds it again later.
"""

from __future__ import annotations

import os
import sys
import warnings

import flyte
from langchain_core.tools import tool
from langgraph.prebuilt import create_react_agent

import byof
from byof.sinks import ProgressSink

warnings.filterwarnings("ignore", message=".*create_react_agent has been moved.*")

FORECASTS = {"paris": "sunny, 21°C", "oslo": "light rain, 9°C", "lima": "overcast, 18°C"}


@tool
def get_weather(city: str) -> str:
    """Get today's weather for a city."""
    return FORECASTS.get(city.lower(), "no forecast available")


@tool
async def convert_temperature(celsius: float) -> float:
    """Convert a temperature from Celsius to Fahrenheit."""
    return round(celsius * 9 / 5 + 32, 1)


def model():
    """A real OpenAI model when a key is set, else byof's scripted model (no network, no key)."""
    if os.environ.get("OPENAI_API_KEY"):
        from langchain_openai import ChatOpenAI

        return ChatOpenAI(model=os.environ.get("BYOF_EXAMPLE_MODEL", "gpt-4o-mini"))
    from byof.testing.langchain import ScriptedChatModel
    from byof.testing.script import Script, ScriptedToolCall, calls, say

    script = Script(
        [
            calls(
                ScriptedToolCall("get_weather", {"city": "Paris"}),
                ScriptedToolCall("get_weather", {"city": "Oslo"}),
            ),
            say("Paris: {results}. Pack sunglasses for Paris and an umbrella for Oslo."),
        ]
    )
    return ScriptedChatModel(script=script)


agent = create_react_agent(
    model(), [get_weather, convert_temperature], prompt="You are a concise travel assistant."
)
env = byof.environment("weather-agent", frameworks=["langgraph"])
weather = byof.wrap(agent, env=env, name="weather", report=True, sinks=[ProgressSink()])

if __name__ == "__main__":
    flyte.init()  # Flyte's embedded local runtime; flyte.init_from_config() targets a cluster
    question = sys.argv[1] if len(sys.argv) > 1 else "What's the weather in Paris and Oslo?"
    print(flyte.run(weather, prompt=question).outputs()[0])
