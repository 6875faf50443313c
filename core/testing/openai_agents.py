"""byof's scripted model for the OpenAI Agents SDK: a real `agents.Model` driven by a `Script`.

Unlike the SDK's own `agents.testing.ScriptedModel` (a list of steps consumed in order), it
chooses each answer from the conversation itself, so concurrent and resumed runs of one agent
get their own answers. Streaming reuses the SDK's scripted stream events. Import this module only
where openai-agents is installed.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from agents.items import ModelResponse
from agents.models.interface import Model
from agents.testing import ModelStep, ScriptedModel, assistant_message, function_call
from agents.usage import Usage

from .script import Message, Request, Script, ScriptedToolCall, ToolSchema, Turn


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    return "".join(part.get("text", "") for part in content or [] if isinstance(part, dict))


def to_request(system: str | None, items: str | list[Any], tools: list[Any], model: str) -> Request:
    """The SDK's input items and tools as the script's neutral request."""
    messages: list[Message] = [Message("system", system)] if system else []
    for item in [{"role": "user", "content": items}] if isinstance(items, str) else items:
        data = item if isinstance(item, dict) else item.model_dump(exclude_none=True)
        kind = data.get("type", "message")
        if kind == "function_call":
            call = ScriptedToolCall(
                data["name"], json.loads(data.get("arguments") or "{}"), data.get("call_id")
            )
            if messages and messages[-1].role == "assistant" and not messages[-1].content:
                messages[-1] = Message("assistant", "", (*messages[-1].tool_calls, call))
            else:
                messages.append(Message("assistant", "", (call,)))
        elif kind == "function_call_output":
            messages.append(Message("tool", _text(data.get("output")), tool_call_id=data.get("call_id")))
        elif kind == "message":
            role = data.get("role", "user")
            messages.append(
                Message("assistant" if role == "assistant" else "user", _text(data.get("content")))
            )
    schemas = tuple(
        ToolSchema(t.name, getattr(t, "description", ""), getattr(t, "params_json_schema", {}))
        for t in tools
        if hasattr(t, "params_json_schema")
    )
    return Request(tuple(messages), schemas, model)


def to_output(turn: Turn) -> list[Any]:
    output: list[Any] = [
        function_call(c.name, dict(c.arguments), call_id=c.id or c.name) for c in turn.tool_calls
    ]
    if turn.text is not None:
        output.append(assistant_message(turn.text))
    return output


class ScriptedAgentsModel(Model):
    """An `agents.Model` answering from `script`; handoffs are tool calls named `transfer_to_<agent>`."""

    def __init__(self, script: Script, model: str = "scripted-model") -> None:
        self.script = script
        self.model = model

    async def _turn(self, system: str | None, items: Any, tools: list[Any], handoffs: list[Any]) -> Turn:
        turn = self.script.respond(
            to_request(system, items, [*tools, *(_HandoffSchema(h) for h in handoffs)], self.model)
        )
        await asyncio.sleep(turn.delay)
        return turn

    async def get_response(
        self,
        system_instructions: str | None,
        input: Any,
        model_settings: Any,
        tools: list[Any],
        output_schema: Any,
        handoffs: list[Any],
        tracing: Any,
        **kwargs: Any,
    ) -> ModelResponse:
        turn = await self._turn(system_instructions, input, tools, handoffs)
        return ModelResponse(output=to_output(turn), usage=Usage(), response_id=None)

    async def stream_response(
        self,
        system_instructions: str | None,
        input: Any,
        model_settings: Any,
        tools: list[Any],
        output_schema: Any,
        handoffs: list[Any],
        tracing: Any,
        **kwargs: Any,
    ) -> AsyncIterator[Any]:
        turn = await self._turn(system_instructions, input, tools, handoffs)
        replay = ScriptedModel([ModelStep(output=to_output(turn))])
        async for event in replay.stream_response(
            system_instructions, input, model_settings, tools, output_schema, handoffs, tracing, **kwargs
        ):
            yield event


class _HandoffSchema:
    """A handoff as the model sees it: a tool."""

    def __init__(self, handoff: Any) -> None:
        self.name = handoff.tool_name
        self.description = handoff.tool_description
        self.params_json_schema = handoff.input_json_schema
