"""Shared tool machinery: route a framework's tool bodies to durable Flyte tasks.

An adapter hands each tool body to `ToolRouter.route` while it builds a run-scoped copy of
the agent, and puts the returned callable where the framework expects the body. The callable
keeps the body's calling convention (sync or async) and, per call: binds and coerces the
arguments, asks the policy plugins, runs the body as a Flyte child task (or a trace step, or
inline), rebuilds the tool's own exception class on failure, and emits a TOOL event.
"""

from __future__ import annotations

import contextvars
import functools
import hashlib
import inspect
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import flyte
import flyte.errors

from ..durability.exceptions import original_error, to_flyte_error
from ..durability.fingerprint import Drop, canonical_json, fingerprint
from ..durability.steps import TOOL, Step
from ..errors import NotDurableError, ToolBlocked, ToolRoutingError
from ..kit.once import warn_once
from ..observability.events import ToolBlockedEvent, ToolCalled
from ..runtime.options import ToolOptions, WrapOptions
from ..runtime.run_context import RunContext, in_flyte_task
from ..runtime.threads import run_tool_body
from .policy import ToolCall, check
from .tool_signature import ToolSignature, check_crossing

if TYPE_CHECKING:
    from flyte import TaskEnvironment


logger = logging.getLogger("byof.tools")

DURABLE_ATTR = "__byof_tool__"


@dataclass(frozen=True)
class ToolSpec:
    """One tool as the router knows it: the framework's name and the body to run durably."""

    name: str
    func: Callable[..., Any]
    description: str = ""
    control_flow: tuple[type[BaseException], ...] = ()
    options: ToolOptions | None = None
    locator: str | None = None  # "module:qualname" of a byof.tool, for a worker to find it
    inline_reason: str | None = None  # why this tool cannot run as a task (then it runs inline)
    in_process_reason: str | None = None  # why it needs the agent's process (then a trace step, or inline)
    drop: tuple[Drop, ...] = ()  # paths in its arguments the framework fills anew in every run
    signature: ToolSignature = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        try:
            sig = ToolSignature.of(self.func)
        except (TypeError, ValueError) as exc:
            raise ToolRoutingError(
                f"tool {self.name!r}: cannot read the signature of {self.func!r} ({exc}); "
                "pass a function or method with an inspectable signature"
            ) from exc
        object.__setattr__(self, "signature", sig)

    @property
    def is_async(self) -> bool:
        return is_async_callable(self.func)


def is_async_callable(func: Any) -> bool:
    while isinstance(func, functools.partial):
        func = func.func
    # A callable object is async when its class's __call__ is.
    return inspect.iscoroutinefunction(func) or inspect.iscoroutinefunction(type(func).__call__)


def unwrap_durable(func: Callable[..., Any]) -> tuple[Callable[..., Any], ToolOptions | None, str | None]:
    """The original body, decorator options and locator of a `byof.tool` function
    (else `func`, None, None)."""
    info = getattr(func, DURABLE_ATTR, None)
    if info is None:
        return func, None, None
    return info.func, info.options, info.locator


def task_function_name(agent: str, tool: str) -> str:
    """A stable identifier for a tool's task: the agent and tool names, plus a hash if cleaned."""
    cleaned = re.sub(r"[^A-Za-z0-9_]+", "_", tool).strip("_") or "tool"
    name = f"{agent}__{cleaned}"
    if cleaned != tool:
        name += "_" + hashlib.sha256(tool.encode()).hexdigest()[:6]
    return re.sub(r"[^A-Za-z0-9_]+", "_", name)


# The tool whose body is running. A framework tool made from a `byof.tool` function calls that
# function again inside its own task: there it must run its body, not route itself once more.
_running_tool: contextvars.ContextVar[str | None] = contextvars.ContextVar("byof_running_tool", default=None)


def running_tool() -> str | None:
    """The name of the tool whose body is running in this context, if any."""
    return _running_tool.get()


async def call_body(spec: ToolSpec, inputs: dict[str, Any]) -> Any:
    """Call the user's tool body with task inputs; sync bodies run in a worker thread."""
    args, kwargs = spec.signature.to_call(inputs)
    token = _running_tool.set(spec.name)
    try:
        if spec.is_async:
            return await spec.func(*args, **kwargs)
        return await run_tool_body(spec.func, *args, **kwargs)
    finally:
        _running_tool.reset(token)


