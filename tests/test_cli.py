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

    missing = [i for i in adapter_infos() if i.extra and i.installed_version() is None]
    if not missing:
        pytest.skip("every adapter's framework is installed in this environment")
    proc = byof_cli("adapters", env={"COLUMNS": "80"})
    assert proc.returncode == 0, proc.stderr
    install_column = "".join(
        cells[5].strip()
        for cells in (line.split("│") for line in proc.stdout.splitlines())
        if len(cells) == 7
    )
    for info in missing:
        assert f'install"flyte-byof[{info.extra}]"' in install_column, proc.stdout


def test_demo_runs_offline_and_shows_the_steps() -> None:
    proc = byof_cli("demo")
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout
    assert "answer: 26.5" in out
    for step in ("plan", "multiply", "add", "divide"):
        assert step in out, f"{step} missing from the timeline:\n{out}"
    assert "scripted model" in out
