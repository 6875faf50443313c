"""Write each observation of a run as one JSON line, the shape trace viewers import.

An agent run becomes a single AGENT observation: `AgentFinished` carries the span id, start
time, input and output of its `AgentStarted`, so the start event is not written on its own.
"""

from __future__ import annotations

import json
import os
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..observability.events import AGENT, AgentStarted, ErrorEvent, Event, StepStarted

# Keys every line has; any other event field goes under "metadata".
_TOP_LEVEL = (
    "observation", "kind", "span_id", "trace_id", "parent_id", "name", "agent",
    "start_time", "end_time", "duration_ms", "input", "output", "error", "replayed", "usage",
)  # fmt: skip


def _iso(ts: float | None) -> str | None:
    return None if ts is None else datetime.fromtimestamp(ts, tz=timezone.utc).isoformat()


def _error(event: Event, data: dict[str, Any]) -> str | None:
    if isinstance(event, ErrorEvent):
        # An ErrorEvent has no `error` field, but a viewer filtering on errors must see it.
        return f"{event.error_type}: {event.message}" if event.error_type else event.message
    return data.get("error")


def observation(event: Event) -> dict[str, Any]:
    """The JSON-compatible line for `event` (already redacted by the EventBus)."""
    data = event.to_dict()
    name = event.agent if event.observation == AGENT else data.get("name") or event.kind
    return {
        "type": event.observation,
        "kind": event.kind,
        "id": event.span_id,
        "trace_id": event.trace_id,
        "parent_id": event.parent_id,
        "name": name,
        "agent": event.agent,
        "start_time": _iso(event.start_time),
        "end_time": _iso(event.end_time),
        "duration_ms": event.duration_ms,
        "input": data.get("input"),
        "output": data.get("output"),
        "error": _error(event, data),
        "replayed": bool(data.get("replayed", False)),
        "usage": data.get("usage"),  # a model call's tokens, when its response reports them
        "metadata": {k: v for k, v in data.items() if k not in _TOP_LEVEL},
    }


class JsonlSink:
    """A sink appending one observation per line to `path`; safe to share between threads."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def __call__(self, event: Event) -> None:
        if isinstance(event, (AgentStarted, StepStarted)):  # the finished event is the observation
            return
        line = json.dumps(observation(event), default=repr, ensure_ascii=False)
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Opened per line: no handle for the caller to close, nothing buffered if the run dies.
            with self.path.open("a", encoding="utf-8") as f:
                f.write(line + "\n")
                f.flush()
