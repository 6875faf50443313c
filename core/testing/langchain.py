"""byof's scripted model for LangChain / LangGraph: a real `BaseChatModel` driven by a `Script`.

It binds tools like a provider model (`bind_tools`), so prebuilt agents, `create_agent` and
hand-built graphs accept it, and every request it gets (messages and tool schemas) is recorded
in the script. Import this module only where langchain-core is installed.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import ConfigDict

from .script import Message, Request, Script, ScriptedToolCall, ToolSchema, Turn

_ROLES = {"human": "user", "ai": "assistant", "tool": "tool", "system": "system"}


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    parts = [p.get("text", "") if isinstance(p, dict) else str(p) for p in content or []]
    return "".join(parts)


def to_request(
    messages: Sequence[BaseMessage], tools: Sequence[dict[str, Any]] = (), model: str = ""
) -> Request:
    """LangChain messages and OpenAI-format tool dicts as the script's neutral request."""
    neutral = []
    for m in messages:
        role = _ROLES.get(m.type, "user")
        calls = tuple(
            ScriptedToolCall(c["name"], dict(c.get("args") or {}), c.get("id"))
            for c in getattr(m, "tool_calls", None) or []
        )
        call_id = m.tool_call_id if isinstance(m, ToolMessage) else None
        neutral.append(Message(role, _text(m.content), calls, call_id))  # type: ignore[arg-type]
    schemas = tuple(
        ToolSchema(
            t["function"]["name"], t["function"].get("description", ""), t["function"].get("parameters", {})
        )
        for t in tools
        if t.get("type") == "function"
    )
    return Request(tuple(neutral), schemas, model)


def to_message(turn: Turn) -> AIMessage:
    return AIMessage(
        content=turn.text or "",
        tool_calls=[
            {"name": c.name, "args": dict(c.arguments), "id": c.id, "type": "tool_call"}
            for c in turn.tool_calls
        ],
    )


class ScriptedChatModel(BaseChatModel):
    """A chat model that answers from a `Script`; `tools` come from `bind_tools` like any provider."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    script: Script
    model_name: str = "scripted-model"

    @property
    def _llm_type(self) -> str:
        return "byof-scripted"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_name": self.model_name}

    def bind_tools(self, tools: Sequence[Any], *, tool_choice: Any = None, **kwargs: Any) -> Any:
        formatted = [convert_to_openai_tool(t) for t in tools]
        if tool_choice is not None:
            kwargs["tool_choice"] = tool_choice
        return self.bind(tools=formatted, **kwargs)

    def _answer(self, messages: list[BaseMessage], kwargs: dict[str, Any]) -> tuple[ChatResult, float]:
        turn = self.script.respond(to_request(messages, kwargs.get("tools") or (), self.model_name))
        message = to_message(turn)
        info = {"finish_reason": "tool_calls" if turn.tool_calls else "stop"}
        return ChatResult(generations=[ChatGeneration(message=message, generation_info=info)]), turn.delay

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        result, delay = self._answer(messages, kwargs)
        time.sleep(delay)
        return result

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        result, delay = self._answer(messages, kwargs)
        await asyncio.sleep(delay)
        return result
