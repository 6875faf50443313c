"""Turn a user's tool function signature into a Flyte task interface, and LLM JSON into its inputs.

Tool functions are written for a framework, not for Flyte: parameters may lack annotations,
the return annotation may be missing, defaults may be None for a non-Optional type, and
the model sends JSON (an int where a float is declared). This module makes an interface
Flyte accepts for any such function and coerces arguments to the declared types.
"""

from __future__ import annotations

import functools
import inspect
import logging
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import TypeAdapter

logger = logging.getLogger("byof.tools")

_EMPTY = inspect.Parameter.empty


@functools.lru_cache(maxsize=512)
def _flyte_supports(annotation: Any) -> bool:
    from flyte.types import TypeEngine

    try:
        TypeEngine.to_literal_type(annotation)
    except Exception:
        return False
    return True


def _task_type(annotation: Any) -> Any:
    """The annotation to declare on the task: the user's when Flyte handles it, else Any."""
    if annotation is _EMPTY or annotation is Any:
        return Any
    try:
        hash(annotation)
    except TypeError:
        return Any
    return annotation if _flyte_supports(annotation) else Any


@functools.lru_cache(maxsize=512)
def _adapter(annotation: Any) -> TypeAdapter[Any]:
    return TypeAdapter(annotation)


def coerce(value: Any, annotation: Any) -> Any:
    """`value` validated to `annotation` in pydantic's lax mode; unchanged if that fails."""
    if annotation is Any or annotation is _EMPTY or value is None:
        return value
    try:
        return _adapter(annotation).validate_python(value)
    except Exception:
        return value


