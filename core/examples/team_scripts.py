"""The `byof demo` requests, and what the offline demo's scripted models answer to them.

Kept apart from team_demo.py (which builds the agents, importing their frameworks) so that
`byof demo --help` can list the requests without importing any framework.
"""

from __future__ import annotations

import importlib.util
from typing import Any

from byof.testing.script import call, say

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


# -- which framework each specialist runs on (decided without importing any) ------------------------

_NEEDS = {  # specialist: (framework, its modules offline, the extra modules real models need)
    "math": ("Pydantic AI", ("pydantic_ai",), ("openai",)),
    "words": ("LangGraph", ("langgraph", "langchain_core"), ("langchain_openai",)),
    "coder": ("smolagents", ("smolagents",), ("openai",)),
}
HOMEGROWN = "a homegrown loop"


def _installed(*modules: str) -> bool:
    return all(importlib.util.find_spec(m) is not None for m in modules)


def frameworks(real: bool) -> dict[str, str]:
    """The framework each specialist runs on: its own when installed, else a homegrown loop
    with the same tools. Cheap: `byof demo` says it before importing any framework."""
    return {
        role: name if _installed(*offline, *(online if real else ())) else HOMEGROWN
        for role, (name, offline, online) in _NEEDS.items()
    }
