"""A structural snapshot of an object graph, to prove a wrapped agent was not mutated.

Two snapshots are equal when every reachable attribute, container item, function default and
closure cell holds the same value (or the same object, for things without a value). Taken
before and after wrapped runs, they show that byof worked on copies. Objects whose class sets
`_snapshot_opaque = True` (test doubles that log their calls, like `Script`) count by identity.

`public=True` describes what a user sees on their agent instead: attributes and properties whose
name has no leading underscore, at every depth (a name, a model, a tool list), without the private
caches a framework fills on first use. A public snapshot compares values, not identities, since a
property may build a new object each time it is read.
"""

from __future__ import annotations

import inspect
import types
import warnings
from functools import cached_property
from typing import Any

_PRIMITIVES = (type(None), bool, int, float, complex, str, bytes)
_OPAQUE = (types.ModuleType, type, types.BuiltinFunctionType)


def snapshot(obj: Any, *, max_depth: int = 8, public: bool = False) -> Any:
    """A nested, comparable description of everything reachable from `obj` (with `public`, of
    its public attributes and properties)."""
    return _Snapshot(max_depth, public).take(obj, 0, frozenset())


class _Snapshot:
    def __init__(self, max_depth: int, public: bool) -> None:
        self.max_depth = max_depth
        self.public = public

    def _id(self, obj: Any) -> int | None:
        return None if self.public else id(obj)

    def take(self, obj: Any, depth: int, seen: frozenset[int]) -> Any:
        if isinstance(obj, _PRIMITIVES):
            return obj
        if isinstance(obj, _OPAQUE) or getattr(type(obj), "_snapshot_opaque", False):
            return ("ref", getattr(obj, "__qualname__", getattr(obj, "__name__", repr(obj))), self._id(obj))
        if depth >= self.max_depth or id(obj) in seen:
            return ("ref", type(obj).__qualname__, self._id(obj))
        inner = seen | {id(obj)}

        def snap(value: Any) -> Any:
            return self.take(value, depth + 1, inner)

        if isinstance(obj, (list, tuple)):
            return (type(obj).__name__, [snap(v) for v in obj])
        if isinstance(obj, (set, frozenset)):
            return (type(obj).__name__, sorted(repr(snap(v)) for v in obj))
        if isinstance(obj, dict):
            return ("dict", [(repr(k), snap(v)) for k, v in obj.items()])
        if inspect.isfunction(obj):
            cells = [snap(c.cell_contents) if _filled(c) else "<empty>" for c in obj.__closure__ or ()]
            return (
                "function",
                obj.__qualname__,
                self._id(obj),
                snap(obj.__defaults__),
                snap(obj.__kwdefaults__),
                cells,
                snap(obj.__dict__),
            )
        if inspect.ismethod(obj):
            return ("method", obj.__func__.__qualname__, snap(obj.__self__))
        state = self._public_state(obj) if self.public else _state(obj)
        if not state:
            return ("obj", type(obj).__qualname__, self._id(obj))
        return (
            "obj",
            type(obj).__qualname__,
            self._id(obj),
            [(k, snap(v)) for k, v in sorted(state.items())],
        )

    @staticmethod
    def _public_state(obj: Any) -> dict[str, Any]:
        """Public attributes and properties; a `cached_property` is a cache the framework fills
        when it is first read, so it is left out (and reading it here would fill it)."""
        cached = {n for k in type(obj).__mro__ for n, a in vars(k).items() if isinstance(a, cached_property)}
        state = {k: v for k, v in _state(obj).items() if not k.startswith("_") and k not in cached}
        for klass in type(obj).__mro__:
            for name, attr in vars(klass).items():
                if isinstance(attr, property) and not name.startswith("_") and name not in state:
                    try:
                        with warnings.catch_warnings():  # a deprecated property still counts
                            warnings.simplefilter("ignore")
                            state[name] = getattr(obj, name)
                    except Exception:  # a property that cannot be read now shows nothing to compare
                        continue
        return state


def _state(obj: Any) -> dict[str, Any]:
    state: dict[str, Any] = {}
    if hasattr(obj, "__dict__"):
        state.update(vars(obj))
    for slot in _slots(type(obj)):
        if hasattr(obj, slot):
            state[slot] = getattr(obj, slot)
    return state


def _slots(cls: type) -> list[str]:
    """Every slot of `cls` and its bases: e.g. pydantic keeps private attributes in one."""
    names: list[str] = []
    for klass in cls.__mro__:
        declared = klass.__dict__.get("__slots__", ())
        for slot in (declared,) if isinstance(declared, str) else declared:
            if slot not in ("__dict__", "__weakref__") and slot not in names:
                names.append(slot)
    return names


def _filled(cell: types.CellType) -> bool:
    try:
        cell.cell_contents  # noqa: B018 - probing for an empty cell
    except ValueError:
        return False
    return True


def first_difference(a: Any, b: Any, path: str = "agent") -> str | None:
    """Where two snapshots first differ, as a readable path, or None when equal."""
    if a == b:
        return None
    if isinstance(a, tuple) and isinstance(b, tuple) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            found = first_difference(x, y, path if i else path)
            if found:
                return found
    if isinstance(a, list) and isinstance(b, list):
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            label = x[0] if isinstance(x, tuple) and len(x) == 2 and isinstance(x[0], str) else f"[{i}]"
            found = first_difference(x, y, f"{path}.{label}" if label != f"[{i}]" else f"{path}{label}")
            if found:
                return found
        if len(a) != len(b):
            return f"{path}: {len(a)} items before, {len(b)} after"
    return f"{path}: {str(a)[:200]} -> {str(b)[:200]}"
