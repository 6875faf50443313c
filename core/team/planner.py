"""byof's default planner: an agent loop over any chat model with the OpenAI message interface.

    planner = byof.wrap(chat_planner(OpenAIChat("gpt-4o-mini")), env=env, name="planner")

The chat model is any async `chat(messages, ...) -> {"role": "assistant", "content": ...}`
(`byof.testing.chat.OpenAIChat` for any OpenAI-compatible endpoint, `ScriptedChat` offline).
When it takes `response_format`, the planner asks for the plan's JSON schema (structured
output); its answer is a traced, replayable `byof.model_call` step like any model call.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any

from ..steps.decorators import model_call
from .plan import Plan

ChatModel = Callable[..., Awaitable[dict[str, Any]]]

SYSTEM_PROMPT = "You are a careful planner. You answer with a JSON plan and nothing else."
RESPONSE_FORMAT = {"type": "json_schema", "json_schema": {"name": "plan", "schema": Plan.model_json_schema()}}


def _takes_response_format(chat: ChatModel) -> bool:
    try:
        params = inspect.signature(chat).parameters
    except (TypeError, ValueError):
        return False
    return "response_format" in params or any(p.kind is p.VAR_KEYWORD for p in params.values())


def chat_planner(chat: ChatModel) -> Callable[[str], Awaitable[str]]:
    """A planner loop (wrap it with `byof.wrap`) asking `chat` for a plan; returns its text."""
    structured = _takes_response_format(chat)

    @model_call(name="plan")
    async def ask(messages: list[dict[str, Any]]) -> dict[str, Any]:
        if structured:
            return await chat(messages, response_format=RESPONSE_FORMAT)
        return await chat(messages)

    async def planner(prompt: str) -> str:
        reply = await ask([{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": prompt}])
        return str(reply.get("content") or "")

    return planner
