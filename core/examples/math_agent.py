"""The seed tutorial's math agent, as a homegrown loop made durable with byof.

A model turns the request into a JSON plan of tool steps; a plan executor runs the steps in
order, and an argument written as "previous" takes the result of the step before it. The
model call is a `byof.model_call` (a replayable trace step), every tool a `byof.tool` (a
durable Flyte child task). `make_math_agent` takes any chat model with the OpenAI message
interface: `byof.testing.chat.ScriptedChat` offline, `OpenAIChat` against a real endpoint.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

import byof

ChatModel = Callable[..., Awaitable[dict[str, Any]]]

SYSTEM_PROMPT = (
    "You are a math planner. Break the user's request into steps using only these tools: "
    "add(a, b), subtract(a, b), multiply(a, b), divide(a, b). Reply with only a JSON list of steps, "
    'each {"tool": <name>, "args": {"a": <number or "previous">, "b": <number or "previous">}}. '
    '"previous" means the result of the step before.'
)

DEMO_REQUEST = "Multiply 10 by 5, then add 3 to the result, then divide it by 2"
DEMO_PLAN = [
    {"tool": "multiply", "args": {"a": 10, "b": 5}},
    {"tool": "add", "args": {"a": "previous", "b": 3}},
    {"tool": "divide", "args": {"a": "previous", "b": 2}},
]


@byof.tool
def add(a: float, b: float) -> float:
    """Add two numbers."""
    return a + b


@byof.tool
def subtract(a: float, b: float) -> float:
    """Subtract b from a."""
    return a - b


@byof.tool
def multiply(a: float, b: float) -> float:
    """Multiply two numbers."""
    return a * b


@byof.tool
def divide(a: float, b: float) -> float:
    """Divide a by b."""
    if b == 0:
        raise ZeroDivisionError("cannot divide by zero")
    return a / b


TOOLS: dict[str, Callable[..., float]] = {
    "add": add,
    "subtract": subtract,
    "multiply": multiply,
    "divide": divide,
}


def parse_plan(text: str) -> list[dict[str, Any]]:
    """The JSON list of steps in the model's reply, also when fenced or wrapped in prose."""
    match = re.search(r"\[.*\]", text, re.DOTALL)
    if match is None:
        raise ValueError(f"the planner's reply holds no JSON list of steps: {text[:200]!r}")
    steps = json.loads(match.group(0))
    for i, step in enumerate(steps):
        if step.get("tool") not in TOOLS:
            raise ValueError(
                f"step {i + 1} uses unknown tool {step.get('tool')!r}; known: {', '.join(TOOLS)}"
            )
    return steps


def format_number(value: float) -> str:
    return f"{value:g}"


def make_math_agent(chat: ChatModel) -> Callable[[str], Awaitable[str]]:
    """A math agent loop over `chat` (any async `(messages) -> assistant message dict`)."""

    @byof.model_call(name="plan")
    async def plan(messages: list[dict[str, Any]]) -> dict[str, Any]:
        return await chat(messages)

    async def math_agent(prompt: str) -> str:
        reply = await plan(
            [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": prompt}]
        )
        previous: float | None = None
        for step in parse_plan(reply.get("content") or ""):
            args = {k: (previous if v == "previous" else v) for k, v in step["args"].items()}
            previous = await TOOLS[step["tool"]].aio(**args)  # type: ignore[attr-defined]
        if previous is None:
            raise ValueError("the plan has no steps")
        return format_number(previous)

    return math_agent
