"""The OpenAI wire-format conversions, the scripted OpenAI-compatible server and the chat models."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from byof.testing.chat import OpenAIChat, ScriptedChat
from byof.testing.openai_format import (
    chat_chunks,
    chat_completion,
    request_from_chat,
    request_from_responses,
    response_events,
    response_object,
)
from byof.testing.openai_server import ScriptedOpenAIServer
from byof.testing.script import Message, Script, ScriptedToolCall, ToolSchema, Turn, call, calls, say

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "weather",
        "description": "Current weather in a city.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}
RESPONSES_WEATHER_TOOL = {"type": "function", **WEATHER_TOOL["function"]}
PARALLEL = calls(("weather", {"city": "Paris"}), ("weather", {"city": "Oslo"}))


def weather_script() -> Script:
    return Script([call("weather", city="Paris"), say("It is {last}.")])


def parallel_calls() -> tuple[ScriptedToolCall, ...]:
    """PARALLEL's tool calls as a script renders them, ids included."""
    return Script([PARALLEL]).respond(request_from_chat({})).tool_calls


def reassemble_chat(chunks: list[dict[str, Any]]) -> dict[str, Any]:
    """The message and finish reason a client builds from Chat Completions chunks."""
    content: list[str] = []
    tool_calls: dict[int, dict[str, Any]] = {}
    finish_reason = None
    for chunk in chunks:
        for choice in chunk["choices"]:
            delta = choice["delta"]
            content.append(delta.get("content") or "")
            for part in delta.get("tool_calls") or ():
                slot = tool_calls.setdefault(part["index"], {"id": None, "name": "", "arguments": ""})
                slot["id"] = part.get("id") or slot["id"]
                slot["name"] += part.get("function", {}).get("name") or ""
                slot["arguments"] += part.get("function", {}).get("arguments") or ""
            finish_reason = choice["finish_reason"] or finish_reason
    calls_ = [tool_calls[i] for i in sorted(tool_calls)]
    return {"content": "".join(content), "tool_calls": calls_, "finish_reason": finish_reason}


def sse(text: str) -> Iterator[tuple[str | None, str]]:
    """(event name, data) for each server-sent event in `text`."""
    for block in text.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines())
        yield fields.get("event"), fields["data"]


# (a) conversions


def test_request_from_chat_reads_every_role_and_tool_form() -> None:
    body = {
        "model": "gpt-x",
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "developer", "content": [{"type": "text", "text": "Use tools."}]},
            {
                "role": "user",
                "content": [{"type": "text", "text": "Weather in "}, {"type": "text", "text": "Paris?"}],
            },
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "a",
                        "type": "function",
                        "function": {"name": "weather", "arguments": '{"city": "Paris"}'},
                    },
                    {"id": "b", "type": "function", "function": {"name": "weather", "arguments": ""}},
                ],
            },
            {"role": "tool", "tool_call_id": "a", "content": "sunny"},
            {"role": "tool", "tool_call_id": "b", "content": [{"type": "text", "text": "rainy"}]},
        ],
        "tools": [WEATHER_TOOL],
        "functions": [{"name": "legacy", "parameters": {"type": "object"}}],
    }
    request = request_from_chat(body)
    assert request.model == "gpt-x"
    assert [m.role for m in request.messages] == ["system", "system", "user", "assistant", "tool", "tool"]
    assert request.messages[1].content == "Use tools."
    assert request.prompt == "Weather in Paris?"
    assert request.messages[3] == Message(
        "assistant",
        "",
        (ScriptedToolCall("weather", {"city": "Paris"}, "a"), ScriptedToolCall("weather", {}, "b")),
    )
    assert request.tool_results == ["sunny", "rainy"]
    assert request.messages[4].tool_call_id == "a"
    assert request.tools == (
        ToolSchema("weather", "Current weather in a city.", WEATHER_TOOL["function"]["parameters"]),
        ToolSchema("legacy", "", {"type": "object"}),
    )


