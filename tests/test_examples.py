"""Every examples/<framework>/ script runs offline, as a user would run it, in a fresh process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_example(path: str, tmp_path: Path) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "OPENAI_BASE_URL")}
    env["BYOF_JOURNAL_PATH"] = str(tmp_path / "journal.db")
    proc = subprocess.run(
        [sys.executable, str(ROOT / path)], capture_output=True, text=True, env=env, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def test_langgraph_weather_agent(tmp_path: Path) -> None:
    pytest.importorskip("langgraph")
    out = run_example("examples/langgraph/weather_agent.py", tmp_path)
    assert "sunny, 21°C" in out and "light rain, 9°C" in out  # both tool results reached the answer
    assert out.count("get_weather") >= 2 and "tool" in out  # the timeline shows the durable tool calls


def test_pydantic_ai_support_agent(tmp_path: Path) -> None:
    pytest.importorskip("pydantic_ai")
    out = run_example("examples/pydantic_ai/support_agent.py", tmp_path)
    assert "'status': 'shipped'" in out and "'eta_days': 3" in out  # the typed output, as JSON data
    assert "lookup_order" in out  # the timeline shows the durable tool call


def test_openai_agents_triage_agent(tmp_path: Path) -> None:
    pytest.importorskip("agents")
    out = run_example("examples/openai_agents/triage_agent.py", tmp_path)
    assert "Order 1042 is shipped with DHL, arriving in 2 days." in out  # across the handoff
    assert "order_status" in out  # the timeline shows the durable tool call


def test_crewai_research_crew(tmp_path: Path) -> None:
    pytest.importorskip("crewai")
    out = run_example("examples/crewai/research_crew.py", tmp_path)
    assert "Summary: agents that survive crashes and skip finished steps." in out
    assert "lookup_notes" in out  # the timeline shows the durable tool call


def test_smolagents_weather_coder(tmp_path: Path) -> None:
    pytest.importorskip("smolagents")
    out = run_example("examples/smolagents/weather_coder.py", tmp_path)
    assert "Paris: sunny, 21°C; Oslo: light rain, 9°C" in out  # the code's final answer
    assert out.count("get_weather") >= 2  # the timeline shows both durable tool calls from the code
