"""Carry a tool's exception class across the Flyte task boundary.

Flyte turns a failed child task into a `RuntimeUserError` that keeps only a code and a
message. Frameworks branch on their own exception classes (ModelRetry, ToolException, ...),
so the tool task puts the original class's import path into the error code and the parent
rebuilds an instance of that class from it. This works the same locally and on a cluster
because nothing but the code and the message crosses.
"""

from __future__ import annotations

import importlib
import logging
from typing import Any

import flyte.errors

from .errors import ToolFailed

logger = logging.getLogger("byof.tools")

CODE_PREFIX = "byof:"


def class_path(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


def to_flyte_error(exc: Exception, control_flow: tuple[type[BaseException], ...] = ()) -> Exception:
    """The error a tool task raises for `exc`: retryable unless it is framework control flow."""
    code = CODE_PREFIX + class_path(type(exc))
    message = str(exc)
    if control_flow and isinstance(exc, control_flow):
        return flyte.errors.NonRecoverableError(message, code=code)
    return flyte.errors.RuntimeUserError(code, message)


def _load_class(path: str) -> type[BaseException] | None:
    module_name, _, qualname = path.partition(":")
    try:
        obj: Any = importlib.import_module(module_name)
        for part in qualname.split("."):
            obj = getattr(obj, part)
    except (ImportError, AttributeError, ValueError):
        return None
    if isinstance(obj, type) and issubclass(obj, BaseException):
        return obj
    return None


def rebuild(cls: type[BaseException], message: str) -> BaseException:
    """An instance of `cls` carrying `message`, even when `cls` needs more constructor args."""
    try:
        exc = cls(message)
        if str(exc) == message:
            return exc
    except Exception:
        pass
    exc = cls.__new__(cls)
    exc.args = (message,)
    return exc


def from_flyte_error(err: BaseException) -> BaseException:
    """The exception a tool call raises in the agent for a failed tool task's error `err`."""
    code = getattr(err, "code", "") or ""
    code = code.split("|")[-1].strip()
    if not code.startswith(CODE_PREFIX):
        return err
    path = code[len(CODE_PREFIX) :]
    message = str(err)
    cls = _load_class(path)
    if cls is None:
        return ToolFailed(path.replace(":", "."), message)
    exc = rebuild(cls, message)
    exc.__cause__ = err
    return exc