def test_chat_round_trip_with_parallel_tool_calls_feeds_last() -> None:
    script = Script([PARALLEL, say("Last was {last}; all: {results}.")])
    messages: list[dict[str, Any]] = [{"role": "user", "content": "Compare"}]
    first = chat_completion(script.respond(request_from_chat({"messages": messages})), "m")
    message = first["choices"][0]["message"]
    assert first["choices"][0]["finish_reason"] == "tool_calls"
    assert message["content"] is None
    assert [
        (c["id"], c["function"]["name"], json.loads(c["function"]["arguments"]))
        for c in message["tool_calls"]
    ] == [
        ("call_0_0", "weather", {"city": "Paris"}),
        ("call_0_1", "weather", {"city": "Oslo"}),
    ]
    messages += [
        message,
        *({"role": "tool", "tool_call_id": c["id"], "content": c["id"][-1]} for c in message["tool_calls"]),
    ]
    request = request_from_chat({"messages": messages})
    assert request.turn == 1
    assert request.messages[1].tool_calls == (
        ScriptedToolCall("weather", {"city": "Paris"}, "call_0_0"),
        ScriptedToolCall("weather", {"city": "Oslo"}, "call_0_1"),
    )
    final = chat_completion(script.respond(request), "m", prompt_tokens=7)
    assert final["choices"][0] == {
        "index": 0,
        "message": {
            "role": "assistant",
            "content": "Last was 1; all: 0, 1.",
            "refusal": None,
            "annotations": [],
        },
        "logprobs": None,
        "finish_reason": "stop",
    }
    assert final["usage"]["prompt_tokens"] == 7
    assert final["usage"]["total_tokens"] == 7 + final["usage"]["completion_tokens"]


def test_chat_completion_is_deterministic() -> None:
    assert chat_completion(Turn(text="hi"), "m") == chat_completion(Turn(text="hi"), "m")
    assert chat_completion(Turn(text="hi"), "m")["id"] != chat_completion(Turn(text="ho"), "m")["id"]


@pytest.mark.parametrize("include_usage", [False, True])
def test_chat_chunks_reassemble_to_the_completion(include_usage: bool) -> None:
    turn = Turn(text="Let me check both cities.", tool_calls=parallel_calls())
    chunks = chat_chunks(turn, "m", include_usage=include_usage, prompt_tokens=3)
    assert {c["object"] for c in chunks} == {"chat.completion.chunk"}
    assert len({c["id"] for c in chunks}) == 1
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    assert sum(1 for c in chunks if c["choices"] and c["choices"][0]["delta"].get("content")) > 1
    assert ("usage" in chunks[-1]) is include_usage
    if include_usage:
        assert chunks[-1]["choices"] == [] and chunks[-1]["usage"]["prompt_tokens"] == 3
    message = chat_completion(turn, "m")["choices"][0]["message"]
    assert reassemble_chat(chunks) == {
        "content": message["content"],
        "tool_calls": [
            {"id": c["id"], "name": c["function"]["name"], "arguments": c["function"]["arguments"]}
            for c in message["tool_calls"]
        ],
        "finish_reason": "tool_calls",
    }


def test_chat_chunks_for_tool_calls_only_start_without_content() -> None:
    chunks = chat_chunks(Turn(tool_calls=(ScriptedToolCall("f", {}, "x"),)), "m")
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant", "content": None}
    assert reassemble_chat(chunks)["tool_calls"] == [{"id": "x", "name": "f", "arguments": "{}"}]


