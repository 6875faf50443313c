"""Options of `byof.wrap` and of single tools."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import flyte

ToolMode = Literal["task", "trace", "inline"]
TOOL_MODES: tuple[str, ...] = ("task", "trace", "inline")


@dataclass(frozen=True)
class ToolOptions:
    """How one tool runs.

    `mode`: "task" runs each call as a durable Flyte child task (own container on a cluster,
    retries, cache, resources); "trace" records it as a replayable `flyte.trace` step inside the
    agent's task; "inline" calls it plainly (not durable, still observed and policed).
    `env` puts the tool's task in another TaskEnvironment, e.g. one with a GPU.
    """

    mode: ToolMode | None = None
    retries: int | None = None
    cache: Any = None
    timeout: Any = None
    resources: flyte.Resources | None = None
    env: flyte.TaskEnvironment | None = None

    def __post_init__(self) -> None:
        if self.mode is not None and self.mode not in TOOL_MODES:
            raise ValueError(f"ToolOptions(mode={self.mode!r}) is not one of {', '.join(TOOL_MODES)}")

    def merged(self, override: ToolOptions | None) -> ToolOptions:
        """This options object with every field that `override` sets taken from `override`."""
        if override is None:
            return self
        changes = {k: v for k, v in vars(override).items() if v is not None}
        return replace(self, **changes)


@dataclass(frozen=True)
class WrapOptions:
    """Everything `byof.wrap` was asked for besides the agent and its environment."""

    name: str
    tools: ToolOptions = field(default_factory=lambda: ToolOptions(mode="task"))
    tool_overrides: Mapping[str, ToolOptions] = field(default_factory=dict)
    trace_models: bool = True
    retries: int = 0
    report: bool = False
    plugins: tuple[Any, ...] = ()
    max_event_chars: int = 4000
    journal: bool | str = True  # local crash-resume journal: on, off, or a file path
    adapter_options: Mapping[str, Any] = field(default_factory=dict)  # e.g. {"entry": "invoke"}
    on_divergence: Literal["error", "rerun"] = "error"

    def for_tool(self, tool_name: str) -> ToolOptions:
        return self.tools.merged(self.tool_overrides.get(tool_name))
