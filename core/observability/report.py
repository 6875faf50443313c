"""`report=True`: a run the way a trace viewer shows it, in the run's Flyte report.

Rows nest as the run did (agent → its model and tool calls; team → plan steps → each step's
specialist run → its calls) over one time axis. A model call reads as what it was asked and what
it decided (text or tool calls), with the tokens the framework reported; replayed steps show the
time they saved; errors stand out. A team run adds its plan as a graph. Only HTML and CSS (rows
fold with <details>), so the report shows the same in any browser and needs no network.

The report is built only from events as the run's bus delivered them: redacted, like every sink's.
"""

from __future__ import annotations

import html
import json
import logging
import math
import re
from collections import defaultdict, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .describe import decision_line, duration, one_line, outcome, prompt_of, tokens, tool_line
from .events import (
    AgentFinished,
    ErrorEvent,
    Event,
    ModelCalled,
    PlanCreated,
    PlanRevised,
    PlanStepFinished,
    SpanEvent,
    StepReplayed,
    ToolBlockedEvent,
    ToolCalled,
)
from .turns import Message, asked, decided

logger = logging.getLogger("byof.report")

COLOURS = {
    "agent": "#7b61ff",
    "model": "#2f6fed",
    "tool": "#13a36f",
    "step": "#e08a12",
    "blocked": "#c9a227",
    "error": "#d93d3d",
    "span": "#8a94a6",
}
_LEGEND = (
    ("agent", "agent run"),
    ("model", "model call"),
    ("tool", "tool call"),
    ("step", "plan step"),
    ("error", "error"),
)


def _esc(value: Any) -> str:
    """Text as element content."""
    return html.escape(str(value), quote=False)


def _attr(value: Any) -> str:
    """Text as a double-quoted attribute value."""
    return html.escape(str(value), quote=True)


@dataclass
class Node:
    """One row: a finished step and the rows nested under it."""

    event: Event
    kind: str
    children: list[Node] = field(default_factory=list)
    saved_ms: float | None = None  # a replayed step: how long it took when it ran

    @property
    def failed(self) -> bool:
        event = self.event
        if isinstance(event, AgentFinished):
            return not outcome(event)[0]  # a team without an answer failed, though it raised nothing
        if isinstance(event, PlanStepFinished):
            return event.status == "failed"
        return self.kind == "error" or bool(getattr(event, "error", None))

    def walk(self) -> Iterable[Node]:
        yield self
        for child in self.children:
            yield from child.walk()


def _kind(event: Event) -> str | None:
    if isinstance(event, AgentFinished):
        return "agent"
    if isinstance(event, ModelCalled):
        return "model"
    if isinstance(event, ToolCalled):
        return "tool"
    if isinstance(event, PlanStepFinished):
        return "step"
    if isinstance(event, ToolBlockedEvent):
        return "blocked"
    if isinstance(event, ErrorEvent):
        return None if event.where == "agent" else "error"  # an agent's error is on its own row
    if isinstance(event, SpanEvent):
        return "span"
    if isinstance(event, StepReplayed) and event.step == "planner":
        return "agent"  # a replayed planner answer: no planner run this time, only the saving
    return None


def trace_tree(events: Sequence[Event]) -> list[Node]:
    """The run's rows, nested by parent span, each level in start order."""
    nodes: list[Node] = []
    replays: dict[tuple[str | None, str, Any], deque[float]] = defaultdict(deque)
    for event in events:
        if isinstance(event, StepReplayed) and event.step in ("model", "tool"):
            key = event.seq if event.step == "model" else event.name
            replays[(event.parent_id, event.step, key)].append(event.saved_ms)
            continue
        kind = _kind(event)
        if kind is not None:
            nodes.append(Node(event, kind))
    for node in nodes:
        event = node.event
        if isinstance(event, ModelCalled) and event.replayed:
            saved = replays.get((event.parent_id, "model", event.seq))
            node.saved_ms = saved.popleft() if saved else None
        elif isinstance(event, ToolCalled) and event.replayed:
            saved = replays.get((event.parent_id, "tool", event.name))
            node.saved_ms = saved.popleft() if saved else None
        elif (isinstance(event, PlanStepFinished) and event.replayed) or isinstance(event, StepReplayed):
            node.saved_ms = event.saved_ms
    by_span = {n.event.span_id: n for n in nodes}
    roots: list[Node] = []
    for node in sorted(nodes, key=lambda n: n.event.start_time):
        parent = by_span.get(node.event.parent_id or "")
        (parent.children if parent is not None and parent is not node else roots).append(node)
    return roots