def _declare(body: Callable[..., Any], spec: ToolSpec, fn_name: str) -> Callable[..., Any]:
    """Give a `**inputs` body the tool's task signature and name, as Flyte reads them."""
    sig = spec.signature.task_signature()
    body.__signature__ = sig  # type: ignore[attr-defined]
    body.__annotations__ = {p.name: p.annotation for p in sig.parameters.values()}
    body.__annotations__["return"] = sig.return_annotation
    body.__name__ = body.__qualname__ = fn_name
    body.__doc__ = spec.description or None
    body.__module__ = getattr(spec.func, "__module__", None) or __name__
    return body


def _task_body(spec: ToolSpec, fn_name: str, agent: str) -> Callable[..., Any]:
    async def body(**inputs: Any) -> Any:
        try:
            result = await call_body(spec, inputs)
            check_crossing(
                spec.name, agent, {"result": result}, pickled=spec.signature.output is Any, what="its"
            )
            return result
        except Exception as exc:
            raise to_flyte_error(exc, spec.control_flow) from exc

    # Flyte versions cache="auto" by the task function's source; point it at the user's tool so
    # an edited tool invalidates its cached results (the signature above still takes precedence).
    body.__wrapped__ = spec.func  # type: ignore[attr-defined]
    return _declare(body, spec, fn_name)


def _check_cacheable(spec: ToolSpec, cache: Any) -> None:
    behavior = getattr(cache, "behavior", cache)
    if behavior != "auto" or getattr(cache, "version_override", None):
        return
    try:
        inspect.getsource(spec.func)
    except (OSError, TypeError) as exc:
        raise ToolRoutingError(
            f"tool {spec.name!r}: cache='auto' versions the cache by the tool's source code, which is not "
            f"available for {spec.func!r} ({exc}). Use flyte.Cache(behavior='override', "
            "version_override='1') and bump the version when the tool changes."
        ) from exc


class ToolTaskFactory:
    """Builds, once per tool, the Flyte task a wrapped agent's tool calls run as.

    Tasks are built in private clones of the user's environments, so running an agent never
    adds tasks to an environment the user owns; the clones share its name, image and resources.
    """

    def __init__(
        self, agent_name: str, env: TaskEnvironment, resolver: Callable[[str, str | None], Any]
    ) -> None:
        self.agent_name = agent_name
        self.env = env
        self.resolver = resolver  # (tool, "module:qualname" of a byof.tool) -> the task's resolver
        self._clones: dict[int, TaskEnvironment] = {}
        self._tasks: dict[str, tuple[Callable[..., Any], ToolOptions, Any]] = {}
        self._lock = threading.Lock()

    def _clone(self, env: TaskEnvironment) -> TaskEnvironment:
        clone = self._clones.get(id(env))
        if clone is None:
            clone = env.clone_with(env.name)
            self._clones[id(env)] = clone
        return clone

    def built(self, tool: str) -> Any | None:
        """The task last built for `tool` in this process, if any."""
        with self._lock:
            cached = self._tasks.get(tool)
        return cached[2] if cached else None

    def task_for(self, spec: ToolSpec, options: ToolOptions) -> Any:
        """The tool's Flyte task, rebuilt only when its body or options change."""
        with self._lock:
            cached = self._tasks.get(spec.name)
            if cached is not None and cached[0] is spec.func and cached[1] == options:
                return cached[2]
            fn_name = task_function_name(self.agent_name, spec.name)
            _check_cacheable(spec, options.cache)
            env = self._clone(options.env or self.env)
            importable = spec.locator if spec.locator and "<locals>" not in spec.locator else None
            resolver = self.resolver(spec.name, importable)
            task: Any = env.task(
                short_name=spec.name,
                retries=options.retries or 0,
                cache=options.cache,
                timeout=options.timeout or 0,
                task_resolver=resolver,
            )(_task_body(spec, fn_name, self.agent_name))
            if options.resources is not None:
                task = task.override(resources=options.resources)
            self._tasks[spec.name] = (spec.func, options, task)
            return task


