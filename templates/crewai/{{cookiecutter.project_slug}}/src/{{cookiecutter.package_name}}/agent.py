{% from "tools.py.j2" import weather_tools -%}
"""The agent: a CrewAI crew (one Agent with two tools, one Task) run as a Flyte task.

Nothing here knows about Flyte except the last line: byof.wrap makes each kickoff a task, each
tool call a child task and each LLM call a trace step, and leaves the crew as it is. The task's
`prompt` reaches the crew as the kickoff input `{prompt}`, which the Task's description uses.
"""

from __future__ import annotations

import os

import byof

from . import settings
from .environment import env
from .forecasts import forecast, to_fahrenheit

# Set before crewai is imported. CrewAI's first kickoffs in a terminal ask whether to share
# their traces, each waiting 20 s for an answer: CREWAI_TESTING=true skips that question in every
# CrewAI 1.x (CREWAI_TRACING_ENABLED=false does not in 1.15.0), CREWAI_DISABLE_TELEMETRY turns
# telemetry off. Your environment or .env (loaded by settings, above) can set them otherwise.
os.environ.setdefault("CREWAI_TESTING", "true")
os.environ.setdefault("CREWAI_DISABLE_TELEMETRY", "true")

from crewai import LLM, Agent, Crew, Task  # noqa: E402
from crewai.tools import tool  # noqa: E402


{{ weather_tools("tool") }}


def llm():
    """{{ cookiecutter.model }} through CrewAI's native OpenAI provider, or the scripted LLM offline."""
    if settings.offline():
        from .offline import scripted_model

        return scripted_model()
    # provider="openai": CrewAI's own OpenAI client whatever the model's name, at BASE_URL when
    # set (Anthropic's or your server's OpenAI-compatible endpoint), never the LiteLLM fallback.
    return LLM(
        model=settings.MODEL,
        provider="openai",
        base_url=settings.BASE_URL,
        api_key=settings.api_key(),
    )


forecaster = Agent(
    role="Weather assistant",
    goal="Answer questions about today's weather with the temperature in °C and in °F",
    backstory="A concise forecaster who looks the weather up with the tools instead of guessing.",
    tools=[get_weather, celsius_to_fahrenheit],
    llm=llm(),
)
answer = Task(
    description="Answer this question, using the tools: {prompt}",
    expected_output="One sentence: the sky and the temperature in °C and in °F.",
    agent=forecaster,
)
crew = Crew(agents=[forecaster], tasks=[answer])
agent_task = byof.wrap(crew, env=env, name="weather_agent")
