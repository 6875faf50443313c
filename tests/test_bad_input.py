"""Bad input gets a clear error naming the object and the fix."""

from __future__ import annotations

import inspect
from typing import Any

import flyte
import pytest

import byof
from byof.errors import NoAdapterError, NotDurableError, ToolDecoratorOrderError


def _object_from(module: str) -> Any:
    cls = type("Crew", (), {"__module__": module})
    return cls()


def test_unknown_framework_object_names_the_extra_to_install() -> None:
    with pytest.raises(NoAdapterError) as info:
        byof.wrap(_object_from("crewai.crew"), env=flyte.TaskEnvironment("e"))
    message = str(info.value)
    assert "crewai.crew.Crew" in message and 'pip install "flyte-byof[crewai]"' in message
    assert "generic (any Python callable)" in message


def test_object_of_no_known_framework_says_what_to_do() -> None:
    with pytest.raises(NoAdapterError) as info:
        byof.wrap(_object_from("autogen.agentchat"), env=flyte.TaskEnvironment("e"))
    assert "No byof extra covers" in str(info.value) and "entry-point group" in str(info.value)


def test_framework_object_that_happens_to_be_callable_is_not_taken_as_a_loop() -> None:
    cls = type("CodeAgent", (), {"__module__": "smolagents.agents", "__call__": lambda self, task: task})
    with pytest.raises(NoAdapterError, match=r"flyte-byof\[smolagents\]"):
        byof.wrap(cls(), env=flyte.TaskEnvironment("e"))


def test_env_must_be_a_task_environment() -> None:
    with pytest.raises(TypeError, match="flyte.TaskEnvironment"):
        byof.wrap(lambda p: p, env="not-an-env")  # type: ignore[arg-type]


def test_unknown_tool_mode_is_rejected() -> None:
    with pytest.raises(ValueError, match="not one of task, trace, inline"):
        byof.wrap(lambda p: p, env=flyte.TaskEnvironment("e"), tools="container")


class FrameworkTool:
    """Stands in for a framework's tool object (StructuredTool, FunctionTool, ...)."""

    def __init__(self, fn: Any) -> None:
        self.fn = fn
        self.name = fn.__name__
        self.signature = inspect.signature(fn)
        self.description = inspect.getdoc(fn)


def framework_tool(fn: Any) -> FrameworkTool:
    return FrameworkTool(fn)


def test_byof_tool_over_a_framework_tool_says_how_to_fix_the_order() -> None:
    with pytest.raises(ToolDecoratorOrderError) as info:

        @byof.tool
        @framework_tool
        def lookup(city: str) -> str:
            return city

    message = str(info.value)
    assert "FrameworkTool" in message and "@framework_tool\n    @byof.tool" in message


def test_framework_decorator_over_byof_tool_sees_the_original_function() -> None:
    @framework_tool
    @byof.tool
    def lookup(city: str, days: int = 3) -> str:
        """Look up the weather."""
        return city

    def plain(city: str, days: int = 3) -> str:
        return city

    assert lookup.name == "lookup" and lookup.description == "Look up the weather."
    assert lookup.signature == inspect.signature(plain)
    assert lookup.fn("Paris") == "Paris"  # plain call outside any Flyte task


def test_durable_tool_inside_a_plain_flyte_task_fails_loudly(flyte_local: None) -> None:
    @byof.tool
    def lookup(city: str) -> str:
        return city

    @byof.model_call
    async def ask(q: str) -> str:
        return q

    e = flyte.TaskEnvironment("plain")

    @e.task
    async def not_wrapped(city: str) -> str:
        return lookup(city)

    @e.task
    async def not_wrapped_model(q: str) -> str:
        return await ask(q)

    with pytest.raises(Exception, match=r"not a byof-wrapped agent run") as info:
        flyte.run(not_wrapped, city="Paris")
    assert "lookup" in str(info.value) and "byof.wrap" in str(info.value)
    with pytest.raises(Exception, match=r"byof.model_call 'ask'"):
        flyte.run(not_wrapped_model, q="x")


def test_sync_tool_called_on_the_event_loop_thread_explains_the_fix(flyte_local: None) -> None:
    @byof.tool
    def lookup(city: str) -> str:
        return city

    async def blocking_loop(prompt: str) -> str:
        return lookup(prompt)  # sync durable call on the task's own event loop thread

    task = byof.wrap(blocking_loop, env=flyte.TaskEnvironment("e"))
    with pytest.raises(Exception, match=r"await lookup.aio|Make the tool async") as info:
        flyte.run(task, prompt="x")
    assert NotDurableError.__name__ in repr(info.value) or "event loop" in str(info.value)


def test_model_call_returning_non_json_names_the_step(flyte_local: None) -> None:
    class Opaque:
        pass

    @byof.model_call
    async def complete(prompt: str) -> Any:
        return Opaque()

    async def loop(prompt: str) -> str:
        return str(await complete(prompt))

    task = byof.wrap(loop, env=flyte.TaskEnvironment("e"))
    with pytest.raises(Exception, match=r"model call 'complete' returned Opaque") as info:
        flyte.run(task, prompt="x")
    assert "A traced step stores JSON" in str(info.value)


def test_wrapping_a_flyte_task_is_refused() -> None:
    env = flyte.TaskEnvironment("e")
    task = byof.wrap(lambda p: p, env=env, name="inner")
    with pytest.raises(TypeError, match="already durable; wrap the agent"):
        byof.wrap(task, env=env)
