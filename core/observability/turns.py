"""A model call in words: what the model was asked this turn, what it decided, and the tokens it
used, read from the request and response JSON that byof records for every model call.

Each adapter records its framework's own shapes: LangChain messages, Pydantic AI parts, OpenAI
chat messages and Responses items, smolagents chat messages, CrewAI's answer. This module reads
them by their shape, not by adapter name, so another adapter whose framework speaks one of these
dialects reads well without code of its own. What it does not recognise, it leaves to the caller
to show as JSON. It is for people reading a run (the report, the live view), never for replay.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

_ROLES = {
    "human": "user",
    "user": "user",
    "ai": "assistant",
    "assistant": "assistant",
    "AIMessageChunk": "assistant",
    "system": "system",
    "developer": "system",
    "tool": "tool",
    "tool-response": "tool",
    "tool-call": "assistant",  # smolagents: the calls its code made, recorded after the answer
    "function": "tool",
}
_TEXT_BLOCKS = ("text", "input_text", "output_text")


@dataclass(frozen=True)
class ToolCallView:
    """A tool call a model asked for: the tool's name and its arguments (usually a dict)."""

    name: str
    arguments: Any = None

    def __str__(self) -> str:
        return f"{self.name}({arguments_text(self.arguments)})"


@dataclass(frozen=True)
class Message:
    """One message of a conversation, reduced to who said what."""

    role: str  # "system", "user", "assistant" or "tool"
    text: str = ""
    tool_calls: tuple[ToolCallView, ...] = field(default_factory=tuple)
    name: str = ""  # the tool that answered, for a tool result


def arguments_text(value: Any) -> str:
    """Tool-call arguments as `name=value, ...` (JSON values)."""
    value = _maybe_json(value)
    if isinstance(value, Mapping):
        return ", ".join(f"{k}={json.dumps(v, ensure_ascii=False, default=repr)}" for k, v in value.items())
    return "" if value in (None, "") else json.dumps(value, ensure_ascii=False, default=repr)