def test_request_from_responses_reads_instructions_items_and_tools() -> None:
    body = {
        "model": "gpt-r",
        "instructions": "Be brief.",
        "input": [
            {"role": "developer", "content": "Use tools."},
            {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Weather?"}]},
            {"type": "reasoning", "id": "rs_1", "summary": []},
            {
                "type": "message",
                "role": "assistant",
                "id": "msg_1",
                "status": "completed",
                "content": [{"type": "output_text", "text": "Checking.", "annotations": []}],
            },
            {"type": "function_call", "call_id": "a", "name": "weather", "arguments": '{"city": "Paris"}'},
            {"type": "function_call", "call_id": "b", "name": "weather", "arguments": '{"city": "Oslo"}'},
            {"type": "function_call_output", "call_id": "a", "output": "sunny"},
            {
                "type": "function_call_output",
                "call_id": "b",
                "output": [{"type": "input_text", "text": "rainy"}],
            },
            {"type": "function_call", "call_id": "c", "name": "weather", "arguments": "{}"},
        ],
        "tools": [RESPONSES_WEATHER_TOOL, {"type": "web_search"}],
    }
    request = request_from_responses(body)
    assert request.model == "gpt-r"
    assert [m.role for m in request.messages] == [
        "system",
        "system",
        "user",
        "assistant",
        "tool",
        "tool",
        "assistant",
    ]
    assert request.messages[0].content == "Be brief."
    assert request.prompt == "Weather?"
    assert request.messages[3] == Message(
        "assistant",
        "Checking.",
        (
            ScriptedToolCall("weather", {"city": "Paris"}, "a"),
            ScriptedToolCall("weather", {"city": "Oslo"}, "b"),
        ),
    )
    assert request.messages[5].tool_call_id == "b"
    assert request.tool_results == ["sunny", "rainy"]
    assert request.messages[6].tool_calls == (ScriptedToolCall("weather", {}, "c"),)
    assert request.turn == 2
    assert [t.name for t in request.tools] == ["weather"]


def test_request_from_responses_with_string_input() -> None:
    request = request_from_responses({"input": "hello", "instructions": "sys"})
    assert request.messages == (Message("system", "sys"), Message("user", "hello"))
    with pytest.raises(ValueError, match="previous_response_id"):
        request_from_responses({"input": "more", "previous_response_id": "resp_1"})


def test_response_output_replayed_as_input_is_one_turn() -> None:
    script = Script([Turn(text="Checking {prompt}.", tool_calls=PARALLEL.tool_calls), say("Got {results}.")])
    items: list[dict[str, Any]] = [{"role": "user", "content": "the weather"}]
    response = response_object(script.respond(request_from_responses({"input": items})), "m", input_tokens=5)
    assert response["status"] == "completed"
    assert [i["type"] for i in response["output"]] == ["message", "function_call", "function_call"]
    assert response["output"][0]["content"][0]["text"] == "Checking the weather."
    assert [(i["call_id"], json.loads(i["arguments"])) for i in response["output"][1:]] == [
        ("call_0_0", {"city": "Paris"}),
        ("call_0_1", {"city": "Oslo"}),
    ]
    assert response["usage"]["input_tokens"] == 5
    items += response["output"]
    items += [
        {"type": "function_call_output", "call_id": i["call_id"], "output": i["call_id"]}
        for i in response["output"][1:]
    ]
    request = request_from_responses({"input": items})
    assert request.turn == 1
    final = response_object(script.respond(request), "m")
    assert [i["type"] for i in final["output"]] == ["message"]
    assert final["output"][0]["content"][0]["text"] == "Got call_0_0, call_0_1."


def test_response_events_stream_the_same_answer() -> None:
    turn = Turn(text="Checking both.", tool_calls=(ScriptedToolCall("weather", {"city": "Paris"}, "c1"),))
    events = response_events(turn, "m")
    assert [e["sequence_number"] for e in events] == list(range(len(events)))
    kinds = [e["type"] for e in events]
    assert kinds[:4] == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
    ]
    assert kinds[-1] == "response.completed"
    text = "".join(e["delta"] for e in events if e["type"] == "response.output_text.delta")
    arguments = "".join(e["delta"] for e in events if e["type"] == "response.function_call_arguments.delta")
    assert text == "Checking both."
    assert json.loads(arguments) == {"city": "Paris"}
    assert events[-1]["response"] == response_object(turn, "m")
    done = [e["item"] for e in events if e["type"] == "response.output_item.done"]
    assert done == response_object(turn, "m")["output"]


def test_shapes_validate_against_the_openai_types() -> None:
    openai = pytest.importorskip("openai")
    from pydantic import TypeAdapter

    turn = Turn(text="Both.", tool_calls=parallel_calls())
    completion = openai.types.chat.ChatCompletion.model_validate(chat_completion(turn, "m"))
    assert completion.choices[0].message.tool_calls[1].function.arguments == '{"city": "Oslo"}'
    for chunk in chat_chunks(turn, "m", include_usage=True):
        openai.types.chat.ChatCompletionChunk.model_validate(chunk)
    response = openai.types.responses.Response.model_validate(response_object(turn, "m"))
    assert response.output_text == "Both."
    adapter = TypeAdapter(openai.types.responses.ResponseStreamEvent)
    parsed = [adapter.validate_python(e) for e in response_events(turn, "m")]
    assert type(parsed[-1]).__name__ == "ResponseCompletedEvent"


# (b) the server over raw HTTP


@pytest.fixture
def server() -> Iterator[ScriptedOpenAIServer]:
    with ScriptedOpenAIServer(weather_script()) as running:
        yield running


