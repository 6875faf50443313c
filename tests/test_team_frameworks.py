"""A team whose specialists (and planner) are agents of different frameworks, in one plan.

Runs where the frameworks are installed (`nox -s demo` installs them all); a framework that is
missing skips the tests that need it.
"""

from __future__ import annotations

import importlib.util

import flyte
import pytest

import byof
from byof.testing.recorder import record_flyte
from byof.testing.script import Script, call

pytestmark = pytest.mark.usefixtures("flyte_local")

FRAMEWORKS = {
    "math": ("pydantic_ai", "Pydantic AI"),
    "words": ("langgraph", "LangGraph"),
    "coder": ("smolagents", "smolagents"),
}


def test_the_demo_team_mixes_frameworks_in_one_plan() -> None:
    from byof.examples import team_demo
    from byof.examples.team_scripts import EXAMPLES

    for role, (module, framework) in FRAMEWORKS.items():
        if importlib.util.find_spec(module) is not None:
            assert team_demo.FRAMEWORKS[role] == framework, f"{role} should run on {framework}"
    present = [role for role, (module, _) in FRAMEWORKS.items() if importlib.util.find_spec(module)]
    if len(present) < 2:
        pytest.skip("needs at least two of Pydantic AI, LangGraph and smolagents")
    with record_flyte() as rec:
        out = flyte.run(team_demo.team, prompt=EXAMPLES["tutorial"]).outputs()[0]
    assert out["answer"] == "100" and out["waves"] == [["s1", "s2"], ["s3"]]
    # Each specialist is its framework's agent made durable: tool calls are child tasks...
    assert len(rec.tasks_named(".math__multiply")) == 1 and len(rec.tasks_named(".words__word_count")) == 1
    assert len(rec.tasks_named(".coder__multiply")) == 1
    # ...and model calls trace steps: two per specialist (a tool call, then the answer) and the
    # planner's one.
    assert len(rec.steps) == 7 and len(rec.steps_named("plan")) == 1, [s.name for s in rec.steps]


def test_a_pydantic_ai_planner_gives_its_plan_as_structured_output() -> None:
    pytest.importorskip("pydantic_ai")
    from pydantic_ai import Agent

    from byof.examples import team_demo
    from byof.examples.team_scripts import EXAMPLES, PLANS
    from byof.testing.pydantic_ai import scripted_model

    plan = PLANS[EXAMPLES["tutorial"]]
    agent = Agent(
        scripted_model(Script([call("final_result", **plan)])), output_type=byof.Plan, name="planner"
    )
    planner = byof.wrap(agent, env=team_demo.env, name="structured_planner")
    team = byof.wrap(
        byof.Team(team_demo.specialists, planner=planner), env=team_demo.env, name="structured_team"
    )
    out = flyte.run(team, prompt=EXAMPLES["tutorial"]).outputs()[0]
    assert out["answer"] == "100" and out["plan"]["final"] == "s3"


def test_the_demo_with_real_provider_classes_against_the_scripted_server(tmp_path) -> None:
    """OPENAI_API_KEY set: every agent uses its framework's real OpenAI model class (byof's
    OpenAIChat, Pydantic AI's, LangChain's ChatOpenAI, smolagents' OpenAIServerModel), here
    pointed at byof's scripted server, so the real request and response objects are traced."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    for module in ("pydantic_ai", "langchain_openai", "smolagents", "openai"):
        pytest.importorskip(module)
    from byof.examples.team_scripts import EXAMPLES, PLANS
    from byof.testing.openai_server import ScriptedOpenAIServer
    from byof.testing.script import call, say

    code = "Thought: multiply them\n<code>\nfinal_answer(multiply(a=2, b=50))\n</code>"
    script = Script(
        by_prompt={
            # First match wins: the coder's prompt quotes the other steps' tasks in its results.
            "You plan work for a team": [say(json.dumps(PLANS[EXAMPLES["tutorial"]]))],
            "Multiply the word count": [say(code)],
            "Calculate 10 times 5": [call("multiply", a=10, b=5), say("{last}")],
            "Count the words in 'Hello World'": [call("word_count", text="Hello World"), say("{last}")],
        }
    )
    with ScriptedOpenAIServer(script) as server:
        env = {
            **os.environ,
            "OPENAI_API_KEY": server.api_key,
            "OPENAI_BASE_URL": server.base_url,
            "BYOF_JOURNAL_PATH": str(tmp_path / "journal.db"),
            "COLUMNS": "200",
        }
        byof_cli = Path(sys.executable).with_name("byof")
        proc = subprocess.run([str(byof_cli), "demo"], capture_output=True, text=True, env=env, timeout=300)
        requests = server.requests
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout
    assert "real models (OPENAI_API_KEY is set)" in out
    assert "specialists: math on Pydantic AI, words on LangGraph, coder on smolagents" in out
    assert out.rstrip().endswith("answer: 100"), out
    # One request per model call: the planner's, two per tool-using specialist, the coder's one.
    # Pydantic AI's default OpenAI model speaks the Responses API, the others Chat Completions.
    paths = sorted(r["path"] for r in requests)
    assert paths == ["/v1/chat/completions"] * 4 + ["/v1/responses"] * 2, paths
