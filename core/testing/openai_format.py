"""Conversions between the OpenAI wire formats and the neutral script types.

Pure functions, no I/O: the scripted server uses them, and so does `ScriptedChat`, so every
scripted OpenAI answer is built by the same code. The response shapes follow the `openai`
SDK's own types (they validate with `_strict_response_validation=True`), so a framework's real
OpenAI provider class parses them exactly as it parses a real provider's answers. Ids and
timestamps are deterministic: a replayed conversation gets byte-identical answers.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

from byof.testing.script import Message, Request, ScriptedToolCall, ToolSchema, Turn

CREATED = 1700000000
_PIECES = 3


def _text(content: Any) -> str:
    """A message's text: a string, or the concatenated `text` of its content parts."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    return "".join(p["text"] for p in content if isinstance(p, Mapping) and isinstance(p.get("text"), str))


def _arguments(raw: Any) -> dict[str, Any]:
    if isinstance(raw, Mapping):
        return dict(raw)
    return dict(json.loads(raw)) if raw else {}


def _schema(spec: Mapping[str, Any]) -> ToolSchema:
    return ToolSchema(spec["name"], spec.get("description") or "", dict(spec.get("parameters") or {}))


def _json(arguments: Mapping[str, Any]) -> str:
    return json.dumps(dict(arguments))


