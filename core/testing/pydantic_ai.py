"""byof's scripted model for Pydantic AI: a real `FunctionModel` driven by a `Script`.

Every request (messages, function tools and output tools) is recorded in the script. A turn's
tool calls may name an output tool (`final_result` by default) to return a structured output.
It streams too (`run_stream`, `iter` with streaming): text word by word, then each tool call.
Import this module only where pydantic-ai is installed.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from typing import Any

from pydantic_ai.messages import (
    ModelMessage,
    ModelRequest,
    ModelResponse,
    RetryPromptPart,
    SystemPromptPart,
    TextPart,
    ToolCallPart,
    ToolReturnPart,
    UserPromptPart,
)
from pydantic_ai.models.function import AgentInfo, DeltaToolCall, DeltaToolCalls, FunctionModel

from .script import Message, Request, Script, ScriptedToolCall, ToolSchema, Turn


def _content(content: Any) -> str:
    return content if isinstance(content, str) else str(content)


def to_request(messages: list[ModelMessage], info: AgentInfo, model: str = "") -> Request:
    """Pydantic AI messages and the run's tool definitions as the script's neutral request."""
    neutral: list[Message] = []
    instructions = None
    for message in messages:
        if isinstance(message, ModelResponse):
            text = "".join(p.content for p in message.parts if isinstance(p, TextPart))
            calls = tuple(
                ScriptedToolCall(p.tool_name, p.args_as_dict(), p.tool_call_id)
                for p in message.parts
                if isinstance(p, ToolCallPart)
            )
            neutral.append(Message("assistant", text, calls))
            continue
        assert isinstance(message, ModelRequest)
        if message.instructions and message.instructions != instructions:
            instructions = message.instructions  # the agent's instructions, as the model gets them
            neutral.append(Message("system", instructions))
        for part in message.parts:
            if isinstance(part, SystemPromptPart):
                neutral.append(Message("system", part.content))
            elif isinstance(part, UserPromptPart):
                neutral.append(Message("user", _content(part.content)))
            elif isinstance(part, ToolReturnPart):
                neutral.append(Message("tool", part.model_response_str(), tool_call_id=part.tool_call_id))
            elif isinstance(part, RetryPromptPart):
                neutral.append(Message("tool", part.model_response(), tool_call_id=part.tool_call_id))
    tools = tuple(
        ToolSchema(t.name, t.description or "", t.parameters_json_schema)
        for t in [*info.function_tools, *info.output_tools]
    )
    return Request(tuple(neutral), tools, model)


def to_response(turn: Turn, model: str) -> ModelResponse:
    parts: list[Any] = [TextPart(turn.text)] if turn.text else []
    parts += [ToolCallPart(c.name, dict(c.arguments), tool_call_id=c.id or "") for c in turn.tool_calls]
    return ModelResponse(parts=parts, model_name=model)


def stream_turn(turn: Turn) -> list[str | DeltaToolCalls]:
    """A turn as the pieces a streamed response arrives in: its text a word at a time, then one
    delta per tool call (name, arguments and id at once)."""
    pieces: list[str | DeltaToolCalls] = re.findall(r"\S+\s*|\s+", turn.text or "")
    for index, c in enumerate(turn.tool_calls):
        pieces.append({index: DeltaToolCall(c.name, json.dumps(dict(c.arguments)), tool_call_id=c.id)})
    return pieces


def scripted_model(script: Script, model_name: str = "scripted-model") -> FunctionModel:
    """A Pydantic AI model answering from `script`, on the request and the streaming path alike."""

    async def respond(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        turn = script.respond(to_request(messages, info, model_name))
        await asyncio.sleep(turn.delay)
        return to_response(turn, model_name)

    async def stream(messages: list[ModelMessage], info: AgentInfo) -> AsyncIterator[str | DeltaToolCalls]:
        turn = script.respond(to_request(messages, info, model_name))
        await asyncio.sleep(turn.delay)
        for piece in stream_turn(turn):
            yield piece

    return FunctionModel(respond, stream_function=stream, model_name=model_name)
