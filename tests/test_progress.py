"""The live view (ProgressSink): each call as it starts and ends, in a real terminal (a pty),
quiet in a pipe unless asked, and never hanging a run whose stdout was closed."""

from __future__ import annotations

import fcntl
import io
import os
import pty
import re
import struct
import subprocess
import sys
import termios
import uuid
from pathlib import Path

import pytest
from rich.console import Console

from byof.observability.events import (
    AgentFinished,
    AgentStarted,
    EventBus,
    ModelCalled,
    PlanStepStarted,
    StepReplayed,
    StepStarted,
    ToolCalled,
)
from byof.sinks import ProgressSink

AGENT = Path(__file__).with_name("progress_agent.py")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def agent_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("BYOF_PROGRESS", "OPENAI_API_KEY")}
    return {**env, "BYOF_JOURNAL": "off", **extra}


def in_a_terminal(run_name: str) -> str:
    """What progress_agent.py shows on a 160-column terminal, escape codes removed."""
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 160, 0, 0))
    proc = subprocess.Popen(
        [sys.executable, str(AGENT), run_name], stdout=terminal, stderr=subprocess.PIPE, env=agent_env()
    )
    os.close(terminal)
    chunks = []
    while True:
        try:
            data = os.read(controller, 65536)
        except OSError:  # the terminal's other end closed: the process is done
            break
        if not data:
            break
        chunks.append(data)
    os.close(controller)
    assert proc.wait(timeout=120) == 0, proc.stderr.read().decode()[-2000:] if proc.stderr else ""
    return ANSI.sub("", b"".join(chunks).decode(errors="replace").replace("\r", "\n"))


def test_in_a_terminal_each_call_shows_while_it_runs_and_when_it_ends() -> None:
    run_name = f"progress-{uuid.uuid4().hex[:8]}"
    screen = in_a_terminal(run_name)
    # While a call runs, it spins at the bottom with its elapsed time...
    assert re.search(r"model chat · \d+ ms", screen), screen
    assert re.search(r"weather running · [\d.]+ (ms|s)", screen), screen
    # ...and when it ends, a line says what it did.
    assert "▶ weather  Weather in Lima?" in screen
    assert "✓ model chat #1" in screen and 'calls lookup(city="Lima")' in screen
    assert "✓ tool lookup" in screen and 'city="Lima" → sunny in Lima' in screen
    assert re.search(r"✓ weather  [\d.]+ s  Lima: sunny in Lima", screen), screen
    assert f"report: /tmp/flyte/metadata/{run_name}/" in screen


def test_quiet_in_a_pipe_unless_asked() -> None:
    quiet = subprocess.run(
        [sys.executable, str(AGENT), f"progress-{uuid.uuid4().hex[:8]}"],
        capture_output=True, text=True, env=agent_env(), timeout=120,
    )  # fmt: skip
    assert quiet.returncode == 0, quiet.stderr[-2000:]
    assert quiet.stdout == "Lima: sunny in Lima\n"

    asked = subprocess.run(
        [sys.executable, str(AGENT), f"progress-{uuid.uuid4().hex[:8]}"],
        capture_output=True, text=True, env=agent_env(BYOF_PROGRESS="1"), timeout=120,
    )  # fmt: skip
    lines = asked.stdout.splitlines()
    assert lines[:3] == ["▶ weather  Weather in Lima?", "  … model chat", lines[2]]
    assert lines[2].startswith("  ✓ model chat #1  ") and lines[2].endswith('calls lookup(city="Lima")')
    assert '  … tool lookup  city="Lima"' in lines  # a log shows each start as a line of its own


def test_a_closed_stdout_ends_nothing_but_the_printing() -> None:
    """`python agent.py | head -1`: the run still finishes (no thread dies of the closed pipe)."""
    proc = subprocess.Popen(
        [sys.executable, str(AGENT), f"progress-{uuid.uuid4().hex[:8]}"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=agent_env(BYOF_PROGRESS="1"),
    )  # fmt: skip
    assert proc.stdout is not None
    proc.stdout.readline()
    proc.stdout.close()
    proc.wait(timeout=120)  # would hang forever if the sink's SystemExit killed Flyte's loop thread
    assert b"SystemExit" not in (proc.stderr.read() if proc.stderr else b"")


# -- what each event prints, fed through a real EventBus ----------------------------------------


def shown(events: list, **sink: object) -> list[str]:
    out = io.StringIO()
    bus = EventBus([ProgressSink(Console(file=out, width=200), show=True, **sink)])
    for event in events:
        bus.emit(event)
    return out.getvalue().splitlines()


T = 1_700_000_000.0


def agent_run(span: str, name: str, parent: str | None = None, adapter: str = "generic") -> tuple:
    common = {"trace_id": "run", "agent": name, "span_id": span, "parent_id": parent, "adapter": adapter}
    return (
        AgentStarted(**common, start_time=T, input={"prompt": f"ask {name}"}),
        AgentFinished(**common, start_time=T, end_time=T + 2, input={"prompt": f"ask {name}"}, output="done"),
    )


def test_replayed_and_failed_calls_say_so() -> None:
    start, end = agent_run("a", "weather")
    model = ModelCalled(
        trace_id="run", agent="weather", span_id="m", parent_id="a", start_time=T, end_time=T + 0.001,
        name="chat", seq=1, output={"role": "assistant", "content": "hi"}, replayed=True,
    )  # fmt: skip
    tool = ToolCalled(
        trace_id="run", agent="weather", span_id="t", parent_id="a", start_time=T, end_time=T + 0.01,
        name="lookup", input={"city": "Oslo"}, error="ConnectionError: upstream down",
    )  # fmt: skip
    saved = StepReplayed(
        trace_id="run", agent="weather", parent_id="a", step="model", name="chat", seq=1, saved_ms=420
    )
    lines = shown([start, saved, model, tool, end])
    assert lines[1] == "  ↺ model chat #1  replayed, saved 420 ms  hi"
    assert lines[2] == '  ✗ tool lookup  10 ms  city="Oslo" → ConnectionError: upstream down'
    assert lines[3].startswith("✓ weather  2.00 s  done")


def test_nested_runs_are_indented_and_named() -> None:
    team_start, team_end = agent_run("team", "demo", adapter="team")
    step = PlanStepStarted(
        trace_id="run", agent="demo", span_id="s1", parent_id="team", name="s1", specialist="math"
    )
    math_start, math_end = agent_run("m", "math", parent="s1")
    call = StepStarted(
        trace_id="run", agent="math", span_id="c", parent_id="m", step="tool", name="add", input={"a": 1}
    )
    lines = shown([team_start, step, math_start, call, math_end, team_end])
    assert lines == ["    math … tool add  a=1"], (
        "a team's own lines are PlanConsole's; its agents' calls indent"
    )


def test_concurrent_top_level_runs_say_whose_line_it_is() -> None:
    first, first_end = agent_run("r1", "weather")
    second, second_end = agent_run("r2", "weather")
    call = StepStarted(
        trace_id="run", agent="weather", span_id="c", parent_id="r2", step="model", name="chat"
    )
    lines = shown([first, second, call, first_end, second_end])
    assert "  weather#2 … model chat" in lines


@pytest.mark.parametrize("value", ["0", "off"])
def test_byof_progress_off_silences_it_even_in_a_terminal(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("BYOF_PROGRESS", value)
    assert not ProgressSink(Console(file=io.StringIO(), force_terminal=True)).enabled
