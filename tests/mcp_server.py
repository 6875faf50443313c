"""A small MCP test server (official `mcp` package) that logs every real tool execution.

Works with mcp 1.x (`mcp.server.fastmcp.FastMCP`) and mcp 2.x (`mcp.server.mcpserver.MCPServer`,
FastMCP's new name). Every tool body appends one JSON line {"tool", "args", "pid", "nonce"} to
the log file (fsync'ed, so a test that SIGKILLs its client still sees every execution), and the
nonce is part of most results so a test can tell a replayed result from a re-executed one.

    python server.py [stdio] --log calls.jsonl       (the log defaults to $MCP_CALL_LOG, else ./mcp-calls.jsonl)
    python server.py http  --log calls.jsonl [--port 0] [--port-file p.txt] [--stateless] [--name NAME]

Over HTTP it binds 127.0.0.1 (port 0 = a free port), prints "PORT <n>" on stdout and, with
--port-file, writes the port there once the socket listens; the endpoint is http://127.0.0.1:<n>/mcp.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import socket
import sys
import uuid
from typing import Any

try:  # mcp 2.x
    from mcp.server.mcpserver import MCPServer as _Server
    from mcp.server.mcpserver.exceptions import ToolError
    from mcp.shared.exceptions import MCPError

    MCP_MAJOR = 2

    def protocol_error(code: int, message: str) -> Exception:
        return MCPError(code, message)

except ImportError:  # mcp 1.x (in 2.x, importing mcp.server.fastmcp raises ModuleNotFoundError)
    from mcp.server.fastmcp import FastMCP as _Server
    from mcp.server.fastmcp.exceptions import ToolError
    from mcp.shared.exceptions import McpError
    from mcp.types import ErrorData

    MCP_MAJOR = 1

    def protocol_error(code: int, message: str) -> Exception:
        return McpError(ErrorData(code=code, message=message))


from mcp import types
from pydantic import BaseModel

LOG = os.environ.get("MCP_CALL_LOG", "mcp-calls.jsonl")
PNG_1x1 = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def _log(tool: str, **args: Any) -> str:
    nonce = uuid.uuid4().hex[:8]
    line = json.dumps({"tool": tool, "args": args, "pid": os.getpid(), "nonce": nonce}, sort_keys=True)
    fd = os.open(LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, (line + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    return nonce


class Sum(BaseModel):
    total: int
    nonce: str


def build(name: str = "testserver") -> Any:
    server = _Server(name, log_level="WARNING")

    @server.tool()
    def add(a: int, b: int) -> Sum:
        """Add two integers (structured output: structuredContent plus a JSON text block)."""
        return Sum(total=a + b, nonce=_log("add", a=a, b=b))

    @server.tool()
    def echo(text: str) -> str:
        """Echo the text back with the execution's nonce."""
        return f"{text} #{_log('echo', text=text)}"

    @server.tool()
    def fail(message: str) -> str:
        """Always fails: the server turns the ToolError into an isError result carrying the message."""
        _log("fail", message=message)
        raise ToolError(message)

    @server.tool()
    def reject(message: str) -> str:
        """Fails at the protocol level: a JSON-RPC error the client raises (McpError / MCPError)."""
        _log("reject", message=message)
        raise protocol_error(-32001, message)

    @server.tool()
    async def slow(tag: str, seconds: float = 0.2) -> str:
        """Sleep, then answer with the tag (for parallel calls)."""
        nonce = _log("slow", tag=tag, seconds=seconds)
        await asyncio.sleep(seconds)
        return f"{tag} #{nonce}"

    @server.tool(structured_output=False)
    def picture(caption: str) -> list[Any]:
        """Mixed content: a text block, a PNG image and an embedded text resource."""
        nonce = _log("picture", caption=caption)
        resource = types.TextResourceContents(
            uri=f"memo://{nonce}", text=f"memo {caption}", mimeType="text/plain"
        )
        return [
            types.TextContent(type="text", text=f"{caption} #{nonce}"),
            types.ImageContent(type="image", data=base64.b64encode(PNG_1x1).decode(), mimeType="image/png"),
            types.EmbeddedResource(type="resource", resource=resource),
        ]

    return server


def _free_socket(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(128)
    return sock


def serve_http(server: Any, port: int, port_file: str | None, stateless: bool) -> None:
    import uvicorn

    if MCP_MAJOR == 2:
        app = server.streamable_http_app(stateless_http=stateless)
    else:
        server.settings.stateless_http = stateless
        app = server.streamable_http_app()
    sock = _free_socket(port)
    bound = sock.getsockname()[1]
    print(f"PORT {bound}", flush=True)
    if port_file:
        tmp = f"{port_file}.tmp"
        with open(tmp, "w") as f:
            f.write(str(bound))
        os.replace(tmp, port_file)
    config = uvicorn.Config(app, log_level="warning", lifespan="on")
    asyncio.run(uvicorn.Server(config).serve(sockets=[sock]))


def main(argv: list[str] | None = None) -> None:
    global LOG
    parser = argparse.ArgumentParser()
    parser.add_argument("transport", nargs="?", default="stdio", choices=["stdio", "http"])
    parser.add_argument("--log", default=LOG)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file")
    parser.add_argument("--stateless", action="store_true")
    parser.add_argument("--name", default="testserver")
    args = parser.parse_args(argv)
    LOG = os.path.abspath(args.log)
    server = build(args.name)
    if args.transport == "stdio":
        server.run("stdio")
    else:
        serve_http(server, args.port, args.port_file, args.stateless)


if __name__ == "__main__":
    sys.exit(main())
