"""A team's plan as a picture for the Flyte report: a dependency graph, waves left to right, one
box per step (its id, specialist and task, coloured by how it went) and arrows from what a step
needs. Plain SVG, so the report needs nothing else to show it. When each step ran is the report's
trace (report.py), which draws the steps on its time axis."""

from __future__ import annotations

import html
import textwrap
from collections.abc import Collection, Mapping, Sequence
from typing import Any

COLOURS = {"succeeded": "#13a36f", "failed": "#d93d3d", "skipped": "#c9a227", None: "#8a94a6"}
_BOX_W, _GAP_X, _GAP_Y, _PAD, _LINE = 236, 56, 16, 12, 15
_TASK_LINES, _TASK_CHARS = 3, 34


def _esc(text: Any) -> str:
    return html.escape(str(text), quote=False)


def _task_lines(task: str) -> list[str]:
    """A step's task, wrapped to the box and cut after a few lines."""
    lines = textwrap.wrap(" ".join(str(task).split()), _TASK_CHARS) or [""]
    if len(lines) > _TASK_LINES:
        lines = lines[:_TASK_LINES]
        lines[-1] = lines[-1][: _TASK_CHARS - 1].rstrip() + "…"
    return lines


def dependency_graph(
    steps: Sequence[Mapping[str, Any]], status: Mapping[str, str], replayed: Collection[str] = ()
) -> str:
    """SVG of `steps` (dicts with id, agent, task, depends_on) by wave, coloured by `status`;
    steps in `replayed` came from the journal of an earlier run."""
    ids = {s["id"] for s in steps}
    depth: dict[str, int] = {}

    def wave(step_id: str) -> int:
        if step_id not in depth:
            step = next(s for s in steps if s["id"] == step_id)
            depth[step_id] = 1 + max((wave(d) for d in step.get("depends_on", []) if d in ids), default=0)
        return depth[step_id]

    columns: dict[int, list[Mapping[str, Any]]] = {}
    for step in steps:
        columns.setdefault(wave(step["id"]), []).append(step)
    box_h = 30 + max(len(_task_lines(s.get("task", ""))) for s in steps) * _LINE
    where: dict[str, tuple[float, float]] = {}
    parts: list[str] = []
    for col, members in sorted(columns.items()):
        x = _PAD + (col - 1) * (_BOX_W + _GAP_X)
        parts.append(f'<text x="{x}" y="{_PAD + 10}" font-size="11" fill="#687084">wave {col}</text>')
        for row, step in enumerate(members):
            y = _PAD + 20 + row * (box_h + _GAP_Y)
            where[step["id"]] = (x, y)
            state = status.get(step["id"])
            colour = COLOURS.get(state, COLOURS[None])
            mark = {"succeeded": "✓", "failed": "✗", "skipped": "–"}.get(state or "", "")
            again = " ↺" if step["id"] in replayed else ""
            task = "".join(
                f'<tspan x="{x + 10}" dy="{_LINE if n else 0}">{_esc(line)}</tspan>'
                for n, line in enumerate(_task_lines(step.get("task", "")))
            )
            parts.append(
                f"<g><title>{_esc(step['id'])} ({_esc(step['agent'])}): {_esc(step.get('task', ''))}</title>"
                f'<rect x="{x}" y="{y}" width="{_BOX_W}" height="{box_h}" rx="7" fill="{colour}" '
                f'fill-opacity="0.10" stroke="{colour}" stroke-width="1.5"/>'
                f'<text x="{x + 10}" y="{y + 18}" font-size="12.5" font-weight="bold" fill="#1d2330">'
                f'{_esc(mark)} {_esc(step["id"])}<tspan font-weight="normal" fill="#687084"> · '
                f"{_esc(step['agent'])}{_esc(again)}</tspan></text>"
                f'<text x="{x + 10}" y="{y + 36}" font-size="11.5" fill="#2b3142">{task}</text></g>'
            )
    arrows = []
    for step in steps:
        x2, y2 = where[step["id"]]
        for dep in step.get("depends_on", []):
            if dep in where:
                x1, y1 = where[dep]
                arrows.append(
                    f'<line x1="{x1 + _BOX_W}" y1="{y1 + box_h / 2}" x2="{x2 - 2}" y2="{y2 + box_h / 2}" '
                    'stroke="#7b8294" stroke-width="1.3" marker-end="url(#arrow)"/>'
                )
    width = _PAD * 2 + len(columns) * _BOX_W + (len(columns) - 1) * _GAP_X
    height = _PAD * 2 + 20 + max(len(m) for m in columns.values()) * (box_h + _GAP_Y)
    marker = (
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#7b8294"/></marker></defs>'
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'font-family="-apple-system,Segoe UI,Roboto,Helvetica,Arial,DejaVu Sans,sans-serif" role="img" '
        f'aria-label="plan dependency graph">{marker}' + "".join(arrows) + "".join(parts) + "</svg>"
    )