def _maybe_json(value: Any) -> Any:
    """Arguments some frameworks keep as JSON text, as data."""
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _within(item: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """`item[key]` when it is a mapping (OpenAI's {"function": {...}}, LangChain's {"data": {...}}),
    else `item` itself."""
    inner = item.get(key)
    return inner if isinstance(inner, Mapping) else item


def _text(content: Any) -> str:
    """The text of a message's content: a string, or the text blocks of a list of blocks."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, Mapping):
        if content.get("type") in _TEXT_BLOCKS or "text" in content:
            return str(content.get("text") or "")
        return ""
    if isinstance(content, list):
        return "\n".join(t for t in (_text(block) for block in content) if t)
    return str(content)


def _openai_tool_calls(calls: Any) -> tuple[ToolCallView, ...]:
    """OpenAI chat tool calls ({"function": {"name", "arguments"}}), LangChain's ({"name", "args"})
    and Anthropic's tool_use blocks ({"name", "input"})."""
    views = []
    for call in calls or ():
        if not isinstance(call, Mapping):
            continue
        function = _within(call, "function")
        name = function.get("name")
        if name:
            args = function.get("arguments", function.get("args", function.get("input")))
            views.append(ToolCallView(str(name), _maybe_json(args)))
    return tuple(views)


def _langchain(item: Mapping[str, Any]) -> Message:
    data = item["data"]
    role = _ROLES.get(str(item.get("type")), str(item.get("type")))
    return Message(
        role=role,
        text=_text(data.get("content")),
        tool_calls=_openai_tool_calls(data.get("tool_calls")),
        name=str(data.get("name") or "") if role == "tool" else "",
    )


def _pydantic_ai(item: Mapping[str, Any]) -> list[Message]:
    """A Pydantic AI request or response: each part is a message of its own, except that a
    response's text and tool calls are one assistant message."""
    if item.get("kind") == "response":
        parts = item.get("parts") or []
        return [
            Message(
                "assistant",
                "\n".join(str(p.get("content") or "") for p in parts if p.get("part_kind") == "text"),
                tuple(
                    ToolCallView(str(p.get("tool_name")), _maybe_json(p.get("args")))
                    for p in parts
                    if p.get("part_kind") == "tool-call"
                ),
            )
        ]
    messages = []
    if item.get("instructions"):
        messages.append(Message("system", str(item["instructions"])))
    for part in item.get("parts") or []:
        kind = part.get("part_kind")
        if kind == "system-prompt":
            messages.append(Message("system", _text(part.get("content"))))
        elif kind == "user-prompt":
            messages.append(Message("user", _text(part.get("content"))))
        elif kind in ("tool-return", "retry-prompt"):
            content = part.get("content")
            text = (
                content if isinstance(content, str) else json.dumps(content, ensure_ascii=False, default=repr)
            )
            messages.append(Message("tool", text, name=str(part.get("tool_name") or "")))
    return messages


def _responses_item(item: Mapping[str, Any]) -> Message | None:
    """An OpenAI Responses API item (the OpenAI Agents SDK's input and output)."""
    kind = item.get("type")
    if kind == "function_call":
        return Message(
            "assistant", tool_calls=(ToolCallView(str(item.get("name")), _maybe_json(item.get("arguments"))),)
        )
    if kind == "function_call_output":
        return Message("tool", _text(item.get("output")))
    if kind in ("reasoning",):
        return None
    role = item.get("role")
    if role:
        return Message(_ROLES.get(str(role), str(role)), _text(item.get("content")))
    return None


def _message(item: Mapping[str, Any]) -> list[Message]:
    if isinstance(item.get("data"), Mapping) and "type" in item:
        return [_langchain(item)]
    if "parts" in item and item.get("kind") in ("request", "response"):
        return _pydantic_ai(item)
    if ("role" in item and "type" not in item) or item.get("type") == "message":
        role = str(item.get("role"))
        content = item.get("content")
        calls = _openai_tool_calls(item.get("tool_calls"))
        if isinstance(content, list):  # Anthropic's blocks: tool_use calls among the text
            calls += _openai_tool_calls(
                b for b in content if isinstance(b, Mapping) and b.get("type") == "tool_use"
            )
        return [Message(_ROLES.get(role, role), _text(content), calls, str(item.get("name") or ""))]
    message = _responses_item(item)
    return [message] if message is not None else []


def _call_names(item: Mapping[str, Any]) -> dict[str, str]:
    """The tool names of the calls in `item`, by call id (a tool result often has only the id)."""
    data = _within(item, "data")
    if data.get("type") == "function_call":
        return {str(data.get("call_id")): str(data.get("name"))}
    names = {}
    for call in data.get("tool_calls") or ():
        if isinstance(call, Mapping) and call.get("id"):
            function = _within(call, "function")
            names[str(call["id"])] = str(function.get("name") or "")
    return names


def messages_of(items: Any) -> list[Message]:
    """A conversation in any of the dialects above, as messages (unknown items are skipped)."""
    messages: list[Message] = []
    names: dict[str, str] = {}
    for item in items if isinstance(items, list) else []:
        if isinstance(item, str):
            messages.append(Message("user", item))
            continue
        if not isinstance(item, Mapping):
            continue
        names.update(_call_names(item))
        call_id = str(item.get("tool_call_id") or item.get("call_id") or "")
        for message in _message(item):
            if message.role == "tool" and not message.name and call_id in names:
                message = Message("tool", message.text, name=names[call_id])
            messages.append(message)
    return messages


def conversation(request: Any) -> list[Message]:
    """The messages a model call's request holds: `messages` (most frameworks), `input` and
    `system` (the OpenAI Agents SDK), a byof.model_call's arguments, or a bare prompt."""
    if isinstance(request, str):
        return [Message("user", request)]
    if isinstance(request, list):
        return messages_of(request)
    if not isinstance(request, Mapping):
        return []
    if isinstance(request.get("messages"), list):
        return messages_of(request["messages"])
    if isinstance(request.get("input"), (list, str)):
        system = [Message("system", str(request["system"]))] if request.get("system") else []
        return system + conversation(request["input"])
    arguments = request.get("arguments")
    if isinstance(arguments, Mapping):  # byof.model_call: the function's bound arguments
        for value in arguments.values():
            found = conversation(value) if isinstance(value, (list, Mapping)) else []
            if found:
                return found
        prompts = [v for v in arguments.values() if isinstance(v, str)]
        return [Message("user", prompts[0])] if prompts else []
    return []


def asked(request: Any) -> list[Message]:
    """What is new in this turn's request: the messages after the model's last answer (the
    user's prompt on the first turn, the tool results after a tool call)."""
    messages = conversation(request)
    last = max((i for i, m in enumerate(messages) if m.role == "assistant"), default=-1)
    new = [m for m in messages[last + 1 :] if m.role != "system"]
    return new or [m for m in messages if m.role == "user"][-1:]


def _merge_chunks(chunks: list[Any]) -> Message:
    """A streamed answer (LangChain chunks, smolagents deltas) as one message."""
    text: list[str] = []
    calls: dict[Any, dict[str, str]] = {}
    for chunk in chunks:
        if not isinstance(chunk, Mapping):
            continue
        data = _within(chunk, "data")
        text.append(_text(data.get("content")))
        for n, part in enumerate(data.get("tool_call_chunks") or data.get("tool_calls") or []):
            if not isinstance(part, Mapping):
                continue
            function = _within(part, "function")
            slot = calls.setdefault(part.get("index", n), {"name": "", "args": ""})
            slot["name"] += str(function.get("name") or "")
            args = function.get("arguments", function.get("args"))
            slot["args"] += args if isinstance(args, str) else json.dumps(args) if args else ""
    views = tuple(
        ToolCallView(c["name"], _maybe_json(c["args"])) for _, c in sorted(calls.items()) if c["name"]
    )
    return Message("assistant", "".join(text), views)


def decided(response: Any) -> Message | None:
    """What the model answered: its text and the tool calls it asked for; None when the
    response's shape is not one of the known dialects."""
    if isinstance(response, str):
        return Message("assistant", response)
    if isinstance(response, list):
        return _merge_chunks(response) if response else None
    if not isinstance(response, Mapping):
        return None
    if isinstance(response.get("generations"), list) and response["generations"]:  # LangChain
        return decided([response["generations"][0].get("message")])
    if isinstance(response.get("chunks"), list):  # a LangChain stream
        return _merge_chunks(response["chunks"])
    if "parts" in response:  # Pydantic AI
        return _pydantic_ai({**response, "kind": "response"})[0]
    if isinstance(response.get("choices"), list) and response["choices"]:  # an OpenAI chat completion
        return decided(response["choices"][0].get("message"))
    if isinstance(response.get("output"), list):  # the OpenAI Responses API (OpenAI Agents SDK)
        said = messages_of(response["output"])
        return Message(
            "assistant",
            "\n".join(m.text for m in said if m.text),
            tuple(c for m in said for c in m.tool_calls),
        )
    if "value" in response or ("model" in response and len(response) == 1):  # CrewAI's answer
        value = response.get("value", response.get("model"))
        calls = _openai_tool_calls(value) if isinstance(value, list) else ()
        if calls:
            return Message("assistant", tool_calls=calls)
        return Message(
            "assistant", value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        )
    said = messages_of([response])
    return said[0] if said and said[0].role == "assistant" else None


# -- token usage ---------------------------------------------------------------------------------

_USAGE_KEYS = ("usage", "token_usage", "usage_metadata")
_INPUT = ("input_tokens", "prompt_tokens")
_OUTPUT = ("output_tokens", "completion_tokens")


def _counts(usage: Mapping[str, Any]) -> dict[str, int] | None:
    def first(names: Iterable[str]) -> int:
        return next((int(usage[n]) for n in names if isinstance(usage.get(n), (int, float))), 0)

    found = {"input": first(_INPUT), "output": first(_OUTPUT)}
    found["total"] = first(("total_tokens",)) or found["input"] + found["output"]
    return found if any(found.values()) else None


def _usages(value: Any, depth: int = 0) -> list[dict[str, int]]:
    """Every usage record in `value`, the shallowest first; a list's items each count."""
    if depth > 5:
        return []
    if isinstance(value, list):
        return [u for item in value for u in _usages(item, depth + 1)[:1]]
    if not isinstance(value, Mapping):
        return []
    for key in _USAGE_KEYS:
        if isinstance(value.get(key), Mapping):
            counts = _counts(value[key])
            if counts:
                return [counts]
    for key in ("generations", "chunks", "message", "data", "llm_output", "choices"):
        if key in value:
            found = _usages(value[key], depth + 1)
            if found:
                return found
    return []


def usage_of(response: Any) -> dict[str, int] | None:
    """The tokens a model response says it used, as {"input", "output", "total"}; None when it
    says nothing (or only zeros, as scripted models do). A stream's chunks are summed."""
    found = _usages(response)
    if not found:
        return None
    return {k: sum(u[k] for u in found) for k in ("input", "output", "total")}
