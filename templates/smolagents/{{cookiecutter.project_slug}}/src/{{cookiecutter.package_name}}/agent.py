{% from "tools.py.j2" import weather_tools -%}
"""The agent: a smolagents CodeAgent with two tools, run as a Flyte task.

Nothing here knows about Flyte except the last line: byof.wrap makes each run a task, each
tool call (the calls the agent's code makes included) a child task and each model call a trace
step, and leaves the agent as it is.
"""

from __future__ import annotations

import byof
from smolagents import CodeAgent, LogLevel, tool

from . import settings
from .environment import env
from .forecasts import forecast, to_fahrenheit


{{ weather_tools("tool") }}


def model():
    """{{ cookiecutter.model }} through smolagents' OpenAIServerModel, or the scripted model offline."""
    if settings.offline():
        from .offline import scripted_model

        return scripted_model()
    from smolagents import OpenAIServerModel

    return OpenAIServerModel(
        model_id=settings.MODEL, api_base=settings.BASE_URL, api_key=settings.api_key()
    )


# A CodeAgent, smolagents' flagship: the model answers in Python that calls the tools, and the
# variables live on from one step to the next. Its conversation is plain text, so the offline
# script answers the same on byof's scripted model and from an OpenAI-compatible server, which a
# ToolCallingAgent's script (native tool calls, results sent back as text) would not. The code
# runs in smolagents' LocalPythonExecutor, with its import limits: no sandbox (see executor_type).
agent = CodeAgent(
    tools=[get_weather, celsius_to_fahrenheit],
    model=model(),
    instructions="You are a concise weather assistant: use the tools, give °C and °F.",
    verbosity_level=LogLevel.ERROR,  # print errors only, not every step of every run
)
agent_task = byof.wrap(agent, env=env, name="weather_agent")
