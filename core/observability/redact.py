"""Keep secrets and huge payloads out of events.

Any value of an environment variable whose name looks like a credential is replaced wherever it
appears in an event, before any sink or plugin sees the event. Long strings are truncated.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import time
from typing import Any, TypeVar

from pydantic_core import to_jsonable_python

SECRET_NAME = re.compile(r"(KEY|TOKEN|SECRET|PASSWORD|PASSWD|PWD|CREDENTIAL|AUTH)", re.IGNORECASE)
# Names that match the pattern but hold paths, not secrets (the shell's cwd, agent sockets).
NOT_SECRETS = frozenset({"PWD", "OLDPWD", "SSH_AUTH_SOCK", "XAUTHORITY", "GPG_AGENT_INFO"})
# Values this short are too likely to occur by chance ("1", "true") to be worth replacing.
MIN_SECRET_LEN = 4

E = TypeVar("E")


def secret_values() -> dict[str, str]:
    """Map each credential-looking environment variable's value to its name, longest first."""
    found = {
        value: name
        for name, value in os.environ.items()
        if SECRET_NAME.search(name) and name.upper() not in NOT_SECRETS and len(value) >= MIN_SECRET_LEN
    }
    return dict(sorted(found.items(), key=lambda kv: -len(kv[0])))


def scrub_text(text: str, secrets: dict[str, str], max_chars: int | None = None) -> str:
    for value, name in secrets.items():
        if value in text:
            text = text.replace(value, f"[REDACTED:{name}]")
    if max_chars is not None and len(text) > max_chars:
        text = f"{text[:max_chars]}... [truncated {len(text) - max_chars} chars]"
    return text


def to_jsonable(value: Any, depth: int = 0) -> Any:
    """A JSON-compatible view of `value` for display: models dumped, unknown objects repr'd.

    The same value gives the same view in every process: set members are sorted (their
    iteration order follows the process's hash seed)."""
    if depth > 20:
        return repr(value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, dict):
        return {str(k): to_jsonable(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v, depth + 1) for v in value]
    if isinstance(value, (set, frozenset)):
        members = [to_jsonable(v, depth + 1) for v in value]
        return sorted(members, key=lambda m: json.dumps(m, sort_keys=True, default=repr))
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    dump = getattr(value, "model_dump", None)
    if callable(dump) and not isinstance(value, type):
        try:  # python mode keeps sets as sets, so they are sorted above
            return to_jsonable(dump(mode="python"), depth + 1)
        except Exception:
            pass
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        # Field by field, not dataclasses.asdict: that deep-copies, and live objects (tasks,
        # locks, connections) in a framework's dataclass cannot be copied.
        return {f.name: to_jsonable(getattr(value, f.name), depth + 1) for f in dataclasses.fields(value)}
    try:  # datetimes, UUIDs, enums, decimals, paths, secrets: their JSON spelling
        return to_jsonable(to_jsonable_python(value), depth + 1)
    except Exception:
        return repr(value)


def _scrub(value: Any, secrets: dict[str, str], max_chars: int) -> Any:
    if isinstance(value, str):
        return scrub_text(value, secrets, max_chars)
    if isinstance(value, dict):
        return {scrub_text(str(k), secrets): _scrub(v, secrets, max_chars) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v, secrets, max_chars) for v in value]
    return value


class SecretCache:
    """`secret_values()` recomputed at most once a second: scanning the environment for every
    event was the largest cost of serving a resumed run's replayed steps."""

    def __init__(self, refresh_seconds: float = 1.0) -> None:
        self._refresh = refresh_seconds
        self._stamp = time.monotonic()
        self._values = secret_values()

    def values(self) -> dict[str, str]:
        now = time.monotonic()
        if now - self._stamp > self._refresh:
            self._stamp, self._values = now, secret_values()
        return self._values


def redact(event: E, *, max_chars: int = 4000, secrets: dict[str, str] | None = None) -> E:
    """A copy of the dataclass `event` with secrets replaced and long strings truncated.

    `secrets` (value -> variable name) defaults to the environment as it is now.
    """
    secrets = secret_values() if secrets is None else secrets
    changes = {}
    for f in dataclasses.fields(event):  # type: ignore[arg-type]
        value = getattr(event, f.name)
        if isinstance(value, (int, float, bool)) or value is None:
            continue
        changes[f.name] = _scrub(to_jsonable(value), secrets, max_chars)
    return dataclasses.replace(event, **changes)  # type: ignore[type-var]


def redacted(text: str) -> str:
    """`text` with the environment's credential values replaced: for messages byof builds from
    user values (an error naming an argument's text, an object's repr)."""
    return scrub_text(text, secret_values())
