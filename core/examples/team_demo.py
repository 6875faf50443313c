"""The `byof demo` job: a team of specialists of different frameworks, planned and run in waves.

The seed tutorial's planner system, with each specialist on another framework: a Pydantic AI
math agent, a LangGraph word agent and a smolagents code agent. Each is the framework's own
agent, wrapped by byof as it is; a framework that is not installed is stood in for by a
homegrown loop with the same tools, and the demo says so. The planner is byof's chat planner.

Offline (the default) every model is scripted, in that framework's own model type, for the
example requests in EXAMPLES; with OPENAI_API_KEY set, they are real models and any request
works. Defined at module level, so a Flyte worker can import it (`flyte run` / `flyte deploy`).
"""

from __future__ import annotations

import importlib.util
import json
import os
from collections.abc import Callable
from typing import Any

import byof
from byof.examples.tool_loop import make_tool_agent
from byof.testing.script import Script, call, say

REAL = bool(os.environ.get("OPENAI_API_KEY"))
MODEL = os.environ.get("BYOF_DEMO_MODEL", "gpt-4o-mini")

EXAMPLES: dict[str, str] = {
    "tutorial": (
        "Calculate 10 times 5 and count words in 'Hello World', then multiply the word count by "
        "the calculation result"
    ),
    "fan-out": (
        "Add 7 and 35, multiply 6 by 7, and count the words in 'Flyte runs agents durably', then "
        "add up all three results"
    ),
    "failure": "Divide 10 by 0 and count the words in 'keep going anyway', then add the two results",
}


def _num(value: float) -> str:
    return f"{value:g}"


@byof.tool
def add(a: float, b: float) -> str:
    """Add two numbers."""
    return _num(a + b)


@byof.tool
def multiply(a: float, b: float) -> str:
    """Multiply two numbers."""
    return _num(a * b)


@byof.tool
def divide(a: float, b: float) -> str:
    """Divide a by b."""
    if b == 0:
        raise ZeroDivisionError("cannot divide by zero")
    return _num(a / b)


@byof.tool
def word_count(text: str) -> int:
    """Count the words in a text."""
    return len(text.split())


# -- the scripted models' answers, offline: per step, keyed by the step's task --------------------


def _step(step_id: str, agent: str, task: str, *deps: str) -> dict[str, Any]:
    return {"id": step_id, "agent": agent, "task": task, "depends_on": list(deps)}


PLANS: dict[str, dict[str, Any]] = {
    EXAMPLES["tutorial"]: {
        "steps": [
            _step("s1", "math", "Calculate 10 times 5"),
            _step("s2", "words", "Count the words in 'Hello World'"),
            _step("s3", "coder", "Multiply the word count by the calculation result", "s1", "s2"),
        ],
        "final": "s3",
    },
    EXAMPLES["fan-out"]: {
        "steps": [
            _step("s1", "math", "Add 7 and 35"),
            _step("s2", "math", "Multiply 6 by 7"),
            _step("s3", "words", "Count the words in 'Flyte runs agents durably'"),
            _step("s4", "coder", "Add up the three results", "s1", "s2", "s3"),
        ],
        "final": "s4",
    },
    EXAMPLES["failure"]: {
        "steps": [
            _step("s1", "math", "Divide 10 by 0"),
            _step("s2", "words", "Count the words in 'keep going anyway'"),
            _step("s3", "coder", "Add the two results", "s1", "s2"),
        ],
        "final": "s3",
    },
}
TURNS: dict[str, dict[str, list[Any]]] = {
    "math": {
        "Calculate 10 times 5": [call("multiply", a=10, b=5), say("{last}")],
        "Add 7 and 35": [call("add", a=7, b=35), say("{last}")],
        "Multiply 6 by 7": [call("multiply", a=6, b=7), say("{last}")],
        "Divide 10 by 0": [call("divide", a=10, b=0), say("{last}")],
    },
    "words": {
        "Hello World": [call("word_count", text="Hello World"), say("{last}")],
        "Flyte runs agents durably": [call("word_count", text="Flyte runs agents durably"), say("{last}")],
        "keep going anyway": [call("word_count", text="keep going anyway"), say("{last}")],
    },
    "coder": {
        "Multiply the word count": [call("multiply", a=2, b=50), say("{last}")],
        "Add up the three results": [call("add", a=42, b=42), call("add", a=84, b=4), say("{last}")],
        "Add the two results": [call("add", a=0, b=3), say("{last}")],
    },
}


