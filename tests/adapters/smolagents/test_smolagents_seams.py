"""The smolagents internals byof's adapter relies on, checked against the installed release.

If smolagents changes one of these, this file says which seam moved, before the end-to-end
tests fail in some less direct way.
"""

from __future__ import annotations

import dataclasses
import inspect
import json
from typing import Any

import pytest

pytest.importorskip("smolagents")

from smolagents import CodeAgent, ToolCallingAgent, tool
from smolagents.local_python_executor import LocalPythonExecutor
from smolagents.memory import ActionStep, CallbackRegistry, FinalAnswerStep, PlanningStep, TaskStep, ToolCall
from smolagents.models import ChatMessage, MessageRole
from smolagents.monitoring import Timing, TokenUsage
from smolagents.utils import AgentToolExecutionError

from byof.adapters import smolagents_memory
from byof.testing.script import Script, say
from byof.testing.smolagents import ScriptedModel


@tool
def echo(text: str) -> str:
    """Echo a text.

    Args:
        text: the text
    """
    return text


def agent(kind: type = ToolCallingAgent, **kwargs: Any) -> Any:
    return kind(tools=[echo], model=ScriptedModel(Script([say("x")])), verbosity_level=0, **kwargs)


def test_tool_decorator_forward_declares_self_that_it_does_not_take() -> None:
    """byof drops that `self` from the task body's signature."""
    assert list(inspect.signature(echo.forward).parameters) == ["self", "text"]
    assert echo.forward(text="hi") == "hi"


def test_step_callbacks_registry_holds_the_monitor() -> None:
    built = agent()
    assert isinstance(built.step_callbacks, CallbackRegistry)
    registered = built.step_callbacks._callbacks[ActionStep]
    assert any(getattr(cb, "__self__", None) is built.monitor for cb in registered)


def test_local_executor_state_lives_in_these_attributes() -> None:
    executor = agent(CodeAgent).python_executor
    assert isinstance(executor, LocalPythonExecutor)
    assert executor.state == {"__name__": "__main__"} and executor.custom_tools == {}
    assert executor.static_tools is None


def test_code_agent_makes_its_executor_from_executor_type() -> None:
    built = agent(CodeAgent)
    assert built.executor_type == "local" and isinstance(built.create_python_executor(), LocalPythonExecutor)


def test_chat_message_round_trips_through_its_dict() -> None:
    from smolagents.models import get_dict_from_nested_dataclasses

    message = ChatMessage(
        role=MessageRole.ASSISTANT, content="hi", raw=object(), token_usage=TokenUsage(1, 2)
    )
    data = get_dict_from_nested_dataclasses(message, ignore_key="raw")
    assert "raw" not in data and data["token_usage"]["total_tokens"] == 3
    rebuilt = ChatMessage.from_dict({k: v for k, v in data.items() if k != "token_usage"})
    assert rebuilt.content == "hi" and rebuilt.role == MessageRole.ASSISTANT


def test_memory_round_trips_every_step_kind_it_writes_to_messages() -> None:
    """What the model sees of the loaded memory is what it saw of the original."""
    logger = agent().logger
    steps = [
        TaskStep(task="first"),
        PlanningStep(
            model_input_messages=[],
            model_output_message=ChatMessage(role=MessageRole.ASSISTANT, content="plan"),
            plan="1. echo",
            timing=Timing(start_time=1.0, end_time=2.0),
        ),
        ActionStep(
            step_number=1,
            timing=Timing(start_time=2.0, end_time=3.0),
            tool_calls=[ToolCall(name="echo", arguments={"text": "hi"}, id="call_1")],
            model_output="",
            observations="hi",
            token_usage=TokenUsage(input_tokens=3, output_tokens=4),
        ),
        ActionStep(
            step_number=2,
            timing=Timing(start_time=3.0),
            error=AgentToolExecutionError("echo failed", logger),
        ),
        FinalAnswerStep(output={"answer": 42}),
    ]
    data = smolagents_memory.dump(steps)
    assert json.loads(json.dumps(data)) == data, "plain JSON"
    loaded = smolagents_memory.load(data)
    assert [type(s) for s in loaded] == [type(s) for s in steps]
    for before, after in zip(steps, loaded, strict=True):
        if hasattr(before, "to_messages") and not isinstance(before, FinalAnswerStep):
            assert [m.content for m in after.to_messages()] == [m.content for m in before.to_messages()]
    assert type(loaded[3].error) is AgentToolExecutionError and loaded[4].output == {"answer": 42}


def test_memory_steps_are_dataclasses_with_these_fields() -> None:
    fields = {f.name for f in dataclasses.fields(ActionStep)}
    assert {"step_number", "timing", "tool_calls", "error", "model_output", "observations"} <= fields


def test_unknown_memory_step_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="memory step 'Nope' is not one of"):
        smolagents_memory.load([{"type": "Nope"}])