class ToolRouter:
    """`run.router`, given to an adapter's `prepare`: turns each tool body into a durable, policed,
    observed call."""

    def __init__(self, factory: ToolTaskFactory, options: WrapOptions, run: RunContext | None = None) -> None:
        self.factory = factory
        self.options = options
        self.run = run
        self.specs: dict[str, ToolSpec] = {}
        self._routed: dict[Any, Callable[..., Any]] = {}

    def route(
        self,
        name: str,
        func: Callable[..., Any],
        *,
        description: str = "",
        control_flow: tuple[type[BaseException], ...] = (),
        blocked_error: Callable[[ToolBlocked], BaseException] | None = None,
        inline_reason: str | None = None,
        in_process_reason: str | None = None,
        drop: Iterable[Drop] = (),
    ) -> Callable[..., Any]:
        """Return a callable to put in place of tool `name`'s body `func`.

        `control_flow`: the framework's exception types a tool raises to steer the agent
        (never retried by Flyte). `blocked_error` turns a policy block into the framework's
        tool-error type; by default the agent sees `byof.ToolBlocked`. `inline_reason` makes the
        tool run inline (not durable, still policed and observed) because it cannot cross into a
        task; the reason is logged once, as a warning naming the tool. `in_process_reason` says
        the tool needs live objects of the agent's process: where a task was asked for it runs
        as a durable trace step in the agent's task instead (logged once, like `inline_reason`). `drop` names the paths, in
        the tool's arguments, of values the framework injects and generates anew in every run
        (a checkpoint id in an injected config, message ids in an injected state): they are left
        out of the call's identity, so a resumed run finds it. What the model sends never is.

        The callable has the body's calling convention, plus `.aio` (awaitable) and `.sync`
        (blocking) variants for frameworks that call one body both ways.
        """
        body, decorator_options, locator = unwrap_durable(func)
        known = self.specs.get(name)
        if known is not None and known.func is not body:
            raise ToolRoutingError(
                f"agent {self.factory.agent_name!r} has two different tools named {name!r} "
                f"({known.func!r} and {body!r}); give one of them another name"
            )
        agent = self.factory.agent_name
        if inline_reason is not None:
            warn_once(
                logger,
                ("inline-tool", agent, name),
                "tool %r of agent %r runs inline, not as a durable task: %s",
                name,
                agent,
                inline_reason,
            )
        elif in_process_reason is not None:
            warn_once(
                logger,
                ("in-process-tool", agent, name),
                "tool %r of agent %r runs in the agent's task as a durable trace step, not as a task: %s",
                name,
                agent,
                in_process_reason,
            )
        spec = ToolSpec(
            name,
            body,
            description,
            control_flow,
            decorator_options,
            locator,
            inline_reason,
            in_process_reason,
            tuple(drop),
        )
        self.specs[name] = spec
        call = _DurableCall(self, spec, blocked_error)
        if spec.is_async or is_async_callable(func):

            async def routed(*args: Any, **kwargs: Any) -> Any:
                return await call.acall(*args, **kwargs)

        else:

            def routed(*args: Any, **kwargs: Any) -> Any:  # type: ignore[misc]
                return call.call(*args, **kwargs)

        routed = functools.wraps(func)(routed)
        # Like a Flyte task's `.aio`: await a sync tool from async code without blocking the loop.
        routed.aio = call.acall  # type: ignore[attr-defined]
        routed.sync = call.call  # type: ignore[attr-defined]
        return routed

    def route_once(self, name: str, func: Callable[..., Any]) -> Callable[..., Any]:
        """`route` memoised per body, for tools routed at call time (`byof.tool` in a loop)."""
        routed = self._routed.get(func)
        if routed is None:
            routed = self._routed[func] = self.route(name, func)
        return routed

    def options_for(self, spec: ToolSpec) -> ToolOptions:
        """Wrap defaults, then the `byof.tool` decorator's options, then the wrap's per-tool override;
        a tool that cannot cross into a task runs inline whatever was asked, and one that needs the
        agent's process runs as a trace step where a task was asked."""
        base = ToolOptions(mode="task").merged(self.options.tools).merged(spec.options)
        chosen = base.merged(self.options.tool_overrides.get(spec.name))
        if spec.inline_reason:
            return chosen.merged(ToolOptions(mode="inline"))
        if spec.in_process_reason and chosen.mode == "task":
            return chosen.merged(ToolOptions(mode="trace"))
        return chosen


