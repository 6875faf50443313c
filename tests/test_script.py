"""The framework-neutral script format: turns chosen from the conversation itself."""

from __future__ import annotations

import pytest

from byof.testing.script import Message, Request, Script, ScriptExhausted, ToolSchema, call, calls, say


def conversation(prompt: str, *later: Message) -> Request:
    return Request(messages=(Message("user", prompt), *later), tools=(ToolSchema("add"),))


def test_turn_follows_the_number_of_assistant_messages() -> None:
    script = Script([call("add", a=1, b=2), say("Sum: {last}")])
    first = script.respond(conversation("add"))
    assert first.tool_calls[0].name == "add" and first.tool_calls[0].id == "call_0_0"
    later = conversation(
        "add", Message("assistant", tool_calls=first.tool_calls), Message("tool", "3", "call_0_0")
    )
    assert script.respond(later).text == "Sum: 3"
    assert script.call_count == 2 and script.tools_seen()[0][0].name == "add"


def test_by_prompt_picks_each_conversations_turns() -> None:
    script = Script([say("default")], by_prompt={"alpha": [say("A")], "beta": [say("B")]})
    assert [script.respond(conversation(p)).text for p in ("x alpha", "beta y", "gamma")] == [
        "A",
        "B",
        "default",
    ]
    assert script.calls_by_prompt() == {"x alpha": 1, "beta y": 1, "gamma": 1}


def test_placeholders_are_filled_once_and_braces_are_safe() -> None:
    script = Script([say('{"json": true} {results} / {prompt}')])
    request = conversation("q", Message("tool", "{prompt}"), Message("tool", "2"))
    assert script.respond(request).text == '{"json": true} {prompt}, 2 / q'


def test_parallel_calls_get_distinct_deterministic_ids() -> None:
    turn = Script([calls(("add", {"a": 1}), ("add", {"a": 2}))]).respond(conversation("p"))
    assert [c.id for c in turn.tool_calls] == ["call_0_0", "call_0_1"]


def test_running_past_the_script_is_a_readable_failure() -> None:
    with pytest.raises(ScriptExhausted, match="turn 2 of a conversation starting 'p'"):
        Script([say("only")]).respond(conversation("p", Message("assistant", "only")))
