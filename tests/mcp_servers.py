"""Start tests/mcp_server.py over streamable HTTP on 127.0.0.1 for a test, and read its call log."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SERVER = Path(__file__).with_name("mcp_server.py")


@contextmanager
def http_server(log: Path, *, name: str = "testserver") -> Iterator[str]:
    """A running server's URL; it is stopped afterwards."""
    port_file = log.with_suffix(".port")
    proc = subprocess.Popen(
        [
            sys.executable,
            str(SERVER),
            "http",
            "--log",
            str(log),
            "--port-file",
            str(port_file),
            "--name",
            name,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while not port_file.exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"the MCP test server did not start: {proc.stderr.read().decode() if proc.stderr else ''}"
                )
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port_file.read_text()}/mcp"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def calls(log: Path) -> list[dict]:
    """Every tool execution the server made, in order."""
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