def test_chat_over_http(server: ScriptedOpenAIServer) -> None:
    url = f"{server.base_url}/chat/completions"
    messages: list[dict[str, Any]] = [{"role": "user", "content": "Weather in Paris?"}]
    with httpx.Client() as client:
        first = client.post(url, json={"model": "m", "messages": messages, "tools": [WEATHER_TOOL]})
        assert first.status_code == 200 and first.headers["content-type"] == "application/json"
        message = first.json()["choices"][0]["message"]
        assert message["tool_calls"][0]["function"] == {"name": "weather", "arguments": '{"city": "Paris"}'}
        messages += [
            message,
            {"role": "tool", "tool_call_id": message["tool_calls"][0]["id"], "content": "sunny"},
        ]
        second = client.post(url, json={"model": "m", "messages": messages})
    assert second.json()["choices"][0]["message"]["content"] == "It is sunny."
    assert second.json()["model"] == "scripted-model"
    assert server.count("/chat/completions") == 2 and server.count("/responses") == 0
    assert server.requests[0] == {
        "path": "/v1/chat/completions",
        "body": {"model": "m", "messages": messages[:1], "tools": [WEATHER_TOOL]},
    }
    assert server.script.tools_seen()[0][0].name == "weather"


def test_chat_stream_over_http() -> None:
    script = Script([Turn(text="Checking.", tool_calls=PARALLEL.tool_calls)])
    body = {
        "messages": [{"role": "user", "content": "hi"}],
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    with ScriptedOpenAIServer(script) as server:
        response = httpx.post(f"{server.base_url}/chat/completions", json=body)
    assert response.headers["content-type"] == "text/event-stream"
    events = list(sse(response.text))
    assert events[-1] == (None, "[DONE]")
    chunks = [json.loads(data) for _, data in events[:-1]]
    assert chunks[-1]["usage"]["total_tokens"] > 0
    assert reassemble_chat(chunks) == {
        "content": "Checking.",
        "tool_calls": [
            {"id": "call_0_0", "name": "weather", "arguments": '{"city": "Paris"}'},
            {"id": "call_0_1", "name": "weather", "arguments": '{"city": "Oslo"}'},
        ],
        "finish_reason": "tool_calls",
    }


def test_responses_over_http(server: ScriptedOpenAIServer) -> None:
    url = f"{server.base_url}/responses"
    body: dict[str, Any] = {"model": "m", "input": "Weather in Paris?", "tools": [RESPONSES_WEATHER_TOOL]}
    first = httpx.post(url, json=body).json()
    assert first["object"] == "response"
    (item,) = first["output"]
    assert (item["type"], item["name"], item["arguments"]) == (
        "function_call",
        "weather",
        '{"city": "Paris"}',
    )
    body["input"] = [{"role": "user", "content": "Weather in Paris?"}, item]
    body["input"].append({"type": "function_call_output", "call_id": item["call_id"], "output": "sunny"})
    streamed = httpx.post(url, json={**body, "stream": True})
    assert streamed.headers["content-type"] == "text/event-stream"
    events = [(name, json.loads(data)) for name, data in sse(streamed.text)]
    assert all(name == event["type"] for name, event in events)
    assert (
        "".join(e["delta"] for _, e in events if e["type"] == "response.output_text.delta") == "It is sunny."
    )
    assert events[-1][1]["response"]["output"][0]["content"][0]["text"] == "It is sunny."
    assert server.count("/responses") == 2


def test_exhausted_script_is_a_readable_500(server: ScriptedOpenAIServer) -> None:
    messages = [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": "a"},
        {"role": "assistant", "content": "b"},
    ]
    response = httpx.post(f"{server.base_url}/chat/completions", json={"messages": messages})
    assert response.status_code == 500
    assert response.headers["x-should-retry"] == "false"
    error = response.json()["error"]
    assert (
        "ScriptExhausted" in error["message"]
        and "turn 3" in error["message"]
        and "2 turn(s)" in error["message"]
    )


def test_models_unknown_paths_and_delay() -> None:
    with ScriptedOpenAIServer(Script([say("slow", delay=0.2)]), model="my-model") as server:
        assert httpx.get(f"{server.base_url}/models").json()["data"][0]["id"] == "my-model"
        assert httpx.get(f"{server.base_url}/models/my-model").json()["id"] == "my-model"
        assert httpx.post(f"{server.base_url}/embeddings", json={}).status_code == 404
        assert httpx.get(f"{server.base_url}/nope").json()["error"]["type"] == "invalid_request_error"
        started = time.monotonic()
        answer = httpx.post(f"{server.base_url}/responses", json={"input": "x"}).json()
        assert time.monotonic() - started >= 0.2
        assert answer["output"][0]["content"][0]["text"] == "slow"
        assert server.count("") == 1
    with pytest.raises(RuntimeError, match="not running"):
        _ = server.base_url


# (c) the official openai SDK against the server


@pytest.fixture
def openai_client(server: ScriptedOpenAIServer) -> Any:
    openai = pytest.importorskip("openai")
    # Strict validation: every answer must match the SDK's own types, not merely parse.
    with openai.OpenAI(
        base_url=server.base_url, api_key=server.api_key, max_retries=0, _strict_response_validation=True
    ) as client:
        yield client


def test_sdk_chat_tool_call_then_final_text(openai_client: Any) -> None:
    messages: list[dict[str, Any]] = [{"role": "user", "content": "Weather in Paris?"}]
    first = openai_client.chat.completions.create(
        model="scripted-model", messages=messages, tools=[WEATHER_TOOL]
    )
    (tool_call,) = first.choices[0].message.tool_calls
    assert first.choices[0].finish_reason == "tool_calls"
    assert (tool_call.function.name, json.loads(tool_call.function.arguments)) == (
        "weather",
        {"city": "Paris"},
    )
    messages += [first.choices[0].message.model_dump(exclude_none=True)]
    messages += [{"role": "tool", "tool_call_id": tool_call.id, "content": "sunny"}]
    second = openai_client.chat.completions.create(
        model="scripted-model", messages=messages, tools=[WEATHER_TOOL]
    )
    assert second.choices[0].message.content == "It is sunny."
    assert second.usage.total_tokens > 0


def test_sdk_chat_stream(openai_client: Any) -> None:
    messages = [{"role": "user", "content": "Weather in Paris?"}]
    stream = openai_client.chat.completions.create(
        model="scripted-model",
        messages=messages,
        tools=[WEATHER_TOOL],
        stream=True,
        stream_options={"include_usage": True},
    )
    arguments = "".join(
        tc.function.arguments or ""
        for chunk in stream
        for choice in chunk.choices
        for tc in choice.delta.tool_calls or ()
    )
    assert json.loads(arguments) == {"city": "Paris"}
    with openai_client.chat.completions.stream(
        model="scripted-model", messages=messages, tools=[WEATHER_TOOL]
    ) as helper:
        final = helper.get_final_completion()
    assert final.choices[0].message.tool_calls[0].function.arguments == '{"city": "Paris"}'


def test_sdk_responses(openai_client: Any) -> None:
    first = openai_client.responses.create(
        model="scripted-model", input="Weather in Paris?", tools=[RESPONSES_WEATHER_TOOL]
    )
    (item,) = first.output
    assert (item.type, item.name, json.loads(item.arguments)) == (
        "function_call",
        "weather",
        {"city": "Paris"},
    )
    items = [{"role": "user", "content": "Weather in Paris?"}, item.model_dump(exclude_none=True)]
    items.append({"type": "function_call_output", "call_id": item.call_id, "output": "sunny"})
    second = openai_client.responses.create(model="scripted-model", input=items, instructions="Be brief.")
    assert second.output_text == "It is sunny."
    assert second.usage.total_tokens > 0


def test_sdk_responses_stream(openai_client: Any) -> None:
    first = openai_client.responses.create(model="scripted-model", input="Weather in Paris?", stream=True)
    events = list(first)
    assert events[0].type == "response.created" and events[-1].type == "response.completed"
    assert events[-1].response.output[0].arguments == '{"city": "Paris"}'
    items = [
        {"role": "user", "content": "Weather in Paris?"},
        events[-1].response.output[0].model_dump(exclude_none=True),
    ]
    items.append({"type": "function_call_output", "call_id": "call_0_0", "output": "sunny"})
    with openai_client.responses.stream(model="scripted-model", input=items) as stream:
        text = "".join(e.delta for e in stream if e.type == "response.output_text.delta")
        final = stream.get_final_response()
    assert text == final.output_text == "It is sunny."


async def test_async_sdk_streams(server: ScriptedOpenAIServer) -> None:
    openai = pytest.importorskip("openai")
    client = openai.AsyncOpenAI(
        base_url=server.base_url, api_key=server.api_key, max_retries=0, _strict_response_validation=True
    )
    async with client:
        stream = await client.chat.completions.create(
            model="m", messages=[{"role": "user", "content": "hi"}], stream=True
        )
        deltas = [
            tc.function
            async for chunk in stream
            for choice in chunk.choices
            for tc in choice.delta.tool_calls or ()
        ]
        assert [d.name for d in deltas if d.name] == ["weather"]
        events = [e async for e in await client.responses.create(model="m", input="hi", stream=True)]
        assert events[-1].response.output[0].name == "weather"


# (d) the chat models


async def run_loop(chat: Any, prompt: str) -> list[dict[str, Any]]:
    """A minimal homegrown agent loop; returns every assistant message."""
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": prompt},
    ]
    answers = []
    while True:
        message = await chat(messages, [WEATHER_TOOL])
        answers.append(message)
        messages.append(message)
        if not message.get("tool_calls"):
            return answers
        for tool_call in message["tool_calls"]:
            city = json.loads(tool_call["function"]["arguments"])["city"]
            messages.append({"role": "tool", "tool_call_id": tool_call["id"], "content": f"sunny in {city}"})


