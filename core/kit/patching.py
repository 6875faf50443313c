"""Patch a framework's class once per process, inert outside the adapter's own runs.

Some seams are methods every object of a framework goes through (LangChain's chat models and
tools, the OpenAI Agents SDK's runner). An adapter wraps them once, and the wrapper asks
`active_run(adapter)` on every call: outside a byof run of that adapter it calls the original,
so the framework behaves exactly as before for everyone else in the process.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

from ..runtime.run_context import RunContext, current_run

_originals: dict[tuple[type, str], Any] = {}
_lock = threading.Lock()

Wrap = Callable[[Any], Any]


def patch_once(patches: Iterable[tuple[type, str, Wrap]]) -> None:
    """Replace each `cls.name` by `wrap(original)`, once per process (idempotent, thread-safe)."""
    with _lock:
        for cls, name, wrap in patches:
            if (cls, name) not in _originals:
                _originals[cls, name] = cls.__dict__.get(name, getattr(cls, name))
                setattr(cls, name, wrap(getattr(cls, name)))


def original(cls: type, name: str) -> Any:
    """What `cls.name` was before `patch_once` wrapped it."""
    return _originals[cls, name]


def active_run(adapter: str) -> RunContext | None:
    """The byof run of `adapter` in this context, if any: a patched seam acts only inside one."""
    run = current_run()
    return run if run is not None and run.adapter == adapter else None
