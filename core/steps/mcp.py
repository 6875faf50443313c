"""MCP tool calls as durable steps, in every framework.

An MCP session lives in the agent's process (stateful in mcp 1.x, bound to its event loop in
most clients), so a call cannot be rebuilt in a child task: each call is a `flyte.trace` step
of the agent's task, named `mcp__<server>__<tool>`, whose input is the call (server, tool,
arguments, never masked) and whose output is the `CallToolResult` as JSON. The run's journal
answers a resumed or retried run: a completed call is not sent to the server again, a result
with `isError` replays as that result, a protocol error the server raised (`McpError`/`MCPError`)
replays as the same error. A transport failure is not the server's answer: it is not journaled,
and a resume tries the call again.

Each framework reaches `call`/`listing` from its own seam (its MCP toolset, server or tool); a
homegrown loop using `mcp.ClientSession` directly is covered by `install_client_session`. A call
made inside another MCP step (a framework seam above `ClientSession`) is part of that step.
"""

from __future__ import annotations

import contextvars
import json
import weakref
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import flyte

from ..durability.fingerprint import canonical_json, fingerprint
from ..durability.steps import MCP, MCP_LISTING, Step
from ..observability.events import ToolCalled
from ..runtime.run_context import RunContext, current_run
from .models import step_name

T = TypeVar("T")

_inside: contextvars.ContextVar[bool] = contextvars.ContextVar("byof_inside_mcp_step", default=False)


def _server_error(exc: BaseException) -> bool:
    """Whether `exc` is the server's own answer (a JSON-RPC error), not a transport failure."""
    return any(cls.__name__ in ("McpError", "MCPError") for cls in type(exc).__mro__)


async def call(
    run: RunContext,
    server: str,
    tool: str,
    arguments: dict[str, Any] | None,
    live: Callable[[], Awaitable[T]],
    *,
    encode: Callable[[T], Any],
    decode: Callable[[Any], T],
) -> T:
    """One MCP tool call of `run` as a durable step; `live()` makes the real call."""
    if _inside.get():
        return await live()
    name = f"{server}/{tool}"
    canonical = canonical_json({"server": server, "tool": tool, "arguments": arguments or {}})
    event = run.child(ToolCalled, name=name, mode="mcp", input=arguments or {})
    step = Step(run, MCP, name, fingerprint(canonical), event=event)

    async def body(request: str) -> str:
        if step.journaled:  # still a trace step, so a resumed run's trace has every call
            return json.dumps(step.replay())
        token = _inside.set(True)
        try:
            result = await live()
        finally:
            _inside.reset(token)
        return json.dumps(encode(result))

    body.__name__ = body.__qualname__ = step_name(f"mcp__{server}__{tool}")
    with run.observe(event):
        try:
            data = json.loads(await flyte.trace(body)(canonical))
        except Exception as exc:
            if _server_error(exc):
                step.record(False, exc)
            raise
        step.record(True, data)
        event.output = data
        return decode(data)


async def listing(
    run: RunContext,
    server: str,
    live: Callable[[], Awaitable[T]],
    *,
    encode: Callable[[T], Any],
    decode: Callable[[Any], T],
) -> T:
    """The tools `server` offered `run`: listed live once and journaled as run data (not a Flyte
    step), so a resumed run gets the same tools without reaching the server."""
    step = Step(run, MCP_LISTING, server, fingerprint(server))
    if step.journaled:
        return decode(step.replay())
    data = encode(await live())
    step.record(True, data)
    return decode(data)


# -- a homegrown loop's mcp.ClientSession ---------------------------------------------------------

_names: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()


def session_server(session: Any) -> str:
    """The name the server gave itself when `session` initialized."""
    info = getattr(session, "server_info", None)  # mcp 2.x keeps it on the session
    return str(getattr(info, "name", None) or _names.get(session) or "mcp")


def _dump(result: Any) -> Any:
    return result.model_dump(mode="json", by_alias=True, exclude_unset=True)


def install_client_session() -> None:
    """Make `mcp.ClientSession.call_tool` a durable step inside any byof run (once per process;
    outside a run the session behaves as it always did)."""
    from mcp import ClientSession
    from mcp.types import CallToolResult

    from ..kit.patching import patch_once

    def initialize(original: Callable[..., Any]) -> Callable[..., Any]:
        async def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            result = await original(self, *args, **kwargs)
            info = getattr(result, "serverInfo", None) or getattr(result, "server_info", None)
            if info is not None:
                _names[self] = info.name
            return result

        return wrapper

    def call_tool(original: Callable[..., Any]) -> Callable[..., Any]:
        async def wrapper(
            self: Any, name: str, arguments: dict[str, Any] | None = None, *args: Any, **kwargs: Any
        ) -> Any:
            run = current_run()
            # A multi-round call (input_required) is the caller's conversation with the server:
            # its rounds are not separate answers to journal.
            if (
                run is None
                or run.tracer is None
                or kwargs.get("allow_input_required")
                or kwargs.get("input_responses")
            ):
                return await original(self, name, arguments, *args, **kwargs)
            return await call(
                run,
                session_server(self),
                name,
                arguments,
                lambda: original(self, name, arguments, *args, **kwargs),
                encode=_dump,
                decode=CallToolResult.model_validate,
            )

        return wrapper

    patch_once([(ClientSession, "initialize", initialize), (ClientSession, "call_tool", call_tool)])
