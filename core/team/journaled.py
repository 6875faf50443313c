"""A team's own steps (the planner's answers, the plan steps' outputs) in the run's journal, so
a resumed or retried team run calls neither the planner nor a finished specialist again."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from ..durability.fingerprint import canonical_json, fingerprint
from ..durability.run_journal import RunJournal
from ..runtime.run_context import RunContext


async def journaled(
    run: RunContext, kind: str, name: str, request: Any, call: Callable[[], Awaitable[Any]]
) -> tuple[Any, float | None]:
    """`call()`'s value, or the value an earlier execution of this run journaled for the same
    `kind`, `name` and `request`; and, when it came from the journal, how many milliseconds
    the journaled call took (the time the replay saved), else None. Only successes are
    journaled: a step that failed runs again."""
    journal = run.journal
    if journal is None:
        return await call(), None
    identity = fingerprint(canonical_json(request))
    key, step = journal.tool_step(name, identity, kind=kind)
    if step is not None:
        return RunJournal.replay_tool(step), step.duration_ms
    started = time.time()
    value = await call()
    journal.record_tool(key, name, identity, True, value, started, kind=kind)
    return value, None
