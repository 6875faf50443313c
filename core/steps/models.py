"""Shared model-call machinery: every model call becomes a replayable `flyte.trace` step.

A traced step is a function `(request: str) -> str` with JSON inside: the request is the
canonical, noise-free request (so its identity is the same in every run), the response is the
adapter's JSON encoding of the framework's response object. The framework always gets the
object decoded back from that JSON, on a live call as on a replay, so a lossy encoder shows up
on the first run rather than only after a crash.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import re
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator
from typing import Any, TypeVar

import flyte

from ..durability.fingerprint import Drop, canonical_json, fingerprint
from ..errors import NotDurableError, SerializationError
from ..observability.events import ModelCalled, StepReplayed
from ..observability.turns import usage_of
from ..runtime.run_context import RunContext, in_flyte_task

R = TypeVar("R")

Encode = Callable[[Any], Any]
Decode = Callable[[Any], Any]


# Set while a traced model call runs. A model call made inside it (a model that retries by calling
# itself, a wrapper model calling the one it wraps) is part of that step: traced on its own it
# would shift the run's step numbers between a live run and a replay, which skips it.
_inside_step: contextvars.ContextVar[bool] = contextvars.ContextVar("byof_inside_model_step", default=False)


@contextlib.contextmanager
def _in_step() -> Iterator[None]:
    token = _inside_step.set(True)
    try:
        yield
    finally:
        _inside_step.reset(token)


def _identity(value: Any) -> Any:
    return value


def _dumps(encode: Encode, result: Any, name: str) -> str:
    """The JSON text of a model response, or an error naming the step and the fix."""
    try:
        return json.dumps(encode(result))
    except (TypeError, ValueError) as exc:
        raise SerializationError(
            f"model call {name!r} returned {type(result).__name__}, which its encoder did not turn into "
            f"JSON ({exc}). A traced step stores JSON: return JSON-compatible data, a pydantic model or "
            "a dataclass (byof.model_call), or give the adapter an encode/decode pair for it."
        ) from exc


def _answered(event: ModelCalled, output: Any) -> Any:
    """Record a model call's response (as JSON data) and the tokens it says it used."""
    event.output = output
    event.usage = usage_of(output)
    return output


def step_name(name: str) -> str:
    """A traced function name safe for Flyte: letters, digits and underscores."""
    cleaned = re.sub(r"[^A-Za-z0-9_]+", "_", name).strip("_") or "model"
    return cleaned if not cleaned[0].isdigit() else f"model_{cleaned}"


