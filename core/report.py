"""`report=True`: the run's timeline of model and tool steps as a Flyte report."""

from __future__ import annotations

import html
import json
from collections.abc import Sequence

from .events import Event, PlanCreated, PlanRevised, PlanStepFinished


def _text(value: object, limit: int = 160) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=repr)
    text = text if len(text) <= limit else text[:limit] + "…"
    return html.escape(text)


def plan_html(events: Sequence[Event]) -> str:
    """A team run's plan as a dependency graph and its steps as a Gantt chart ("" if no plan)."""
    from .team.pictures import dependency_graph, gantt

    plans = [e for e in events if isinstance(e, (PlanCreated, PlanRevised))]
    if not plans:
        return ""
    finished = [e for e in events if isinstance(e, PlanStepFinished)]
    steps: dict[str, dict] = {}
    for event in plans:  # a revision's steps replace the ones it revised
        steps.update({s["id"]: s for s in event.plan["steps"]})
    latest = {s["id"] for s in plans[-1].plan["steps"]}
    ran = {e.name for e in finished}
    shown = [s for step_id, s in steps.items() if step_id in ran or step_id in latest]
    rows = [
        {
            "name": e.name,
            "specialist": e.specialist,
            "status": e.status,
            "start": e.start_time,
            "end": e.end_time,
        }
        for e in finished
    ]
    return (
        "<h3>plan</h3>"
        + dependency_graph(shown, {e.name: e.status for e in finished})
        + "<h3>steps over time</h3>"
        + gantt(rows)
    )


def render_html(events: Sequence[Event]) -> str:
    """The plan pictures of a team run, then an HTML timeline: one row per observation, with a
    bar placed on the run's time axis."""
    done = [e for e in events if e.end_time is not None]
    if not done:
        return "<p>No steps recorded.</p>"
    t0 = min(e.start_time for e in done)
    total = max((e.end_time or e.start_time) - t0 for e in done) or 1e-9
    rows = []
    for e in sorted(done, key=lambda e: e.start_time):
        left = 100.0 * (e.start_time - t0) / total
        width = max(0.5, 100.0 * ((e.end_time or e.start_time) - e.start_time) / total)
        name = getattr(e, "name", "") or e.agent
        error = getattr(e, "error", None)
        colour = (
            "#d9534f" if error else {"GENERATION": "#5b8def", "TOOL": "#3fa37a"}.get(e.observation, "#999")
        )
        detail = _text(error) if error else _text(getattr(e, "output", ""))
        rows.append(
            f"<tr><td>{html.escape(e.observation)}</td><td>{html.escape(str(name))}</td>"
            f"<td style='width:40%'><div style='position:relative;height:12px;background:#eee'>"
            f"<div style='position:absolute;left:{left:.2f}%;width:{width:.2f}%;height:12px;"
            f"background:{colour}'></div></div></td>"
            f"<td>{(e.duration_ms or 0):.0f} ms</td><td><code>{detail}</code></td></tr>"
        )
    return (
        plan_html(events) + "<h3>byof run timeline</h3><table style='width:100%;border-collapse:collapse'>"
        "<tr><th>type</th><th>name</th><th>time</th><th>duration</th><th>output / error</th></tr>"
        + "".join(rows)
        + "</table>"
    )


async def publish(events: Sequence[Event]) -> None:
    """Write the timeline into the current task's Flyte report and flush it."""
    import flyte.report

    await flyte.report.log.aio(render_html(events), do_flush=True)
