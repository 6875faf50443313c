{% from "tools.py.j2" import weather_tools -%}
"""The agent: a homegrown tool-calling loop over the OpenAI Chat Completions API, no framework.

byof makes it durable with three markers: `@byof.tool` makes each tool call a Flyte child
task, `@byof.model_call` makes each model call a trace step (replayed, not re-paid, after a
crash), and `byof.wrap` makes each run of the loop a task. `flyte.group` gathers each turn's
tool calls in the Flyte UI.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import byof
import flyte

from . import settings
from .environment import env
from .forecasts import forecast, to_fahrenheit

SYSTEM_PROMPT = "You are a concise weather assistant: use the tools, give °C and °F."
MAX_TURNS = 8


{{ weather_tools("byof.tool") }}


TOOLS = {"get_weather": get_weather, "celsius_to_fahrenheit": celsius_to_fahrenheit}
TOOL_SCHEMAS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Get today's weather for a city: the sky and the temperature in °C.",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string"}},
                "required": ["city"],
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "celsius_to_fahrenheit",
            "description": "Convert a temperature from °C to °F.",
            "parameters": {
                "type": "object",
                "properties": {"celsius": {"type": "number"}},
                "required": ["celsius"],
            },
        },
    },
]


def _openai_chat():
    from openai import AsyncOpenAI

    client = AsyncOpenAI(base_url=settings.BASE_URL, api_key=settings.api_key())

    async def chat(messages: list[dict[str, Any]], tools: list[dict[str, Any]]) -> dict[str, Any]:
        response = await client.chat.completions.create(
            model=settings.MODEL, messages=messages, tools=tools
        )
        return response.choices[0].message.model_dump(exclude_none=True)

    return chat


def chat_function():
    """{{ cookiecutter.model }} through the OpenAI SDK, or the scripted model offline."""
    if settings.offline():
        from .offline import scripted_model

        return scripted_model()
    return _openai_chat()


chat = chat_function()


@byof.model_call
async def complete(messages: list[dict[str, Any]]) -> dict[str, Any]:
    """One model turn: a trace step, replayed from Flyte (or byof's journal) after a crash."""
    return await chat(messages, TOOL_SCHEMAS)


async def run_tool(call: dict[str, Any]) -> dict[str, Any]:
    """One tool call as a Flyte child task; a failure goes back to the model as the result."""
    name, arguments = call["function"]["name"], json.loads(call["function"]["arguments"])
    try:
        result = await TOOLS[name].aio(**arguments)
    except Exception as exc:  # the model sees the error and can try something else
        result = f"error: {type(exc).__name__}: {exc}"
    return {"role": "tool", "tool_call_id": call["id"], "content": str(result)}


async def weather_agent(prompt: str) -> str:
    """Answer `prompt`, calling tools until the model answers in text."""
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": prompt},
    ]
    for turn in range(MAX_TURNS):
        reply = await complete(messages)
        messages.append(reply)
        calls = reply.get("tool_calls") or []
        if not calls:
            return reply.get("content") or ""
        with flyte.group(f"tools-turn-{turn + 1}"):  # this turn's tool calls, side by side
            messages.extend(await asyncio.gather(*(run_tool(call) for call in calls)))
    raise RuntimeError(f"no answer after {MAX_TURNS} model turns")


agent_task = byof.wrap(weather_agent, env=env, name="weather_agent")
