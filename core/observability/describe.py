"""Events in words, for people: the one-line summaries the live console view and the HTML report
share (a model call's decision, a tool call's arguments and result, durations, tokens)."""

from __future__ import annotations

import json
from typing import Any

from .events import AgentFinished, ModelCalled, ToolCalled
from .turns import Message, ToolCallView, arguments_text, decided


def one_line(value: Any, limit: int = 120) -> str:
    """`value` on one line (JSON unless it is text), cut to `limit` characters with an ellipsis."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=repr)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: max(1, limit - 1)] + "…"


def prompt_of(inputs: Any) -> Any:
    """A task's inputs as a person reads them: its prompt, else the inputs that were given."""
    if not isinstance(inputs, dict):
        return inputs
    if inputs.get("prompt"):
        return inputs["prompt"]
    return {k: v for k, v in inputs.items() if v not in (None, "", [], {})}


def _team_result(output: Any) -> bool:
    return isinstance(output, dict) and {"answer", "steps", "status"} <= output.keys()


def answer_of(output: Any) -> Any:
    """An agent's output as a person reads it: a team's answer, else the output itself."""
    return output["answer"] if _team_result(output) else output


def outcome(event: AgentFinished) -> tuple[bool, Any]:
    """Whether an agent run succeeded, and its answer, or why there is none: its error, or for a
    team whose final step did not succeed, which steps failed."""
    if event.error:
        return False, event.error
    if _team_result(event.output) and event.output["status"] != "succeeded":
        failed = [f"{s['id']} {s['status']}" for s in event.output["steps"] if s.get("status") != "succeeded"]
        return False, "no answer: the plan's final step did not succeed (" + ", ".join(failed) + ")"
    return True, answer_of(event.output)


def calls_text(calls: tuple[ToolCallView, ...]) -> str:
    return ", ".join(str(c) for c in calls)


def decision(event: ModelCalled) -> Message | None:
    """What the model decided in `event`, if its response is in a dialect byof reads."""
    return decided(event.output)


def decision_line(event: ModelCalled, limit: int = 120) -> str:
    """'calls get_weather(city="Paris")', or the text it answered, or its JSON."""
    said = decision(event)
    if said is None:
        return one_line(event.output, limit)
    if said.tool_calls:
        text = f" — {said.text}" if said.text.strip() else ""
        return one_line(f"calls {calls_text(said.tool_calls)}{text}", limit)
    return one_line(said.text, limit)


def arguments_line(inputs: Any, limit: int = 80) -> str:
    """A tool call's arguments as `name=value, ...`."""
    return one_line(arguments_text(inputs), limit)


def tool_line(event: ToolCalled, limit: int = 120) -> str:
    """'city="Paris" → sunny, 21°C' (or → the error)."""
    args = arguments_line(event.input, max(20, limit // 2))
    said = event.error if event.error else one_line(event.output, limit)
    return one_line(f"{args} → {said}", limit)


def duration(ms: float | None) -> str:
    if ms is None:
        return ""
    if round(ms, 1) < 10:
        return f"{ms:.1f} ms"
    if round(ms) < 1000:
        return f"{ms:.0f} ms"
    return f"{ms / 1000:.2f} s" if ms < 60_000 else f"{ms / 60_000:.1f} min"


def tokens(usage: dict[str, int] | None) -> str:
    """'54→5 tok' (input → output tokens), '' when the framework reported none."""
    if not usage:
        return ""
    return f"{usage.get('input', 0):,}→{usage.get('output', 0):,} tok"
