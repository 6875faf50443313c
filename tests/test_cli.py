"""The `byof` command line, run as users run it: the installed console script, in a fresh process."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import byof

BYOF = shutil.which("byof", path=str(Path(sys.executable).parent)) or "byof"


def byof_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "OPENAI_BASE_URL")}
    return subprocess.run(
        [BYOF, *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**clean, "COLUMNS": "200", **(env or {})},
    )


def test_version() -> None:
    proc = byof_cli("--version")
    assert proc.returncode == 0 and proc.stdout.strip() == f"byof, version {byof.__version__}"


def test_adapters_lists_generic_with_its_range() -> None:
    proc = byof_cli("adapters")
    assert proc.returncode == 0, proc.stderr
    assert "generic" in proc.stdout and "any Python callable" in proc.stdout


def test_adapters_shows_the_whole_install_command_for_a_missing_framework() -> None:
    """On a narrow terminal too: the extra in brackets is not eaten as markup nor cut off."""
    from byof.plugins import adapter_infos
    from byof.runtime.origin import origin

    missing = [i for i in adapter_infos() if i.extra and i.installed_version() is None]
    if not missing:
        pytest.skip("every adapter's framework is installed in this environment")
    proc = byof_cli("adapters", env={"COLUMNS": "80"})
    assert proc.returncode == 0, proc.stderr
    install_column = "".join(
        cells[5].replace(" ", "")
        for cells in (line.split("│") for line in proc.stdout.splitlines())
        if len(cells) == 7
    )
    for info in missing:  # the command that installs this very byof with the extra
        assert origin().pip_install([info.extra]).replace(" ", "") in install_column, proc.stdout


def test_demo_runs_the_tutorial_team_offline_and_shows_plan_waves_and_answer() -> None:
    proc = byof_cli("demo")
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout
    assert "scripted models (offline, no API key)" in out and "specialists: math on " in out
    assert "plan: 3 steps in 2 waves" in out
    assert out.index("wave 1") < out.index("wave 2") < out.index("✓ s3 coder")
    assert "✓ s1 math" in out and ": 50" in out and "✓ s2 words" in out
    assert out.rstrip().endswith("answer: 100")
    assert "Traceback" not in proc.stdout + proc.stderr


def test_demo_failure_example_isolates_the_failed_step() -> None:
    proc = byof_cli("demo", "--example", "failure")
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout
    assert "✗ s1 math" in out and "ZeroDivisionError: cannot divide by zero" in out
    assert "✓ s2 words" in out and ": 3" in out
    assert "– s3 coder" in out and "skipped: it needs s1 failed" in out
    assert "Traceback" not in proc.stdout + proc.stderr, "the failure is shown once, in the plan view"


def test_demo_help_lists_the_example_requests_and_refuses_free_requests_offline() -> None:
    helped = byof_cli("demo", "--help")
    assert helped.returncode == 0
    flat = " ".join(helped.stdout.split())
    assert "tutorial Calculate 10 times 5" in flat and "failure Divide 10 by 0" in flat and "fan-out" in flat
    refused = byof_cli("demo", "--request", "What is the capital of France?")
    assert refused.returncode == 2 and "set OPENAI_API_KEY to ask anything" in refused.stderr


def test_demo_piped_into_head_exits_quietly() -> None:
    """`byof demo | head -3` ends as soon as head has its lines, without a traceback."""
    clean = {k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"}
    demo = subprocess.Popen([BYOF, "demo"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=clean)
    assert demo.stdout is not None and demo.stderr is not None
    first = [demo.stdout.readline() for _ in range(3)]
    demo.stdout.close()  # what head does once it has three lines
    assert demo.wait(timeout=120) == 1, "a closed pipe ends the demo (it hung forever before)"
    assert first[0].startswith(b"byof demo: a team of agents")
    assert demo.stderr.read() == b""


def test_demo_steps_shows_each_specialists_calls() -> None:
    proc = byof_cli("demo", "--steps")
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stdout.splitlines()
    assert any(line.startswith("    planner ✓ model plan #1 ") for line in lines)
    assert any(line.startswith("    math ✓ tool multiply ") and line.endswith("→ 50") for line in lines)
    assert proc.stdout.rstrip().endswith("answer: 100")


def test_report_says_where_a_local_runs_report_is_and_opens_it(tmp_path: Path) -> None:
    agent = Path(__file__).with_name("progress_agent.py")
    run_name = f"cli-report-{os.getpid()}-{tmp_path.name}"
    ran = subprocess.run(
        [sys.executable, str(agent), run_name],
        capture_output=True, text=True, timeout=300, env={**os.environ, "BYOF_JOURNAL": "off"},
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr[-2000:]

    opened = tmp_path / "opened"
    browser = f"{sys.executable} -c \"import sys; open({str(opened)!r}, 'w').write(sys.argv[1])\" %s"
    proc = byof_cli("report", run_name, "--open", env={"BROWSER": browser})
    assert proc.returncode == 0, proc.stderr
    agent_name, status, path = proc.stdout.split()
    assert (agent_name, status) == ("weather", "succeeded")
    assert Path(path).is_file() and Path(path).parts[:5] == ("/", "tmp", "flyte", "metadata", run_name)
    assert opened.read_text() == Path(path).as_uri()

    missing = byof_cli("report", f"{run_name}-nope")
    assert missing.returncode == 1 and f"no local run named '{run_name}-nope'" in missing.stderr
