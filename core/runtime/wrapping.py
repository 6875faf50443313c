"""`byof.wrap`: turn an existing agent object into a durable Flyte task, in one call."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Literal

import flyte
import flyte.errors

from ..durability.exceptions import to_flyte_error
from ..durability.journal import check_path, open_journal
from ..durability.journal import enabled as journal_enabled
from ..durability.run_journal import RunJournal
from ..observability.events import AgentFinished, AgentStarted, ErrorEvent, Event, EventBus
from ..plugins import detect
from ..plugins.adapter import Adapter, TaskSignature
from ..steps.models import ModelTracer
from ..steps.tools import ToolRouter, ToolTaskFactory
from .options import TOOL_MODES, ToolOptions, WrapOptions
from .run_context import RunContext, activate, current_run, enclosing_span
from .worker import ByofResolver, rebuild_tool_task, register, registered


def _identifier(text: str, identity: str | None = None) -> str:
    """`text` as a task-name part: letters, digits and underscores. When cleaning loses what
    tells names apart (non-ASCII letters, the `<lambda>` every lambda shares), a short hash of
    `identity` (default: `text`) is appended, so the name stays unique and is the same in
    every process (a worker rebuilds the task by this name)."""
    cleaned = re.sub(r"[^A-Za-z0-9_]+", "_", text).strip("_")
    if cleaned == text or (cleaned and text.isascii() and "<" not in text):
        return cleaned
    digest = hashlib.sha256((identity or text).encode("utf-8", "surrogatepass")).hexdigest()[:6]
    return f"{cleaned or 'agent'}_{digest}"


def _default_name(agent: Any) -> str:
    for attr in ("name", "__name__"):
        value = getattr(agent, attr, None)
        if isinstance(value, str) and value:
            code = getattr(agent, "__code__", None)
            identity = (
                f"{agent.__module__}:{agent.__qualname__}:{code.co_firstlineno}"
                if attr == "__name__" and code is not None
                else None
            )
            return _identifier(value, identity)
    return _identifier(type(agent).__name__)


class WrappedAgent:
    """A user's agent object bound to a Flyte task; never mutates the agent."""

    def __init__(
        self,
        agent: Any,
        adapter: Adapter[Any],
        env: flyte.TaskEnvironment,
        options: WrapOptions,
        module: str,
        sinks: Iterable[Callable[[Event], None]] = (),
    ) -> None:
        self.agent = agent
        self.adapter = adapter
        self.env = env
        self.options = options
        self.module = module
        self.sinks = tuple(sinks)
        self.task_name = f"{env.name}.{options.name}"
        self.tools = ToolTaskFactory(
            options.name, env, lambda tool, fn: ByofResolver.for_tool(module, self.task_name, tool, fn)
        )
        self.task: Any = None
        self.signature: TaskSignature = TaskSignature()

    def _bus(self, extra: Iterable[Callable[[Event], None]] = ()) -> EventBus:
        # Plugin objects take `event=` as pluggy would call them; plain sinks take it positionally.
        plugin_sinks = [
            (lambda e, p=p: p.byof_on_event(event=e))
            for p in self.options.plugins
            if hasattr(p, "byof_on_event")
        ]
        return EventBus([*self.sinks, *plugin_sinks, *extra], max_chars=self.options.max_event_chars)

    def _run_context(self, collected: list[Event]) -> RunContext:
        tctx = flyte.ctx()
        action = tctx.action if tctx else None
        trace_id = (action.run_name or action.name) if action else "local"
        span_id = action.name if action else "agent"
        parent = current_run()
        # The report, and sinks that watch nested runs, see this run and the runs it starts in
        # this process; each run delivers to them through its own bus, so always redacted.
        report = (collected.append,) if self.options.report else ()
        nested = tuple(s for s in self.sinks if getattr(s, "nested", False))
        inherited = tuple(w for w in (parent.watchers if parent else ()) if w not in self.sinks)
        run = RunContext(
            agent=self.options.name,
            adapter=self.adapter.name,
            options=self.options,
            trace_id=trace_id,
            span_id=span_id,
            bus=self._bus([*inherited, *report]),
            parent_id=parent.span_id if parent else None,
            watchers=(*inherited, *nested, *report),
        )
        if tctx and tctx.mode == "local" and self.options.journal is not False and journal_enabled():
            path = self.options.journal if isinstance(self.options.journal, str) else None
            run.journal = RunJournal(
                open_journal(path), trace_id, span_id, self.options.name, self.options.on_divergence
            )
        return run

    async def execute(self, inputs: dict[str, Any]) -> Any:
        """The body of the wrapped task: one run of the framework's own loop."""
        collected: list[Event] = []
        run = self._run_context(collected)
        nests_under = enclosing_span() or run.parent_id  # read before activate() resets it
        with activate(run):
            run.capture()
            run.router = ToolRouter(self.tools, self.options, run)
            run.tracer = ModelTracer(run, enabled=self.options.trace_models)
            if "mcp" in sys.modules:  # the agent uses MCP sessions: their tool calls become steps
                from ..steps.mcp import install_client_session

                install_client_session()
            prepared = run.prepared = self.adapter.prepare(self.agent, run)
            span: dict[str, Any] = {
                "trace_id": run.trace_id,
                "agent": run.agent,
                "span_id": run.span_id,
                "parent_id": nests_under,
            }
            started = AgentStarted(**span, adapter=self.adapter.name, input=inputs)
            run.emit(started)
            finished = AgentFinished(
                **span,
                start_time=started.start_time,
                adapter=self.adapter.name,
                input=inputs,
                report=_report_path() if self.options.report else None,
            )
            if run.journal is not None:
                run.journal.start(inputs, run.parent_id)
            try:
                with run.observe(finished, announce=False), _report_errors(run, "agent"):
                    finished.output = await self.adapter.invoke(self.agent, prepared, inputs, run)
                if run.journal is not None:
                    run.journal.finish(ok=True)
                return finished.output
            except Exception:
                if run.journal is not None:
                    run.journal.finish(ok=False)
                raise
            finally:
                if self.options.report:
                    from ..observability.report import publish

                    await publish(collected)  # as the bus delivered them: redacted, once each

    def tool_task(self, tool: str) -> Any:
        """The Flyte task of tool `tool`, as a worker rebuilds it (`worker.rebuild_tool_task`)."""
        return rebuild_tool_task(self, tool)


