"""Event sinks: a live terminal view, a JSONL file, a console timeline, and a team run's plan view."""

from .console import ConsoleSink, render_timeline
from .jsonl import JsonlSink
from .plan_console import PlanConsole
from .progress import ProgressSink

__all__ = ["ConsoleSink", "JsonlSink", "PlanConsole", "ProgressSink", "render_timeline"]
