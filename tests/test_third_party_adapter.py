"""A third-party adapter, installed as its own package, plugs in through the `byof` entry points."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ADAPTER = '''
"""A toy framework and its byof adapter, shipped together as a third-party package."""
from byof import Adapter, hookimpl, kit


class EchoAgent:
    """The toy framework's agent: answers with its tool's result for the prompt."""

    def __init__(self, tool):
        self.tool = tool

    def answer(self, prompt):
        return f"echo: {self.tool(prompt)}"


class EchoAdapter(Adapter):
    """Written against byof's public API only: byof.Adapter, byof.hookimpl, byof.kit."""

    name, framework, distribution, supported = "echo", "EchoAgent", "byof-echo-adapter", ">=0.1"
    entries = ("answer",)

    def claims(self, obj):
        return kit.loaded_instance(obj, "byof_echo", "EchoAgent")

    def prepare(self, obj, run):
        # The run's copy of the agent, its tool a durable step; the user's agent stays as it is.
        return EchoAgent(run.router.route("shout", obj.tool, description="Shout a text."))

    async def invoke(self, obj, prepared, inputs, run):
        self.entry(run.options.adapter_options)
        return await kit.drive(prepared.answer, inputs["prompt"])


@hookimpl
def byof_register_adapters(register):
    register(EchoAdapter())
'''

PYPROJECT = """
[build-system]
requires = ["setuptools>=69"]
build-backend = "setuptools.build_meta"

[project]
name = "byof-echo-adapter"
version = "0.1.0"

[project.entry-points.byof]
echo = "byof_echo"

[tool.setuptools]
py-modules = ["byof_echo"]
"""

USE = """
import json
import flyte, byof
from byof.testing.recorder import record_flyte
from byof_echo import EchoAgent

def shout(text: str) -> str:
    return text.upper()

agent = EchoAgent(shout)
task = byof.wrap(agent, env=flyte.TaskEnvironment("third-party"), name="echo")
flyte.init()
with record_flyte() as rec:
    out = flyte.run(task, prompt="hello").outputs()[0]
adapters = {i.name: i.installed_version() for i in byof.plugins.adapter_infos()}
print(json.dumps({"out": out, "tasks": [t.name for t in rec.tasks], "adapters": adapters,
                  "untouched": agent.tool is shout}))
"""


def _install(package: Path, target: Path) -> None:
    """pip-install `package` into `target` (uv when this environment has no pip)."""
    if shutil.which("uv") and not _has_pip():
        cmd = [
            "uv",
            "pip",
            "install",
            "--python",
            sys.executable,
            "--no-deps",
            "--target",
            str(target),
            str(package),
        ]
    else:
        cmd = [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--target",
            str(target),
            str(package),
        ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]


def _has_pip() -> bool:
    return subprocess.run([sys.executable, "-m", "pip", "--version"], capture_output=True).returncode == 0


@pytest.mark.slow
def test_third_party_adapter_package_wraps_its_objects(tmp_path: Path) -> None:
    package = tmp_path / "byof-echo-adapter"
    package.mkdir()
    (package / "byof_echo.py").write_text(textwrap.dedent(ADAPTER))
    (package / "pyproject.toml").write_text(textwrap.dedent(PYPROJECT))
    site = tmp_path / "site"
    _install(package, site)
    assert list(site.glob("byof_echo_adapter-0.1.0.dist-info/entry_points.txt")), "no entry points installed"

    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run(
        [sys.executable, "-c", USE], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["out"] == "echo: HELLO"
    assert "third-party.echo__shout" in result["tasks"], (
        "the adapter's routed tool did not run as a Flyte task"
    )
    assert result["adapters"]["echo"] == "0.1.0" and "generic" in result["adapters"]
    assert result["untouched"] is True
