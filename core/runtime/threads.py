"""byof's own worker threads, kept apart so a thread waiting on a durable call never starves
the work it waits for.

A framework that runs a sync tool in the event loop's default executor parks that thread until
the tool's Flyte child task finishes. If the child task's sync body needed a thread from the
same small pool (min(32, cores + 4) threads), enough concurrent runs would park every thread and
wait forever. So sync tool bodies (leaf work: they never wait on byof) run in `BODIES`, and sync
framework loops driven by an adapter (which do wait, for every tool and model call) in
`DRIVERS`; neither shares the default executor with the framework's own threads.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")

# Threads are started on demand; these caps only bound a burst of concurrent calls.
BODIES = ThreadPoolExecutor(max_workers=64, thread_name_prefix="byof-tool")
DRIVERS = ThreadPoolExecutor(max_workers=64, thread_name_prefix="byof-agent")


async def _in(pool: ThreadPoolExecutor, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Like asyncio.to_thread (the caller's context variables come along), in `pool`."""
    call = functools.partial(contextvars.copy_context().run, fn, *args, **kwargs)
    return await asyncio.get_running_loop().run_in_executor(pool, call)


async def run_tool_body(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a sync tool body in a worker thread."""
    return await _in(BODIES, fn, *args, **kwargs)


async def drive(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a sync agent loop (a framework's run/invoke/kickoff) in a worker thread."""
    return await _in(DRIVERS, fn, *args, **kwargs)
