"""Step identity: the same request gives the same text in every run and every process."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from byof.durability.fingerprint import canonical_json, fingerprint

REQUEST = {
    "model": "gpt-4o-mini",
    "messages": [
        {"role": "user", "content": "hi", "id": "msg-1", "created_at": 1700000000},
        {"role": "assistant", "content": None, "tool_calls": [{"id": "call_1", "function": {"name": "add"}}]},
    ],
    "temperature": 0.0,
}


MESSAGE_METADATA = (("messages", "*", "id"), ("messages", "*", "created_at"), ("run_id",))


def test_dropped_paths_leave_out_exactly_the_metadata_they_name() -> None:
    other = json.loads(json.dumps(REQUEST))
    other["messages"][0]["id"] = "msg-2"
    other["messages"][0]["created_at"] = 1800000000
    other["run_id"] = "3f2b8c1e-9d4a-4b7e-8f1a-2c3d4e5f6a7b"
    assert canonical_json(REQUEST) != canonical_json(other), "nothing is dropped unless named"
    assert canonical_json(REQUEST, drop=MESSAGE_METADATA) == canonical_json(other, drop=MESSAGE_METADATA)
    # The tool call's own "id" sits at another path: still part of the identity.
    other["messages"][1]["tool_calls"][0]["id"] = "call_2"
    assert canonical_json(REQUEST, drop=MESSAGE_METADATA) != canonical_json(other, drop=MESSAGE_METADATA)


@pytest.mark.parametrize(
    ("one", "two"),
    [
        (
            {"order_id": "3f2b8c1e-9d4a-4b7e-8f1a-2c3d4e5f6a7b"},
            {"order_id": "9a8b7c6d-9d4a-4b7e-8f1a-2c3d4e5f6a7b"},
        ),
        ({"id": "ord_1"}, {"id": "ord_2"}),
        ({"token": "0123456789abcdef0123456789abcdef"}, {"token": "fedcba9876543210fedcba9876543210"}),
        ({"timestamp": 1700000000, "created": 1}, {"timestamp": 1700000001, "created": 1}),
        (
            {"text": "refund 3f2b8c1e-9d4a-4b7e-8f1a-2c3d4e5f6a7b"},
            {"text": "refund 0b2b8c1e-9d4a-4b7e-8f1a-2c3d4e5f6a7b"},
        ),
    ],
)
def test_ids_and_timestamps_the_caller_passes_are_part_of_the_identity(one: dict, two: dict) -> None:
    """A tool's arguments and a request's content are the user's data: nothing is masked by its
    shape or its key name, so two calls that differ only there are two steps."""
    assert fingerprint(canonical_json({"tool": "t", "arguments": one})) != fingerprint(
        canonical_json({"tool": "t", "arguments": two})
    )


def test_what_is_asked_does_change_the_identity() -> None:
    changed = json.loads(json.dumps(REQUEST))
    changed["messages"][0]["content"] = "hello"
    assert fingerprint(canonical_json(REQUEST)) != fingerprint(canonical_json(changed))


def test_key_order_and_float_spelling_do_not_matter() -> None:
    assert canonical_json({"b": 1.0, "a": [2.0, 0.5]}) == canonical_json({"a": [2, 0.5], "b": 1})


IN_A_PROCESS = """
import dataclasses, json, sys
from byof.durability.fingerprint import canonical_json, fingerprint

@dataclasses.dataclass
class Parameters:  # like Pydantic AI's request parameters: tool names in a set
    tools: set
    names: frozenset
    client: object

request = json.loads(sys.argv[1])
request["parameters"] = Parameters({"add", "word_count", "explode", "search"}, frozenset("abcdef"), object())
print(fingerprint(canonical_json(request)))
"""


def test_identity_is_the_same_in_fresh_processes_with_other_hash_seeds() -> None:
    """Sets are serialized in hash order and reprs carry memory addresses: neither may reach the
    identity, or a resumed process would see a divergence that is not there."""
    import os

    runs = {
        subprocess.run(
            [sys.executable, "-c", IN_A_PROCESS, json.dumps(REQUEST)],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
        ).stdout.strip()
        for seed in (1, 2, 3, 4)
    }
    assert len(runs) == 1 and "" not in runs


STEP_IDENTITIES = """
import json
import flyte, byof
from byof.examples.math_agent import DEMO_PLAN, DEMO_REQUEST, make_math_agent
from byof.testing.chat import ScriptedChat
from byof.testing.script import Script, say

events = []
chat = ScriptedChat(Script([say(json.dumps(DEMO_PLAN))]))
task = byof.wrap(make_math_agent(chat), env=flyte.TaskEnvironment("identity"), sinks=[events.append])
flyte.init()
flyte.run(task, prompt=DEMO_REQUEST)
print(json.dumps([[e.kind, e.name, getattr(e, "fingerprint", ""), getattr(e, "task", "")]
                  for e in events if e.kind in ("model.call", "tool.call")]))
"""


def test_step_identities_match_in_two_fresh_processes(tmp_path) -> None:
    """What a cluster's replay matches on (traced function names, canonical requests, tool task
    names) comes out the same in two independent processes with different run names."""
    import os

    outputs = []
    for i in range(2):
        env = {**os.environ, "BYOF_JOURNAL_PATH": str(tmp_path / f"j{i}.db"), "PYTHONHASHSEED": str(i + 1)}
        proc = subprocess.run(
            [sys.executable, "-c", STEP_IDENTITIES], capture_output=True, text=True, env=env, timeout=300
        )
        assert proc.returncode == 0, proc.stderr[-2000:]
        outputs.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    assert outputs[0] == outputs[1]
    assert [o[1] for o in outputs[0]] == ["plan", "multiply", "add", "divide"]
    assert outputs[0][0][2] and outputs[0][1][3] == "identity.math_agent__multiply"
