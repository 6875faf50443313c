"""Parallel tool calls that differ only in a UUID, an `id` argument or a 32-hex token, run as
TRIALS agent runs fanned out under one parent run, each in its own process for crash tests.

    python tests/identity_agent.py RUN_NAME LOG [--kill]

Each agent run asks the model once; the model calls refund(order_id=<uuid>) four times,
cancel(id=...) three times and void(token=<32 hex>) twice, all at once, and the agent runs
those calls in worker threads that start in a random order (as frameworks with thread pools
do). Every real tool execution appends `tool:<args>:<result>` to LOG, and a result carries a
random nonce, so a call answered with another call's result is visible. With --kill the
process SIGKILLs itself when every run has asked for its second model call (all tool calls
done and journaled). Prints the runs' answers as JSON on the last line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import flyte

import byof
from byof.testing.chat import ScriptedChat
from byof.testing.script import Request, Script, ScriptedToolCall, calls, say

TRIALS = 20
NAMESPACE = uuid.UUID("8b6f4d1e-2f53-4c3a-9d7e-5a1b2c3d4e5f")


def trial_calls(trial: int) -> list[ScriptedToolCall]:
    """The parallel calls of one trial: deterministic, so the resumed process asks the same."""
    ids = [uuid.uuid5(NAMESPACE, f"{trial}-{k}") for k in range(9)]
    return [
        *(ScriptedToolCall("refund", {"order_id": str(ids[k])}) for k in range(4)),
        *(ScriptedToolCall("cancel", {"id": f"ord_{trial}_{k}"}) for k in range(3)),
        *(ScriptedToolCall("void", {"token": ids[k].hex}) for k in (7, 8)),
    ]


def prompt(trial: int) -> str:
    return f"Settle the orders of trial {trial}."


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("run_name")
    parser.add_argument("log", type=Path)
    parser.add_argument("--kill", action="store_true")
    args = parser.parse_args()
    lock = threading.Lock()
    asked: dict[str, int] = {}

    def note(line: str) -> None:
        with lock, args.log.open("a") as f:
            f.write(line + "\n")

    def on_respond(request: Request) -> None:
        if not args.kill:
            return
        first = next(m.content for m in request.messages if m.role == "user")
        with lock:
            asked[first] = asked.get(first, 0) + 1
            if sum(1 for n in asked.values() if n >= 2) == TRIALS:
                os.kill(os.getpid(), signal.SIGKILL)

    def executed(kind: str, value: str) -> str:
        result = f"{kind} {value} #{uuid.uuid4().hex[:8]}"
        note(f"tool:{result}")
        return result

    @byof.tool
    def refund(order_id: str) -> str:
        """Refund an order."""
        return executed("refund", order_id)

    @byof.tool
    def cancel(id: str) -> str:
        """Cancel an order by its id."""
        return executed("cancel", id)

    @byof.tool
    def void(token: str) -> str:
        """Void a payment token."""
        return executed("void", token)

    tools = {"refund": refund, "cancel": cancel, "void": void}
    script = Script(
        by_prompt={prompt(t): [calls(*trial_calls(t)), say("{results}")] for t in range(TRIALS)},
        on_respond=on_respond,
    )
    chat = ScriptedChat(script)

    @byof.model_call(name="chat")
    async def complete(messages: list[dict[str, Any]]) -> dict[str, Any]:
        return await chat(messages, [])

    def in_thread(name: str, arguments: dict[str, Any]) -> str:
        time.sleep(random.random() / 50)  # the threads start their calls in a random order
        return tools[name](**arguments)

    async def settle(task: str) -> str:
        messages: list[dict[str, Any]] = [{"role": "user", "content": task}]
        while True:
            reply = await complete(messages)
            messages.append(reply)
            if not reply.get("tool_calls"):
                return reply["content"]
            results = await asyncio.gather(
                *(
                    asyncio.to_thread(
                        in_thread, tc["function"]["name"], json.loads(tc["function"]["arguments"])
                    )
                    for tc in reply["tool_calls"]
                )
            )
            for tc, result in zip(reply["tool_calls"], results, strict=True):
                messages.append({"role": "tool", "tool_call_id": tc["id"], "content": result})

    env = flyte.TaskEnvironment("identity")
    agent = byof.wrap(settle, env=env, name="settle")

    @env.task
    async def trials() -> list[str]:
        return list(await asyncio.gather(*(agent(prompt=prompt(t)) for t in range(TRIALS))))

    flyte.init()
    print(json.dumps(flyte.with_runcontext(name=args.run_name).run(trials).outputs()[0]))


if __name__ == "__main__":
    main()
