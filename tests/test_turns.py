"""Model calls in words (byof.turns): each framework's recorded request and response, read by shape.

The samples are the shapes byof records for each framework (trimmed copies of what real runs
of the examples recorded); the report and the live view show what these functions return.
"""

from __future__ import annotations

from byof.observability.turns import Message, ToolCallView, asked, decided, usage_of

SYSTEM = {"type": "system", "data": {"content": "Be brief.", "type": "system"}}
HUMAN = {"type": "human", "data": {"content": "Weather in Paris?", "type": "human", "id": "x"}}
AI_CALLS = {
    "type": "ai",
    "data": {
        "content": "",
        "type": "ai",
        "tool_calls": [
            {"name": "get_weather", "args": {"city": "Paris"}, "id": "call_0", "type": "tool_call"}
        ],
        "usage_metadata": {"input_tokens": 24, "output_tokens": 14, "total_tokens": 38},
    },
}
TOOL = {
    "type": "tool",
    "data": {"content": "sunny", "type": "tool", "name": "get_weather", "tool_call_id": "call_0"},
}


def test_langchain_messages_generations_and_streams() -> None:
    request = {"model": {"name": "gpt-4o-mini"}, "messages": [SYSTEM, HUMAN, AI_CALLS, TOOL]}
    assert asked(request) == [Message("tool", "sunny", name="get_weather")]
    assert asked({"messages": [SYSTEM, HUMAN]}) == [Message("user", "Weather in Paris?")]
    response = {"generations": [{"message": AI_CALLS}], "llm_output": {"token_usage": {"prompt_tokens": 24}}}
    assert decided(response) == Message("assistant", "", (ToolCallView("get_weather", {"city": "Paris"}),))
    assert usage_of(response) == {"input": 24, "output": 14, "total": 38}, "the message's, not twice"
    chunks = {
        "chunks": [
            {"type": "AIMessageChunk", "data": {"content": "Sun", "tool_call_chunks": []}},
            {
                "type": "AIMessageChunk",
                "data": {"content": "ny", "usage_metadata": {"input_tokens": 5, "output_tokens": 2}},
            },
        ]
    }
    assert decided(chunks) == Message("assistant", "Sunny") and usage_of(chunks) == {
        "input": 5,
        "output": 2,
        "total": 7,
    }


def test_pydantic_ai_parts() -> None:
    request = {
        "messages": [
            {
                "kind": "request",
                "instructions": "Be brief.",
                "parts": [{"part_kind": "user-prompt", "content": "Order 1042?"}],
            },
            {
                "kind": "response",
                "parts": [{"part_kind": "tool-call", "tool_name": "lookup", "args": {"id": "1042"}}],
            },
            {
                "kind": "request",
                "parts": [
                    {"part_kind": "tool-return", "tool_name": "lookup", "content": {"status": "shipped"}}
                ],
            },
        ]
    }
    assert asked(request) == [Message("tool", '{"status": "shipped"}', name="lookup")]
    response = {
        "kind": "response",
        "parts": [
            {"part_kind": "text", "content": "Shipped."},
            {"part_kind": "tool-call", "tool_name": "done", "args": "{}"},
        ],
        "usage": {"input_tokens": 63, "output_tokens": 20, "cache_read_tokens": 0},
    }
    assert decided(response) == Message("assistant", "Shipped.", (ToolCallView("done", {}),))
    assert usage_of(response) == {"input": 63, "output": 20, "total": 83}


def test_openai_responses_items_as_the_agents_sdk_records_them() -> None:
    request = {
        "system": "Triage.",
        "input": [
            {"role": "user", "content": "Order 1042?"},
            {
                "type": "function_call",
                "name": "order_status",
                "arguments": '{"order_id":"1042"}',
                "call_id": "c1",
            },
            {"type": "function_call_output", "output": "shipped", "call_id": "c1"},
        ],
    }
    assert asked(request) == [Message("tool", "shipped", name="order_status")], "named through its call id"
    response = {
        "output": [
            {"type": "function_call", "name": "transfer_to_orders", "arguments": "{}", "call_id": "c2"},
            {
                "type": "message",
                "role": "assistant",
                "content": [{"type": "output_text", "text": "Handing over."}],
            },
        ],
        "usage": {"requests": 0, "input_tokens": 0, "output_tokens": 0, "total_tokens": 0},
    }
    said = decided(response)
    assert said == Message("assistant", "Handing over.", (ToolCallView("transfer_to_orders", {}),))
    assert str(said.tool_calls[0]) == "transfer_to_orders()"
    assert usage_of(response) is None, "all zeros (a scripted model) is no count at all"


def test_openai_chat_completions_and_a_homegrown_loops_arguments() -> None:
    messages = [
        {"role": "user", "content": "Add 1 and 2"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [{"id": "t1", "function": {"name": "add", "arguments": '{"a": 1, "b": 2}'}}],
        },
        {"role": "tool", "tool_call_id": "t1", "content": "3"},
    ]
    assert asked({"step": "chat", "arguments": {"messages": messages, "tools": []}}) == [
        Message("tool", "3", name="add")
    ]
    assert asked({"step": "plan", "arguments": {"prompt": "Plan it"}}) == [Message("user", "Plan it")]
    completion = {
        "choices": [{"message": {"role": "assistant", "content": "3"}}],
        "usage": {"prompt_tokens": 30, "completion_tokens": 1, "total_tokens": 31},
    }
    assert decided(completion) == Message("assistant", "3") and usage_of(completion) == {
        "input": 30,
        "output": 1,
        "total": 31,
    }
    assert str(decided(messages[1]).tool_calls[0]) == "add(a=1, b=2)"


def test_smolagents_crewai_and_anthropic_shapes() -> None:
    smol_request = {
        "messages": [
            {"role": "user", "content": [{"type": "text", "text": "New task: compare"}]},
            {"role": "assistant", "content": [{"type": "text", "text": "<code>get_weather('Paris')</code>"}]},
            {"role": "tool-call", "content": [{"type": "text", "text": "Calling tools: ..."}]},
            {"role": "tool-response", "content": [{"type": "text", "text": "Observation: sunny"}]},
        ]
    }
    assert asked(smol_request) == [Message("tool", "Observation: sunny")]
    smol = {
        "role": "assistant",
        "content": "Thought: done",
        "tool_calls": None,
        "token_usage": {"input_tokens": 2157, "output_tokens": 8},
    }
    assert decided(smol) == Message("assistant", "Thought: done") and usage_of(smol)["total"] == 2165

    crew_calls = {
        "value": [
            {
                "id": "c",
                "type": "function",
                "function": {"name": "lookup_notes", "arguments": '{"topic": "x"}'},
            }
        ]
    }
    assert decided(crew_calls) == Message("assistant", "", (ToolCallView("lookup_notes", {"topic": "x"}),))
    assert (
        decided({"value": "Summary."}) == Message("assistant", "Summary.")
        and usage_of({"value": "Summary."}) is None
    )

    claude = {
        "role": "assistant",
        "type": "message",
        "content": [
            {"type": "text", "text": "Let me look."},
            {"type": "tool_use", "name": "lookup", "input": {"q": "x"}},
        ],
        "usage": {"input_tokens": 12, "output_tokens": 4},
    }
    assert decided(claude) == Message("assistant", "Let me look.", (ToolCallView("lookup", {"q": "x"}),))
    assert usage_of(claude) == {"input": 12, "output": 4, "total": 16}


def test_unknown_shapes_are_left_to_the_caller() -> None:
    assert decided({"plan": ["add"], "prompt": "p"}) is None and usage_of({"plan": []}) is None
    assert asked(12) == [] and decided(12) is None