def _report_path() -> str | None:
    """Where Flyte writes the current task's report."""
    from .._flyte_private import report_path

    tctx = flyte.ctx()
    return report_path(tctx.output_path) if tctx and tctx.output_path else None


@contextlib.contextmanager
def _report_errors(run: RunContext, where: str) -> Iterator[None]:
    """Emit an ERROR event for an exception escaping the agent's run, then let it go on."""
    try:
        yield
    except Exception as exc:
        run.emit(run.child(ErrorEvent, where=where, error_type=type(exc).__name__, message=str(exc)))
        raise


def _tool_options(value: Any, where: str) -> ToolOptions:
    """`value` (a mode, a ToolOptions or a mapping of its fields) as ToolOptions, or an error
    naming `where` it was given and what it may be."""
    fields = ", ".join(f.name for f in dataclasses.fields(ToolOptions))
    if isinstance(value, ToolOptions):
        return value
    try:
        if isinstance(value, str):
            return ToolOptions(mode=value)  # type: ignore[arg-type]
        if isinstance(value, Mapping):
            return ToolOptions(**dict(value))
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"byof.wrap({where}={value!r}): {exc}. Give a mode ({', '.join(TOOL_MODES)}), "
            f"byof.ToolOptions(...) or a mapping of its fields ({fields})"
        ) from None
    raise TypeError(
        f"byof.wrap({where}={value!r}) is a {type(value).__name__}; give a mode ({', '.join(TOOL_MODES)}), "
        f"byof.ToolOptions(...) or a mapping of its fields ({fields})"
    )