# -- the time axis -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Axis:
    t0: float
    span: float  # seconds from the first start to the last end

    @classmethod
    def of(cls, nodes: Iterable[Node]) -> Axis:
        starts, ends = [], []
        for node in nodes:
            starts.append(node.event.start_time)
            ends.append(node.event.end_time or node.event.start_time)
        t0 = min(starts, default=0.0)
        return cls(t0, max(max(ends, default=t0) - t0, 1e-3))

    def at(self, t: float) -> float:
        return 100.0 * (t - self.t0) / self.span

    def tick(self) -> float:
        """A round step (1, 2 or 5 × 10^n seconds) giving 3 to 6 ticks after 0."""
        raw = self.span / 6
        base = 10 ** math.floor(math.log10(raw))
        return next(m * base for m in (1, 2, 5, 10) if m * base >= raw)


def _tick_label(seconds: float) -> str:
    if seconds < 1:
        return f"{seconds * 1000:.3g} ms"
    return f"{seconds:.3g} s" if seconds < 120 else f"{seconds / 60:.3g} min"


def _axis_header(axis: Axis) -> str:
    step, labels, n = axis.tick(), [], 0
    while n * step <= axis.span * 1.0001:
        left = axis.at(axis.t0 + n * step)
        edge = "first" if n == 0 else ""
        label = _tick_label(n * step) if n else "0"
        labels.append(f'<span class="{edge}" style="left:{left:.3f}%">{_esc(label)}</span>')
        n += 1
    return (
        '<div class="row axis">'
        '<div class="name" style="--d:0">step</div><div class="num">duration</div>'
        f'<div class="num">tokens</div><div class="ticks">{"".join(labels)}</div></div>'
    )


# -- rows ----------------------------------------------------------------------------------------


def _label(node: Node) -> tuple[str, str]:
    """(badge, name) of a row."""
    event = node.event
    if isinstance(event, AgentFinished):
        return ("TEAM" if event.adapter == "team" else "AGENT"), event.agent
    if isinstance(event, ModelCalled):
        return "MODEL", f"{event.name} #{event.seq}"
    if isinstance(event, PlanStepFinished):
        return "STEP", f"{event.name} · {event.specialist}"
    if isinstance(event, StepReplayed):
        return "AGENT", event.name
    if isinstance(event, ErrorEvent):
        return "ERROR", event.where
    return {"tool": "TOOL", "blocked": "BLOCKED"}.get(node.kind, "SPAN"), getattr(
        event, "name", ""
    ) or event.kind


def _what(node: Node) -> str:
    """The row's one-line summary."""
    event = node.event
    if isinstance(event, AgentFinished):
        return f"{one_line(prompt_of(event.input), 80)} → {one_line(outcome(event)[1], 100)}"
    if isinstance(event, ModelCalled):
        return event.error or decision_line(event, 160)
    if isinstance(event, ToolCalled):
        return tool_line(event, 160)
    if isinstance(event, PlanStepFinished):
        task = str(event.input or "").splitlines()[0] if event.input else ""
        said = one_line(event.output, 80) if event.status == "succeeded" else event.error or event.status
        return f"{one_line(task, 90)} → {said}"
    if isinstance(event, ToolBlockedEvent):
        return f"blocked by {event.policy or 'a policy'}: {event.reason}"
    if isinstance(event, ErrorEvent):
        return f"{event.error_type}: {event.message}"
    if isinstance(event, StepReplayed):
        return "the planner's answer, from the journal"
    return one_line(getattr(event, "output", "") or "", 160)


def _replayed(node: Node) -> bool:
    return node.saved_ms is not None or bool(getattr(node.event, "replayed", False))


def _sum_usage(nodes: Iterable[Node]) -> dict[str, int] | None:
    found = [n.event.usage for n in nodes if isinstance(n.event, ModelCalled) and n.event.usage]
    if not found:
        return None
    return {k: sum(u.get(k, 0) for u in found) for k in ("input", "output", "total")}


def _usage(node: Node) -> dict[str, int] | None:
    """A model call's tokens; an agent's or a step's: the sum of the calls under it that were
    made this time (a replayed call's tokens were not spent again)."""
    if node.kind == "model":
        return _sum_usage([node])
    return _sum_usage(n for n in node.walk() if not _replayed(n))