@dataclass(frozen=True)
class ToolSignature:
    """A tool function's parameters as the task declares them, and how to call the function."""

    signature: inspect.Signature
    hints: dict[str, Any]
    task_params: tuple[tuple[str, Any], ...]
    output: Any

    @classmethod
    def of(cls, func: Any) -> ToolSignature:
        sig = inspect.signature(func)
        try:
            hints = typing.get_type_hints(func, include_extras=True)
        except Exception:
            hints = {name: p.annotation for name, p in sig.parameters.items() if p.annotation is not _EMPTY}
        params: list[tuple[str, Any]] = []
        for name, p in sig.parameters.items():
            if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
                params.append((name, Any))  # `*rest` is the input "rest": a list; `**extra` a dict
            else:
                declared = _task_type(hints.get(name, _EMPTY))
                if p.default is None and declared is not Any:
                    declared = typing.Optional[declared]  # noqa: UP045 - a runtime type object
                params.append((name, declared))
        ret = hints.get("return", _EMPTY) if "return" in hints else sig.return_annotation
        output = None if ret is None or ret is type(None) else _task_type(ret)
        return cls(sig, hints, tuple(params), output)

    def task_signature(self) -> inspect.Signature:
        return inspect.Signature(
            [
                inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=t)
                for n, t in self.task_params
            ],
            return_annotation=self.output,
        )

    def to_task_inputs(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
        """Bind a call's arguments, fill defaults, coerce to declared types: the task's inputs."""
        bound = self.signature.bind(*args, **kwargs)
        bound.apply_defaults()
        inputs: dict[str, Any] = {}
        for name, value in bound.arguments.items():
            kind = self.signature.parameters[name].kind
            if kind is inspect.Parameter.VAR_POSITIONAL:
                inputs[name] = list(value)
            elif kind is inspect.Parameter.VAR_KEYWORD:
                inputs[name] = dict(value)
            else:
                inputs[name] = coerce(value, self.hints.get(name, _EMPTY))
        return inputs

    def to_call(self, inputs: dict[str, Any]) -> tuple[list[Any], dict[str, Any]]:
        """The positional and keyword arguments to call the tool function with, from task inputs."""
        args: list[Any] = []
        kwargs: dict[str, Any] = {}
        params = list(self.signature.parameters.values())
        has_var_args = any(p.kind is p.VAR_POSITIONAL for p in params)
        for p in params:
            name = p.name
            if p.kind is p.VAR_POSITIONAL:
                args.extend(inputs.get(name) or [])
                has_var_args = False  # later parameters are keyword-only
            elif p.kind is p.VAR_KEYWORD:
                kwargs.update(inputs.get(name) or {})
            elif p.kind is p.POSITIONAL_ONLY or (has_var_args and p.kind is p.POSITIONAL_OR_KEYWORD):
                args.append(inputs[name])
            elif name in inputs:
                kwargs[name] = inputs[name]
        return args, kwargs


def retyped(
    original: Callable[..., Any],
    call: Callable[..., Any] | None = None,
    *,
    drop: Sequence[str] = (),
    opaque: Callable[[str, Any], bool] = lambda name, hint: False,
) -> Callable[..., Any]:
    """`original` as a tool task's body, for adapters whose tool functions take framework values.

    The result has `original`'s name, docstring, module and signature, minus the `drop`ped
    parameters, with every parameter or return annotation for which `opaque(name, hint)` holds
    typed Any ("return" names the return), so those values cross the task boundary pickled
    instead of through Flyte's type engine. It runs `call` (default: `original`) with the same
    arguments; it is sync when `original` is (byof then runs it in a worker thread), else async.
    """
    target = call or original
    sig = inspect.signature(original)
    try:
        hints = typing.get_type_hints(original, include_extras=True)
    except Exception:
        hints = {}
    params = []
    for name, p in sig.parameters.items():
        if name in drop:
            continue
        hint = hints.get(name, p.annotation)
        params.append(p.replace(annotation=Any if opaque(name, hint) else hint))
    ret = hints.get("return", sig.return_annotation)
    ret = Any if ret is not _EMPTY and opaque("return", ret) else ret

    if inspect.iscoroutinefunction(original):

        async def body(*args: Any, **kwargs: Any) -> Any:
            return await target(*args, **kwargs)

    else:

        def body(*args: Any, **kwargs: Any) -> Any:  # type: ignore[misc]
            return target(*args, **kwargs)

    body.__signature__ = sig.replace(parameters=params, return_annotation=ret)  # type: ignore[attr-defined]
    body.__annotations__ = {p.name: p.annotation for p in params if p.annotation is not _EMPTY}
    if ret is not _EMPTY:
        body.__annotations__["return"] = ret
    body.__name__ = getattr(original, "__name__", "tool")
    body.__qualname__ = getattr(original, "__qualname__", body.__name__)
    body.__module__ = getattr(original, "__module__", None) or __name__
    body.__doc__ = getattr(original, "__doc__", None)
    return body


def _plain(value: Any) -> bool:
    """JSON-shaped data: it crosses into a task without pickling."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return True
    if isinstance(value, (list, tuple)):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    return False


def _bad_text(value: Any) -> str | None:
    """The first string in `value` that is not valid Unicode text (a lone surrogate), if any."""
    if isinstance(value, str):
        if value.isascii():
            return None
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return value
        return None
    items = value.values() if isinstance(value, dict) else value if isinstance(value, (list, tuple)) else ()
    for item in items:
        found = _bad_text(item)
        if found is not None:
            return found
    return None


def check_crossing(tool: str, agent: str, values: dict[str, Any], *, pickled: bool, what: str) -> None:
    """Refuse, by name, a value that cannot cross the tool task's boundary: text with a lone
    surrogate (no UTF-8 spelling exists), or, where the value is pickled (`pickled`), one that
    cannot be pickled. Plain JSON-shaped data is never pickled to find out."""
    from ..errors import SerializationError
    from ..observability.redact import redacted

    for name, value in values.items():
        subject = f"argument {name!r}" if what == "argument" else "its result"
        bad = _bad_text(value)
        if bad is not None:
            at = next(i for i, ch in enumerate(bad) if 0xD800 <= ord(ch) <= 0xDFFF)
            around = redacted(bad[max(0, at - 20) : at + 20])
            raise SerializationError(
                f"tool {tool!r} of agent {agent!r}: {subject} holds text that is not valid Unicode (a lone "
                f"surrogate {bad[at]!r} at position {at} of {around!r}), which no task input "
                "or journal can store. Such text usually comes from decoding bytes with errors='surrogateescape': "
                "decode with errors='replace' (or pass bytes)."
            )
        if pickled and not _plain(value):
            import cloudpickle

            try:
                cloudpickle.dumps(value)
            except Exception as exc:
                raise SerializationError(
                    f"tool {tool!r} of agent {agent!r}: {subject} is a {type(value).__module__}."
                    f"{type(value).__qualname__}, which cannot cross the tool's Flyte task boundary ({exc}). Pass "
                    f"data instead (ids, paths, JSON), or run the tool in the agent's process: "
                    f"byof.wrap(..., tool_options={{{tool!r}: 'trace'}}) (durable) or 'inline'."
                ) from exc
