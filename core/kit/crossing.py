"""Values a tool step gets from its agent's run, and the writes it makes to them.

A framework hands some tools objects of the run: Pydantic AI's `RunContext` (with the run's
deps), LangGraph's injected state or `ToolRuntime`. Where the tool runs decides how they reach
it, and whether what the tool writes to them survives:

- In the agent's process (a `"trace"` step or `"inline"`), the tool gets the live object. Flyte
  still hashes a trace step's inputs by pickling them, and byof's journal fingerprints them, so
  the object travels wrapped in `Live`: it pickles and prints as its identity only. A `Live`
  unpickled anywhere else has no value, and reading it raises an error that says why.
- In a tool task (another process on a cluster), the tool gets a pickled copy. `Watch` records
  which parts of the copy the tool changed, the task returns them with its output as `Carried`,
  and `settle` writes them back onto the live object in the agent's task. The parts are a
  dict's items, a dataclass's fields, a pydantic model's fields or an object's attributes.

A step replayed from the journal (or from Flyte's trace log) returns its recorded `Carried`, so
a resumed run gets the same writes without running the tool again. A write that cannot be
carried back is never dropped silently: two parallel calls changing one part raise
`WriteConflictError`, and a tool that fails after changing a part logs which part was lost.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import logging
import threading
from collections.abc import Iterator, Mapping
from typing import Any, TypeVar

import cloudpickle

from ..errors import NotDurableError, WriteConflictError

logger = logging.getLogger("byof.tools")


class Live:
    """A live object of the agent's process, handed to a step that runs in that process."""

    __slots__ = ("_value", "identity", "what")

    def __init__(self, value: Any, identity: Any, what: str) -> None:
        self._value = value
        self.identity = identity  # what the step's identity sees of it: plain, deterministic data
        self.what = what  # a phrase naming the object, for the error a copy raises

    @property
    def value(self) -> Any:
        if self._value is _GONE:
            raise NotDurableError(
                f"{self.what} exists only in the agent's process and cannot cross into a Flyte task; "
                "run this tool in the agent's process (tool mode 'trace' or 'inline')"
            )
        return self._value

    def __reduce__(self) -> tuple[Any, ...]:
        return (_detached, (self.identity, self.what))

    def __repr__(self) -> str:
        return f"Live({self.identity!r})"


_GONE = object()


def _detached(identity: Any, what: str) -> Live:
    return Live(_GONE, identity, what)


def unwrap(value: Any) -> Any:
    """The object behind `value` when it is a `Live`, else `value`."""
    return value.value if isinstance(value, Live) else value


# -- parts and their digests ------------------------------------------------------------------


def parts(obj: Any) -> dict[str, Any] | None:
    """The named parts of `obj` a tool can change, or None when it has none (a str, an int)."""
    if isinstance(obj, dict):
        return {str(k): v for k, v in obj.items()}
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}
    fields = getattr(type(obj), "model_fields", None)
    if isinstance(fields, Mapping):
        return {name: getattr(obj, name) for name in fields}
    if hasattr(obj, "__dict__") and not callable(obj):
        return dict(vars(obj))
    return None


def digest(value: Any) -> bytes | None:
    """A content digest of `value`, or None when it does not pickle (it then never crosses)."""
    try:
        return hashlib.sha256(cloudpickle.dumps(value)).digest()
    except Exception:
        return None


def digests(obj: Any) -> dict[str, bytes | None]:
    return {name: digest(value) for name, value in (parts(obj) or {}).items()}


def unpicklable(obj: Any) -> list[str]:
    """The names of `obj`'s parts that do not pickle."""
    return [name for name, d in digests(obj).items() if d is None]


# -- the tool's side ------------------------------------------------------------------------------

_lent: dict[int, int] = {}  # id of a live value handed to a running tool call -> how many calls hold it
_lent_lock = threading.Lock()


@contextlib.contextmanager
def lent(values: Mapping[str, Any]) -> Iterator[None]:
    """Mark `values` as the live values of a tool call while it runs, so a body that gets these
    very objects (in the agent's process) knows its writes happen live."""
    ids = [id(v) for v in values.values()]
    with _lent_lock:
        for i in ids:
            _lent[i] = _lent.get(i, 0) + 1
    try:
        yield
    finally:
        with _lent_lock:
            for i in ids:
                _lent[i] -= 1
                if not _lent[i]:
                    del _lent[i]


def is_lent(value: Any) -> bool:
    with _lent_lock:
        return id(value) in _lent