def _pieces(text: str) -> list[str]:
    """`text` in a few pieces, so clients exercise their delta accumulation."""
    size = max(1, -(-len(text) // _PIECES))
    return [text[i : i + size] for i in range(0, len(text), size)]


def _digest(turn: Turn) -> str:
    calls = [[c.id, c.name, dict(c.arguments)] for c in turn.tool_calls]
    payload = json.dumps([turn.text, calls], sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def _tokens(text: str) -> int:
    return (len(text) + 3) // 4


def estimate_tokens(request: Request) -> int:
    """A deterministic stand-in for the prompt token count (about four characters a token)."""
    return sum(
        _tokens(m.content) + sum(_tokens(_json(c.arguments)) for c in m.tool_calls) for m in request.messages
    )


def _output_tokens(turn: Turn) -> int:
    return _tokens(turn.text or "") + sum(_tokens(c.name + _json(c.arguments)) for c in turn.tool_calls)


# Chat Completions


def _chat_message(message: Mapping[str, Any]) -> Message:
    role = message.get("role")
    content = _text(message.get("content"))
    if role in ("system", "developer"):
        return Message("system", content)
    if role == "user":
        return Message("user", content, name=message.get("name"))
    if role == "assistant":
        tool_calls = tuple(
            ScriptedToolCall(c["function"]["name"], _arguments(c["function"].get("arguments")), c.get("id"))
            for c in message.get("tool_calls") or ()
            if c.get("type", "function") == "function"
        )
        if legacy := message.get("function_call"):
            tool_calls += (ScriptedToolCall(legacy["name"], _arguments(legacy.get("arguments"))),)
        return Message("assistant", content, tool_calls)
    if role == "tool":
        return Message("tool", content, tool_call_id=message.get("tool_call_id"))
    if role == "function":
        return Message("tool", content, name=message.get("name"))
    raise ValueError(f"unsupported chat message role {role!r}")


def request_from_chat(body: Mapping[str, Any]) -> Request:
    """A Chat Completions request body as a neutral `Request` (`tools` and legacy `functions`)."""
    tools = [
        _schema(t["function"]) for t in body.get("tools") or () if t.get("type", "function") == "function"
    ]
    tools += [_schema(f) for f in body.get("functions") or ()]
    return Request(
        tuple(_chat_message(m) for m in body.get("messages") or ()),
        tuple(tools),
        str(body.get("model") or ""),
    )


def _chat_tool_call(call: ScriptedToolCall) -> dict[str, Any]:
    return {
        "id": call.id,
        "type": "function",
        "function": {"name": call.name, "arguments": _json(call.arguments)},
    }


def _chat_usage(turn: Turn, prompt_tokens: int) -> dict[str, Any]:
    completion_tokens = _output_tokens(turn)
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0},
    }


def _finish_reason(turn: Turn) -> str:
    return "tool_calls" if turn.tool_calls else "stop"


def chat_completion(turn: Turn, model: str, *, prompt_tokens: int = 0) -> dict[str, Any]:
    """The non-streaming `chat.completion` object answering with `turn`."""
    message: dict[str, Any] = {
        "role": "assistant",
        "content": turn.text if turn.text is not None else (None if turn.tool_calls else ""),
        "refusal": None,
        "annotations": [],
    }
    if turn.tool_calls:
        message["tool_calls"] = [_chat_tool_call(c) for c in turn.tool_calls]
    return {
        "id": f"chatcmpl-scripted-{_digest(turn)}",
        "object": "chat.completion",
        "created": CREATED,
        "model": model,
        "system_fingerprint": None,
        "choices": [
            {"index": 0, "message": message, "logprobs": None, "finish_reason": _finish_reason(turn)}
        ],
        "usage": _chat_usage(turn, prompt_tokens),
    }


def chat_chunks(
    turn: Turn, model: str, *, include_usage: bool = False, prompt_tokens: int = 0
) -> list[dict[str, Any]]:
    """The `chat.completion.chunk` objects streaming the same answer as `chat_completion`.

    Text and arguments arrive in several deltas; the usage chunk (empty `choices`) comes last
    only when the request set `stream_options.include_usage`, as OpenAI does.
    """
    base = {"id": f"chatcmpl-scripted-{_digest(turn)}", "object": "chat.completion.chunk", "created": CREATED}
    base |= {"model": model, "system_fingerprint": None}

    def chunk(delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
        return {**base, "choices": [choice]}

    chunks = [chunk({"role": "assistant", "content": "" if turn.text is not None else None})]
    chunks += [chunk({"content": piece}) for piece in _pieces(turn.text or "")]
    for index, call in enumerate(turn.tool_calls):
        head = {
            "index": index,
            "id": call.id,
            "type": "function",
            "function": {"name": call.name, "arguments": ""},
        }
        chunks.append(chunk({"tool_calls": [head]}))
        chunks += [
            chunk({"tool_calls": [{"index": index, "function": {"arguments": piece}}]})
            for piece in _pieces(_json(call.arguments))
        ]
    chunks.append(chunk({}, _finish_reason(turn)))
    if include_usage:
        chunks.append({**base, "choices": [], "usage": _chat_usage(turn, prompt_tokens)})
    return chunks


# Responses API


def _responses_messages(items: Iterable[Mapping[str, Any]]) -> list[Message]:
    """Input items as messages; a model turn's `function_call` items join its assistant message."""
    messages: list[Message] = []
    for item in items:
        kind = item.get("type", "message")
        if kind == "message" and "role" in item:
            role = "system" if item["role"] in ("system", "developer") else item["role"]
            messages.append(Message(role, _text(item.get("content"))))
        elif kind == "function_call":
            call = ScriptedToolCall(item["name"], _arguments(item.get("arguments")), item.get("call_id"))
            if messages and messages[-1].role == "assistant":
                last = messages.pop()
                messages.append(Message("assistant", last.content, (*last.tool_calls, call)))
            else:
                messages.append(Message("assistant", "", (call,)))
        elif kind == "function_call_output":
            messages.append(Message("tool", _text(item.get("output")), tool_call_id=item.get("call_id")))
    return messages


def request_from_responses(body: Mapping[str, Any]) -> Request:
    """A Responses API request body as a neutral `Request` (non-function tools are ignored).

    Scripts pick the turn from the conversation itself, so a request that leans on
    server-side state (`previous_response_id`, `conversation`) is refused, not misread.
    """
    for stateful in ("previous_response_id", "conversation"):
        if body.get(stateful):
            raise ValueError(f"scripted models are stateless: send the whole input instead of {stateful!r}")
    messages = [Message("system", body["instructions"])] if body.get("instructions") else []
    raw_input = body.get("input") or []
    messages += [Message("user", raw_input)] if isinstance(raw_input, str) else _responses_messages(raw_input)
    tools = tuple(_schema(t) for t in body.get("tools") or () if t.get("type") == "function")
    return Request(tuple(messages), tools, str(body.get("model") or ""))


def _message_item(item_id: str, text: str, status: str) -> dict[str, Any]:
    content = [_text_part(text)] if status == "completed" else []
    return {"id": item_id, "type": "message", "role": "assistant", "status": status, "content": content}


def _text_part(text: str) -> dict[str, Any]:
    return {"type": "output_text", "text": text, "annotations": [], "logprobs": []}


def _function_item(call: ScriptedToolCall, arguments: str, status: str) -> dict[str, Any]:
    return {
        "id": f"fc_{call.id}",
        "type": "function_call",
        "call_id": call.id,
        "name": call.name,
        "arguments": arguments,
        "status": status,
    }


def _response(
    turn: Turn, model: str, status: str, output: list[dict[str, Any]], usage: Any
) -> dict[str, Any]:
    return {
        "id": f"resp_scripted_{_digest(turn)}",
        "object": "response",
        "created_at": CREATED,
        "status": status,
        "error": None,
        "incomplete_details": None,
        "instructions": None,
        "metadata": {},
        "model": model,
        "output": output,
        "parallel_tool_calls": True,
        "temperature": None,
        "tool_choice": "auto",
        "tools": [],
        "top_p": None,
        "usage": usage,
    }


def _message_id(turn: Turn) -> str:
    return f"msg_scripted_{_digest(turn)}"


def response_object(turn: Turn, model: str, *, input_tokens: int = 0) -> dict[str, Any]:
    """The completed Responses API `response` answering with `turn`."""
    output = [_message_item(_message_id(turn), turn.text, "completed")] if turn.text else []
    output += [_function_item(c, _json(c.arguments), "completed") for c in turn.tool_calls]
    output_tokens = _output_tokens(turn)
    usage = {
        "input_tokens": input_tokens,
        "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
        "output_tokens": output_tokens,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": input_tokens + output_tokens,
    }
    return _response(turn, model, "completed", output, usage)


def response_events(turn: Turn, model: str, *, input_tokens: int = 0) -> list[dict[str, Any]]:
    """The Responses API stream events for the same answer as `response_object`, in order."""
    events: list[dict[str, Any]] = []

    def emit(kind: str, **fields: Any) -> None:
        events.append({"type": kind, "sequence_number": len(events), **fields})

    started = _response(turn, model, "in_progress", [], None)
    emit("response.created", response=started)
    emit("response.in_progress", response=started)
    index = 0
    if turn.text:
        item_id = _message_id(turn)
        where = {"item_id": item_id, "output_index": index, "content_index": 0}
        emit("response.output_item.added", output_index=index, item=_message_item(item_id, "", "in_progress"))
        emit("response.content_part.added", **where, part=_text_part(""))
        for piece in _pieces(turn.text):
            emit("response.output_text.delta", **where, delta=piece, logprobs=[])
        emit("response.output_text.done", **where, text=turn.text, logprobs=[])
        emit("response.content_part.done", **where, part=_text_part(turn.text))
        emit(
            "response.output_item.done",
            output_index=index,
            item=_message_item(item_id, turn.text, "completed"),
        )
        index += 1
    for call in turn.tool_calls:
        arguments = _json(call.arguments)
        where = {"item_id": f"fc_{call.id}", "output_index": index}
        emit("response.output_item.added", output_index=index, item=_function_item(call, "", "in_progress"))
        for piece in _pieces(arguments):
            emit("response.function_call_arguments.delta", **where, delta=piece)
        emit("response.function_call_arguments.done", **where, arguments=arguments)
        emit(
            "response.output_item.done", output_index=index, item=_function_item(call, arguments, "completed")
        )
        index += 1
    emit("response.completed", response=response_object(turn, model, input_tokens=input_tokens))
    return events
