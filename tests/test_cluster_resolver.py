"""Cluster resolvability: a worker rebuilds wrapped-agent and tool tasks from loader args alone.

The driver (a fresh process) serializes the tasks as a deploy would; Flyte's own worker
entrypoint `a0` then runs the tool task in another fresh process, from an empty directory
holding only the unpacked code bundle, and the result is read back.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from byof.testing.worker import run_driver

OTHER_TOOLS = """
import byof


@byof.tool
def add(a: float, b: float) -> float:
    # Same name as agentmod.add, different body: the worker must not confuse them.
    return a * b
"""

AGENT_MODULE = """
import flyte
import byof
import othertools  # noqa: F401 - defines another byof.tool named "add"

env = flyte.TaskEnvironment("resolver-demo")


@byof.tool
def add(a: float, b: float) -> float:
    return a + b


@byof.tool(retries=2)
def fail(reason: str) -> str:
    raise LookupError(reason)


async def adder(prompt: str) -> str:
    return str(await add.aio(a=2, b=3))


adder_task = byof.wrap(adder, env=env, name="adder")
"""

DRIVER = """
import json, sys
from pathlib import Path
import flyte, byof
from byof.runtime.worker import ByofResolver
from byof.testing.worker import run_on_worker

project, work = Path(sys.argv[1]), Path(sys.argv[2])
sys.path.insert(0, str(project))
flyte.init(root_dir=project)
import agentmod

wrapped = byof.wrapped_agent(agentmod.adder_task)
local_answer = flyte.run(agentmod.adder_task, prompt="x").outputs()[0]
add_task = wrapped.tool_task("add")
ok = run_on_worker(add_task, work / "add", a=2.0, b=3.5)
failed = run_on_worker(wrapped.tool_task("fail"), work / "fail", reason="no such thing")
from byof.testing.worker import serialize
agent_args = list(serialize(agentmod.adder_task, work / "agent", prompt="x").task_spec.task_template.container.args)
print(json.dumps({
    "local_answer": local_answer,
    "agent_task": agentmod.adder_task.name,
    "agent_args": agent_args,
    "tool_task": add_task.name,
    "tool_args": ok.container_args,
    "value": ok.value,
    "error": repr(ok.error),
    "stderr": ok.stderr[-2000:],
    "seconds": ok.seconds,
    "fail_code": getattr(failed.error, "code", None),
    "fail_message": str(failed.error),
}))
"""


@pytest.mark.slow
def test_worker_rebuilds_tool_task_from_loader_args(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "agentmod.py").write_text(textwrap.dedent(AGENT_MODULE))
    (project / "othertools.py").write_text(textwrap.dedent(OTHER_TOOLS))
    result = run_driver(textwrap.dedent(DRIVER), project, tmp_path / "work")

    agent_args = result["agent_args"]
    resolver_at = agent_args.index("--resolver")
    assert agent_args[resolver_at:] == [
        "--resolver",
        "byof.runtime.worker.ByofResolver",
        "mod",
        "agentmod",
        "task",
        "resolver-demo.adder",
    ]
    tool_args = result["tool_args"]
    resolver_at = tool_args.index("--resolver")
    assert tool_args[resolver_at:] == [
        "--resolver",
        "byof.runtime.worker.ByofResolver",
        "mod",
        "agentmod",
        "task",
        "resolver-demo.adder",
        "tool",
        "add",
        "fn",
        "agentmod:add",
    ]
    assert "--tgz" in tool_args, "the tool task must be serialized with a code bundle, as a deploy does"
    assert result["tool_task"] == "resolver-demo.adder__add"
    assert result["local_answer"] == "5.0"
    assert result["value"] == 5.5, result["stderr"]  # agentmod.add, not othertools.add (which gives 7.0)
    # A failing tool on a worker still carries its exception class in the error code.
    assert result["fail_code"] == "byof:builtins:LookupError"
    assert "no such thing" in result["fail_message"]


def test_resolver_loads_wrapped_task_in_fresh_process(tmp_path: Path) -> None:
    """The agent task itself comes back from its loader args in a process that only imports it."""
    (tmp_path / "agentmod.py").write_text(textwrap.dedent(AGENT_MODULE))
    (tmp_path / "othertools.py").write_text(textwrap.dedent(OTHER_TOOLS))
    code = (
        "from byof.runtime.worker import ByofResolver\n"
        "t = ByofResolver().load_task(['mod', 'agentmod', 'task', 'resolver-demo.adder'])\n"
        "u = ByofResolver().load_task(['mod', 'agentmod', 'task', 'resolver-demo.adder', 'tool', 'fail', 'fn', 'agentmod:fail'])\n"
        "print(t.name, u.name, u.retries.count if hasattr(u.retries, 'count') else u.retries)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.split() == ["resolver-demo.adder", "resolver-demo.adder__fail", "2"]


def test_public_names_survive_submodule_imports() -> None:
    """Importing byof's internals (as a worker's resolver does) must not shadow byof.wrap & co."""
    import importlib

    import byof

    for module in (
        "byof.runtime.worker",
        "byof.runtime.wrapping",
        "byof.runtime.images",
        "byof.steps.decorators",
        "byof.plugins",
    ):
        importlib.import_module(module)
    assert callable(byof.wrap) and byof.wrap.__module__ == "byof.runtime.wrapping"
    assert callable(byof.environment) and callable(byof.tool) and callable(byof.model_call)