def wrap(
    agent: Any,
    *,
    env: flyte.TaskEnvironment,
    name: str | None = None,
    tools: str | ToolOptions = "task",
    tool_options: Mapping[str, str | ToolOptions | Mapping[str, Any]] | None = None,
    trace_models: bool = True,
    retries: int = 0,
    timeout: Any = 0,
    report: bool = False,
    plugins: Iterable[Any] = (),
    sinks: Iterable[Callable[[Event], None]] = (),
    journal: bool | str = True,
    on_divergence: Literal["error", "rerun"] = "error",
    adapter_options: Mapping[str, Any] | None = None,
) -> Any:
    """Make `agent` (an object of any supported framework) a durable Flyte task in `env`.

    The returned task takes `(prompt: str)` (plus the adapter's natural inputs) and is used
    like any Flyte task: `flyte.run(task, prompt=...)`, `await task(prompt=...)` from another
    task, `asyncio.gather` fan-outs, `flyte deploy`.

    `tools` sets where tool calls run: "task" (a durable child task each, the default),
    "trace" (a replayable step inside this task) or "inline"; `tool_options` overrides it per
    tool name (retries, cache, timeout, resources, another TaskEnvironment). `trace_models`
    turns model-call tracing off. `plugins` are plugin objects (policies, sinks) for this agent
    only; `sinks` are callables that receive every event.

    Local runs keep a crash-resume journal (`journal=False` turns it off, a path moves it): a
    run started again with the same run name, or retried, serves its completed model and tool
    calls from it. `on_divergence="rerun"` re-executes from the first step whose request
    changed instead of stopping there. `adapter_options` are the adapter's own settings (see
    its docs/frameworks page), e.g. which entry point of the framework to drive.
    """
    if not isinstance(env, flyte.TaskEnvironment):
        raise TypeError(f"byof.wrap(env=...) needs a flyte.TaskEnvironment, got {type(env).__name__}")
    if isinstance(agent, flyte.TaskTemplate):
        raise TypeError(
            f"byof.wrap got the Flyte task {agent.name!r}, which is already durable; wrap the agent "
            "object (or agent loop function) itself"
        )
    if on_divergence not in ("error", "rerun"):
        raise ValueError(f"byof.wrap(on_divergence={on_divergence!r}) must be 'error' or 'rerun'")
    if isinstance(journal, str):
        check_path(journal)
    if tool_options is not None and not isinstance(tool_options, Mapping):
        raise TypeError(
            f"byof.wrap(tool_options=...) maps tool names to options, got a {type(tool_options).__name__}: "
            'e.g. tool_options={"search": "inline"}'
        )
    adapter = detect(agent)
    options = WrapOptions(
        name=_identifier(name) if name else _default_name(agent),
        tools=_tool_options(tools, "tools"),
        tool_overrides={k: _tool_options(v, f"tool_options[{k!r}]") for k, v in (tool_options or {}).items()},
        trace_models=trace_models,
        retries=retries,
        report=report,
        plugins=tuple(plugins),
        journal=journal,
        on_divergence=on_divergence,
        adapter_options=dict(adapter_options or {}),
    )
    module = sys._getframe(1).f_globals.get("__name__", "__main__")
    wrapped = WrappedAgent(agent, adapter, env, options, module, sinks)
    register(wrapped, check_only=True)  # a refused name leaves nothing behind
    signature = adapter.signature(agent, options.adapter_options)
    wrapped.signature = signature

    async def body(**inputs: Any) -> Any:
        try:
            return await wrapped.execute(inputs)
        except flyte.errors.BaseRuntimeError:
            raise  # Flyte's own errors and non-recoverable ones keep their meaning
        except Exception as exc:
            # The class travels in the error's code, so a caller recovers it: byof.original_error.
            raise to_flyte_error(exc) from exc

    sig = signature.to_inspect()
    body.__signature__ = sig  # type: ignore[attr-defined]
    body.__annotations__ = {p.name: p.annotation for p in sig.parameters.values()}
    body.__annotations__["return"] = sig.return_annotation
    body.__name__ = body.__qualname__ = options.name
    body.__module__ = module
    body.__doc__ = f"{adapter.framework} agent {options.name!r}, made durable by byof."
    wrapped.task = env.task(
        retries=retries,
        timeout=timeout,
        report=report,
        task_resolver=ByofResolver.for_agent(module, wrapped.task_name),
    )(body)
    register(wrapped)
    return wrapped.task


def wrapped_agent(task: Any) -> WrappedAgent:
    """The `WrappedAgent` behind a task returned by `byof.wrap`."""
    return registered(getattr(task, "name", ""))
