"""byof's scripted model for smolagents: a real `smolagents.Model` driven by a `Script`.

smolagents ships no fake model, so this is the one its tests and examples use. It answers the
way each agent expects: a `ToolCallingAgent` (tools offered) gets native tool calls, and a text
turn becomes a call to `final_answer`; a `CodeAgent` gets a code block calling the tools, and a
text turn becomes `final_answer("...")` unless it is code already; a call without tools or code (planning, a last answer
after max_steps) gets plain text. `generate_stream` streams the same answer in chunks. Import
this module only where smolagents is installed.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

from smolagents.models import (
    ChatMessage,
    ChatMessageStreamDelta,
    ChatMessageToolCall,
    ChatMessageToolCallFunction,
    ChatMessageToolCallStreamDelta,
    MessageRole,
    Model,
)
from smolagents.monitoring import TokenUsage

from .script import Message, Request, Script, ScriptedToolCall, ToolSchema, Turn

CODE_OUTPUT = "Last output from code snippet:\n"


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    return "".join(part.get("text", "") for part in content or [] if isinstance(part, dict))


def _role(message: Any) -> str:
    role = message.get("role") if isinstance(message, dict) else message.role
    return str(getattr(role, "value", role))


def _content(message: Any) -> Any:
    return message.get("content") if isinstance(message, dict) else message.content


def _observation(text: str) -> str:
    """A tool response's result: after "Observation:", and a CodeAgent's last output."""
    text = text.removeprefix("Observation:\n")
    _, found, output = text.rpartition(CODE_OUTPUT)
    return output if found else text


def to_request(messages: list[Any], tools: list[Any] | None, model: str) -> Request:
    """smolagents' messages (memory steps written out) as the script's neutral request."""
    neutral: list[Message] = []
    for message in messages:
        role, text = _role(message), _text(_content(message))
        if role == MessageRole.SYSTEM.value:
            neutral.append(Message("system", text))
        elif role == MessageRole.USER.value:
            neutral.append(Message("user", text.removeprefix("New task:\n")))
        elif role == MessageRole.ASSISTANT.value:
            neutral.append(Message("assistant", text))
        elif role == MessageRole.TOOL_CALL.value:
            if not neutral or neutral[-1].role != "assistant":  # else: the code or text it goes with
                neutral.append(Message("assistant", ""))
        elif role == MessageRole.TOOL_RESPONSE.value:
            neutral.append(Message("tool", _observation(text)))
    schemas = tuple(ToolSchema(t.name, t.description, {"properties": dict(t.inputs)}) for t in tools or [])
    return Request(tuple(neutral), schemas, model)


def _code(turn: Turn, tags: tuple[str, str]) -> str:
    """A CodeAgent's answer: code calling the turn's tools (the last call is the output), a text
    that already holds a code block (as it is), or `final_answer` with the text."""
    if turn.text and tags[0] in turn.text:
        return turn.text
    if turn.tool_calls:
        lines = [
            f"{c.name}({', '.join(f'{k}={v!r}' for k, v in c.arguments.items())})" for c in turn.tool_calls
        ]
        body = "\n".join([*(f"print({line})" for line in lines[:-1]), lines[-1]])
        thought = "I will use the tools."
    else:
        body = f"final_answer({turn.text or ''!r})"
        thought = "I know the answer."
    return f"Thought: {thought}\n{tags[0]}\n{body}\n{tags[1]}"


def _as_declared(arguments: dict[str, Any], tool: Any) -> dict[str, Any]:
    """Arguments as the tool declares them, as a real model writes them: 2.0 for a "number"
    (smolagents before 1.21 refuses an integer there)."""
    inputs = getattr(tool, "inputs", {})
    return {
        k: float(v) if inputs.get(k, {}).get("type") == "number" and type(v) is int else v
        for k, v in arguments.items()
    }


def _tool_calls(calls: tuple[ScriptedToolCall, ...], tools: list[Any]) -> list[ChatMessageToolCall]:
    by_name = {t.name: t for t in tools}
    return [
        ChatMessageToolCall(
            function=ChatMessageToolCallFunction(
                name=c.name, arguments=_as_declared(dict(c.arguments), by_name.get(c.name))
            ),
            id=c.id or f"call_{i}",
            type="function",
        )
        for i, c in enumerate(calls)
    ]


class ScriptedModel(Model):
    """A smolagents `Model` answering from `script` (see the module docstring for the shapes).

    `code_block_tags` must match the CodeAgent's (smolagents' default is `<code>`, `</code>`).
    """

    def __init__(
        self,
        script: Script,
        model_id: str = "scripted-model",
        code_block_tags: tuple[str, str] = ("<code>", "</code>"),
        **kwargs: Any,
    ) -> None:
        super().__init__(model_id=model_id, **kwargs)
        self.script = script
        self.code_block_tags = code_block_tags

    def _answer(
        self, messages: list[Any], stop_sequences: list[str] | None, tools: list[Any] | None
    ) -> ChatMessage:
        request = to_request(messages, tools, self.model_id or "")
        turn = self.script.respond(request)
        time.sleep(turn.delay)
        usage = TokenUsage(input_tokens=sum(len(m.content) for m in request.messages) // 4, output_tokens=8)
        if tools:
            calls = turn.tool_calls or (ScriptedToolCall("final_answer", {"answer": turn.text or ""}),)
            # Content "" rather than None: smolagents then writes the turn back into memory even
            # when the call fails, so the next request shows the model its own turn.
            return ChatMessage(
                role=MessageRole.ASSISTANT,
                content="",
                tool_calls=_tool_calls(calls, tools),
                token_usage=usage,
            )
        if self.code_block_tags[1] in (stop_sequences or []):
            return ChatMessage(
                role=MessageRole.ASSISTANT, content=_code(turn, self.code_block_tags), token_usage=usage
            )
        return ChatMessage(role=MessageRole.ASSISTANT, content=turn.text or "", token_usage=usage)

    def generate(
        self,
        messages: list[Any],
        stop_sequences: list[str] | None = None,
        response_format: dict[str, str] | None = None,
        tools_to_call_from: list[Any] | None = None,
        **kwargs: Any,
    ) -> ChatMessage:
        return self._answer(messages, stop_sequences, tools_to_call_from)

    def generate_stream(
        self,
        messages: list[Any],
        stop_sequences: list[str] | None = None,
        response_format: dict[str, str] | None = None,
        tools_to_call_from: list[Any] | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatMessageStreamDelta]:
        """The same answer as `generate`, as deltas: the text in two chunks, then each tool call."""
        answer = self._answer(messages, stop_sequences, tools_to_call_from)
        text = answer.content if isinstance(answer.content, str) else ""
        half = len(text) // 2
        for chunk in (text[:half], text[half:]):
            if chunk:
                yield ChatMessageStreamDelta(content=chunk)
        for i, call in enumerate(answer.tool_calls or []):
            function = ChatMessageToolCallFunction(
                name=call.function.name, arguments=json.dumps(call.function.arguments)
            )
            yield ChatMessageStreamDelta(
                tool_calls=[
                    ChatMessageToolCallStreamDelta(index=i, id=call.id, type="function", function=function)
                ]
            )
        yield ChatMessageStreamDelta(token_usage=answer.token_usage)