def _badges(node: Node) -> str:
    parts = []
    if _replayed(node):
        saved = f" · saved {duration(node.saved_ms)}" if node.saved_ms else ""
        parts.append(f'<span class="badge replay">↺ replayed{_esc(saved)}</span>')
    status = getattr(node.event, "status", "")
    if status == "skipped":
        parts.append('<span class="badge skip">skipped</span>')
    elif node.failed:
        parts.append('<span class="badge err">failed</span>')
    if isinstance(node.event, PlanStepFinished):
        parts.append(f'<span class="badge wave">wave {node.event.wave}</span>')
    return "".join(parts)


def _bar(node: Node, axis: Axis) -> str:
    event = node.event
    end = event.end_time or event.start_time
    left = axis.at(event.start_time)
    width = max(0.25, axis.at(end) - left)
    colour = COLOURS["error"] if node.failed else COLOURS.get(node.kind, COLOURS["span"])
    if getattr(event, "status", "") == "skipped":
        colour = COLOURS["blocked"]
    ghost = ""
    if node.saved_ms:  # the time the step took when it ran, drawn where it would have been
        saved = min(100.0 * node.saved_ms / 1000 / axis.span, 100.0 - left)
        ghost = f'<i class="ghost" style="left:{left:.3f}%;width:{saved:.3f}%;border-color:{colour}"></i>'
    title = f"{duration(event.duration_ms)} from +{duration((event.start_time - axis.t0) * 1000)}"
    return (
        f'<div class="bar">{ghost}<i style="left:{left:.3f}%;width:{width:.3f}%;background-color:{colour}" '
        f'title="{_attr(title)}"></i></div>'
    )


def _messages(messages: Sequence[Message], empty: str) -> str:
    if not messages:
        return f'<div class="none">{_esc(empty)}</div>'
    out = []
    for m in messages:
        who = f"tool {m.name}" if m.role == "tool" and m.name else m.role
        body = _esc(m.text)
        calls = "".join(f'<div class="call">→ {_esc(c)}</div>' for c in m.tool_calls)
        out.append(f'<div class="msg"><b class="role {_esc(m.role)}">{_esc(who)}</b>{body}{calls}</div>')
    return "".join(out)


def _decided(said: Message) -> str:
    text = f'<div class="msg">{_esc(said.text)}</div>' if said.text.strip() else ""
    calls = "".join(f'<div class="call">→ {_esc(c)}</div>' for c in said.tool_calls)
    return text + calls or '<div class="none">(an empty answer)</div>'


def _json(value: Any, limit: int = 6000) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, indent=2, default=repr)
    return _esc(text if len(text) <= limit else text[:limit] + "\n…")


def _raw(title: str, value: Any) -> str:
    return f'<details class="raw"><summary>{_esc(title)}</summary><pre>{_json(value)}</pre></details>'


def _panel(node: Node) -> str:
    """What a leaf row shows when opened: the call in words, its metadata, its raw JSON."""
    event = node.event
    if isinstance(event, ModelCalled):
        said = decided(event.output)
        if event.error:
            right = f'<div class="err-text">{_esc(event.error)}</div>'
        elif said is not None:
            right = _decided(said)
        else:
            right = f"<pre>{_json(event.output, 2000)}</pre>"
        used = event.usage or {}
        meta = [
            f"{used['input']:,} input + {used['output']:,} output tokens"
            if used
            else "no token counts reported",
            f"call {event.seq}",
            f"fingerprint {event.fingerprint[:12]}" if event.fingerprint else "",
            "trace step" if event.traced else "not traced",
        ]
        return _panel_html(
            node,
            ("asked", _messages(asked(event.input), "(no new messages)")),
            ("decided", right),
            meta,
            _raw("request JSON", event.input) + _raw("response JSON", event.output),
        )
    if isinstance(event, ToolCalled):
        result = (
            f'<div class="err-text">{_esc(event.error)}</div>'
            if event.error
            else f"<pre>{_json(event.output, 3000)}</pre>"
        )
        meta = [f"mode {event.mode}", f"Flyte task {event.task}" if event.task else ""]
        return _panel_html(
            node, ("arguments", f"<pre>{_json(event.input, 3000)}</pre>"), ("result", result), meta, ""
        )
    if isinstance(event, ToolBlockedEvent):
        return _panel_html(
            node,
            ("arguments", f"<pre>{_json(event.input, 3000)}</pre>"),
            ("blocked", f'<div class="err-text">{_esc(event.reason)}</div>'),
            [f"policy {event.policy}" if event.policy else ""],
            "",
        )
    if isinstance(event, ErrorEvent):
        return _panel_html(node, ("error", f'<div class="err-text">{_esc(_what(node))}</div>'), None, [], "")
    return ""


