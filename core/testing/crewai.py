"""byof's scripted LLM for CrewAI: a real `crewai.llms.base_llm.BaseLLM` driven by a `Script`.

With `function_calling=True` it answers tool calls natively (OpenAI-format tool-call dicts, as
CrewAI's executor accepts them); otherwise it writes CrewAI's ReAct text ("Action: ... Action
Input: ...", "Final Answer: ..."), which CrewAI parses itself. Import this module only where
crewai is installed.
"""

from __future__ import annotations

import json
from typing import Any

from crewai.llms.base_llm import BaseLLM
from pydantic import PrivateAttr

from .script import Message, Request, Script, ScriptedToolCall, ToolSchema, Turn


def _neutral(messages: Any) -> tuple[Message, ...]:
    """CrewAI's messages (ReAct text or native tool calls) as neutral messages."""
    if isinstance(messages, str):
        return (Message("user", messages),)
    out: list[Message] = []
    for m in messages:
        role, content = m.get("role", "user"), m.get("content") or ""
        if role == "assistant":
            calls = tuple(
                ScriptedToolCall(
                    c["function"]["name"], json.loads(c["function"].get("arguments") or "{}"), c.get("id")
                )
                for c in m.get("tool_calls") or []
            )
            text = content if isinstance(content, str) else str(content)
            action, _, observation = text.partition("\nObservation:")  # ReAct: the tool result rides along
            out.append(Message("assistant", action, calls))
            if observation:
                out.append(Message("tool", observation.strip()))
        elif role == "tool":
            out.append(Message("tool", str(content), tool_call_id=m.get("tool_call_id")))
        else:
            out.append(Message("system" if role == "system" else "user", str(content)))
    return tuple(out)


def _react(turn: Turn) -> str:
    if turn.tool_calls:
        call = turn.tool_calls[0]
        return f"Thought: I should use a tool.\nAction: {call.name}\nAction Input: {json.dumps(dict(call.arguments))}"
    return f"Thought: I know the answer.\nFinal Answer: {turn.text or ''}"


class ScriptedLLM(BaseLLM):
    """A CrewAI LLM answering from a script, in ReAct text or with native tool calls."""

    function_calling: bool = False
    _script: Script = PrivateAttr()

    def __init__(
        self, script: Script, *, model: str = "scripted-model", function_calling: bool = False
    ) -> None:
        super().__init__(model=model, function_calling=function_calling)
        self._script = script

    @property
    def script(self) -> Script:
        return self._script

    def supports_function_calling(self) -> bool:
        return self.function_calling

    def _answer(self, messages: Any, tools: Any, available_functions: Any) -> Any:
        schemas = tuple(
            ToolSchema(
                t["function"]["name"],
                t["function"].get("description", ""),
                t["function"].get("parameters", {}),
            )
            for t in tools or []
            if isinstance(t, dict) and "function" in t
        )
        turn = self._script.respond(Request(_neutral(messages), schemas, self.model))
        if available_functions and turn.tool_calls:
            # As CrewAI's own LLMs do: given the functions, the LLM runs the first call it can.
            for c in turn.tool_calls:
                result = self._handle_tool_execution(c.name, dict(c.arguments), available_functions)
                if result is not None:
                    return result
        if self.function_calling and turn.tool_calls:
            return [
                {
                    "id": c.id,
                    "type": "function",
                    "function": {"name": c.name, "arguments": json.dumps(dict(c.arguments))},
                }
                for c in turn.tool_calls
            ]
        return (turn.text or "") if self.function_calling else _react(turn)

    def call(
        self,
        messages: Any,
        tools: Any = None,
        callbacks: Any = None,
        available_functions: Any = None,
        from_task: Any = None,
        from_agent: Any = None,
        response_model: Any = None,
    ) -> Any:
        return self._answer(messages, tools, available_functions)

    async def acall(
        self,
        messages: Any,
        tools: Any = None,
        callbacks: Any = None,
        available_functions: Any = None,
        from_task: Any = None,
        from_agent: Any = None,
        response_model: Any = None,
    ) -> Any:
        return self._answer(messages, tools, available_functions)
