"""Step identity: the same request gives the same text in every run and every process."""

from __future__ import annotations

import json
import subprocess
import sys

from byof.fingerprint import canonical_json, fingerprint

REQUEST = {
    "model": "gpt-4o-mini",
    "messages": [
        {"role": "user", "content": "hi", "id": "msg-1", "created_at": 1700000000},
        {"role": "assistant", "content": None, "tool_calls": [{"id": "call_1", "function": {"name": "add"}}]},
    ],
    "temperature": 0.0,
}


def test_noise_keys_and_random_ids_do_not_change_the_identity() -> None:
    other = json.loads(json.dumps(REQUEST))
    other["messages"][0]["id"] = "msg-2"
    other["messages"][0]["created_at"] = 1800000000
    other["run_id"] = "3f2b8c1e-9d4a-4b7e-8f1a-2c3d4e5f6a7b"
    assert canonical_json(REQUEST) == canonical_json(other)
    masked = canonical_json({"content": "trace 3f2b8c1e-9d4a-4b7e-8f1a-2c3d4e5f6a7b done"})
    assert "<id>" in masked and "3f2b8c1e" not in masked


def test_what_is_asked_does_change_the_identity() -> None:
    changed = json.loads(json.dumps(REQUEST))
    changed["messages"][0]["content"] = "hello"
    assert fingerprint(canonical_json(REQUEST)) != fingerprint(canonical_json(changed))


def test_key_order_and_float_spelling_do_not_matter() -> None:
    assert canonical_json({"b": 1.0, "a": [2.0, 0.5]}) == canonical_json({"a": [2, 0.5], "b": 1})


def test_identity_is_the_same_in_a_fresh_process() -> None:
    code = (
        "import json,sys; from byof.fingerprint import canonical_json, fingerprint;"
        "print(fingerprint(canonical_json(json.loads(sys.argv[1]))))"
    )
    runs = {
        subprocess.run(
            [sys.executable, "-c", code, json.dumps(REQUEST)], capture_output=True, text=True
        ).stdout.strip()
        for _ in range(2)
    }
    assert runs == {fingerprint(canonical_json(REQUEST))}