def _panel_html(
    node: Node, left: tuple[str, str], right: tuple[str, str] | None, meta: list[str], raw: str
) -> str:
    cells = f"<div><label>{_esc(left[0])}</label>{left[1]}</div>"
    if right is not None:
        cells += f"<div><label>{_esc(right[0])}</label>{right[1]}</div>"
    facts = " · ".join(_esc(m) for m in meta if m)
    return f'<div class="detail">{cells}<div class="meta"><span>{facts}</span>{raw}</div></div>'


def _tokens_title(node: Node, used: dict[str, int] | None) -> str:
    if not used:
        return ""
    said = f"{used['input']:,} input + {used['output']:,} output tokens"
    return said + (", not spent again: replayed" if node.kind == "model" and _replayed(node) else "")


def _cells(node: Node, axis: Axis, depth: int) -> str:
    """The row itself: name (with badge and one-line summary), duration, tokens, bar."""
    event = node.event
    badge, name = _label(node)
    used = _usage(node)
    what = _what(node)
    return (
        f'<div class="name" title="{_attr(one_line(what, 2000))}"><span class="caret">▸</span>'
        f'<span class="kind" style="background:{COLOURS.get(node.kind, COLOURS["span"])}">{badge}</span>'
        f'<b>{_esc(name)}</b>{_badges(node)}<span class="what">{_esc(what)}</span></div>'
        f'<div class="num">{_esc(duration(event.duration_ms))}</div>'
        f'<div class="num tokens" title="{_attr(_tokens_title(node, used))}">{_esc(tokens(used))}</div>'
        f"{_bar(node, axis)}"
    )


def _row(node: Node, axis: Axis, depth: int, open_ids: set[str]) -> str:
    """A row and, folded under it, its details (a call) or its nested rows (an agent, a step)."""
    event = node.event
    classes = " ".join(
        c
        for c, on in (
            ("failed", node.failed),
            ("replayed", _replayed(node)),
            ("skipped", getattr(event, "status", "") == "skipped"),
        )
        if on
    )
    cells = _cells(node, axis, depth)
    inside = (
        "".join(_row(child, axis, depth + 1, open_ids) for child in node.children)
        if node.children
        else _panel(node)
    )
    if not inside:
        return f'<div class="row leaf {classes}" style="--d:{depth}">{cells}</div>'
    error = getattr(event, "error", None)
    if (
        node.children
        and node.failed
        and error
        and not any(getattr(n.event, "error", None) == error for child in node.children for n in child.walk())
    ):  # the full error, once: on the row it started from
        inside = f'<div class="err-line" style="--d:{depth}">{_esc(error)}</div>' + inside
    opened = node.children or event.span_id in open_ids
    return (
        f'<details class="{node.kind} {classes}" style="--d:{depth}"{" open" if opened else ""}>'
        f'<summary class="row" style="--d:{depth}">{cells}</summary>{inside}</details>'
    )


# -- the page ------------------------------------------------------------------------------------


