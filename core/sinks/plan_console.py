"""A live console view of a team run: the plan and its waves, then each step as it starts and
ends, revisions, and the answer. Lines are printed as events arrive, so it works the same in a
terminal and in a log."""

from __future__ import annotations

import threading
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..observability.describe import one_line, outcome
from ..observability.events import (
    AgentFinished,
    Event,
    PlanCreated,
    PlanRevised,
    PlanStepFinished,
    PlanStepStarted,
)
from .terminal import SinkConsole

_STATUS = {"succeeded": ("✓", "green"), "failed": ("✗", "red"), "skipped": ("–", "yellow")}
_CHARS = 90


def _short(value: Any, limit: int = _CHARS) -> str:
    return one_line(value, limit)


def plan_table(plan: dict[str, Any], waves: list[list[str]], title: str) -> Table:
    """The plan as a table: wave, step, specialist, task, what it needs."""
    wave_of = {step_id: n for n, wave in enumerate(waves, 1) for step_id in wave}
    table = Table(title=title, title_justify="left")
    for header in ("wave", "step", "specialist", "task", "needs"):
        table.add_column(header, overflow="fold")
    for step in sorted(plan["steps"], key=lambda s: wave_of.get(s["id"], 0)):
        table.add_row(
            str(wave_of.get(step["id"], "")),
            step["id"]
            + (" (answer)" if step["id"] == (plan.get("final") or plan["steps"][-1]["id"]) else ""),
            step["agent"],
            _short(step["task"], 60),
            ", ".join(step.get("depends_on") or []) or "-",
        )
    return table


class PlanConsole:
    """A sink for `byof.wrap(team, ..., sinks=[PlanConsole()])` that prints the run live."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or SinkConsole()
        self._lock = threading.Lock()
        self._waves_seen: set[int] = set()

    def __call__(self, event: Event) -> None:
        with self._lock:
            self._show(event)

    def _show(self, event: Event) -> None:
        out = self.console
        if isinstance(event, PlanCreated):
            self._waves_seen.clear()
            tries = f" after {event.attempts} planner answers" if event.attempts > 1 else ""
            out.print(
                plan_table(
                    event.plan,
                    event.waves,
                    f"plan: {len(event.plan['steps'])} steps in {len(event.waves)} waves{tries}",
                )
            )
        elif isinstance(event, PlanRevised):
            out.print(
                plan_table(event.plan, event.waves, f"revision {event.revision}: the steps still to run")
            )
        elif isinstance(event, PlanStepStarted):
            if event.wave not in self._waves_seen:
                self._waves_seen.add(event.wave)
                out.print(Text(f"wave {event.wave}", style="bold"))
            task = str(event.input or "").splitlines()[0] if event.input else ""
            out.print(Text(f"  ▶ {event.name} {event.specialist}: {_short(task)}", style="cyan"))
        elif isinstance(event, PlanStepFinished):
            mark, style = _STATUS.get(event.status, ("?", "white"))
            took = f" ({event.duration_ms / 1000:.1f} s)" if event.duration_ms is not None else ""
            replayed = " (from the journal)" if event.replayed else ""
            said = _short(event.output) if event.status == "succeeded" else (event.error or "")
            out.print(Text(f"  {mark} {event.name} {event.specialist}{took}{replayed}: {said}", style=style))
        elif isinstance(event, AgentFinished) and event.adapter == "team":
            ok, said = outcome(event)
            if ok:
                out.print(Text(f"answer: {_short(said)}", style="bold green"))
            elif event.error:
                out.print(Text(f"the team failed: {_short(event.error, 400)}", style="bold red"))
            else:
                out.print(Text(_short(said, 400), style="bold red"))
