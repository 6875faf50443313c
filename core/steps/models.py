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
from collections.abc import AsyncIterable, Awaitable, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import flyte

from ..durability.fingerprint import Drop, canonical_json, fingerprint
from ..durability.steps import MODEL, Step
from ..errors import NotDurableError, SerializationError
from ..kit.memo import RunMemo
from ..observability.events import ModelCalled
from ..observability.turns import usage_of
from ..runtime.run_context import RunContext, in_flyte_task

R = TypeVar("R")
C = TypeVar("C")

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


@dataclass(frozen=True)
class History:
    """The growing part of a model request, the conversation, given apart so a run's cost per
    model call stays the size of the call, not of the conversation so far.

    `items` are the conversation's items as the framework keeps them (its message objects),
    `to_json` turns one into JSON data, `drop` names the run-varying paths inside one item (as
    `acall`'s `drop` does for the request). Each item is read once per run (by identity, so a
    framework must not change a message in place after sending it: if it does, a resumed run
    sees another identity and stops with a divergence, never a wrong answer). The model-call
    event then shows the items new since the run's previous model call, under `key`.
    """

    key: str
    items: Sequence[Any]
    to_json: Callable[[Any], Any] = _identity
    drop: tuple[Drop, ...] = ()


class ModelTracer:
    """Runs a framework's model calls as `flyte.trace` steps of the current run.

    Adapters call `acall` / `call` with a JSON-able request, a zero-argument function that
    performs the real call, and an encode/decode pair between the framework's response
    object and JSON.
    """

    def __init__(self, run: RunContext, *, enabled: bool = True) -> None:
        self.run = run
        self.enabled = enabled
        self._items: RunMemo[Any, tuple[Any, str]] = RunMemo()  # history item -> (JSON, digest)

    def _canonical(self, request: Any, drop: Iterable[Drop], history: History | None) -> tuple[str, Any]:
        """The canonical request (what identifies the step, the trace step's input) and what the
        step's event shows of it."""
        if history is None:
            return canonical_json(request, drop=drop), request
        new: list[Any] = []

        def read(item: Any) -> tuple[Any, str]:
            data = history.to_json(item)
            new.append(data)
            return data, fingerprint(canonical_json(data, drop=history.drop))

        digests = [self._items.get(item, read)[1] for item in history.items]
        canonical = canonical_json(request, drop=drop) + "|" + fingerprint("".join(digests))
        shown = {**request, history.key: new, "earlier_items": len(digests) - len(new)}
        return canonical, shown

    @contextlib.contextmanager
    def _step(
        self, request: Any, name: str, drop: Iterable[Drop], history: History | None = None
    ) -> Iterator[tuple[ModelCalled, str, Step | None]]:
        """One model call's event, open while it runs; yields it, the canonical request and the
        step's journal entry. The event is emitted with its outcome whatever happens."""
        canonical, shown = self._canonical(request, drop, history)
        event = self.run.child(
            ModelCalled,
            name=name,
            seq=self.run.next_seq("model"),
            fingerprint=fingerprint(canonical),
            input=shown,
            traced=self.enabled,
        )
        with self.run.observe(event):
            # An untraced call (trace_models=False) is a plain call: nothing journals it.
            step = (
                Step(self.run, MODEL, name, event.fingerprint, event=event, seq=event.seq)
                if self.enabled
                else None
            )
            yield event, canonical, step

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
        history: History | None = None,
    ) -> R:
        """Run async `call` as a traced step identified by `request` (inside another step: as it is).

        `drop` names the paths in `request` where the framework puts what it generates anew in
        every run without sending it to the model (message ids, timestamps): they are left out
        of the step's identity. Nothing else is, so two requests that differ anywhere else are
        two different steps. `history` gives the conversation apart from `request` (see
        `History`), so the call costs the size of its new messages, not of the conversation."""
        if _inside_step.get():
            return await call()
        if self.enabled and not in_flyte_task() and self.run.context is not None:
            # Called from a loop or thread that lost the task's context: trace it on the run's loop.
            return await self.run.on_run_loop(
                lambda: self._acall(request, call, name, encode, decode, drop, history)
            )
        return await self._acall(request, call, name, encode, decode, drop, history)

    async def _acall(
        self,
        request: Any,
        call: Callable[[], Awaitable[R]],
        name: str,
        encode: Encode,
        decode: Decode,
        drop: Iterable[Drop],
        history: History | None,
    ) -> R:
        with self._step(request, name, drop, history) as (event, canonical, step):
            if step is None:
                result = await call()
                _answered(event, encode(result))
                return result
            if not in_flyte_task():
                raise self._not_durable(name)

            async def body(request: str) -> str:
                if step.journaled:  # still a trace step: the resumed run's trace has every step
                    return str(step.replay())
                with _in_step():
                    result = await call()
                return _dumps(encode, result, name)

            body.__name__ = body.__qualname__ = step_name(name)
            text = await flyte.trace(body)(canonical)
            step.record(True, text)
            return decode(_answered(event, json.loads(text)))

    def call(
        self,
        request: Any,
        call: Callable[[], R],
        *,
        name: str = "model",
        encode: Encode = _identity,
        decode: Decode = _identity,
        drop: Iterable[Drop] = (),
        history: History | None = None,
    ) -> R:
        """Run sync `call` as a traced step (see `acall`); safe from threads that lost the task
        context. Inside another step, `call` runs as it is."""
        if _inside_step.get():
            return call()
        with self._step(request, name, drop, history) as (event, canonical, step):
            if step is None:
                result = call()
                _answered(event, encode(result))
                return result

            def body(request: str) -> str:
                if step.journaled:
                    return str(step.replay())
                with _in_step():
                    result = call()
                return _dumps(encode, result, name)

            body.__name__ = body.__qualname__ = step_name(name)

            def traced() -> str:
                if not in_flyte_task():
                    raise self._not_durable(name)
                return flyte.trace(body)(canonical)

            text = self.run.call_in_context(traced)
            step.record(True, text)
            return decode(_answered(event, json.loads(text)))

    def stream(
        self,
        request: Any,
        chunks: Callable[[], Iterable[C]],
        *,
        name: str = "model",
        encode: Encode = _identity,
        decode: Decode = _identity,
        drop: Iterable[Drop] = (),
        history: History | None = None,
    ) -> list[C]:
        """A streamed model call as one step (sync): the stream runs to its end inside the step
        and its chunks come back as a list; a replay returns the same list. `encode`/`decode`
        convert one chunk."""
        return self.call(
            request,
            lambda: list(chunks()),
            name=name,
            encode=lambda items: [encode(c) for c in items],
            decode=lambda data: [decode(d) for d in data],
            drop=drop,
            history=history,
        )

    async def astream(
        self,
        request: Any,
        chunks: Callable[[], AsyncIterable[C]],
        *,
        name: str = "model",
        encode: Encode = _identity,
        decode: Decode = _identity,
        drop: Iterable[Drop] = (),
        history: History | None = None,
    ) -> list[C]:
        """A streamed model call as one step (async); see `stream`."""

        async def collect() -> list[C]:
            return [chunk async for chunk in chunks()]

        return await self.acall(
            request,
            collect,
            name=name,
            encode=lambda items: [encode(c) for c in items],
            decode=lambda data: [decode(d) for d in data],
            drop=drop,
            history=history,
        )