def _header(root: Node, nodes: list[Node]) -> str:
    event = root.event
    assert isinstance(event, AgentFinished)
    ok, answer = outcome(event)
    models = [n for n in nodes if n.kind == "model"]
    tools = [n for n in nodes if n.kind == "tool"]
    replayed = [n for n in nodes if _replayed(n)]
    saved = sum(n.saved_ms or 0 for n in replayed)
    errors = [n for n in nodes if n.failed and not any(c.failed for c in n.walk() if c is not n)]
    spent = _sum_usage(n for n in models if not _replayed(n))
    saved_tokens = _sum_usage(n for n in models if _replayed(n))
    stats = [
        duration(event.duration_ms),
        f"{len(models)} model call{'s' * (len(models) != 1)}",
        f"{len(tools)} tool call{'s' * (len(tools) != 1)}",
    ]
    if spent:
        stats.append(f"{spent['total']:,} tokens ({spent['input']:,} in, {spent['output']:,} out)")
    if replayed:
        also = f" and {saved_tokens['total']:,} tokens" if saved_tokens else ""
        stats.append(f"{len(replayed)} replayed from the journal, saving {duration(saved)}{also}")
    if errors:
        stats.append(f"{len(errors)} error{'s' * (len(errors) != 1)}")
    kind = event.adapter
    answer_text = (
        answer if isinstance(answer, str) else json.dumps(answer, ensure_ascii=False, indent=1, default=repr)
    )
    prompt = prompt_of(getattr(event, "input", None))
    prompt_text = prompt if isinstance(prompt, str) else json.dumps(prompt, ensure_ascii=False, default=repr)
    return (
        f'<header class="{"ok" if ok else "bad"}">'
        f'<h2><span class="status">{"✓" if ok else "✗"}</span> {_esc(event.agent)}'
        f'<span class="sub">{_esc(kind)} run {_esc(event.trace_id)}</span></h2>'
        f'<div class="stats">{" · ".join(_esc(s) for s in stats)}</div>'
        f'<div class="io"><div><label>prompt</label>{_esc(prompt_text)}</div>'
        f'<div class="{"" if ok else "err-text"}"><label>{"answer" if ok else "error"}</label>'
        f"{_esc(answer_text)}</div></div></header>"
    )


def plan_html(events: Sequence[Event]) -> str:
    """A team run's plan as a dependency graph, each box the step's task ("" if no plan)."""
    from ..team.pictures import dependency_graph

    plans = [e for e in events if isinstance(e, (PlanCreated, PlanRevised))]
    if not plans:
        return ""
    finished = {e.name: e for e in events if isinstance(e, PlanStepFinished)}
    steps: dict[str, dict] = {}
    for event in plans:  # a revision's steps replace the ones it revised
        steps.update({s["id"]: s for s in event.plan["steps"]})
    latest = {s["id"] for s in plans[-1].plan["steps"]}
    shown = [s for step_id, s in steps.items() if step_id in finished or step_id in latest]
    revised = f" (revised {len(plans) - 1}×)" if len(plans) > 1 else ""
    return (
        f'<section class="plan"><h3>Plan{_esc(revised)}</h3>'
        + dependency_graph(
            shown,
            {name: e.status for name, e in finished.items()},
            replayed={name for name, e in finished.items() if e.replayed},
        )
        + "</section>"
    )


def _legend() -> str:
    items = "".join(
        f'<span><i class="sw" style="background:{COLOURS[k]}"></i>{_esc(label)}</span>'
        for k, label in _LEGEND
    )
    return (
        f'<div class="legend">{items}<span><i class="sw hatch" style="background-color:{COLOURS["model"]}"></i>'
        "replayed from the journal (dashed: the time it took when it ran)</span>"
        "<span>click a row for its details</span></div>"
    )


def render_html(events: Sequence[Event]) -> str:
    """The whole report: a header (status, prompt, answer, totals), the plan of a team run, and
    the trace: nested rows over a time axis."""
    roots = trace_tree(events)
    if not roots:
        return f'<div class="byof-report"><style>{CSS}</style><p>No steps recorded.</p></div>'
    nodes = [n for root in roots for n in root.walk()]
    axis = Axis.of(nodes)
    main = next((r for r in roots if r.kind == "agent" and isinstance(r.event, AgentFinished)), roots[0])
    plan = plan_html(events)
    first_model = next((n for n in nodes if n.kind == "model"), None)
    open_ids = {first_model.event.span_id} if first_model is not None and not plan else set()
    rows = "".join(_row(root, axis, 0, open_ids) for root in roots)
    ok = outcome(main.event)[0] if isinstance(main.event, AgentFinished) else not main.failed
    status = "succeeded" if ok else "failed"
    return (
        f'<div class="byof-report" data-agent="{_attr(main.event.agent)}" '
        f'data-run="{_attr(main.event.trace_id)}" data-status="{status}"><style>{CSS}</style>'
        + (_header(main, nodes) if isinstance(main.event, AgentFinished) else "")
        + plan
        + "<section><h3>Trace</h3>"
        + _legend()
        + f'<div class="trace" style="--tick:{100 * axis.tick() / axis.span:.4f}%">{_axis_header(axis)}{rows}'
        + "</div></section></div>"
    )


# -- finding a local run's reports ---------------------------------------------------------------


@dataclass(frozen=True)
class ReportFile:
    """A report Flyte's local runtime wrote: whose, how the run went, where."""

    path: Path
    agent: str
    status: str


