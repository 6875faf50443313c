"""Event sinks: JSONL file, console timeline, and a team run's live plan view."""

from .console import ConsoleSink, render_timeline
from .jsonl import JsonlSink
from .plan_console import PlanConsole

__all__ = ["ConsoleSink", "JsonlSink", "PlanConsole", "render_timeline"]
