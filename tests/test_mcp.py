"""A homegrown loop's MCP tool calls (mcp.ClientSession) are durable steps: recorded by Flyte,
journaled, served on resume without calling the server again."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid
from importlib.metadata import version
from pathlib import Path

import pytest

pytest.importorskip("mcp")

from mcp_servers import calls, http_server

AGENT = Path(__file__).with_name("mcp_agent.py")
# An mcp 1.x server sends the protocol error as an isError result; 2.x raises it in the client.
PROTOCOL_ERROR = ["isError", True] if version("mcp").startswith("1.") else None
STEPS = ["mcp__testserver__add", "mcp__testserver__slow", "mcp__testserver__slow", "mcp__testserver__fail",
         "mcp__testserver__reject", "mcp__testserver__echo"]  # fmt: skip


def run_agent(where: str, run_name: str, journal: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BYOF_JOURNAL_PATH": str(journal)}
    return subprocess.run(
        [sys.executable, str(AGENT), where, run_name, *extra],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def result(proc: subprocess.CompletedProcess[str]) -> dict:
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_each_mcp_call_is_a_trace_step_and_errors_keep_their_meaning(tmp_path: Path) -> None:
    with http_server(tmp_path / "calls.jsonl") as url:
        out = result(run_agent(url, f"mcp-{uuid.uuid4().hex[:8]}", tmp_path / "journal.db"))
    assert out["steps"] == STEPS, "one Flyte trace step per call, named after server and tool; listing none"
    answer = out["answer"]
    assert json.loads(answer[0]) == {"total": 5, "nonce": calls(tmp_path / "calls.jsonl")[0]["nonce"]}
    assert answer[1].startswith("x #") and answer[2].startswith("y #")
    assert answer[3][:2] == ["isError", True] and "boom" in answer[3][2], "an isError result stays a result"
    assert answer[4] == PROTOCOL_ERROR or answer[4][0] == "raised" and "no" in answer[4][2], (
        "a protocol error reaches the loop as the error the server sent"
    )
    assert [c["tool"] for c in calls(tmp_path / "calls.jsonl")] == [
        "add",
        "slow",
        "slow",
        "fail",
        "reject",
        "echo",
    ]


@pytest.mark.slow
@pytest.mark.parametrize("transport", ["http", "stdio"])
def test_a_resumed_run_does_not_call_the_server_again_for_finished_calls(
    tmp_path: Path, transport: str
) -> None:
    """SIGKILL after the parallel pair, the isError call and the protocol error; the resume serves
    all of them from the journal (each with its own result), and only echo reaches the server."""
    log, journal, run_name = tmp_path / "calls.jsonl", tmp_path / "journal.db", f"mcp-{uuid.uuid4().hex[:8]}"

    def both(where: str) -> dict:
        killed = run_agent(where, run_name, journal, "--kill-after", "4")
        assert killed.returncode == -signal.SIGKILL, killed.stderr[-3000:]
        before = calls(log)
        assert [c["tool"] for c in before] == ["add", "slow", "slow", "fail", "reject"]
        out = result(run_agent(where, run_name, journal))
        assert [c["tool"] for c in calls(log)] == ["add", "slow", "slow", "fail", "reject", "echo"], (
            "a finished call ran again"
        )
        nonces = {c["args"].get("tag"): c["nonce"] for c in before if c["tool"] == "slow"}
        assert out["answer"][1] == f"x #{nonces['x']}" and out["answer"][2] == f"y #{nonces['y']}", (
            "each parallel call got its own journaled result"
        )
        assert out["answer"][3][:2] == ["isError", True] and "boom" in out["answer"][3][2]
        assert out["answer"][4] == PROTOCOL_ERROR or out["answer"][4][0] == "raised", (
            "the journaled protocol error is raised again"
        )
        assert out["steps"] == STEPS, "replayed calls are still trace steps"
        return out

    if transport == "http":
        with http_server(log) as url:
            both(url)
    else:
        both(f"stdio:{log}")
