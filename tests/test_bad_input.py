"""Bad input gets a clear error naming the object and the fix."""

from __future__ import annotations

import inspect
import json
from typing import Any

import flyte
import pytest

import byof
from byof.errors import NoAdapterError, ToolDecoratorOrderError
from byof.runtime.origin import origin


def _object_from(module: str) -> Any:
    cls = type("Crew", (), {"__module__": module})
    return cls()


def test_framework_without_an_adapter_names_the_extra_and_the_workaround() -> None:
    """A known framework whose adapter is not among the installed ones (every extra has one by
    now, so the installed set is given explicitly)."""
    from byof.plugins.manager import adapter_infos, no_adapter_error

    without_crewai = [i for i in adapter_infos() if i.extra != "crewai"]
    message = str(no_adapter_error(_object_from("crewai.crew"), without_crewai))
    assert "crewai.crew.Crew" in message and '"flyte-byof[crewai]"' in message
    assert "no crewai adapter yet" in message and "wrap a plain function" in message
    assert "generic (any Python callable)" in message and "crewai (CrewAI)" not in message


def test_installed_adapter_for_the_framework_says_to_install_the_framework() -> None:
    """The real adapter list: the crewai adapter is registered, so the fix is the extra."""
    with pytest.raises(NoAdapterError) as info:
        byof.wrap(_object_from("crewai.crew"), env=flyte.TaskEnvironment("e"))
    message = str(info.value)
    assert "crewai (CrewAI)" in message
    assert f"Install the framework its adapter supports: {origin().pip_install(['crewai'])}." in message


def test_adapter_registered_for_the_extra_says_to_install_it() -> None:
    class ClaimsNothing(byof.Adapter[None]):
        name, framework, extra = "crewai-test", "CrewAI", "crewai"

        def claims(self, obj: Any) -> bool:
            return False

    class Plugin:
        def byof_register_adapters(self, register: Any) -> None:
            register(ClaimsNothing())

    plugin = Plugin()
    byof.register(plugin)
    try:
        with pytest.raises(NoAdapterError) as info:
            byof.wrap(_object_from("crewai.crew"), env=flyte.TaskEnvironment("e"))
        assert f"Install the framework its adapter supports: {origin().pip_install(['crewai'])}." in str(
            info.value
        )
    finally:
        byof.unregister(plugin)


def test_object_of_no_known_framework_says_what_to_do() -> None:
    with pytest.raises(NoAdapterError) as info:
        byof.wrap(_object_from("autogen.agentchat"), env=flyte.TaskEnvironment("e"))
    assert "No byof extra covers" in str(info.value) and "entry-point group" in str(info.value)


def test_user_module_named_like_a_framework_is_still_a_loop(flyte_local: None) -> None:
    """A user's own `agents.py` is not the openai-agents package: its functions are loops."""
    namespace: dict[str, Any] = {"__name__": "agents"}
    exec(
        "def my_loop(prompt):\n    return prompt[::-1]\nclass Loop:\n    def __call__(self, p):\n        return p",
        namespace,
    )
    assert (
        flyte.run(byof.wrap(namespace["my_loop"], env=flyte.TaskEnvironment("e")), prompt="ab").outputs()[0]
        == "ba"
    )
    assert byof.wrap(namespace["Loop"](), env=flyte.TaskEnvironment("e"), name="obj") is not None


def test_unclaimed_function_is_described_by_its_own_name() -> None:
    from byof.plugins.manager import no_adapter_error

    def my_loop(prompt: str) -> str:
        return prompt

    assert "test_bad_input.test_unclaimed_function_is_described_by_its_own_name.<locals>.my_loop" in str(
        no_adapter_error(my_loop, [])
    )


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
    with pytest.raises(
        Exception, match=r"tool 'lookup' is a sync call made on the agent task's event loop"
    ) as info:
        flyte.run(task, prompt="x")
    assert "await the tool's .aio(...)" in str(info.value)


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


