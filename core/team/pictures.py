"""A team run as pictures for the Flyte report: the plan as a dependency graph (waves left to
right, arrows from what a step needs) and a Gantt chart of when each step ran. Plain SVG, so
the report needs nothing else to show them."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

COLOURS = {"succeeded": "#3fa37a", "failed": "#d9534f", "skipped": "#c9a227", None: "#8a94a6"}
_BOX_W, _BOX_H, _GAP_X, _GAP_Y, _PAD = 150, 44, 60, 16, 12


def _esc(text: Any) -> str:
    return html.escape(str(text))


def dependency_graph(steps: Sequence[Mapping[str, Any]], status: Mapping[str, str]) -> str:
    """SVG of `steps` (dicts with id, agent, depends_on) by wave, coloured by `status`."""
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
    where: dict[str, tuple[float, float]] = {}
    parts: list[str] = []
    for col, members in sorted(columns.items()):
        x = _PAD + (col - 1) * (_BOX_W + _GAP_X)
        parts.append(f'<text x="{x}" y="{_PAD + 10}" font-size="11" fill="#555">wave {col}</text>')
        for row, step in enumerate(members):
            y = _PAD + 20 + row * (_BOX_H + _GAP_Y)
            where[step["id"]] = (x, y)
            colour = COLOURS.get(status.get(step["id"]), COLOURS[None])
            parts.append(
                f'<rect x="{x}" y="{y}" width="{_BOX_W}" height="{_BOX_H}" rx="6" fill="{colour}" '
                f'fill-opacity="0.18" stroke="{colour}"/>'
                f'<text x="{x + 8}" y="{y + 18}" font-size="12" font-weight="bold">{_esc(step["id"])}</text>'
                f'<text x="{x + 8}" y="{y + 34}" font-size="11">{_esc(step["agent"])}</text>'
            )
    arrows = []
    for step in steps:
        x2, y2 = where[step["id"]]
        for dep in step.get("depends_on", []):
            if dep in where:
                x1, y1 = where[dep]
                arrows.append(
                    f'<line x1="{x1 + _BOX_W}" y1="{y1 + _BOX_H / 2}" x2="{x2}" y2="{y2 + _BOX_H / 2}" '
                    'stroke="#555" marker-end="url(#arrow)"/>'
                )
    width = _PAD * 2 + len(columns) * _BOX_W + (len(columns) - 1) * _GAP_X
    height = _PAD * 2 + 20 + max(len(m) for m in columns.values()) * (_BOX_H + _GAP_Y)
    marker = (
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>'
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'font-family="sans-serif" role="img" aria-label="plan dependency graph">{marker}'
        + "".join(arrows)
        + "".join(parts)
        + "</svg>"
    )


def gantt(rows: Sequence[Mapping[str, Any]]) -> str:
    """SVG Gantt chart of `rows` (dicts with name, specialist, status, start, end in seconds)."""
    timed = [r for r in rows if r.get("start") is not None and r.get("end") is not None]
    if not timed:
        return "<p>No step ran.</p>"
    t0 = min(r["start"] for r in timed)
    span = max(r["end"] for r in timed) - t0 or 1e-6
    label_w, chart_w, bar_h = 150, 520, 18
    height = _PAD * 2 + 20 + len(timed) * (bar_h + 8)
    parts = []
    for i in range(5):
        x = label_w + chart_w * i / 4
        parts.append(
            f'<line x1="{x}" y1="{_PAD}" x2="{x}" y2="{height - _PAD}" stroke="#ddd"/>'
            f'<text x="{x}" y="{_PAD + 10}" font-size="10" fill="#555" text-anchor="middle">'
            f"{span * i / 4:.2f} s</text>"
        )
    for n, row in enumerate(sorted(timed, key=lambda r: r["start"])):
        y = _PAD + 20 + n * (bar_h + 8)
        x = label_w + chart_w * (row["start"] - t0) / span
        w = max(2.0, chart_w * (row["end"] - row["start"]) / span)
        colour = COLOURS.get(row.get("status"), COLOURS[None])
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 13}" font-size="11" text-anchor="end">'
            f"{_esc(row['name'])} {_esc(row.get('specialist', ''))}</text>"
            f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" rx="3" fill="{colour}">'
            f"<title>{_esc(row['name'])}: {_esc(row.get('status'))}, {row['end'] - row['start']:.3f} s</title></rect>"
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_w + chart_w + _PAD * 2}" height="{height}" '
        f'font-family="sans-serif" role="img" aria-label="plan steps over time">' + "".join(parts) + "</svg>"
    )