async def test_scripted_chat_and_openai_chat_answer_alike() -> None:
    def script() -> Script:
        return Script([PARALLEL, say("Done: {results}.")])

    with ScriptedOpenAIServer(script()) as server:
        remote = OpenAIChat("scripted-model", base_url=server.base_url, api_key=server.api_key)
        over_http = await run_loop(remote, "Compare Paris and Oslo")
        sync = remote.complete([{"role": "user", "content": "Compare"}])
    local = ScriptedChat(script())
    in_process = await run_loop(local, "Compare Paris and Oslo")
    assert in_process == over_http
    assert in_process[-1] == {"role": "assistant", "content": "Done: sunny in Paris, sunny in Oslo."}
    assert in_process[0]["content"] is None and len(in_process[0]["tool_calls"]) == 2
    assert local.complete([{"role": "user", "content": "Compare"}]) == sync


def test_openai_chat_needs_an_api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(ValueError, match="OPENAI_API_KEY"):
        OpenAIChat("gpt-x")


def test_openai_chat_reads_env_and_reports_http_errors(
    server: ScriptedOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env")
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url + "/")
    chat = OpenAIChat("scripted-model")
    assert chat.base_url == server.base_url
    exhausted = [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": "a"},
        {"role": "assistant", "content": "b"},
    ]
    with pytest.raises(RuntimeError, match="HTTP 500.*ScriptExhausted"):
        chat.complete(exhausted)