def test_callable_object_of_an_installed_framework_is_left_to_its_adapter(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """click stands in for a framework here: its Command objects are callable and come from an installed
    distribution, exactly the case of a smolagents agent, which the generic adapter must not claim."""
    import click

    import byof.plugins.detection

    monkeypatch.setitem(byof.plugins.detection.KNOWN_EXTRAS, "click", "smolagents")
    assert byof.plugins.detection.framework_of(click.Command("cli")) == "click"
    with pytest.raises(NoAdapterError, match=r"click.core.Command") as info:
        byof.wrap(click.Command("cli"), env=flyte.TaskEnvironment("e"))
    assert origin().pip_install(["smolagents"]) in str(info.value)


# -- options ----------------------------------------------------------------------------------


def test_invalid_options_name_what_is_wrong_and_what_is_allowed() -> None:
    env = flyte.TaskEnvironment("options")
    with pytest.raises(ValueError, match=r"on_divergence='retry'\) must be 'error' or 'rerun'"):
        byof.wrap(lambda p: p, env=env, on_divergence="retry")  # type: ignore[arg-type]
    with pytest.raises(ValueError) as info:
        byof.wrap(lambda p: p, env=env, tool_options={"search": "container"})
    assert "tool_options['search']='container'" in str(info.value) and "task, trace, inline" in str(
        info.value
    )
    with pytest.raises(ValueError) as info:
        byof.wrap(lambda p: p, env=env, tool_options={"search": {"retry": 3}})
    assert "tool_options['search']" in str(info.value) and "retries" in str(info.value)
    with pytest.raises(TypeError, match=r"tool_options\['search'\]=3\) is a int"):
        byof.wrap(lambda p: p, env=env, tool_options={"search": 3})  # type: ignore[dict-item]
    with pytest.raises(TypeError, match="maps tool names to options"):
        byof.wrap(lambda p: p, env=env, tool_options=["search"])  # type: ignore[arg-type]
    assert list(env.tasks) == [], "nothing is registered for a refused wrap"


@pytest.mark.parametrize("journal", ["", "."])
def test_an_unusable_journal_path_is_refused_when_wrapping(journal: str) -> None:
    from byof.errors import JournalError

    with pytest.raises(JournalError, match="empty|is a directory"):
        byof.wrap(lambda p: p, env=flyte.TaskEnvironment("journal"), journal=journal)


# -- objects that are not agents yet -----------------------------------------------------------


def test_a_class_instead_of_an_instance_says_to_build_the_agent() -> None:
    class Loop:
        def __call__(self, prompt: str) -> str:
            return prompt

    with pytest.raises(NoAdapterError, match=r"got the class .*Loop, not an agent.*byof.wrap\(Loop\(...\)"):
        byof.wrap(Loop, env=flyte.TaskEnvironment("e"))


# -- tools whose arguments or results cannot cross into a task -----------------------------------


def test_a_method_cannot_be_a_byof_tool() -> None:
    from byof.errors import ToolRoutingError

    with pytest.raises(ToolRoutingError, match=r"method .*Store.lookup a tool: its 'self'"):

        class Store:
            @byof.tool
            def lookup(self, key: str) -> str:
                return key


@byof.tool
def pair(args: int, *rest: int, kwargs: str = "k", **extra: int) -> list:
    """Parameters named args and kwargs beside *rest and **extra."""
    return [args, list(rest), kwargs, extra]


@byof.tool
def echo(value):
    return value


@byof.tool
def make_lock(n: int):
    import threading

    return threading.Lock()


def _run_agent(body: Any, name: str) -> Any:
    task = byof.wrap(body, env=flyte.TaskEnvironment("crossing"), name=name)
    return flyte.run(task, prompt="x").outputs()[0]


def test_parameters_named_args_and_kwargs_beside_star_args_cross_as_they_are(flyte_local: None) -> None:
    from byof.testing.recorder import record_flyte

    async def agent(prompt: str) -> str:
        return json.dumps(await pair.aio(1, 2, 3, kwargs="x", y=4))

    with record_flyte() as rec:
        assert json.loads(_run_agent(agent, "pairs")) == [1, [2, 3], "x", {"y": 4}]
    assert len(rec.tasks_named("pairs__pair")) == 1


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("argument", r"tool 'echo' of agent 'argument': argument 'value' is a _thread.lock"),
        ("result", r"tool 'make_lock' of agent 'result': its result is a _thread.lock"),
        (
            "surrogate",
            r"tool 'echo' of agent 'surrogate': argument 'value' holds text that is not valid Unicode",
        ),
    ],
)
def test_values_that_cannot_cross_into_a_tool_task_name_the_tool_and_the_value(
    flyte_local: None, case: str, expected: str
) -> None:
    import re
    import threading

    from byof.errors import SerializationError

    async def agent(prompt: str) -> str:
        if case == "argument":
            return str(await echo.aio(threading.Lock()))
        if case == "result":
            return str(await make_lock.aio(1))
        return str(await echo.aio("bad \ud800 text"))

    with pytest.raises(flyte.errors.RuntimeUserError) as info:
        _run_agent(agent, case)
    original = byof.original_error(info.value)
    assert isinstance(original, SerializationError) and re.search(expected, str(original)), str(original)
    assert "tool_options" in str(original) or "errors='replace'" in str(original)
