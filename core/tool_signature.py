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
VAR_ARGS = "args"
VAR_KWARGS = "kwargs"


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
            if p.kind is p.VAR_POSITIONAL:
                params.append((VAR_ARGS, Any))
            elif p.kind is p.VAR_KEYWORD:
                params.append((VAR_KWARGS, Any))
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
                inputs[VAR_ARGS] = list(value)
            elif kind is inspect.Parameter.VAR_KEYWORD:
                inputs[VAR_KWARGS] = dict(value)
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
                args.extend(inputs.get(VAR_ARGS) or [])
                has_var_args = False  # later parameters are keyword-only
            elif p.kind is p.VAR_KEYWORD:
                kwargs.update(inputs.get(VAR_KWARGS) or {})
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
