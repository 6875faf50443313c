{% from "tools.py.j2" import weather_tools -%}
"""The agent: LangChain's create_agent (a LangGraph graph) with two tools, run as a Flyte task.

Nothing here knows about Flyte except the last line: byof.wrap makes each run a task, each
tool call a child task and each model call a trace step, and leaves the graph as it is.
"""

from __future__ import annotations

import byof
from langchain.agents import create_agent
from langchain_core.tools import tool

from . import settings
from .environment import env
from .forecasts import forecast, to_fahrenheit


{{ weather_tools("tool") }}


def chat_model():
    """{{ cookiecutter.model }} through LangChain's OpenAI class, or the scripted model offline."""
    if settings.offline():
        from .offline import scripted_model

        return scripted_model()
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(model=settings.MODEL, base_url=settings.BASE_URL, api_key=settings.api_key())


agent = create_agent(
    chat_model(),
    tools=[get_weather, celsius_to_fahrenheit],
    system_prompt="You are a concise weather assistant: use the tools, give °C and °F.",
)
agent_task = byof.wrap(agent, env=env, name="weather_agent")
