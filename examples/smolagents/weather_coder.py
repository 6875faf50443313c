"""A smolagents CodeAgent made durable with byof: offline by default, a real model with OPENAI_API_KEY.

    python examples/smolagents/weather_coder.py ["Compare the weather in Paris and Oslo."]

The agent is built with smolagents' own API and never changed. Its model writes Python that
calls the tools; byof.wrap turns the run into a Flyte task in which every tool call the code
makes is a child task (though the code runs in smolagents' executor thread) and every model
call a trace step. The code runs in smolagents' LocalPythonExecutor, with its import limits.

In a terminal, ProgressSink shows each model and tool call as it starts and ends, and at
the end where the run's report (report=True) is; `byof report` finds it again later.
"""

from __future__ import annotations

import os
import sys

import flyte
from smolagents import CodeAgent, tool

import byof
from byof.sinks import ProgressSink

WEATHER = {"paris": "sunny, 21°C", "oslo": "light rain, 9°C"}


@tool
def get_weather(city: str) -> str:
    """Today's weather in a city.

    Args:
        city: the city's name
    """
    return WEATHER.get(city.lower(), "unknown")


def model():
    """A real OpenAI model when a key is set, else byof's scripted model (no network, no key)."""
    if os.environ.get("OPENAI_API_KEY"):
        from smolagents import OpenAIServerModel

        return OpenAIServerModel(model_id=os.environ.get("BYOF_EXAMPLE_MODEL", "gpt-4o-mini"))
    from byof.testing.script import Script, say
    from byof.testing.smolagents import ScriptedModel

    code = (
        "Thought: I will look both up and compare.\n<code>\n"
        "paris = get_weather(city='Paris')\noslo = get_weather(city='Oslo')\n"
        "final_answer(f'Paris: {paris}; Oslo: {oslo}')\n</code>"
    )
    return ScriptedModel(Script([say(code)]))


agent = CodeAgent(tools=[get_weather], model=model(), verbosity_level=0)

env = byof.environment("weather-coder", frameworks=["smolagents"])
weather = byof.wrap(agent, env=env, name="weather", report=True, sinks=[ProgressSink()])

if __name__ == "__main__":
    flyte.init()  # Flyte's embedded local runtime; flyte.init_from_config() targets a cluster
    question = sys.argv[1] if len(sys.argv) > 1 else "Compare the weather in Paris and Oslo."
    print(flyte.run(weather, prompt=question).outputs()[0])
