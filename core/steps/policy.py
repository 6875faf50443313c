"""The before-tool-call policy: plugins see each call and may block it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ToolCall:
    """A tool call about to run, as policy plugins see it."""

    agent: str
    tool: str
    arguments: dict[str, Any]
    trace_id: str
    call_id: str | None = None
    mode: str = "task"


@dataclass(frozen=True)
class Block:
    """Returned by `byof_before_tool_call` to stop a call. `policy` names who blocked it."""

    reason: str
    policy: str = ""


@dataclass(frozen=True)
class Verdict:
    blocks: tuple[Block, ...] = field(default_factory=tuple)

    @property
    def blocked(self) -> bool:
        return bool(self.blocks)


def check(call: ToolCall, plugins: Iterable[Any] = ()) -> Verdict:
    """Ask the global policy hook and the wrap's own plugins about `call`; every block counts."""
    from ..plugins import get_plugin_manager

    results: list[Any] = list(get_plugin_manager().hook.byof_before_tool_call(call=call))
    for plugin in plugins:
        hook = getattr(plugin, "byof_before_tool_call", None)
        if hook is not None:
            results.append(hook(call=call))
    blocks = tuple(r for r in results if isinstance(r, Block))
    return Verdict(blocks)
