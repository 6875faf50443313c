"""Secrets from the environment never reach a sink; long payloads are truncated."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from pydantic import BaseModel

from byof.observability.events import AgentFinished, Event, EventBus, ModelCalled, SpanEvent, ToolCalled
from byof.observability.redact import redact, secret_values
from byof.sinks import JsonlSink

SECRETS = {
    "OPENAI_API_KEY": "sk-test-abcdef123456",
    "MY_SERVICE_TOKEN": "tok-987654321",
    "DB_PASSWORD": "hunter2hunter2",
}
REGION = "eu-west-1-zone"


@pytest.fixture
def secret_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("MY_REGION", REGION)


class Credentials(BaseModel):
    user: str
    password: str


@dataclass
class Conn:
    dsn: str
    tags: tuple[str, ...]


def leaky_events() -> list[Event]:
    key, token, password = SECRETS.values()
    common = {"trace_id": "run-1", "agent": "a"}
    return [
        ModelCalled(
            **common,
            name="gpt",
            input=[{"role": "system", "content": f"use key {key} please"}],
            output={"headers": {"Authorization": f"Bearer {token}"}, "region": REGION},
        ),
        ToolCalled(
            **common,
            name="db",
            input={password: "as a key", "nested": [[f"x{password}y"], {"t": token}]},
            error=f"AuthError: {key} rejected",
        ),
        SpanEvent(
            **common, name="connect", input=Credentials(user="me", password=password), attrs={"k": key}
        ),
        AgentFinished(**common, input=Conn(dsn=f"postgres://me:{password}@db", tags=(token,)), output=key),
    ]


def test_secrets_never_reach_sinks(secret_env: None, tmp_path: Path) -> None:
    path = tmp_path / "trace.jsonl"
    seen: list[Event] = []
    bus = EventBus([JsonlSink(path), seen.append])
    for event in leaky_events():
        bus.emit(event)

    file_text = path.read_text()
    received = json.dumps([e.to_dict() for e in seen])
    for value in SECRETS.values():
        assert value not in file_text
        assert value not in received
    for name in SECRETS:
        assert f"[REDACTED:{name}]" in file_text
    assert REGION in file_text and REGION in received  # not a credential name: left alone

    rows = [json.loads(line) for line in file_text.splitlines()]
    assert rows[0]["input"][0]["content"] == "use key [REDACTED:OPENAI_API_KEY] please"
    assert rows[1]["input"]["[REDACTED:DB_PASSWORD]"] == "as a key"
    assert rows[1]["error"] == "AuthError: [REDACTED:OPENAI_API_KEY] rejected"
    assert rows[3]["input"] == {
        "dsn": "postgres://me:[REDACTED:DB_PASSWORD]@db",
        "tags": ["[REDACTED:MY_SERVICE_TOKEN]"],
    }


def test_redact_leaves_original_event_untouched(secret_env: None) -> None:
    key = SECRETS["OPENAI_API_KEY"]
    event = ToolCalled(trace_id="t", agent="a", name="x", output=key, end_time=5.0)
    clean = redact(event)
    assert event.output == key
    assert clean.output == "[REDACTED:OPENAI_API_KEY]"
    assert (clean.span_id, clean.end_time) == (event.span_id, 5.0)


def test_redact_converts_models_and_dataclasses(secret_env: None) -> None:
    event = SpanEvent(
        trace_id="t",
        agent="a",
        input=Credentials(user="me", password="hunter2hunter2"),
        output=Conn("d", ("a", "b")),
    )
    clean = redact(event)
    assert clean.input == {"user": "me", "password": "[REDACTED:DB_PASSWORD]"}
    assert clean.output == {"dsn": "d", "tags": ["a", "b"]}
    json.dumps(clean.to_dict())  # JSON-compatible


def test_secret_values_ignores_short_and_non_credential_vars(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHORT_TOKEN", "abc")
    monkeypatch.setenv("MY_REGION", REGION)
    monkeypatch.setenv("LONG_SECRET", "s3cr3t-value")
    found = secret_values()
    assert "abc" not in found and REGION not in found
    assert found["s3cr3t-value"] == "LONG_SECRET"


def test_longer_secret_wins_over_its_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHORT_API_KEY", "abcdef")
    monkeypatch.setenv("LONG_API_KEY", "abcdef-long")
    clean = redact(ToolCalled(trace_id="t", agent="a", output="x abcdef-long y abcdef"))
    assert clean.output == "x [REDACTED:LONG_API_KEY] y [REDACTED:SHORT_API_KEY]"


def test_truncation_happens_after_scrubbing(secret_env: None) -> None:
    key = SECRETS["OPENAI_API_KEY"]
    text = "a" * 10 + key + "b" * 100
    clean = redact(ToolCalled(trace_id="t", agent="a", output=text), max_chars=20)
    assert key[:6] not in clean.output
    assert clean.output.startswith("a" * 10 + "[REDACTED")
    assert clean.output.endswith("chars]") and "... [truncated " in clean.output


def test_shell_paths_are_not_secrets(monkeypatch) -> None:
    """PWD and friends match the credential pattern by name but hold paths; paths must survive."""
    from byof.observability.redact import secret_values

    monkeypatch.setenv("PWD", "/work/somewhere")
    monkeypatch.setenv("OLDPWD", "/work/elsewhere")
    monkeypatch.setenv("DB_PWD", "real-db-password")
    values = secret_values()
    assert "/work/somewhere" not in values and "/work/elsewhere" not in values
    assert values["real-db-password"] == "DB_PWD"


def test_dataclass_with_live_objects_is_described_not_copied() -> None:
    """A framework's dataclass holding a lock (or a task, a connection) must not be deep-copied."""
    import dataclasses
    import threading

    from byof.observability.redact import to_jsonable

    @dataclasses.dataclass
    class Runtime:
        name: str
        lock: threading.Lock

    data = to_jsonable(Runtime("rt", threading.Lock()))
    assert data["name"] == "rt" and "lock" in data["lock"]