def _script(role: str) -> Script:
    return Script(by_prompt=TURNS[role])


# -- the specialists, each on its framework when it is installed ---------------------------------

INSTRUCTIONS = "Use your tools to do the task; answer with the result only."
FRAMEWORKS: dict[str, str] = {}  # specialist -> the framework it runs on


def _installed(*modules: str) -> bool:
    return all(importlib.util.find_spec(m) is not None for m in modules)


def _homegrown(role: str, tools: list[Callable[..., Any]]) -> Any:
    from byof.testing.chat import OpenAIChat, ScriptedChat

    FRAMEWORKS[role] = "a homegrown loop"
    chat = OpenAIChat(MODEL) if REAL else ScriptedChat(_script(role))
    agent = make_tool_agent(chat, tools, raise_tool_errors=True)
    agent.__name__ = role  # type: ignore[attr-defined]
    return agent


def math_agent() -> Any:
    """Pydantic AI, whose agent stops on a failing tool (so a division by zero fails the step)."""
    if not _installed("pydantic_ai") or (REAL and not _installed("openai")):
        return _homegrown("math", [add, multiply, divide])
    from pydantic_ai import Agent

    from byof.testing.pydantic_ai import scripted_model

    FRAMEWORKS["math"] = "Pydantic AI"
    model: Any = f"openai:{MODEL}" if REAL else scripted_model(_script("math"))
    agent = Agent(model, instructions=INSTRUCTIONS, name="math", defer_model_check=True)
    for fn in (add, multiply, divide):  # byof.tool functions are framework tools like any other
        agent.tool_plain(fn)
    return agent


def words_agent() -> Any:
    if not _installed("langgraph", "langchain_core") or (REAL and not _installed("langchain_openai")):
        return _homegrown("words", [word_count])
    from langchain_core.tools import tool
    from langgraph.prebuilt import create_react_agent

    FRAMEWORKS["words"] = "LangGraph"
    if REAL:
        from langchain_openai import ChatOpenAI

        model: Any = ChatOpenAI(model=MODEL)
    else:
        from byof.testing.langchain import ScriptedChatModel

        model = ScriptedChatModel(script=_script("words"))
    return create_react_agent(model, [tool(word_count)], prompt=INSTRUCTIONS)


def coder_agent() -> Any:
    if not _installed("smolagents") or (REAL and not _installed("openai")):
        return _homegrown("coder", [add, multiply])
    from smolagents import CodeAgent, tool

    FRAMEWORKS["coder"] = "smolagents"
    if REAL:
        from smolagents import OpenAIServerModel

        model: Any = OpenAIServerModel(model_id=MODEL)
    else:
        from byof.testing.smolagents import ScriptedModel

        model = ScriptedModel(_script("coder"))
    return CodeAgent(
        tools=[tool(_described(add)), tool(_described(multiply))], model=model, verbosity_level=0
    )


def _described(fn: Any) -> Callable[..., Any]:
    """A byof.tool's plain body with the Args section smolagents' @tool reads."""
    body = fn.__wrapped__

    def described(a: float, b: float) -> str:
        return body(a, b)  # type: ignore[no-any-return]

    described.__name__ = body.__name__
    described.__doc__ = f"{body.__doc__}\n\nArgs:\n    a: the first number\n    b: the second number"
    return described


def planner_loop() -> Any:
    from byof.team import chat_planner
    from byof.testing.chat import OpenAIChat, ScriptedChat

    if REAL:
        return chat_planner(OpenAIChat(MODEL))
    plans = Script(by_prompt={request: [say(json.dumps(plan))] for request, plan in PLANS.items()})
    return chat_planner(ScriptedChat(plans))


env = byof.environment(
    "byof-demo",
    frameworks=[
        f
        for f, m in (("pydantic-ai", "pydantic_ai"), ("langgraph", "langgraph"), ("smolagents", "smolagents"))
        if _installed(m)
    ],
)
specialists = [
    byof.Specialist(
        "math", byof.wrap(math_agent(), env=env, name="math"), "Does arithmetic: add, multiply, divide."
    ),
    byof.Specialist("words", byof.wrap(words_agent(), env=env, name="words"), "Counts the words in a text."),
    byof.Specialist(
        "coder",
        byof.wrap(coder_agent(), env=env, name="coder"),
        "Combines numbers from earlier steps (add, multiply).",
    ),
]
planner = byof.wrap(planner_loop(), env=env, name="planner")
team = byof.wrap(byof.Team(specialists, planner=planner), env=env, name="demo_team")
