"""A live view of runs in a terminal: each model and tool call as it starts and as it ends.

    byof.wrap(agent, env=env, sinks=[ProgressSink()])

On a terminal, the calls in flight spin at the bottom (what the agent is waiting for, for how
long) and each finished call prints one line above them: a model call with what the model
decided and its tokens, a tool call with its arguments and result, a replayed step marked with
the time it saved, a failure in red. When the run ends, its line says how it went and, with
`report=True`, where its report is. When stdout is not a terminal (a log, a pipe, a test) it
prints nothing unless asked: `ProgressSink(show=True)` or BYOF_PROGRESS=1 (then it prints a
line as each call starts and ends); BYOF_PROGRESS=0 silences it anywhere.

It also shows the runs a wrapped agent starts in the same process (`nested`): a team's planner
and specialists, indented under it. A team's plan and steps are PlanConsole's to show.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.spinner import Spinner
from rich.table import Table
from rich.text import Text

from ..observability.describe import (
    arguments_line,
    decision_line,
    duration,
    one_line,
    outcome,
    prompt_of,
    tokens,
    tool_line,
)
from ..observability.events import (
    AgentFinished,
    AgentStarted,
    Event,
    ModelCalled,
    PlanStepFinished,
    PlanStepStarted,
    StepReplayed,
    StepStarted,
    ToolBlockedEvent,
    ToolCalled,
)
from .terminal import SinkConsole

_WIDTH = 110  # characters of a call's summary on a line


def _wanted(show: bool | None, console: Console) -> bool:
    if show is not None:
        return show
    env = os.environ.get("BYOF_PROGRESS", "").strip().lower()
    if env in ("0", "false", "no", "off"):
        return False
    if env in ("1", "true", "yes", "on"):
        return True
    return console.is_terminal


@dataclass
class _Run:
    label: str
    depth: int
    team: bool


class _InFlight:
    """The live region: one spinner line per call or run still going."""

    def __init__(self) -> None:
        self.items: dict[str, tuple[str, float]] = {}

    def __rich__(self) -> RenderableType:
        grid = Table.grid(padding=(0, 1))
        now = time.time()
        for text, started in list(self.items.values())[-12:]:
            grid.add_row(
                Spinner("dots", style="cyan"),
                Text(f"{text} · {duration((now - started) * 1000)}", style="dim"),
            )
        return Group(grid)


class ProgressSink:
    """Prints each step of a run as it starts and ends (see the module docstring)."""

    nested = True  # byof.wrap also hands it the events of runs this agent starts

    def __init__(self, console: Console | None = None, *, show: bool | None = None) -> None:
        self.console = console or SinkConsole()
        self.enabled = _wanted(show, self.console)
        self.live_view = self.enabled and self.console.is_terminal
        self._lock = threading.RLock()
        self._runs: dict[str, _Run] = {}
        self._spans: dict[str, int] = {}  # span → depth, for plan steps runs nest under
        self._names: dict[str, int] = {}
        self._top = 0  # top-level runs seen: with more than one, lines say whose they are
        self._saved: dict[tuple[str | None, str, Any], float] = {}
        self._flight = _InFlight()
        self._live: Live | None = None

    def byof_on_event(self, event: Event) -> None:
        """So `byof.register(ProgressSink())` shows every run in the process."""
        self(event)

    def __call__(self, event: Event) -> None:
        if not self.enabled:
            return
        with self._lock:
            self._show(event)

    # -- what each event prints ----------------------------------------------------------------

    def _show(self, event: Event) -> None:
        if isinstance(event, AgentStarted):
            self._started(event)
        elif isinstance(event, PlanStepStarted):  # its specialist's run nests under it, level with it
            self._spans[event.span_id] = self._depth(event.parent_id)
        elif isinstance(event, PlanStepFinished):
            self._spans.pop(event.span_id, None)
        elif isinstance(event, StepStarted):
            what = f"{event.step} {event.name}"
            if event.step == "tool":
                what += f"  {arguments_line(event.input, 60)}"
            if self.live_view:
                self._begin(event.span_id, self._who(event) + what, event.start_time)
            else:
                self._line(event.parent_id, Text(f"{self._who(event)}… {what}", style="dim"))
        elif isinstance(event, StepReplayed):
            key = event.seq if event.step == "model" else event.name
            self._saved[(event.parent_id, event.step, key)] = event.saved_ms
        elif isinstance(event, (ModelCalled, ToolCalled)):
            self._call_ended(event)
        elif isinstance(event, ToolBlockedEvent):
            self._line(
                event.parent_id,
                Text(f"{self._who(event)}⊘ tool {event.name} blocked: {event.reason}", style="yellow"),
            )
        elif isinstance(event, AgentFinished):
            self._finished(event)

    def _depth(self, span: str | None) -> int:
        if span in self._runs:
            return self._runs[span].depth
        return self._spans.get(span or "", -1)

    def _started(self, event: AgentStarted) -> None:
        depth = self._depth(event.parent_id) + 1
        n = self._names[event.agent] = self._names.get(event.agent, 0) + 1
        label = event.agent if n == 1 else f"{event.agent}#{n}"
        self._runs[event.span_id] = _Run(label, depth, event.adapter == "team")
        if depth == 0:
            self._top += 1
        if not self._runs[event.span_id].team and depth == 0:
            line = Text(f"▶ {label}", style="bold")
            line.append(f"  {one_line(prompt_of(event.input), _WIDTH)}", style="default")
            self._print(line)
        if self.live_view:
            self._begin(event.span_id, f"{label} running", event.start_time)

    def _who(self, event: Event) -> str:
        run = self._runs.get(event.parent_id or "")
        if run is None:
            return ""
        return f"{run.label} " if run.depth > 0 or self._top > 1 else ""

    def _call_ended(self, event: ModelCalled | ToolCalled) -> None:
        self._end(event.span_id)
        kind = "model" if isinstance(event, ModelCalled) else "tool"
        name = f"{event.name} #{event.seq}" if isinstance(event, ModelCalled) else event.name
        line = Text(self._who(event))
        mark, style = ("✗", "red") if event.error else ("↺", "cyan") if event.replayed else ("✓", "green")
        line.append(f"{mark} ", style=style)
        line.append(f"{kind} {name}", style="bold")
        took = duration(event.duration_ms)
        if event.replayed:
            key = event.seq if isinstance(event, ModelCalled) else event.name
            saved = self._saved.pop((event.parent_id, kind, key), None)
            took = f"replayed, saved {duration(saved)}" if saved is not None else "replayed"
        line.append(f"  {took}", style="cyan" if event.replayed else "dim")
        if isinstance(event, ModelCalled):
            if event.usage:
                line.append(f"  {tokens(event.usage)}", style="dim")
            line.append(
                "  " + (event.error or decision_line(event, _WIDTH)),
                style="red" if event.error else "default",
            )
        else:
            line.append("  " + tool_line(event, _WIDTH), style="red" if event.error else "default")
        self._line(event.parent_id, line)

    def _finished(self, event: AgentFinished) -> None:
        self._end(event.span_id)
        run = self._runs.pop(event.span_id, None)
        if run is not None and not run.team and run.depth == 0:
            ok, said = outcome(event)
            line = Text(f"{'✓' if ok else '✗'} {run.label}", style="bold green" if ok else "bold red")
            line.append(f"  {duration(event.duration_ms)}  ", style="dim")
            line.append(one_line(said, _WIDTH), style="default" if ok else "red")
            self._print(line)
            if event.report:
                self._print(Text(f"  report: {event.report}", style="dim"))
        if not any(r.depth == 0 for r in self._runs.values()):
            self._stop_live()
        if not self._runs:  # the next runs are numbered afresh
            self._names.clear()
            self._top = 0

    # -- output --------------------------------------------------------------------------------

    def _line(self, parent: str | None, text: Text) -> None:
        depth = self._depth(parent) + 1
        self._print(Text("  " * max(depth, 1)) + text)

    def _print(self, text: Text) -> None:
        if self.console.is_terminal:  # one line each, cut to the terminal's width
            self.console.print(text, no_wrap=True, overflow="ellipsis")
        else:  # a log keeps whole lines
            self.console.print(text, soft_wrap=True)

    def _begin(self, key: str, what: str, started: float) -> None:
        self._flight.items[key] = (what, started)
        if self._live is None:
            self._live = Live(self._flight, console=self.console, refresh_per_second=8, transient=True)
            self._live.start()

    def _end(self, key: str) -> None:
        self._flight.items.pop(key, None)

    def _stop_live(self) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None
