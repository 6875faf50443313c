{% from "tools.py.j2" import weather_tools -%}
"""The agent: a Pydantic AI Agent with two tools, run as a Flyte task.

Nothing here knows about Flyte except the last line: byof.wrap makes each run a task, each
tool call a child task and each model request a trace step, and leaves the agent as it is.
"""

from __future__ import annotations

import byof
from pydantic_ai import Agent

from . import settings
from .environment import env
from .forecasts import forecast, to_fahrenheit


def model():
    """{{ cookiecutter.model }} through Pydantic AI's OpenAIChatModel, or the scripted model offline."""
    if settings.offline():
        from .offline import scripted_model

        return scripted_model()
    from pydantic_ai.models.openai import OpenAIChatModel
    from pydantic_ai.providers.openai import OpenAIProvider

    provider = OpenAIProvider(base_url=settings.BASE_URL, api_key=settings.api_key())
    return OpenAIChatModel(settings.MODEL, provider=provider)


agent = Agent(
    model(),
    instructions="You are a concise weather assistant: use the tools, give °C and °F.",
)


{{ weather_tools("agent.tool_plain") }}


agent_task = byof.wrap(agent, env=env, name="weather_agent")
