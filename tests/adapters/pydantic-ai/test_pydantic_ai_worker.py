"""On a cluster, a Pydantic AI tool task builds its own live deps with the agent's deps factory.

The driver (a fresh process) wraps an agent whose deps hold an open sqlite connection, and
serializes its tool task as a deploy would; Flyte's own worker entrypoint `a0` then runs that
task in another fresh process, from an empty directory holding only the code bundle. The worker
imports the agent's module, finds the deps factory in its `byof.wrap`, opens its own connection
from the same JSON input, runs the tool, and sends back the tool's output and its deps writes.
"""

from __future__ import annotations

import sys
import tempfile
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from byof.testing.worker import run_driver

pytest.importorskip("pydantic_ai")

AGENT_MODULE = """
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass, field

import flyte
from pydantic_ai import Agent, RunContext

import byof
from byof.testing.pydantic_ai import scripted_model
from byof.testing.script import Script


BANK_DB = "{db}"


@dataclass
class Bank:
    customer_id: int
    db: sqlite3.Connection
    seen: list[str] = field(default_factory=list)


@contextmanager
def open_bank(customer_id: int):
    conn = sqlite3.connect(BANK_DB, check_same_thread=False)  # sync tools run in a worker thread
    try:
        yield Bank(customer_id, conn)
    finally:
        conn.close()


agent = Agent(scripted_model(Script()), deps_type=Bank)


@agent.tool
def balance(ctx: RunContext[Bank], include_pending: bool) -> float:
    \"\"\"The customer's balance.\"\"\"
    ctx.deps.seen.append("balance")
    column = "balance + pending" if include_pending else "balance"
    return ctx.deps.db.execute(f"select {column} from customers where id = ?", (ctx.deps.customer_id,)).fetchone()[0]


support = byof.wrap(agent, env=flyte.TaskEnvironment("bank-worker"), name="support",
                    adapter_options={"deps_factory": open_bank})
"""

DRIVER = """
import json, os, sqlite3, sys
from pathlib import Path
import flyte, byof
from byof.testing.worker import run_on_worker

project, work = Path(sys.argv[1]), Path(sys.argv[2])
sys.path.insert(0, str(project))
flyte.init(root_dir=project)
import agentmod

with agentmod.open_bank(123) as live:
    from byof.adapters.pydantic_ai_tools import crossing_ctx
    from byof.adapters.pydantic_ai_deps import BuiltDeps
    from pydantic_ai import RunContext
    from pydantic_ai.models.test import TestModel
    from pydantic_ai.usage import RunUsage
    ctx = RunContext(deps=live, model=TestModel(), usage=RunUsage(), tool_call_id="call_1", tool_name="balance")
    given = crossing_ctx(ctx, "balance", BuiltDeps(live, {"customer_id": 123}))
task = byof.wrapped_agent(agentmod.support).tool_task("balance")
result = run_on_worker(task, work / "balance", ctx=given, include_pending=True)
print(json.dumps({
    "crossing": sorted(given["deps"]),
    "parts": sorted(given["deps"]["parts"]),
    "output": getattr(result.value, "output", repr(result.value)),
    "changes": getattr(result.value, "changes", None),
    "error": repr(result.error),
    "stderr": result.stderr[-2000:],
}))
"""


@pytest.fixture
def outside_venv(tmp_path: Path) -> Iterator[Path]:
    """A directory outside the interpreter's environment: nox keeps its temp dirs inside the
    session's virtualenv, and Flyte's code bundle leaves a virtualenv's files out."""
    if Path(sys.prefix).resolve() not in tmp_path.resolve().parents:
        yield tmp_path
        return
    with tempfile.TemporaryDirectory(dir="/tmp" if Path("/tmp").is_dir() else None) as outside:
        yield Path(outside)


@pytest.mark.slow
def test_a_worker_builds_the_tool_tasks_deps_with_the_deps_factory(
    tmp_path: Path, outside_venv: Path
) -> None:
    import sqlite3

    project = outside_venv / "project"
    project.mkdir()
    db = tmp_path / "bank.db"
    (project / "agentmod.py").write_text(textwrap.dedent(AGENT_MODULE).replace("{db}", str(db)))
    with sqlite3.connect(db) as conn:
        conn.execute("create table customers (id integer primary key, balance real, pending real)")
        conn.execute("insert into customers values (123, 100.5, 20)")
    result = run_driver(textwrap.dedent(DRIVER), project, tmp_path / "work")
    assert result["crossing"] == ["factory_input", "parts"], "the connection did not cross; the input did"
    assert result["parts"] == ["customer_id", "seen"]
    assert result["output"] == 120.5, (result["error"], result["stderr"])
    assert result["changes"] == {"deps": {"seen": ["balance"]}}, "the tool's deps write comes back"
