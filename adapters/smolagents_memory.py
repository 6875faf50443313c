"""smolagents memory steps as JSON and back, so a conversation can go on in a later run.

`agent.run(task, reset=False)` continues from the agent's memory. A wrapped run works on a copy,
and the next run may be another task in another container, so the memory travels as data: a run
with `adapter_options={"return_memory": True}` returns its steps, and the next run takes them
as `memory` (with `reset=False`). Only what smolagents writes back into the model's messages is
kept: tasks, actions (model output, tool calls, observations, errors), plans, final answers. The
model's full input of each step (which repeats all earlier steps) and images are left out.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from smolagents import utils
from smolagents.memory import ActionStep, FinalAnswerStep, PlanningStep, TaskStep, ToolCall
from smolagents.models import ChatMessage, get_dict_from_nested_dataclasses
from smolagents.monitoring import Timing, TokenUsage

from byof.kit import to_jsonable

_KINDS = {cls.__name__: cls for cls in (TaskStep, ActionStep, PlanningStep, FinalAnswerStep)}
_LEFT_OUT = ("model_input_messages", "task_images", "observations_images")


def dump(steps: list[Any]) -> list[dict[str, Any]]:
    """The steps smolagents would write into the model's messages, as JSON data."""
    return [_dump(step) for step in steps if type(step).__name__ in _KINDS]


def _dump(step: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"type": type(step).__name__}
    for field in dataclasses.fields(step):
        value = getattr(step, field.name)
        if field.name in _LEFT_OUT or value is None:
            continue
        if isinstance(value, BaseException):
            value = {"type": type(value).__name__, "message": str(value)}
        data[field.name] = get_dict_from_nested_dataclasses(value, ignore_key="raw")
    return to_jsonable(data)  # type: ignore[no-any-return]


def load(data: list[dict[str, Any]]) -> list[Any]:
    """Memory steps from `dump`'s data; a step smolagents does not know is a clear error."""
    return [_load(item) for item in data]


def _load(item: dict[str, Any]) -> Any:
    kind = _KINDS.get(str(item.get("type")))
    if kind is None:
        raise ValueError(
            f"memory step {item.get('type')!r} is not one of {sorted(_KINDS)}; pass the memory a "
            "wrapped smolagents run returned with adapter_options={'return_memory': True}"
        )
    fields = {f.name for f in dataclasses.fields(kind)}
    values = {k: v for k, v in item.items() if k in fields}
    if "timing" in fields:
        timing = values.get("timing") or {}
        values["timing"] = Timing(start_time=timing.get("start_time", 0.0), end_time=timing.get("end_time"))
    if values.get("token_usage"):
        usage = values["token_usage"]
        values["token_usage"] = TokenUsage(
            input_tokens=usage["input_tokens"], output_tokens=usage["output_tokens"]
        )
    if values.get("tool_calls"):
        values["tool_calls"] = [
            ToolCall(name=c["name"], arguments=c["arguments"], id=c["id"]) for c in values["tool_calls"]
        ]
    if values.get("model_output_message"):
        values["model_output_message"] = ChatMessage.from_dict(values["model_output_message"])
    if values.get("error"):
        values["error"] = _error(values["error"])
    if kind is PlanningStep:
        values.setdefault("model_input_messages", [])
    return kind(**values)


def _error(data: dict[str, Any]) -> utils.AgentError:
    """The step's AgentError, rebuilt without logging it again (its constructor logs)."""
    found = getattr(utils, str(data.get("type")), None)
    cls: Any = found if isinstance(found, type) and issubclass(found, utils.AgentError) else utils.AgentError
    error = cls.__new__(cls)
    Exception.__init__(error, data.get("message", ""))
    error.message = data.get("message", "")
    return error
