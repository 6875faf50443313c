"""A homegrown agent that stops inside a tool until a flag file appears, for ownership tests.

    python tests/owner_agent.py RUN_NAME LOG FLAG

The model calls `wait_for_flag` (which logs, then waits until FLAG exists), then `add`, then
answers. Every real model call and tool execution appends a line to LOG, with this pid.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import flyte

import byof
from byof.examples.tool_loop import make_tool_agent
from byof.testing.chat import ScriptedChat
from byof.testing.script import Request, Script, call, say

PROMPT = "Wait for the flag, then add."


def main() -> None:
    run_name, log, flag = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])

    def note(line: str) -> None:
        with log.open("a") as f:
            f.write(f"{line} {os.getpid()}\n")

    def on_respond(request: Request) -> None:
        note("model")

    @byof.tool
    def wait_for_flag() -> str:
        """Wait until the operator raises the flag."""
        note("tool:wait")
        deadline = time.monotonic() + 300
        while not flag.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        return "flag seen"

    @byof.tool
    def add(a: float, b: float) -> float:
        """Add two numbers."""
        note("tool:add")
        return a + b

    turns = [call("wait_for_flag"), call("add", a=1, b=2), say("{results}")]
    chat = ScriptedChat(Script(by_prompt={PROMPT: turns}, on_respond=on_respond))
    task = byof.wrap(
        make_tool_agent(chat, [wait_for_flag, add]), env=flyte.TaskEnvironment("owner"), name="owner"
    )
    flyte.init()
    print(flyte.with_runcontext(name=run_name).run(task, prompt=PROMPT).outputs()[0])


if __name__ == "__main__":
    main()