class _DurableCall:
    """One routed tool: what runs each time the framework calls it."""

    def __init__(self, router: ToolRouter, spec: ToolSpec, blocked_error: Any) -> None:
        self.router = router
        self.spec = spec
        self.blocked_error = blocked_error

    def _run(self) -> RunContext:
        run = self.router.run
        if run is None:
            raise NotDurableError(
                f"tool {self.spec.name!r} was called outside a byof run; call the wrapped agent's task"
            )
        return run

    def call(self, *args: Any, **kwargs: Any) -> Any:
        run = self._run()
        return run.run_blocking(lambda: self.acall(*args, **kwargs), f"tool {self.spec.name!r}")

    async def acall(self, *args: Any, **kwargs: Any) -> Any:
        run = self._run()
        if not in_flyte_task():
            # Called from a loop or thread that lost the task's context: do the call on the run's loop.
            return await run.on_run_loop(lambda: self._acall(run, args, kwargs))
        return await self._acall(run, args, kwargs)

    async def _acall(self, run: RunContext, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        spec = self.spec
        try:
            inputs = spec.signature.to_task_inputs(args, kwargs)
        except TypeError as exc:
            raise TypeError(f"tool {spec.name!r}: {exc}") from exc
        options = self.router.options_for(spec)
        mode = options.mode or "task"
        if mode != "inline":
            opaque = {n for n, t in spec.signature.task_params if t is Any}
            for name, value in inputs.items():
                check_crossing(
                    spec.name,
                    run.agent,
                    {name: value},
                    pickled=mode == "task" and name in opaque,
                    what="argument",
                )
        event = run.child(ToolCalled, name=spec.name, mode=mode, input=inputs)
        verdict = check(ToolCall(run.agent, spec.name, inputs, run.trace_id, mode=mode), run.options.plugins)
        if verdict.blocked:
            block = verdict.blocks[0]
            run.emit(
                run.child(
                    ToolBlockedEvent, name=spec.name, input=inputs, reason=block.reason, policy=block.policy
                )
            )
            blocked = ToolBlocked(spec.name, block.reason, block.policy)
            raise self.blocked_error(blocked) if self.blocked_error else blocked
        event.start_time = time.time()
        step = None
        if mode != "inline" and run.journal is not None:
            drop = [("arguments", *path) for path in spec.drop]
            identity = fingerprint(canonical_json({"tool": spec.name, "arguments": inputs}, drop=drop))
            step = Step(run, TOOL, spec.name, identity, event=event)
        with run.observe(event):
            if step is None:
                event.output = await self._dispatch(run, mode, options, inputs, event)
            else:
                event.output = await step.run_live(lambda: self._dispatch(run, mode, options, inputs, event))
            return event.output

    async def _dispatch(
        self, run: RunContext, mode: str, options: ToolOptions, inputs: dict[str, Any], event: ToolCalled
    ) -> Any:
        spec = self.spec
        if mode == "inline":
            return await call_body(spec, inputs)
        if not in_flyte_task():
            raise NotDurableError(
                f"tool {spec.name!r} of agent {run.agent!r} was called outside a Flyte task context, so it "
                f"cannot run as a durable {mode}. Run the agent through its byof-wrapped task, or route "
                f'this tool with ToolOptions(mode="inline") to run it plainly on purpose.'
            )
        if mode == "trace":
            return await self._traced(inputs)
        task = self.router.factory.task_for(spec, options)
        event.task = task.name
        try:
            return await task.aio(**inputs)
        except flyte.errors.RuntimeUserError as err:
            raise original_error(err) from None

    async def _traced(self, inputs: dict[str, Any]) -> Any:
        spec = self.spec
        fn_name = task_function_name(self.router.factory.agent_name, spec.name)

        async def body(**kw: Any) -> Any:
            return await call_body(spec, kw)

        return await flyte.trace(_declare(body, spec, fn_name))(**inputs)