def _report_file(path: Path) -> ReportFile:
    head = path.read_text(errors="replace")[:200_000]
    found = re.search(
        r'class="byof-report" data-agent="([^"]*)" data-run="[^"]*" data-status="([^"]*)"', head
    )
    if found is None:  # a Flyte task's own report, not byof's
        return ReportFile(path, path.parent.name, "")
    return ReportFile(path, html.unescape(found[1]), found[2])


def local_reports(run: str | None = None) -> list[ReportFile]:
    """The reports of local run `run` (default: the latest run that has one), newest first, so
    the outermost agent's (written last) leads. Raises LookupError saying what there is."""
    from .._flyte_private import local_metadata_dir

    root = local_metadata_dir()
    runs = sorted((d for d in root.glob("*") if d.is_dir()), key=lambda d: d.stat().st_mtime, reverse=True)
    if run is None:
        run = next((d.name for d in runs if any(d.rglob("report.html"))), None)
        if run is None:
            raise LookupError(
                f"no local run under {root} has a report; wrap the agent with report=True and run it"
            )
    folder = root / run
    if not folder.is_dir():
        latest = ", ".join(d.name for d in runs[:5]) or "none"
        raise LookupError(f"no local run named {run!r} under {root} (latest: {latest})")
    files = sorted(folder.rglob("report.html"), key=lambda f: f.stat().st_mtime, reverse=True)
    if not files:
        raise LookupError(f"run {run!r} wrote no report: wrap the agent with byof.wrap(..., report=True)")
    return [_report_file(f) for f in files]


async def publish(events: Sequence[Event]) -> None:
    """Write the report into the current task's Flyte report and flush it. Observing a run must
    never break it: a report that cannot be drawn says so instead, and the reason is logged."""
    import flyte.report

    try:
        page = render_html(events)
    except Exception:
        logger.warning("could not draw the byof report of this run", exc_info=True)
        page = "<p>byof could not draw this run's report; the task's log says why.</p>"
    await flyte.report.log.aio(page, do_flush=True)


