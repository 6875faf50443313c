"""A homegrown agent loop on `mcp.ClientSession`, wrapped with byof, for MCP durability tests.

    python tests/mcp_agent.py (URL | stdio:LOGFILE) RUN_NAME [--kill-after N]

It calls add, then slow(x) and slow(y) in parallel, then fail (an isError result), then reject
(a protocol error the server raises), then echo; with --kill-after N the process SIGKILLs itself
once N of those stages are done. Prints what Flyte recorded and the answer, as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
from pathlib import Path

import flyte
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

import byof
from byof.testing.recorder import record_flyte

try:  # mcp 2.x
    from mcp.client.streamable_http import streamable_http_client as http_client
except ImportError:  # mcp 1.x
    from mcp.client.streamable_http import streamablehttp_client as http_client  # type: ignore[no-redef]

SERVER = str(Path(__file__).with_name("mcp_server.py"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("where")
    parser.add_argument("run_name")
    parser.add_argument("--kill-after", type=int, default=0)
    args = parser.parse_args()
    done = {"n": 0}

    def stage() -> None:
        done["n"] += 1
        if done["n"] == args.kill_after:
            os.kill(os.getpid(), signal.SIGKILL)

    def connect():
        if args.where.startswith("stdio:"):
            log = args.where.removeprefix("stdio:")
            return stdio_client(
                StdioServerParameters(command=sys.executable, args=[SERVER, "stdio", "--log", log])
            )
        return http_client(args.where)

    async def agent(prompt: str) -> str:
        async with connect() as streams, ClientSession(streams[0], streams[1]) as session:
            await session.initialize()
            await session.list_tools()  # listing is not a step
            out: list = []
            added = await session.call_tool("add", {"a": 2, "b": 3})
            out.append(added.content[0].text)
            stage()
            both = await asyncio.gather(
                session.call_tool("slow", {"tag": "x"}), session.call_tool("slow", {"tag": "y"})
            )
            out += [r.content[0].text for r in both]
            stage()
            failed = await session.call_tool("fail", {"message": "boom"})
            out.append(
                [
                    "isError",
                    bool(getattr(failed, "is_error", getattr(failed, "isError", None))),
                    failed.content[0].text,
                ]
            )
            stage()
            try:  # an mcp 2.x server raises its protocol error; 1.x servers send it as isError
                rejected = await session.call_tool("reject", {"message": "no"})
                out.append(
                    ["isError", bool(getattr(rejected, "is_error", getattr(rejected, "isError", None)))]
                )
            except Exception as exc:
                out.append(["raised", type(exc).__name__, str(exc)])
            stage()
            out.append((await session.call_tool("echo", {"text": prompt})).content[0].text)
            return json.dumps(out)

    task = byof.wrap(agent, env=flyte.TaskEnvironment("mcp-homegrown"), name="mcp_loop")
    flyte.init()
    with record_flyte() as rec:
        answer = flyte.with_runcontext(name=args.run_name).run(task, prompt="hi").outputs()[0]
    print(json.dumps({"answer": json.loads(answer), "steps": [s.name for s in rec.steps]}))


if __name__ == "__main__":
    main()
