"""Deterministic step identity: the canonical JSON of a step's request, and its hash.

A resumed or retried run finds the steps it already did by their identity, so the identity of
the same call must come out the same in every run and every process, and two different calls
must never share one. Hence:

- nothing the caller passes is masked by its shape or its key name: a UUID in a prompt or an
  `id` argument of a tool is the user's data, and two calls that differ only there are two
  different steps;
- what a framework generates anew in every run without showing it to the model (message ids,
  timestamps, run ids) is dropped only at the exact places an adapter names, as `Drop` paths;
- nothing depends on the process: set members are sorted, and memory addresses are cut out of
  the `repr()` of objects that have no JSON form.
"""

from __future__ import annotations

import base64
import dataclasses
import enum
import hashlib
import json
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

# A path into a request's JSON: keys and list indexes, "*" for every key or item at that level.
Drop = tuple[str | int, ...]

WILDCARD = "*"
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
_MAX_DEPTH = 64


def _sorted_members(items: Iterable[Any], seen: frozenset[int]) -> list[Any]:
    members = [_canonical(v, seen) for v in items]
    return sorted(members, key=lambda m: json.dumps(m, sort_keys=True, allow_nan=True))


def _canonical(value: Any, seen: frozenset[int] = frozenset()) -> Any:
    """`value` as JSON data with one spelling per value: the same in every process."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) and value.is_integer() else value
    if id(value) in seen or len(seen) > _MAX_DEPTH:
        return "<recursion>"
    inner = seen | {id(value)}
    if isinstance(value, Mapping):
        return {str(k): _canonical(v, inner) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_canonical(v, inner) for v in value]
    if isinstance(value, (set, frozenset)):
        return _sorted_members(value, inner)
    if isinstance(value, (bytes, bytearray)):
        return {"$bytes": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, enum.Enum):
        return _canonical(value.value, inner)
    dump = getattr(value, "model_dump", None)
    if callable(dump) and not isinstance(value, type):
        try:  # python mode keeps sets as sets, so their members are sorted
            return _canonical(dump(mode="python"), inner)
        except Exception:
            pass
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _canonical(getattr(value, f.name), inner) for f in dataclasses.fields(value)}
    try:  # datetimes, UUIDs, decimals, paths: pydantic knows their JSON spelling
        from pydantic_core import to_jsonable_python

        return _canonical(to_jsonable_python(value), inner)
    except Exception:
        return _ADDRESS.sub("", repr(value))


def _drop(data: Any, path: Drop) -> None:
    if not path:
        return
    head, rest = path[0], path[1:]
    if isinstance(data, dict):
        keys = list(data) if head == WILDCARD else [head] if head in data else []
        for key in keys:
            if rest:
                _drop(data[key], rest)
            else:
                del data[key]
    elif isinstance(data, list):
        if head == WILDCARD:
            for item in data:
                _drop(item, rest)
        elif isinstance(head, int) and -len(data) <= head < len(data) and rest:
            _drop(data[head], rest)


def canonical_data(request: Any, *, drop: Iterable[Drop] = ()) -> Any:
    """`request` as canonical JSON data, without the framework metadata at the `drop` paths."""
    data = _canonical(request)
    for path in drop:
        _drop(data, path)
    return data


def canonical_json(request: Any, *, drop: Iterable[Drop] = ()) -> str:
    """Stable JSON text of `request`: keys sorted, compact, without the metadata at `drop`."""
    return json.dumps(
        canonical_data(request, drop=drop),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=True,
    )


def fingerprint(canonical: str) -> str:
    """Short content hash of a canonical request."""
    return hashlib.sha256(canonical.encode("utf-8", errors="surrogatepass")).hexdigest()[:32]
