"""A homegrown agent for crash-resume tests, run as its own process.

    python tests/crash_agent.py RUN_NAME KILL_AT LOG [--retries N] [--fail-at M] [--prompt P] [--rerun]

Every real model call and tool execution appends a line to LOG. With KILL_AT=k > 0 the
process SIGKILLs itself when the model is asked for call k (so k-1 calls completed); with
--fail-at m the model raises once, at call m, instead. Prints the answer as the last line.
"""

from __future__ import annotations

import argparse
import os
import signal
from pathlib import Path

import flyte

import byof
from byof.examples.tool_loop import make_tool_agent
from byof.testing.chat import ScriptedChat
from byof.testing.script import Request, Script, ScriptedToolCall, call, calls, say

PROMPT = "Add, count, then do both at once."
TURNS = [
    call("add", a=1, b=2),
    call("word_count", text="a b c"),
    calls(ScriptedToolCall("add", {"a": 10, "b": 20}), ScriptedToolCall("word_count", {"text": "x y"})),
    say("Results: {results}"),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("run_name")
    parser.add_argument("kill_at", type=int)
    parser.add_argument("log", type=Path)
    parser.add_argument("--retries", type=int, default=0)
    parser.add_argument("--fail-at", type=int, default=0)
    parser.add_argument("--prompt", default=PROMPT)
    parser.add_argument("--rerun", action="store_true")
    parser.add_argument(
        "--extra-tool", action="store_true", help="give the agent a third tool (its schema changes)"
    )
    parser.add_argument("--jsonl", type=Path, default=None, help="write the run's events here")
    args = parser.parse_args()
    log = args.log
    calls_made = {"n": 0, "failed": False}

    def note(line: str) -> None:
        with log.open("a") as f:
            f.write(line + "\n")

    def on_respond(request: Request) -> None:
        calls_made["n"] += 1
        if calls_made["n"] == args.kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        if calls_made["n"] == args.fail_at and not calls_made["failed"]:
            calls_made["failed"] = True
            raise ConnectionError("model endpoint dropped the connection")
        note("model")

    @byof.tool
    def add(a: float, b: float) -> float:
        """Add two numbers."""
        note("tool:add")
        return a + b

    @byof.tool
    async def word_count(text: str) -> int:
        """Count the words in a text."""
        import asyncio
        import random

        await asyncio.sleep(random.random() / 20)  # parallel calls finish in a random order
        note("tool:word_count")
        return len(text.split())

    @byof.tool
    def shout(text: str) -> str:
        """Upper-case a text."""
        return text.upper()

    script = Script(by_prompt={args.prompt: TURNS}, on_respond=on_respond)
    agent = make_tool_agent(ScriptedChat(script), [add, word_count, *([shout] if args.extra_tool else [])])
    from byof.sinks import ConsoleSink, JsonlSink

    task = byof.wrap(
        agent,
        env=flyte.TaskEnvironment("crash"),
        name="crash_agent",
        retries=args.retries,
        on_divergence="rerun" if args.rerun else "error",
        sinks=[JsonlSink(args.jsonl), ConsoleSink()] if args.jsonl else [],
    )
    flyte.init()
    print(flyte.with_runcontext(name=args.run_name).run(task, prompt=args.prompt).outputs()[0])


if __name__ == "__main__":
    main()
