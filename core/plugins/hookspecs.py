"""The byof hooks. Every adapter, sink, policy and template set is a pluggy plugin of them,
found through the `byof` entry-point group or registered with `byof.register(obj)`.

As in pytest, the contract is these docstrings. A `byof_*` function or method counts as an
implementation even without `@byof.hookimpl`, so a sink or a policy is a plain object.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from byof.templates import TemplateInfo

    from ..observability.events import Event
    from ..steps.policy import Block, ToolCall
    from .adapter import Adapter

hookspec = pluggy.HookspecMarker("byof")


@hookspec
def byof_register_adapters(register: Callable[[Adapter], None]) -> None:
    """Call `register(MyAdapter())` once per framework you support.

    Called once per process, the first time byof needs its adapters (`byof.wrap`,
    `byof adapters`), and again after `byof.register`/`unregister` change the plugins. Must not
    import any framework: an adapter imports its framework only in `prepare`/`invoke`. On a Flyte
    worker the same registration happens when the wrapped agent's module is imported.
    """


@hookspec
def byof_on_event(event: Event) -> None:
    """Receive every agent, model, tool and plan event, already redacted; return nothing.

    Called in the process that runs the agent, as each event happens (a worker's tool task
    emits none: its tool call's event is the agent's). A failing implementation is logged and
    skipped; it never fails the run.
    """


@hookspec
def byof_before_tool_call(call: ToolCall) -> Block | None:
    """Return `byof.Block(reason)` to stop a tool call, or None to let it run.

    Called before every routed tool call, in every tool mode, in the agent's process (never on
    the tool's worker). A blocked call runs nothing; the agent sees the block as the tool's error
    in its framework's own form.
    """


@hookspec
def byof_image_packages(framework: str) -> list[str] | None:
    """Return the pip requirements a task image needs to run agents of `framework`, or None.

    Called by `byof.environment(frameworks=[...])` for each framework named, at import time of the
    module that builds the environment (on a worker too, where the image already exists).
    """


@hookspec
def byof_register_templates(register: Callable[[TemplateInfo], None]) -> None:
    """Call `register(TemplateInfo(...))` once per project template you provide.

    Called when `byof new` lists or renders templates; return nothing.
    """
