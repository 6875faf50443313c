"""A team's own steps (the planner's answers, the plan steps' outputs) in the run's journal, so
a resumed or retried team run calls neither the planner nor a finished specialist again."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from ..durability.fingerprint import canonical_json, fingerprint
from ..durability.steps import Kind, Step
from ..runtime.run_context import RunContext


async def journaled(
    run: RunContext, kind: Kind, name: str, request: Any, call: Callable[[], Awaitable[Any]]
) -> tuple[Any, float | None]:
    """`call()`'s value, or the value an earlier execution of this run journaled for the same
    `kind`, `name` and `request`; and, when it came from the journal, how many milliseconds
    the journaled call took (the time the replay saved), else None. Only successes are
    journaled: a step that failed runs again."""
    if run.journal is None:
        return await call(), None
    step = Step(run, kind, name, fingerprint(canonical_json(request)))
    value = await step.run_live(call)
    return value, step.saved_ms
