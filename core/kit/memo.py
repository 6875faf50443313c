"""Once per object per run: the run-scoped copy of each agent, tool or model an adapter meets."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class RunMemo(Generic[K, V]):
    """Maps objects, by identity, to what a run made of them (a copy, a routed tool).

    Identity, not equality: two equal tools are still two tools. The original is kept alive
    with its value, so its id cannot be reused by another object during the run. Safe to share
    between the threads of one run; `make` runs at most once per object.
    """

    def __init__(self) -> None:
        self._made: dict[int, tuple[K, V]] = {}
        self._lock = threading.RLock()

    def get(self, obj: K, make: Callable[[K], V], then: Callable[[V], None] | None = None) -> V:
        """What the run made of `obj`, made now if needed. `then` completes a new value after it
        is recorded, for copies that refer back to themselves (agents handing off to each other:
        the copy of one reaches the copy of the other, which reaches the first)."""
        with self._lock:
            known = self._made.get(id(obj))
            if known is not None:
                return known[1]
            value = make(obj)
            self._made[id(obj)] = (obj, value)
        if then is not None:
            then(value)
        return value

    def find(self, obj: K) -> V | None:
        """What the run made of `obj` so far, if anything."""
        known = self._made.get(id(obj))
        return None if known is None else known[1]

    def __iter__(self) -> Iterator[tuple[K, V]]:
        return iter(list(self._made.values()))

    def __len__(self) -> int:
        return len(self._made)