@dataclasses.dataclass
class Carried:
    """A tool's output, with the parts it changed of each watched value (by parameter name).

    `in_process` is true only for the very object a step made in the agent's process, whose
    writes already happened on the live values; a copy (a task's output, a journal replay) is
    false, so its writes are applied.
    """

    output: Any
    changes: dict[str, dict[str, Any]]
    in_process: bool = False

    def __reduce__(self) -> tuple[Any, ...]:
        return (Carried, (self.output, self.changes))


class Watch:
    """Records the parts of `values` (by parameter name) before a tool body runs, to say after
    it which parts it changed. The body runs in the agent's process when it got the very values
    its call lent (see `lent`); otherwise it holds copies."""

    def __init__(self, tool: str, values: Mapping[str, Any]) -> None:
        self.tool = tool
        self.values = dict(values)
        self.before = {name: digests(value) for name, value in self.values.items()}
        self.in_process = all(is_lent(v) for v in self.values.values())

    def _changed(self) -> dict[str, dict[str, Any]]:
        changes: dict[str, dict[str, Any]] = {}
        for name, value in self.values.items():
            now = parts(value) or {}
            changed = {p: v for p, v in now.items() if digest(v) != self.before[name].get(p)}
            if changed:
                changes[name] = changed
        return changes

    def done(self, output: Any) -> Carried:
        return Carried(output, self._changed(), self.in_process)

    def failed(self) -> None:
        """The tool raised: what it changed cannot travel with an error. Say so, once, loudly."""
        if self.in_process:
            return  # the writes happened on the live values already
        lost = [f"{name}.{part}" for name, changed in self._changed().items() for part in changed]
        if lost:
            logger.warning(
                "tool %r failed after changing %s; a failing tool task returns only its error, so "
                "these changes do not reach the agent's run",
                self.tool,
                ", ".join(lost),
            )


# -- the agent's side -----------------------------------------------------------------------------

_writes = threading.RLock()  # a copy sent to a tool task and a write settled back never interleave

T = TypeVar("T")


def send(live: Mapping[str, Any], given: T) -> tuple[T, dict[str, dict[str, bytes | None]]]:
    """What a tool task gets (`given`, holding `live`'s values or parts of them) as a copy taken
    at one instant with the digests of `live`'s parts, which `settle` compares against: a write
    a parallel call settles meanwhile is then in both or in neither."""
    with _writes:
        try:
            copied = cloudpickle.loads(cloudpickle.dumps(given))
        except Exception:
            copied = given  # it cannot cross: Flyte says so when it serializes the task's inputs
        return copied, {name: digests(value) for name, value in live.items()}


def set_part(obj: Any, name: str, value: Any) -> None:
    """Write one part back, in place for containers so other holders of them see the change."""
    current = obj[name] if isinstance(obj, dict) else getattr(obj, name, None)
    if isinstance(current, list) and isinstance(value, list):
        current[:] = value
    elif isinstance(current, (dict, set)) and type(current) is type(value):
        current.clear()
        current.update(value)
    elif isinstance(obj, dict):
        obj[name] = value
    else:
        setattr(obj, name, value)


def settle(
    result: Any, live: Mapping[str, Any], sent: Mapping[str, dict[str, bytes | None]], tool: str
) -> Any:
    """The tool's output, after writing the changes a `Carried` result brings onto the live values.

    `sent` holds the digests of the live values' parts when the call started. A part that
    changed since, in a way other than this tool's, was written by a parallel call: carrying
    this one back would lose that write, so it raises `WriteConflictError` instead.
    """
    if not isinstance(result, Carried):
        return result
    if result.in_process:
        return result.output
    with _writes:
        _write_back(result, live, sent, tool)
    return result.output


def _write_back(
    result: Carried, live: Mapping[str, Any], sent: Mapping[str, dict[str, bytes | None]], tool: str
) -> None:
    for name, changed in result.changes.items():
        target = live[name]
        for part, value in changed.items():
            current = digest((parts(target) or {}).get(part))
            if current == digest(value):
                continue
            if current != sent[name].get(part):
                raise WriteConflictError(
                    f"tool {tool!r} changed {name}.{part} in its task while another call changed it in the "
                    "agent's run; carrying this change back would lose the other one. Run the tools that "
                    f"write {name}.{part} in the agent's process (tool_options={{{tool!r}: 'trace'}}), where "
                    "they change the live value"
                )
            set_part(target, part, value)