CSS = """
.byof-report{font:13px/1.45 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,"Helvetica Neue",Arial,
 "Noto Sans","DejaVu Sans",sans-serif;color:#1d2330;--line:#e4e7ee;--muted:#687084;max-width:1500px}
.byof-report h2{font-size:18px;margin:0 0 4px;font-weight:650}
.byof-report h3{font-size:13px;text-transform:uppercase;letter-spacing:.06em;color:var(--muted);margin:18px 0 6px}
.byof-report header{border:1px solid var(--line);border-left:4px solid #13a36f;border-radius:8px;
 padding:12px 16px;background:#fafbfd}
.byof-report header.bad{border-left-color:#d93d3d}
.byof-report header .status{color:#13a36f}.byof-report header.bad .status{color:#d93d3d}
.byof-report .sub{font-size:12px;font-weight:400;color:var(--muted);margin-left:10px}
.byof-report .stats{color:#454c5c}
.byof-report .io{display:grid;grid-template-columns:1fr 1fr;gap:12px;margin-top:10px}
.byof-report .io>div{background:#fff;border:1px solid var(--line);border-radius:6px;padding:6px 10px;
 max-height:6.5em;overflow:auto;white-space:pre-wrap;word-break:break-word}
.byof-report label{display:block;font-size:10.5px;text-transform:uppercase;letter-spacing:.06em;
 color:var(--muted);margin-bottom:2px;font-weight:600}
.byof-report .legend{display:flex;gap:16px;flex-wrap:wrap;color:var(--muted);font-size:12px;margin:0 0 8px}
.byof-report .sw{display:inline-block;width:14px;height:10px;border-radius:2px;margin-right:5px;vertical-align:-1px}
.byof-report .hatch,.byof-report .replayed>summary .bar i:not(.ghost){background-image:repeating-linear-gradient(
 135deg,rgba(255,255,255,.6) 0 3px,transparent 3px 6px)}
.byof-report .trace{border:1px solid var(--line);border-radius:8px;overflow:hidden;background:#fff}
.byof-report .row{display:grid;grid-template-columns:minmax(0,1fr) 70px 112px 40%;align-items:center;
 min-height:30px;border-bottom:1px solid #eff1f5}
.byof-report summary{list-style:none;cursor:pointer}
.byof-report summary::-webkit-details-marker{display:none}
.byof-report summary:hover{background:#f4f6fb}
.byof-report .name{padding-left:calc(10px + var(--d) * 20px);white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.byof-report .caret{display:inline-block;width:14px;color:#a0a7b7;font-size:11px}
.byof-report details[open]>summary .caret{transform:rotate(90deg)}
.byof-report .leaf .caret{visibility:hidden}
.byof-report .row.leaf.failed{background:#fff5f5}
.byof-report .kind{display:inline-block;font-size:9.5px;font-weight:700;letter-spacing:.05em;padding:1px 5px;
 border-radius:4px;color:#fff;margin-right:7px;vertical-align:1px;min-width:38px;text-align:center}
.byof-report .what{color:var(--muted);margin-left:8px}
.byof-report .num{text-align:right;padding-right:12px;color:#3b4252;font-variant-numeric:tabular-nums;
 white-space:nowrap;font-size:12px}
.byof-report .bar,.byof-report .ticks{position:relative;height:30px;margin-right:14px}
.byof-report .bar{background-image:linear-gradient(to right,#eceef3 1px,transparent 1px);
 background-size:var(--tick) 100%}
.byof-report .bar i{position:absolute;top:9px;height:12px;border-radius:3px;min-width:3px;box-sizing:border-box}
.byof-report .bar i.ghost{background:none;border:1.5px dashed;top:8px;height:14px;opacity:.7}
.byof-report .axis{background:#f5f6f9;font-size:11px;color:var(--muted);font-weight:600;
 border-bottom:1px solid var(--line)}
.byof-report .ticks span{position:absolute;top:8px;transform:translateX(-50%);white-space:nowrap}
.byof-report .ticks span.first{transform:none}
.byof-report .badge{font-size:10.5px;border-radius:9px;padding:0 7px;margin-left:7px;font-weight:600}
.byof-report .badge.replay{background:#e3f4fb;color:#0b6f93}
.byof-report .badge.err{background:#fde8e8;color:#b42323}
.byof-report .badge.skip{background:#fbf3d9;color:#8a6d00}
.byof-report .badge.wave{background:#eef0f5;color:#555d70}
.byof-report .replayed>summary .tokens{color:#9aa1b2;text-decoration:line-through}
.byof-report .failed>summary{background:#fff5f5}
.byof-report .failed>summary:hover{background:#ffecec}
.byof-report .failed>summary .what,.byof-report .err-text{color:#c22f2f}
.byof-report .skipped>summary .what{color:#8a6d00}
.byof-report .err-line{padding:2px 12px 6px calc(44px + var(--d) * 20px);color:#c22f2f;background:#fff5f5;
 border-bottom:1px solid #f6dede;white-space:pre-wrap}
.byof-report .detail{display:grid;grid-template-columns:1fr 1fr;gap:8px 16px;
 padding:8px 16px 10px calc(44px + var(--d) * 20px);background:#f9fafc;border-bottom:1px solid var(--line)}
.byof-report .detail .meta{grid-column:1/-1;color:var(--muted);font-size:12px}
.byof-report .detail .meta>span{margin-right:18px}
.byof-report .msg .call,.byof-report .detail>div>.call{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,
 "DejaVu Sans Mono",monospace;font-size:12px;color:#1f4fb5;margin:1px 0}
.byof-report pre{white-space:pre-wrap;word-break:break-word;margin:0;font:12px/1.45 ui-monospace,
 SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono",monospace;max-height:18em;overflow:auto}
.byof-report .msg{white-space:pre-wrap;word-break:break-word;margin:2px 0 6px;max-height:12em;overflow:auto}
.byof-report .role{display:inline-block;font-size:10.5px;border-radius:4px;padding:0 6px;margin-right:7px;
 background:#eef0f5;color:#454c5c;font-weight:600}
.byof-report .role.user{background:#e8efff;color:#1f4fb5}
.byof-report .role.tool{background:#e4f6ee;color:#0e7a52}
.byof-report .role.assistant{background:#efeaff;color:#5a3fd6}
.byof-report .none{color:var(--muted);font-style:italic}
.byof-report details.raw{display:inline-block;margin:6px 16px 0 0;vertical-align:top}
.byof-report details.raw summary{color:#3d63c9;font-size:12px}
.byof-report details.raw[open]{display:block}
.byof-report details.raw pre{background:#fff;border:1px solid var(--line);border-radius:6px;padding:6px 8px;margin-top:4px}
.byof-report .plan svg{max-width:100%;height:auto}
"""
