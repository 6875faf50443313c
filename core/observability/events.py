"""Typed events byof emits for every agent run, model call and tool call.

Events are broadcast through the `byof_on_event` hook and to the sinks a wrapped agent was
given. Every event is redacted (see `redact.py`) before any sink sees it, and a failing sink
is logged and skipped: observing a run must never break it.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar

from .redact import SecretCache, redact

logger = logging.getLogger("byof.events")

# The observation types a trace viewer groups events by.
AGENT = "AGENT"
GENERATION = "GENERATION"
TOOL = "TOOL"
SPAN = "SPAN"
EVENT = "EVENT"


def new_span_id() -> str:
    return uuid.uuid4().hex[:16]


@dataclass
class Event:
    """Base of every event. `trace_id` is the Flyte run; `span_id`/`parent_id` nest events."""

    kind: ClassVar[str] = "event"
    observation: ClassVar[str] = EVENT

    trace_id: str
    agent: str
    span_id: str = field(default_factory=new_span_id)
    parent_id: str | None = None
    start_time: float = field(default_factory=time.time)
    end_time: float | None = None

    @property
    def duration_ms(self) -> float | None:
        if self.end_time is None:
            return None
        return (self.end_time - self.start_time) * 1000.0

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["kind"] = self.kind
        data["observation"] = self.observation
        data["duration_ms"] = self.duration_ms
        return data


@dataclass
class AgentStarted(Event):
    kind: ClassVar[str] = "agent.start"
    observation: ClassVar[str] = AGENT
    adapter: str = ""
    input: Any = None


@dataclass
class AgentFinished(Event):
    kind: ClassVar[str] = "agent.end"
    observation: ClassVar[str] = AGENT
    adapter: str = ""
    input: Any = None
    output: Any = None
    error: str | None = None
    report: str | None = None  # where this run's Flyte report is written, with report=True


@dataclass
class ModelCalled(Event):
    kind: ClassVar[str] = "model.call"
    observation: ClassVar[str] = GENERATION
    name: str = ""
    seq: int = 0
    fingerprint: str = ""
    input: Any = None
    output: Any = None
    error: str | None = None
    traced: bool = True
    replayed: bool = False
    # Tokens the response says it used ({"input": n, "output": n, "total": n}), where the
    # framework's response carries them; see turns.usage_of.
    usage: dict[str, int] | None = None


@dataclass
class StepStarted(Event):
    """A model or tool call began; its ModelCalled / ToolCalled, with the same span id, ends it.

    Lets a live view show a step while it runs; a record of finished steps can skip it.
    """

    kind: ClassVar[str] = "step.start"
    step: str = ""  # "model" or "tool"
    name: str = ""
    input: Any = None


@dataclass
class ToolCalled(Event):
    kind: ClassVar[str] = "tool.call"
    observation: ClassVar[str] = TOOL
    name: str = ""
    mode: str = "task"
    task: str | None = None
    call_id: str | None = None
    input: Any = None
    output: Any = None
    error: str | None = None
    replayed: bool = False


@dataclass
class ToolBlockedEvent(Event):
    kind: ClassVar[str] = "tool.blocked"
    name: str = ""
    input: Any = None
    reason: str = ""
    policy: str = ""


@dataclass
class StepReplayed(Event):
    kind: ClassVar[str] = "replay"
    step: str = ""
    name: str = ""
    seq: int = 0
    saved_ms: float = 0.0


@dataclass
class ErrorEvent(Event):
    kind: ClassVar[str] = "error"
    where: str = ""
    error_type: str = ""
    message: str = ""


@dataclass
class SpanEvent(Event):
    """A named span of work that is neither a model nor a tool call (a plan step, a wave)."""

    kind: ClassVar[str] = "span"
    observation: ClassVar[str] = SPAN
    name: str = ""
    input: Any = None
    output: Any = None
    error: str | None = None
    attrs: dict[str, Any] = field(default_factory=dict)


@dataclass
class PlanCreated(Event):
    """A team's plan, validated; `attempts` counts the planner calls it took (repairs included)."""

    kind: ClassVar[str] = "plan.created"
    plan: Any = None
    waves: list[list[str]] = field(default_factory=list)
    attempts: int = 1


@dataclass
class PlanRevised(Event):
    """The planner revised the steps still to run, after a wave."""

    kind: ClassVar[str] = "plan.revised"
    plan: Any = None
    waves: list[list[str]] = field(default_factory=list)
    revision: int = 0


@dataclass
class PlanStepStarted(Event):
    """A plan step was handed to its specialist (`name` is the step id)."""

    kind: ClassVar[str] = "plan.step.start"
    name: str = ""
    specialist: str = ""
    wave: int = 0
    input: Any = None


@dataclass
class PlanStepFinished(Event):
    """A plan step ended: succeeded, failed, or skipped because a step it needs did not succeed."""

    kind: ClassVar[str] = "plan.step.end"
    observation: ClassVar[str] = SPAN
    name: str = ""
    specialist: str = ""
    wave: int = 0
    status: str = ""
    input: Any = None
    output: Any = None
    error: str | None = None
    replayed: bool = False
    saved_ms: float = 0.0  # a replayed step: how long it took when it ran


Sink = Callable[[Event], None]


class EventBus:
    """Delivers redacted events to the global `byof_on_event` hook and to run-scoped sinks."""

    def __init__(self, sinks: Iterable[Sink] = (), *, max_chars: int = 4000) -> None:
        self._sinks = list(sinks)
        self._max_chars = max_chars
        self._secrets = SecretCache()  # a run sees the environment as it is when it starts

    def emit(self, event: Event) -> None:
        from ..plugins import get_plugin_manager

        hook = get_plugin_manager().hook.byof_on_event
        if not self._sinks and not hook.get_hookimpls():
            return  # nobody listens: an event (a whole conversation, for a model call) is not prepared
        try:
            clean = redact(event, max_chars=self._max_chars, secrets=self._secrets.values())
        except Exception:  # observing a run must never break it: drop the event, say so
            logger.warning("could not prepare a %s event for sinks; it is dropped", event.kind, exc_info=True)
            return
        try:
            hook(event=clean)
        except Exception:
            logger.warning("a byof_on_event plugin failed on %s", clean.kind, exc_info=True)
        for sink in self._sinks:
            try:
                sink(clean)
            except Exception:
                logger.warning("event sink %r failed on %s", sink, clean.kind, exc_info=True)
