"""Every examples/<framework>/ script runs offline, as a user would run it, in a fresh process."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def needs(module: str) -> None:
    """Skip unless `module` is installed, without importing it here: the example imports it in its
    own process (importing CrewAI, say, writes under this process's HOME)."""
    if importlib.util.find_spec(module) is None:
        pytest.skip(f"{module} is not installed")


def run_example(path: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """The example run as a user runs it, with its live view on (BYOF_PROGRESS=1: stdout is a
    pipe here); checks that it ends saying where its report is."""
    clean = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "OPENAI_BASE_URL")}
    clean.update(BYOF_JOURNAL_PATH=str(tmp_path / "journal.db"), BYOF_PROGRESS="1", **env)
    proc = subprocess.run(
        [sys.executable, str(ROOT / path)], capture_output=True, text=True, env=clean, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = re.search(r"^  report: (.+report\.html)$", proc.stdout, re.M)
    assert report and Path(report[1]).is_file(), f"the run ends saying where its report is:\n{proc.stdout}"
    return proc


def test_langgraph_weather_agent(tmp_path: Path) -> None:
    needs("langgraph")
    out = run_example("examples/langgraph/weather_agent.py", tmp_path).stdout
    assert "sunny, 21°C" in out and "light rain, 9°C" in out  # both tool results reached the answer
    assert "✓ tool get_weather" in out and 'city="Oslo" → light rain, 9°C' in out  # each call as it ended


def test_pydantic_ai_support_agent(tmp_path: Path) -> None:
    needs("pydantic_ai")
    out = run_example("examples/pydantic_ai/support_agent.py", tmp_path).stdout
    assert "'status': 'shipped'" in out and "'eta_days': 3" in out  # the typed output, as JSON data
    assert "✓ tool lookup_order" in out and 'calls final_result(order_id="1042"' in out


def test_openai_agents_triage_agent(tmp_path: Path) -> None:
    needs("agents")
    out = run_example("examples/openai_agents/triage_agent.py", tmp_path).stdout
    assert "Order 1042 is shipped with DHL, arriving in 2 days." in out  # across the handoff
    assert "✓ tool order_status" in out and "calls transfer_to_orders()" in out  # the handoff, decided


def test_crewai_research_crew(tmp_path: Path) -> None:
    """CrewAI stays in its place: nothing written to the user's HOME, config or data directories
    (XDG ones included), and not its warning about estimated token counts on every LLM call."""
    needs("crewai")
    home = tmp_path / "users-home"
    home.mkdir()
    xdg = {
        "XDG_DATA_HOME": str(home / ".local/share"),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_CACHE_HOME": str(home / ".cache"),
    }
    proc = run_example("examples/crewai/research_crew.py", tmp_path, HOME=str(home), **xdg)
    assert list(home.rglob("*")) == [], "the example wrote into the user's home"
    assert "approximate input token count" not in proc.stderr
    out = proc.stdout
    assert "Summary: agents that survive crashes and skip finished steps." in out
    assert "✓ tool lookup_notes  " in out and 'calls lookup_notes(topic="durable agents")' in out


def test_smolagents_weather_coder(tmp_path: Path) -> None:
    needs("smolagents")
    out = run_example("examples/smolagents/weather_coder.py", tmp_path).stdout
    assert "Paris: sunny, 21°C; Oslo: light rain, 9°C" in out  # the code's final answer
    assert out.count("✓ tool get_weather") == 2  # both durable tool calls the code made
