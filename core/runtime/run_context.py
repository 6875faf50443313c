"""The state of one wrapped-agent run, reachable from any thread the framework uses.

Frameworks call tools and models from the task's event loop, from worker threads that copy
context variables, and from threads that do not (smolagents' code executor). A `RunContext`
captures the run's event loop and context once, inside the Flyte task, so byof can bring a
call made from any of those threads back into the task's Flyte context instead of letting it
run silently outside it.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import threading
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import flyte

from ..errors import NotDurableError
from ..observability.events import GENERATION, Event, EventBus, Sink, StepStarted

if TYPE_CHECKING:
    from .options import WrapOptions

T = TypeVar("T")
E = TypeVar("E", bound=Event)

_current: contextvars.ContextVar[RunContext | None] = contextvars.ContextVar("byof_run", default=None)
# The span a wrapped agent started here nests under in events (a team's plan step), when it is not
# simply the calling run's own span.
_enclosing: contextvars.ContextVar[str | None] = contextvars.ContextVar("byof_enclosing_span", default=None)
_active: dict[int, RunContext] = {}
_active_lock = threading.Lock()


def in_flyte_task() -> bool:
    """True when the calling code runs inside a Flyte task (local or remote)."""
    return bool(flyte.ctx())


@dataclass
class RunContext:
    """One execution of a wrapped agent inside its Flyte task: what an adapter's `prepare` and
    `invoke` get. `router` turns tool bodies into durable steps, `tracer` model calls (None when
    rebuilding), `journal` is local durability (None on a cluster or when off), `options` are the
    wrap's (`options.adapter_options`: the adapter's own settings)."""

    agent: str
    adapter: str
    options: WrapOptions
    trace_id: str
    span_id: str
    bus: EventBus
    parent_id: str | None = None
    loop: asyncio.AbstractEventLoop | None = None
    context: contextvars.Context | None = None
    router: Any = None  # the run's ToolRouter
    tracer: Any = None  # the run's ModelTracer
    journal: Any = None  # the run's RunJournal, when local durability is on
    prepared: Any = None  # the adapter's own per-run state: what its `prepare` returned
    # Set when a Flyte worker rebuilds one of the agent's tool tasks: the adapter's `prepare` only
    # routes tools (no tracer, no loop, nothing runs).
    rebuilding: bool = False
    # Sinks that also see the runs this run starts in the same process (its report, a live view):
    # every nested run delivers its events to them through its own bus, redacted.
    watchers: tuple[Sink, ...] = ()
    _counters: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def next_seq(self, kind: str) -> int:
        """The next per-run call sequence number for `kind` ("model", "tool", ...)."""
        with self._lock:
            self._counters[kind] += 1
            return self._counters[kind]

    def emit(self, event: Event) -> None:
        self.bus.emit(event)

    def child(self, kind: type[E], **fields: Any) -> E:
        """A new event of `kind` nested under this run's agent span."""
        return kind(trace_id=self.trace_id, agent=self.agent, parent_id=self.span_id, **fields)

    @contextlib.contextmanager
    def observe(self, event: E, *, announce: bool = True) -> Iterator[E]:
        """Keep `event` open around a step; record its error and end time, then emit it.

        With `announce`, a `StepStarted` sharing the event's span id is emitted first, so a live
        view can show the step while it runs."""
        if announce:
            step = "model" if event.observation == GENERATION else "tool"
            self.emit(
                StepStarted(
                    trace_id=event.trace_id,
                    agent=event.agent,
                    span_id=event.span_id,
                    parent_id=event.parent_id,
                    step=step,
                    name=getattr(event, "name", ""),
                    input=getattr(event, "input", None),
                )
            )
        try:
            yield event
        except BaseException as exc:
            event.error = f"{type(exc).__name__}: {exc}"  # type: ignore[attr-defined]
            raise
        finally:
            event.end_time = time.time()
            self.emit(event)

    def capture(self) -> None:
        """Remember the running loop and the Flyte context; call inside the task, once."""
        self.loop = asyncio.get_running_loop()
        self.context = contextvars.copy_context()

    def call_in_context(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Call sync `fn` in the run's Flyte context, re-entering it if this thread lost it."""
        if in_flyte_task() or self.context is None:
            return fn(*args, **kwargs)
        return self.context.copy().run(fn, *args, **kwargs)

    async def on_run_loop(self, make: Callable[[], Awaitable[T]]) -> T:
        """Await `make()` on the run's loop, inside its context, from any loop or thread."""
        if self.loop is None or self.context is None:
            raise NotDurableError("the byof run has not started; call from inside the run")

        async def in_run_context() -> T:
            return await make()

        future = self.context.copy().run(asyncio.run_coroutine_threadsafe, in_run_context(), self.loop)
        return await asyncio.wrap_future(future)

    def run_blocking(self, make: Callable[[], Awaitable[T]], what: str) -> T:
        """Run a coroutine on the run's loop from a sync thread and wait for its result.

        `make` builds the coroutine in the calling thread's context when that thread carries the
        task's Flyte context (a framework's worker thread that copied it: the framework's own
        context variables, like LangGraph's runtime, then reach the call), else in the run's, so
        Flyte sees the task context even when the calling thread does not carry it.
        """
        if self.loop is None or self.context is None:
            raise NotDurableError(
                f"{what} was called before its byof run started; call it from inside the run"
            )
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self.loop:
            raise NotDurableError(
                f"{what} is a sync call made on the agent task's event loop thread, where waiting for "
                "a Flyte child task would block the loop it runs on. From async code, await the "
                "tool's .aio(...) (byof.tool functions have it) or make the tool async; or let the "
                "framework run sync tools in a worker thread."
            )

        async def in_run_context() -> T:
            return await make()

        context = contextvars.copy_context() if in_flyte_task() else self.context.copy()
        future = context.run(asyncio.run_coroutine_threadsafe, in_run_context(), self.loop)
        return future.result()


def current_run() -> RunContext | None:
    """The byof run active in this context, if any."""
    return _current.get()


def active_runs() -> list[RunContext]:
    """Every byof run executing in this process, whatever context the caller has."""
    with _active_lock:
        return list(_active.values())


def enclosing_span() -> str | None:
    """The span a wrapped agent starting here nests under in events, if not its caller's run."""
    return _enclosing.get()


@contextlib.contextmanager
def events_under(span_id: str) -> Iterator[None]:
    """Wrapped agents started inside this block nest under `span_id` in events (a team runs each
    plan step's specialist in one, so the report shows team → step → the specialist's calls)."""
    token = _enclosing.set(span_id)
    try:
        yield
    finally:
        _enclosing.reset(token)


@contextlib.contextmanager
def activate(run: RunContext) -> Iterator[RunContext]:
    token = _current.set(run)
    enclosing = _enclosing.set(None)  # runs this one starts nest under it, not under its caller's span
    with _active_lock:
        _active[id(run)] = run
    try:
        yield run
    finally:
        with _active_lock:
            _active.pop(id(run), None)
        _enclosing.reset(enclosing)
        _current.reset(token)
