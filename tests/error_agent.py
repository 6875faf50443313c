"""A homegrown agent whose tools fail with exceptions that are hard to rebuild, for crash tests.

    python tests/error_agent.py RUN_NAME LOG [--kill]

The model calls `fetch` (raises an error with required keyword-only arguments, like httpx's
HTTPStatusError), then `query` (raises an error whose __str__ reads its constructor's
attributes, like SQLAlchemy's), then answers with the tool results it saw, which include each
error's class and message. With --kill the process SIGKILLs itself when the model is asked for
its third answer, after both failures were journaled. Prints the answer as the last line.
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
from byof.testing.script import Request, Script, call, say

PROMPT = "Fetch the report, then query the table."


class StatusError(Exception):
    def __init__(self, message: str, *, request: str, response: int) -> None:
        super().__init__(message)
        self.request, self.response = request, response


class DatabaseError(Exception):
    def __init__(self, statement: str, orig: Exception) -> None:
        super().__init__(statement)
        self.statement, self.orig = statement, orig

    def __str__(self) -> str:
        return f"({type(self.orig).__name__}) {self.orig} [SQL: {self.statement}]"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("run_name")
    parser.add_argument("log", type=Path)
    parser.add_argument("--kill", action="store_true")
    args = parser.parse_args()
    asked = {"n": 0}

    def note(line: str) -> None:
        with args.log.open("a") as f:
            f.write(line + "\n")

    def on_respond(request: Request) -> None:
        asked["n"] += 1
        if args.kill and asked["n"] == 3:
            os.kill(os.getpid(), signal.SIGKILL)

    @byof.tool
    def fetch(url: str) -> str:
        """Fetch a URL."""
        note("tool:fetch")
        raise StatusError(
            f"Server error '503 Service Unavailable' for url '{url}'", request=url, response=503
        )

    @byof.tool
    def query(sql: str) -> str:
        """Run a SQL query."""
        note("tool:query")
        raise DatabaseError(sql, TimeoutError("database is locked"))

    turns = [
        call("fetch", url="https://example.test/report"),
        call("query", sql="SELECT 1"),
        say("{results}"),
    ]
    agent = make_tool_agent(
        ScriptedChat(Script(by_prompt={PROMPT: turns}, on_respond=on_respond)), [fetch, query]
    )
    task = byof.wrap(agent, env=flyte.TaskEnvironment("errors"), name="error_agent")
    flyte.init()
    print(flyte.with_runcontext(name=args.run_name).run(task, prompt=PROMPT).outputs()[0])


if __name__ == "__main__":
    main()
