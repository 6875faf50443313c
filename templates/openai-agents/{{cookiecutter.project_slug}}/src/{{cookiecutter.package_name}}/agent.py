{% from "tools.py.j2" import weather_tools -%}
"""The agent: an OpenAI Agents SDK Agent with two function tools, run as a Flyte task.

Nothing here knows about Flyte except the last line: byof.wrap makes each run a task, each
tool call a child task and each model call a trace step, and leaves the agent as it is.
"""

from __future__ import annotations

import byof
from agents import Agent, function_tool, set_tracing_disabled

from . import settings
from .environment import env
from .forecasts import forecast, to_fahrenheit


{{ weather_tools("function_tool") }}


def model():
    """{{ cookiecutter.model }} through the SDK's OpenAI model class, or the scripted model offline."""
    if settings.offline():
        from .offline import scripted_model

        return scripted_model()
{%- if cookiecutter.model_provider == "openai" %}
    from agents import OpenAIResponsesModel
    from openai import AsyncOpenAI

    client = AsyncOpenAI(base_url=settings.BASE_URL, api_key=settings.api_key())
    return OpenAIResponsesModel(model=settings.MODEL, openai_client=client)
{%- else %}
    from agents import OpenAIChatCompletionsModel
    from openai import AsyncOpenAI

    # Chat Completions: the API every OpenAI-compatible endpoint serves (not all serve Responses)
    client = AsyncOpenAI(base_url=settings.BASE_URL, api_key=settings.api_key())
    return OpenAIChatCompletionsModel(model=settings.MODEL, openai_client=client)
{%- endif %}

{% if cookiecutter.model_provider == "openai" %}
# The SDK exports its own traces to OpenAI's platform with the API key: not offline, and not when
# OPENAI_BASE_URL points at another server, whose key OpenAI would refuse.
if settings.offline() or settings.BASE_URL:
    set_tracing_disabled(True)
{%- else %}
# The SDK exports its own traces to OpenAI's platform, which only an OpenAI key can reach. byof
# still records every model call as a Flyte trace step.
set_tracing_disabled(True)
{%- endif %}

agent = Agent(
    name="weather_agent",
    instructions="You are a concise weather assistant: use the tools, give °C and °F.",
    tools=[get_weather, celsius_to_fahrenheit],
    model=model(),
)
agent_task = byof.wrap(agent, env=env, name="weather_agent")
