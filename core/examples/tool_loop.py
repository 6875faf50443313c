"""A homegrown tool-calling loop over a raw chat API, made durable with byof.

This is what an agent written directly against a provider SDK looks like: the loop sends the
conversation and the tools' JSON schemas, runs whatever tools the model asks for, feeds the
results (or the errors) back, and stops when the model answers in text. byof adds nothing to
the loop itself: the model call is a `byof.model_call` step and the tools are `byof.tool`s.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from pydantic import create_model

import byof

ChatModel = Callable[..., Awaitable[dict[str, Any]]]


def tool_schema(fn: Callable[..., Any]) -> dict[str, Any]:
    """The OpenAI function-tool schema of `fn`, from its signature and docstring."""
    fields = {
        name: (
            p.annotation if p.annotation is not inspect.Parameter.empty else Any,
            ... if p.default is inspect.Parameter.empty else p.default,
        )
        for name, p in inspect.signature(fn).parameters.items()
    }
    params = create_model(f"{fn.__name__}_args", **fields).model_json_schema()  # type: ignore[call-overload]
    params.pop("title", None)
    return {
        "type": "function",
        "function": {"name": fn.__name__, "description": inspect.getdoc(fn) or "", "parameters": params},
    }


def make_tool_agent(
    chat: ChatModel,
    tools: Sequence[Callable[..., Any]],
    *,
    max_turns: int = 10,
    raise_tool_errors: bool = False,
) -> Callable[[str], Awaitable[str]]:
    """An agent loop calling `chat(messages, tools)` and running `tools` (byof.tool functions).
    A failing tool's error goes to the model, or ends the run with `raise_tool_errors`."""
    schemas = [tool_schema(t) for t in tools]
    by_name = {t.__name__: t for t in tools}

    @byof.model_call(name="chat")
    async def complete(messages: list[dict[str, Any]], tools: list[dict[str, Any]]) -> dict[str, Any]:
        return await chat(messages, tools)

    async def run_tool(name: str, arguments: str) -> str:
        fn = by_name.get(name)
        if fn is None:
            return f"error: unknown tool {name!r}"
        try:
            call = getattr(fn, "aio", None)
            result = await call(**json.loads(arguments)) if call else fn(**json.loads(arguments))
        except Exception as exc:  # the model sees tool errors and decides what to do
            if raise_tool_errors:
                raise
            return f"error: {type(exc).__name__}: {exc}"
        return result if isinstance(result, str) else json.dumps(result)

    async def tool_agent(prompt: str) -> str:
        messages: list[dict[str, Any]] = [{"role": "user", "content": prompt}]
        for _ in range(max_turns):
            reply = await complete(messages, schemas)
            messages.append(reply)
            tool_calls = reply.get("tool_calls") or []
            if not tool_calls:
                return reply.get("content") or ""
            for tc in tool_calls:
                content = await run_tool(tc["function"]["name"], tc["function"]["arguments"])
                messages.append({"role": "tool", "tool_call_id": tc["id"], "content": content})
        raise RuntimeError(f"no answer after {max_turns} model turns")

    return tool_agent
