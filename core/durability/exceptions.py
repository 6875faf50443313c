"""Carry an exception across the Flyte task boundary and through the journal, faithfully.

Flyte turns a failed child task into a `RuntimeUserError` that keeps only a code and a
message. Frameworks branch on their own exception classes (ModelRetry, ToolException, ...) and
show the model `str(error)`, so a tool task (and a wrapped agent's task) puts the original
class's import path into the error code, and the caller rebuilds an instance of that class
whose `str()` is the original message, exactly. This works the same locally and on a cluster
because nothing but the code and the message crosses.

The journal keeps a failed step's exception for replay. Pickling an exception calls its
constructor again on load, which fails for classes that need more than a message (httpx's
`HTTPStatusError`, SQLAlchemy's errors, any error with two required parameters): the journal
therefore stores the class, the message and the state, and rebuilds the same way, so a replay
raises what the live run raised.
"""

from __future__ import annotations

import importlib
import logging
import threading
from typing import Any

import cloudpickle
import flyte.errors

logger = logging.getLogger("byof.tools")

CODE_PREFIX = "byof:"


def class_path(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


def to_flyte_error(exc: Exception, control_flow: tuple[type[BaseException], ...] = ()) -> Exception:
    """The error a task raises for `exc`: retryable unless it is framework control flow."""
    code = CODE_PREFIX + class_path(_original_class(type(exc)))
    message = _safe_str(exc)
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


def _safe_str(exc: BaseException) -> str:
    try:
        return str(exc)
    except Exception:
        return repr(exc.args[0]) if exc.args else type(exc).__name__


class _Rebuilt:
    """Mixed into a rebuilt exception whose class cannot show the original message itself
    (its `__str__` reads attributes only its constructor sets): `str()` is that message."""

    _byof_message: str

    def __str__(self) -> str:
        return self._byof_message


_rebuilt_classes: dict[type, type] = {}
_rebuilt_lock = threading.Lock()


def _rebuilt_class(cls: type[BaseException]) -> type[BaseException]:
    """`cls` with its message fixed: same name, module and qualified name, `isinstance` holds."""
    with _rebuilt_lock:
        sub = _rebuilt_classes.get(cls)
        if sub is None:
            attrs = {"__module__": cls.__module__, "__qualname__": cls.__qualname__, "_byof_original": cls}
            sub = _rebuilt_classes[cls] = type(cls.__name__, (_Rebuilt, cls), attrs)
        return sub


def _original_class(cls: type) -> type:
    """The user's class behind a rebuilt or stand-in class."""
    return getattr(cls, "_byof_original", cls)


def stand_in(path: str, message: str) -> BaseException:
    """An exception named like the class at `path` ("module:qualname") that cannot be imported
    here: same class name, module and message, a `byof.ToolFailed` underneath."""
    from ..errors import ToolFailed

    module, _, qualname = path.partition(":")
    name = qualname.rsplit(".", 1)[-1] or "Error"
    cls = type(name, (_Rebuilt, ToolFailed), {"__module__": module, "__qualname__": qualname})
    exc = cls(path.replace(":", "."), message)
    exc._byof_message = message
    return exc


def rebuild(
    cls: type[BaseException],
    message: str,
    args: tuple[Any, ...] | None = None,
    state: dict[str, Any] | None = None,
) -> BaseException:
    """An instance of `cls` whose `str()` is `message`, even when `cls` needs more constructor
    arguments; `args` and `state` (its `__dict__`) restore it more fully when known."""
    cls = _original_class(cls)
    for attempt in ([*args] if args is not None else None, [message]):
        if attempt is None:
            continue
        try:
            exc = cls(*attempt)
            if state:
                exc.__dict__.update(state)
            if _safe_str(exc) == message:
                return exc
        except Exception:
            pass
    for candidate in (cls, _rebuilt_class(cls)):
        try:
            exc = candidate.__new__(candidate)
            exc.args = args if args is not None else (message,)
            if state:
                exc.__dict__.update(state)
            if candidate is not cls:
                exc._byof_message = message  # type: ignore[attr-defined]
            if str(exc) == message:  # a __str__ that raises goes on to the next candidate
                return exc
        except Exception:
            continue
    return stand_in(class_path(cls), message)


def original_error(err: BaseException) -> BaseException:
    """The exception a byof task (a tool's or a wrapped agent's) failed with, rebuilt from the
    Flyte error `err` that reached the caller: same class (or a stand-in with its name when the
    class cannot be imported here) and same message. Any other error is returned unchanged.

        try:
            flyte.run(task, prompt=...)
        except flyte.errors.RuntimeUserError as err:
            raise byof.original_error(err) from err
    """
    code = getattr(err, "code", "") or ""
    code = code.split("|")[-1].strip()
    if not code.startswith(CODE_PREFIX):
        return err
    path = code[len(CODE_PREFIX) :]
    message = str(err)
    cls = _load_class(path)
    exc = stand_in(path, message) if cls is None else rebuild(cls, message)
    exc.__cause__ = err
    return exc


# -- the journal's form ------------------------------------------------------------------------


def dump_error(exc: BaseException) -> dict[str, Any]:
    """What the journal keeps of a failed step's exception: enough to raise it again."""
    data: dict[str, Any] = {"class": class_path(_original_class(type(exc))), "message": _safe_str(exc)}
    state = {k: v for k, v in vars(exc).items() if k != "_byof_message"} if hasattr(exc, "__dict__") else {}
    for key, value in (("args", tuple(exc.args)), ("state", state)):
        try:
            data[key] = cloudpickle.dumps(value)
        except Exception:
            logger.debug("the %s of %s cannot be journaled", key, data["class"], exc_info=True)
    return data


def load_error(data: dict[str, Any]) -> BaseException:
    """The exception `dump_error` described: its class with the same message (and arguments and
    state where they could be kept), or a stand-in named like it when the class is gone."""
    message: str = data["message"]
    cls = _load_class(data["class"])
    if cls is None:
        return stand_in(data["class"], message)
    loaded: dict[str, Any] = {}
    for key in ("args", "state"):
        try:
            loaded[key] = cloudpickle.loads(data[key]) if key in data else None
        except Exception:
            loaded[key] = None
    return rebuild(cls, message, loaded["args"], loaded["state"])
