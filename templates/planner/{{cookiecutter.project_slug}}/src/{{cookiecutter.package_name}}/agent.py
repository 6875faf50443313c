{% from "tools.py.j2" import weather_tools -%}
"""The team: byof's planner splits each request into steps for two specialists in different
frameworks, and byof runs the steps in dependency-aware parallel waves.

- weather: a LangGraph agent (LangChain's create_agent) with two tools;
- analyst: a Pydantic AI agent that compares what the weather steps found;
- the planner: byof's default planner over a plain OpenAI chat function.

Each specialist is wrapped with byof.wrap on its own, so every step is its own Flyte action
(with durable tools and traced model calls), and the team itself is wrapped as `agent_task`.
"""

from __future__ import annotations

from typing import Any

import byof
from byof.team import chat_planner
from langchain.agents import create_agent
from langchain_core.tools import tool
from pydantic_ai import Agent

from . import settings
from .environment import env
from .forecasts import forecast, to_fahrenheit


{{ weather_tools("tool") }}


def _models() -> tuple[Any, Any, Any]:
    """The weather agent, analyst and planner models: {{ cookiecutter.model }}, or scripted."""
    if settings.offline():
        from . import offline

        return (
            offline.scripted_langchain_model(),
            offline.scripted_pydantic_ai_model(),
            offline.scripted_chat(),
        )
    from langchain_openai import ChatOpenAI
    from openai import AsyncOpenAI
    from pydantic_ai.models.openai import OpenAIChatModel
    from pydantic_ai.providers.openai import OpenAIProvider

    connection = {"base_url": settings.BASE_URL, "api_key": settings.api_key()}

    async def chat(messages: list[dict[str, Any]], response_format: Any = None) -> dict[str, Any]:
        """The planner's model call; asks for the plan's JSON schema (structured output)."""
        extra = {"response_format": response_format} if response_format else {}
        client = AsyncOpenAI(**connection)  # per call: a step may run on another event loop
        response = await client.chat.completions.create(
            model=settings.MODEL, messages=messages, **extra
        )
        return response.choices[0].message.model_dump(exclude_none=True)

    return (
        ChatOpenAI(model=settings.MODEL, **connection),
        OpenAIChatModel(settings.MODEL, provider=OpenAIProvider(**connection)),
        chat,
    )


weather_model, analyst_model, planner_chat = _models()

weather = create_agent(
    weather_model,
    tools=[get_weather, celsius_to_fahrenheit],
    system_prompt="You are a concise weather assistant: use the tools, give °C and °F.",
)
analyst = Agent(
    analyst_model,
    system_prompt="You compare weather reports and answer in one sentence.",
)

team = byof.Team(
    [
        byof.Specialist(
            "weather",
            byof.wrap(weather, env=env, name="weather"),
            "Today's weather in one city, in °C and °F. Ask about one city per step.",
        ),
        byof.Specialist(
            "analyst",
            byof.wrap(analyst, env=env, name="analyst"),
            "Compares the results of earlier steps and writes the answer.",
        ),
    ],
    planner=byof.wrap(chat_planner(planner_chat), env=env, name="planner"),
)
agent_task = byof.wrap(team, env=env, name="weather_team")
