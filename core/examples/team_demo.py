"""The `byof demo` job: a team of specialists of different frameworks, planned and run in waves.

The seed tutorial's planner system, with each specialist on another framework: a Pydantic AI
math agent, a LangGraph word agent and a smolagents code agent. Each is the framework's own
agent, wrapped by byof as it is; a framework that is not installed is stood in for by a
homegrown loop with the same tools, and the demo says so. The planner is byof's chat planner.

Offline (the default) every model is scripted, in that framework's own model type, for the
example requests in team_scripts.py; with OPENAI_API_KEY set, they are real models and any request
works. Defined at module level, so a Flyte worker can import it (`flyte run` / `flyte deploy`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

import byof
from byof.examples.team_scripts import HOMEGROWN, PLANS, TURNS, frameworks
from byof.examples.tool_loop import make_tool_agent
from byof.testing.script import Script, say

REAL = bool(os.environ.get("OPENAI_API_KEY"))
MODEL = os.environ.get("BYOF_DEMO_MODEL", "gpt-4o-mini")


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


def _script(role: str) -> Script:
    return Script(by_prompt=TURNS[role])


# -- the specialists, each on its framework when it is installed ---------------------------------

INSTRUCTIONS = "Use your tools to do the task; answer with the result only."
FRAMEWORKS = frameworks(REAL)  # specialist -> the framework it runs on


def _homegrown(role: str, tools: list[Callable[..., Any]]) -> Any:
    from byof.testing.chat import OpenAIChat, ScriptedChat

    chat = OpenAIChat(MODEL) if REAL else ScriptedChat(_script(role))
    agent = make_tool_agent(chat, tools, raise_tool_errors=True)
    agent.__name__ = role
    return agent


def math_agent() -> Any:
    """Pydantic AI, whose agent stops on a failing tool (so a division by zero fails the step)."""
    if FRAMEWORKS["math"] == HOMEGROWN:
        return _homegrown("math", [add, multiply, divide])
    from pydantic_ai import Agent

    from byof.testing.pydantic_ai import scripted_model

    model: Any = f"openai:{MODEL}" if REAL else scripted_model(_script("math"))
    agent = Agent(model, instructions=INSTRUCTIONS, name="math", defer_model_check=True)
    for fn in (add, multiply, divide):  # byof.tool functions are framework tools like any other
        agent.tool_plain(fn)
    return agent


def words_agent() -> Any:
    if FRAMEWORKS["words"] == HOMEGROWN:
        return _homegrown("words", [word_count])
    from langchain_core.tools import tool
    from langgraph.prebuilt import create_react_agent

    if REAL:
        from langchain_openai import ChatOpenAI

        model: Any = ChatOpenAI(model=MODEL)
    else:
        from byof.testing.langchain import ScriptedChatModel

        model = ScriptedChatModel(script=_script("words"))
    return create_react_agent(model, [tool(word_count)], prompt=INSTRUCTIONS)


def coder_agent() -> Any:
    if FRAMEWORKS["coder"] == HOMEGROWN:
        return _homegrown("coder", [add, multiply])
    from smolagents import CodeAgent, tool

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
        return body(a, b)

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


EXTRAS = {"Pydantic AI": "pydantic-ai", "LangGraph": "langgraph", "smolagents": "smolagents"}
env = byof.environment("byof-demo", frameworks=[EXTRAS[f] for f in FRAMEWORKS.values() if f in EXTRAS])
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