async def test_scripted_chat_honours_delay() -> None:
    chat = ScriptedChat(Script([say("late", delay=0.1)]))
    started = time.monotonic()
    assert await chat([{"role": "user", "content": "x"}]) == {"role": "assistant", "content": "late"}
    assert time.monotonic() - started >= 0.1


# (e) concurrency


def test_concurrent_conversations_get_their_own_answers() -> None:
    """Eight requests are answered at once: each answer waits until all eight are being served,
    which a server answering one request after another never reaches (its barrier breaks)."""
    prompts = [f"topic-{i}" for i in range(8)]
    all_in = threading.Barrier(len(prompts))
    script = Script(
        by_prompt={p: [say(f"answer for {p}")] for p in prompts},
        on_respond=lambda request: all_in.wait(timeout=60),
    )
    answers: dict[str, str] = {}

    def ask(prompt: str) -> None:
        body = {"messages": [{"role": "user", "content": f"Tell me about {prompt}"}]}
        completion = httpx.post(f"{server.base_url}/chat/completions", json=body, timeout=120).json()
        answers[prompt] = completion["choices"][0]["message"]["content"]

    with ScriptedOpenAIServer(script) as server:
        threads = [threading.Thread(target=ask, args=(p,)) for p in prompts]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    assert not all_in.broken, "requests were answered one after another"
    assert answers == {p: f"answer for {p}" for p in prompts}
    assert server.count("/chat/completions") == 8
    assert sorted(script.calls_by_prompt().values()) == [1] * 8
