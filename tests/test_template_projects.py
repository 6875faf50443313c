"""Every template, rendered with `byof new --no-input`, is a project that installs, passes its own
tests and runs its `--local` main offline on the first try — and against a real provider class,
pointed at byof's scripted OpenAI-compatible server.

Each project gets a fresh venv (uv, with uv's shared cache) holding the project and this
checkout's byof as a wheel. Run by `nox -s templates` (marker `projects`).
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from byof.cli import main as cli
from byof.templates.builtin import builtin_templates
from byof.testing.openai_server import ScriptedOpenAIServer

pytestmark = [pytest.mark.projects, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = [t.name for t in builtin_templates()]
WEATHER = [
    "A: In Paris it is sunny and 21 °C, 69.8 °F.",
    "A: In Tokyo it is light rain and 16 °C, 60.8 °F.",
    "A: In Lima it is overcast and 18 °C, 64.4 °F.",
]
# What `python -m <package> --local` prints for the example questions, per template.
EXPECTED: dict[str, list[str]] = {name: WEATHER for name in TEMPLATES} | {
    "planner": [
        "A: Paris is warmer today: 69.8 °F against 60.8 °F in Tokyo.",
        "A: Lima is warmer today: 64.4 °F against 60.8 °F in Tokyo.",
        "A: Paris is warmer today: 69.8 °F against 64.4 °F in Lima.",
    ]
}


def _uv() -> str:
    uv = shutil.which("uv") or str(Path(sys.executable).with_name("uv"))
    assert Path(uv).exists(), "uv is needed to build the projects' environments (pip install uv)"
    return uv


@pytest.fixture(scope="session")
def byof_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This checkout as a wheel, built once for every project's environment."""
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [_uv(), "build", "--wheel", "--out-dir", str(out), str(ROOT)], check=True, capture_output=True
    )
    (wheel,) = out.glob("flyte_byof-*.whl")
    return wheel


def _env(home: Path, **extra: str) -> dict[str, str]:
    """A clean environment: no API key from the developer's shell, HOME in a temp dir."""
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY") and k != "OPENAI_BASE_URL"}
    env.pop("VIRTUAL_ENV", None)
    return {**env, "HOME": str(home), **extra}


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    return done.stdout


def test_the_readme_commands_work_as_written_with_plain_pip(tmp_path: Path) -> None:
    """The project README's first three commands, verbatim: venv + pip install, the --local
    main, pytest (the lightest template; the others differ only in what pip downloads)."""
    assert CliRunner().invoke(cli, ["new", "Acme Bot", "--no-input", "-o", str(tmp_path)]).exit_code == 0
    project = tmp_path / "acme-bot"
    readme = (project / "README.md").read_text()
    commands = readme.split("```bash\n", 1)[1].split("```", 1)[0].strip().splitlines()
    assert len(commands) == 3 and "pip install" in commands[0], commands
    home = tmp_path / "home"
    home.mkdir()
    outputs = [_run(["bash", "-c", command], project, _env(home)) for command in commands]
    for line in WEATHER:
        assert line in outputs[1], outputs[1]
    assert " passed" in outputs[2] and "failed" not in outputs[2], outputs[2]


@pytest.mark.parametrize("template", TEMPLATES)
def test_rendered_project_installs_tests_and_runs(template: str, byof_wheel: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["new", "Acme Bot", "-t", template, "--no-input", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    project = tmp_path / "acme-bot"
    config = json.loads((ROOT / "templates" / template / "cookiecutter.json").read_text())
    extras = f"[{','.join(config['_frameworks'])}]" if config["_frameworks"] else ""

    venv = tmp_path / "venv"
    python = str(venv / "bin" / "python")
    _run([_uv(), "venv", "-q", "-p", sys.executable, str(venv)], tmp_path, os.environ.copy())
    _run(
        [_uv(), "pip", "install", "-q", "--python", python, "-e", f"{project}[dev]",
         f"flyte-byof{extras} @ {byof_wheel.as_uri()}"],
        tmp_path,
        os.environ.copy(),
    )  # fmt: skip

    home = tmp_path / "home"
    home.mkdir()
    tests = _run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider"], project, _env(home))
    assert " passed" in tests and "failed" not in tests and "skipped" not in tests, tests

    offline = _run([python, "-m", "acme_bot", "--local"], project, _env(home))
    assert "scripted offline model" in offline
    for line in EXPECTED[template]:
        assert line in offline, offline

    # The same run with a key: the framework's real OpenAI class talks to the scripted server.
    sys.path.insert(0, str(project / "src"))
    try:
        script = importlib.import_module("acme_bot.offline").SCRIPT
    finally:
        sys.path.remove(str(project / "src"))
        for name in [m for m in sys.modules if m == "acme_bot" or m.startswith("acme_bot.")]:
            del sys.modules[name]
    with ScriptedOpenAIServer(script) as server:
        key = {"OPENAI_API_KEY": server.api_key, "OPENAI_BASE_URL": server.base_url}
        online = _run([python, "-m", "acme_bot", "--local"], project, _env(home, **key))
        assert server.requests, "the real provider class never reached the server"
    assert "scripted offline model" not in online
    for line in EXPECTED[template]:
        assert line in online, online
