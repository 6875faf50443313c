"""Event sinks: JSONL file and console timeline."""

from .console import ConsoleSink, render_timeline
from .jsonl import JsonlSink

__all__ = ["ConsoleSink", "JsonlSink", "render_timeline"]
