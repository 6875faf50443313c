"""Render a run's events as a timeline table, to see at a glance what an agent did and when."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..observability.describe import one_line, prompt_of
from ..observability.events import (
    AGENT,
    GENERATION,
    SPAN,
    TOOL,
    AgentFinished,
    AgentStarted,
    ErrorEvent,
    Event,
    PlanCreated,
    PlanRevised,
    PlanStepStarted,
    StepReplayed,
    StepStarted,
    ToolBlockedEvent,
)
from .terminal import SinkConsole

_TYPE_LABELS = {GENERATION: "model", TOOL: "tool", AGENT: "agent", SPAN: "step"}
# Each side of "input → output" is cut to this many characters before the column ellipsis.
_SIDE_CHARS = 60
_ERROR_CHARS = 200
_NAME_CHARS = 32
_MIN_SUMMARY = 16


def _short(value: Any, limit: int = _SIDE_CHARS) -> str:
    """One line of `value`: newlines folded so a multi-line payload cannot break the table row."""
    return one_line(value, limit)


def _duration(event: Event) -> str:
    ms = event.duration_ms
    if ms is None:
        return ""
    return f"{ms:.1f} ms" if ms < 10 else f"{ms:,.0f} ms"


def _summary(event: Event) -> Text:
    if isinstance(event, ToolBlockedEvent):
        return Text(f"blocked: {_short(event.reason)}", style="yellow")
    if isinstance(event, StepReplayed):
        return Text(f"replayed {event.step} (saved {event.saved_ms:,.0f} ms)", style="cyan")
    if isinstance(event, ErrorEvent):
        return Text(_short(f"{event.where}: {event.error_type}: {event.message}", _ERROR_CHARS), style="red")
    text = Text()
    if getattr(event, "replayed", False):
        text.append("replayed ", style="cyan")
    text.append(f"{_short(prompt_of(getattr(event, 'input', None)))} → ")
    error = getattr(event, "error", None)
    if error:
        return text.append(_short(error, _ERROR_CHARS), style="red")
    return text.append(_short(getattr(event, "output", None)))


def _row(event: Event, t0: float) -> list[str]:
    name = event.agent if event.observation == AGENT else getattr(event, "name", "") or event.kind
    return [
        _TYPE_LABELS.get(event.observation, event.kind),
        _short(name, _NAME_CHARS),
        f"+{event.start_time - t0:.3f}s",
        _duration(event),
    ]


def render_timeline(events: Sequence[Event], console: Console | None = None) -> None:
    """Print one row per step in start order. Start events are skipped (the finish is the row),
    and so are a plan and its revisions (`PlanConsole` shows those)."""
    skipped = (AgentStarted, StepStarted, PlanStepStarted, PlanCreated, PlanRevised)
    steps = sorted((e for e in events if not isinstance(e, skipped)), key=lambda e: e.start_time)
    console = console or SinkConsole()
    if not steps:
        console.print("no events")
        return
    headers = ["#", "type", "name", "start", "duration"]
    rows = [[str(n), *_row(e, steps[0].start_time)] for n, e in enumerate(steps, 1)]
    widths = [max(cell_len(cell) for cell in column) for column in zip(headers, *rows, strict=True)]
    # Rich shrinks every no-wrap column alike on a narrow console; only the summary should give way.
    summary_width = max(_MIN_SUMMARY, console.width - sum(widths) - 3 * (len(headers) + 1) - 1)
    table = Table(title=f"byof run {steps[0].trace_id}", title_justify="left")
    for header, width in zip(headers, widths, strict=True):
        table.add_column(
            header, width=width, no_wrap=True, justify="left" if header in ("type", "name") else "right"
        )
    table.add_column("summary", width=summary_width, no_wrap=True)
    for row, event in zip(rows, steps, strict=True):
        summary = _summary(event)
        summary.truncate(summary_width, overflow="ellipsis")
        table.add_row(*row, summary)
    console.print(table)


def _span_tree(events: Sequence[Event], root: str) -> set[str]:
    """The span ids under `root` (itself included): one agent's steps, not its siblings' in a
    fan-out, which share the Flyte run and so the trace id."""
    tree = {root}
    grew = True
    while grew:
        more = {e.span_id for e in events if e.parent_id in tree} - tree
        tree |= more
        grew = bool(more)
    return tree


class ConsoleSink:
    """Collects events and prints a run's timeline when its outermost agent finishes.

    A printed run's events are dropped, so one sink can serve many runs; `render()` prints
    whatever is still collected (a run that never finished, say).
    """

    def __init__(self, console: Console | None = None) -> None:
        self.console = console
        self.events: list[Event] = []
        self._lock = threading.Lock()

    def __call__(self, event: Event) -> None:
        with self._lock:
            self.events.append(event)
            if not (isinstance(event, AgentFinished) and event.parent_id is None):
                return
            tree = _span_tree(self.events, event.span_id)
            run = [e for e in self.events if e.span_id in tree]
            self.events = [e for e in self.events if e.span_id not in tree]
        render_timeline(run, self.console)

    def render(self) -> None:
        with self._lock:
            events = list(self.events)
        render_timeline(events, self.console)
