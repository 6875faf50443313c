"""How a tool's writes to the run's context object come back from its task.

A `@function_tool` taking a `RunContextWrapper` may change `ctx.context` (the SDK's customer
service example sets the seat on a pydantic context). As a child task, the tool works on a copy
of the context that crossed into the task; as a trace step or inline, on the live object. Either
way its body compares the context's top-level fields (attributes, or keys of a dict) before and
after the call and returns the ones it changed with its result; the agent's side sets them on the
live context object, so later tools, hooks and the caller see them as in a run without byof.
Journaled with the result, the writes are applied again when a resumed run replays the call.

Rules: a field is changed when it is no longer equal to its value before the call (a list that
was appended to is set whole); only fields the call changed are set, so two tools that ran in
parallel and wrote different fields both keep their writes. A context byof cannot read as fields
is compared whole, and a change to it made in a task is an error naming the tool. A tool that
changes the context and then raises cannot carry its changes out of its task: byof logs a warning
naming the tool and the fields. Run such tools with mode "trace" (in-process, on the live
context) to keep every change.
"""

from __future__ import annotations

import copy
import dataclasses
import logging
from dataclasses import dataclass
from typing import Any

from byof.errors import ToolRoutingError

logger = logging.getLogger("byof.tools")

_UNKNOWN = object()  # a field whose earlier value could not be copied: counted as changed
_WHOLE = "<whole context>"


@dataclass(frozen=True)
class ContextWrites:
    """A tool's result, with the top-level fields of the context it set and deleted."""

    output: Any
    set: dict[str, Any]
    deleted: tuple[str, ...] = ()


def _fields(obj: Any) -> dict[str, Any] | None:
    """The context's top-level fields, or None when it has none byof can set."""
    if isinstance(obj, dict):
        return dict(obj)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):  # slotted ones too
        return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}
    model_fields = getattr(type(obj), "model_fields", None)
    if isinstance(model_fields, dict):  # a pydantic model: its fields, and extras if it allows them
        return {
            **{k: getattr(obj, k) for k in model_fields},
            **(getattr(obj, "__pydantic_extra__", None) or {}),
        }
    if hasattr(obj, "__dict__") and not isinstance(obj, type):
        return dict(vars(obj))
    return None


def _copied(value: Any) -> Any:
    try:
        return copy.deepcopy(value)
    except Exception:
        return _UNKNOWN


def _equal(before: Any, after: Any) -> bool:
    if before is _UNKNOWN:
        return False
    try:
        return bool(before == after)
    except Exception:
        return False


class Snapshot:
    """The context's fields as they were before a tool call."""

    def __init__(self, context: Any) -> None:
        fields = _fields(context)
        self._whole = fields is None
        self._before = (
            {_WHOLE: _copied(context)} if fields is None else {k: _copied(v) for k, v in fields.items()}
        )

    def writes(self, tool: str, context: Any, output: Any, in_process: bool) -> Any:
        """`output`, with the fields the call changed when it changed any."""
        changed, deleted = self.changes(context)
        if self._whole:
            if not changed or in_process:  # in-process, the live context itself was changed
                return output
            raise ToolRoutingError(
                f"tool {tool!r} changed the run context, a {type(context).__name__} whose fields byof "
                "cannot read, so the change cannot come back from the tool's task. Make the context a "
                "dataclass, a pydantic model, a dict or an object with attributes, or run the tool with "
                f'tool_options={{"{tool}": "trace"}}'
            )
        if not changed and not deleted:
            return output
        return ContextWrites(output, changed, deleted)

    def changes(self, context: Any) -> tuple[dict[str, Any], tuple[str, ...]]:
        after = {_WHOLE: context} if self._whole else (_fields(context) or {})
        changed = {k: v for k, v in after.items() if k not in self._before or not _equal(self._before[k], v)}
        return changed, tuple(k for k in self._before if k not in after)

    def warn_lost(self, tool: str, context: Any, in_process: bool) -> None:
        """Say which writes a failing tool leaves behind in its task."""
        changed, deleted = self.changes(context)
        if not in_process and (changed or deleted):
            logger.warning(
                "tool %r changed the run context (%s) and then raised: those changes stay in the "
                'tool\'s task and do not reach the run. Run it with mode "trace" to keep them',
                tool,
                ", ".join(sorted([*changed, *deleted])),
            )


def applied(result: Any, context: Any) -> Any:
    """The tool's output, after setting its context writes on the live context object."""
    if not isinstance(result, ContextWrites):
        return result
    for name, value in result.set.items():
        if isinstance(context, dict):
            context[name] = value
        elif getattr(context, name, _UNKNOWN) is not value:  # in-process calls changed it already
            setattr(context, name, value)
    for name in result.deleted:
        if isinstance(context, dict):
            context.pop(name, None)
        elif hasattr(context, name):
            delattr(context, name)
    return result.output