class ModelTracer:
    """Runs a framework's model calls as `flyte.trace` steps of the current run.

    Adapters call `acall` / `call` with a JSON-able request, a zero-argument function that
    performs the real call, and an encode/decode pair between the framework's response
    object and JSON.
    """

    def __init__(self, run: RunContext, *, enabled: bool = True) -> None:
        self.run = run
        self.enabled = enabled

    @contextlib.contextmanager
    def _step(
        self, request: Any, name: str, drop: Iterable[Drop]
    ) -> Iterator[tuple[ModelCalled, str, _Replay]]:
        """One model call's event, open while it runs; yields it, the canonical request and the
        step's journal entry. The event is emitted with its outcome whatever happens."""
        canonical = canonical_json(request, drop=drop)
        event = self.run.child(
            ModelCalled,
            name=name,
            seq=self.run.next_seq("model"),
            fingerprint=fingerprint(canonical),
            input=request,
            traced=self.enabled,
        )
        with self.run.observe(event):
            replay = _Replay(self.run, event) if self.enabled else _Replay(None, event)
            yield event, canonical, replay

    def _not_durable(self, name: str) -> NotDurableError:
        return NotDurableError(
            f"model call {name!r} of agent {self.run.agent!r} ran outside a Flyte task context, so it "
            "cannot be traced. Run the agent through its byof-wrapped task (flyte.run(wrapped, ...)), "
            "or wrap with trace_models=False to call the model untraced on purpose."
        )

    async def acall(
        self,
        request: Any,
        call: Callable[[], Awaitable[R]],
        *,
        name: str = "model",
        encode: Encode = _identity,
        decode: Decode = _identity,
        drop: Iterable[Drop] = (),
    ) -> R:
        """Run async `call` as a traced step identified by `request` (inside another step: as it is).

        `drop` names the paths in `request` where the framework puts what it generates anew in
        every run without sending it to the model (message ids, timestamps): they are left out
        of the step's identity. Nothing else is, so two requests that differ anywhere else are
        two different steps."""
        if _inside_step.get():
            return await call()
        if self.enabled and not in_flyte_task() and self.run.context is not None:
            # Called from a loop or thread that lost the task's context: trace it on the run's loop.
            return await self.run.on_run_loop(lambda: self._acall(request, call, name, encode, decode, drop))
        return await self._acall(request, call, name, encode, decode, drop)

    async def _acall(
        self,
        request: Any,
        call: Callable[[], Awaitable[R]],
        name: str,
        encode: Encode,
        decode: Decode,
        drop: Iterable[Drop],
    ) -> R:
        with self._step(request, name, drop) as (event, canonical, replay):
            if not self.enabled:
                result = await call()
                _answered(event, encode(result))
                return result
            if not in_flyte_task():
                raise self._not_durable(name)

            async def body(request: str) -> str:
                if replay.text is not None:
                    return replay.text
                with _in_step():
                    result = await call()
                return _dumps(encode, result, name)

            body.__name__ = body.__qualname__ = step_name(name)
            return decode(_answered(event, json.loads(replay.done(await flyte.trace(body)(canonical)))))

    def call(
        self,
        request: Any,
        call: Callable[[], R],
        *,
        name: str = "model",
        encode: Encode = _identity,
        decode: Decode = _identity,
        drop: Iterable[Drop] = (),
    ) -> R:
        """Run sync `call` as a traced step (see `acall`); safe from threads that lost the task
        context. Inside another step, `call` runs as it is."""
        if _inside_step.get():
            return call()
        with self._step(request, name, drop) as (event, canonical, replay):
            if not self.enabled:
                result = call()
                _answered(event, encode(result))
                return result

            def body(request: str) -> str:
                if replay.text is not None:
                    return replay.text
                with _in_step():
                    result = call()
                return _dumps(encode, result, name)

            body.__name__ = body.__qualname__ = step_name(name)

            def traced() -> str:
                if not in_flyte_task():
                    raise self._not_durable(name)
                return flyte.trace(body)(canonical)

            return decode(_answered(event, json.loads(replay.done(self.run.call_in_context(traced)))))


class _Replay:
    """A model call's journal entry: the journaled response to serve, or the record to write.

    A served response still goes through `flyte.trace` (the body returns it without calling the
    model), so the resumed run's trace has every step, as a cluster's replay would show it.
    """

    def __init__(self, run: RunContext | None, event: ModelCalled) -> None:
        self.run, self.event, self.started = run, event, time.time()
        self.key: str | None = None
        self.text: str | None = None
        self.saved_ms = 0.0
        if run is not None and run.journal is not None:
            self.key, step = run.journal.model_step(event.seq, event.fingerprint, event.name)
            if step is not None:
                self.text, self.saved_ms = step.payload.decode(), step.duration_ms

    def done(self, response: str) -> str:
        """Record a live response, or report a served one; returns the response."""
        if self.run is None or self.run.journal is None or self.key is None:
            return response
        if self.text is None:
            self.run.journal.record_model(
                self.key, self.event.seq, self.event.fingerprint, self.event.name, response, self.started
            )
        else:
            self.run.journal.model_done(self.event.seq)
            self.event.replayed = True
            self.run.emit(
                self.run.child(
                    StepReplayed,
                    step="model",
                    name=self.event.name,
                    seq=self.event.seq,
                    saved_ms=self.saved_ms,
                )
            )
        return response
