"""The durable-step pipeline: every kind of step a run takes is journaled and replayed here.

A model call, a tool call, a team's planner answer or plan step (and what comes next: an MCP
call, an approval, a connector job) is a `Step`: identified by its kind, its name and the
fingerprint of what it was asked, looked up in the run's journal when it opens, served from
there or run live and recorded. Identity, journal, divergence and the replay events live here
and only here; the callers decide what "running it live" means (a child task, a trace step, a
planner call).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from ..observability.events import Event, StepReplayed
from .journal import Step as Record
from .run_journal import RunJournal

if TYPE_CHECKING:
    from ..runtime.run_context import RunContext

T = TypeVar("T")


@dataclass(frozen=True)
class Kind:
    """How one kind of step is journaled."""

    name: str  # the journal's kind: "model", "tool", "planner", "plan_step", ...
    ordered: bool = False  # in the run's sequence of model calls: a divergence is checked by position
    replays_failures: bool = False  # a failed step's error is recorded and raised again on resume


MODEL = Kind("model", ordered=True)
TOOL = Kind("tool", replays_failures=True)
PLANNER = Kind("planner")
PLAN_STEP = Kind("plan_step")
MCP = Kind("mcp", replays_failures=True)  # an MCP server's tool call (its protocol errors are answers too)
MCP_LISTING = Kind("mcp_list")  # what tools a server offered this run: run data, not a Flyte step


class Step:
    """One durable step of a run, open from its lookup to its record.

    `event` (optional) is the step's own event: marked `replayed` when the journal answers. A
    run without a journal (on a cluster, or with the journal off) journals nothing: every step
    runs live.
    """

    def __init__(
        self,
        run: RunContext,
        kind: Kind,
        name: str,
        fingerprint: str,
        *,
        event: Event | None = None,
        seq: int | None = None,
    ) -> None:
        self.run, self.kind, self.name, self.fingerprint = run, kind, name, fingerprint
        self.event, self.seq = event, seq
        self.started = time.time()
        self.key = ""
        self.found: Record | None = None
        self.journal: RunJournal | None = run.journal
        if self.journal is not None:
            self.key, self.found = self.journal.lookup(
                kind.name, name, fingerprint, seq if kind.ordered else None
            )

    @property
    def journaled(self) -> bool:
        """Whether the journal answers this step (a resume or a retry of a finished step)."""
        return self.found is not None

    @property
    def saved_ms(self) -> float | None:
        """How long the journaled step took when it ran: the time its replay saves."""
        return None if self.found is None else self.found.duration_ms

    def replay(self) -> Any:
        """The journaled value (or the journaled error, raised), marked replayed where it shows."""
        assert self.found is not None
        if self.event is not None:
            self.event.replayed = True  # type: ignore[attr-defined]
        self.run.emit(
            self.run.child(
                StepReplayed,
                step=self.kind.name,
                name=self.name,
                seq=self.seq or 0,
                saved_ms=self.found.duration_ms,
            )
        )
        return RunJournal.replay(self.found)

    def record(self, ok: bool, value: Any) -> None:
        """Journal a live outcome: a value, or an error where this kind replays failures."""
        if self.journal is None or self.found is not None or not (ok or self.kind.replays_failures):
            return
        self.journal.record(
            self.key,
            self.kind.name,
            self.name,
            self.fingerprint,
            ok,
            value,
            self.started,
            self.seq if self.kind.ordered else None,
        )

    async def run_live(self, call: Callable[[], Awaitable[T]]) -> T:
        """The journaled value, or `call()`'s, recorded (its error too, where the kind says so)."""
        if self.journaled:
            return self.replay()
        try:
            value = await call()
        except Exception as exc:
            self.record(False, exc)
            raise
        self.record(True, value)
        return value
