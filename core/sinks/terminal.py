"""The console byof's sinks print with: a closed stdout never breaks or hangs a run.

Sinks print from whatever thread runs the agent (Flyte's event-loop thread, a framework's
worker). When the reader of a pipe goes away (`python agent.py | head -3`), rich's Console
raises SystemExit from that thread, which ends the thread and leaves `flyte.run` waiting for
it forever. This console stops printing instead and calls the process's closed-stdout handler,
if one is set: the `byof` command line sets one that exits at once, as a Unix tool does.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable

from rich.console import Console

_on_closed: Callable[[], None] | None = None
_lock = threading.Lock()


def when_stdout_closes(handler: Callable[[], None] | None) -> None:
    """Call `handler` (from any thread) the first time a sink finds stdout closed."""
    global _on_closed
    _on_closed = handler


class SinkConsole(Console):
    """A rich Console that goes quiet, and tells the process, when its pipe is closed."""

    def on_broken_pipe(self) -> None:
        with _lock:
            self.quiet = True
            try:  # what rich does too: later writes to stdout go nowhere instead of failing
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, sys.stdout.fileno())
            except (OSError, ValueError):
                pass
        if _on_closed is not None:
            _on_closed()
