"""Deterministic step identity: canonical request JSON with run-varying noise removed.

Two runs that send a model the same conversation must produce the same request text, so
that a resumed or retried run finds the steps it already did. Message ids, timestamps and
random identifiers differ between runs without changing what is asked, so they are dropped
(by key) or replaced by a placeholder (by shape) before hashing.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterable
from typing import Any

from .redact import to_jsonable

NOISE_KEYS: frozenset[str] = frozenset(
    {
        "id",
        "created",
        "created_at",
        "timestamp",
        "run_id",
        "request_id",
        "response_id",
        "message_id",
        "trace_id",
        "span_id",
        "parent_run_id",
    }
)

_RANDOM_ID = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|\b[0-9a-fA-F]{32}\b"
)


def _normalise(value: Any, noise: frozenset[str]) -> Any:
    if isinstance(value, dict):
        return {str(k): _normalise(v, noise) for k, v in value.items() if str(k) not in noise}
    if isinstance(value, list):
        return [_normalise(v, noise) for v in value]
    if isinstance(value, str):
        return _RANDOM_ID.sub("<id>", value)
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return int(value)
        return value
    return value


def canonical_json(request: Any, *, extra_noise: Iterable[str] = ()) -> str:
    """Stable JSON text of `request`: keys sorted, noise keys dropped, random ids masked."""
    noise = NOISE_KEYS | frozenset(extra_noise)
    data = _normalise(to_jsonable(request), noise)
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=True)


def fingerprint(canonical: str) -> str:
    """Short content hash of a canonical request."""
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:32]
