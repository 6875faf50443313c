"""Shared tool machinery: task interfaces for any tool function, argument coercion, exception transport."""

from __future__ import annotations

import typing
from typing import Any, Optional

import flyte.errors
import pytest
from pydantic import BaseModel

from byof.durability.exceptions import dump_error, load_error, original_error, to_flyte_error
from byof.errors import ToolFailed
from byof.steps.tool_signature import ToolSignature
from byof.steps.tools import task_function_name


def unannotated(a, b=2):
    return a + b


def annotated(x: float, items: list[int], note: str = None) -> dict:  # type: ignore[assignment]
    return {}


class Point(BaseModel):
    x: float
    y: float


def with_model(p: Point, *args: int, scale: float = 1.0, **extra: str) -> Point:
    return p


def positional_only(a: int, /, b: int) -> int:
    return a - b


def test_unannotated_parameters_and_missing_return_become_any() -> None:
    sig = ToolSignature.of(unannotated)
    assert sig.task_params == (("a", Any), ("b", Any))
    assert sig.output is Any


def test_declared_types_kept_and_none_default_made_optional() -> None:
    sig = ToolSignature.of(annotated)
    params = dict(sig.task_params)
    assert params["x"] is float and params["items"] == list[int]
    assert params["note"] == Optional[str]  # noqa: UP045
    assert sig.output is dict


def test_llm_json_arguments_are_coerced_to_declared_types() -> None:
    sig = ToolSignature.of(annotated)
    inputs = sig.to_task_inputs((), {"x": 2, "items": ["1", 2]})
    assert inputs == {"x": 2.0, "items": [1, 2], "note": None}
    assert isinstance(inputs["x"], float)


def test_pydantic_arguments_and_variadics_round_trip() -> None:
    sig = ToolSignature.of(with_model)
    inputs = sig.to_task_inputs(({"x": 1, "y": 2}, 7, 8), {"scale": 3, "tag": "t"})
    assert isinstance(inputs["p"], Point) and inputs["args"] == [7, 8] and inputs["extra"] == {"tag": "t"}
    args, kwargs = sig.to_call(inputs)
    assert args[0] == Point(x=1, y=2) and args[1:] == [7, 8]
    assert kwargs == {"scale": 3.0, "tag": "t"}


def test_positional_only_parameters_are_passed_positionally() -> None:
    sig = ToolSignature.of(positional_only)
    args, kwargs = sig.to_call(sig.to_task_inputs((5,), {"b": 2}))
    assert positional_only(*args, **kwargs) == 3


def test_task_signature_is_one_flyte_accepts() -> None:
    import flyte

    env = flyte.TaskEnvironment("machinery")
    for fn in (unannotated, annotated, with_model, positional_only):
        sig = ToolSignature.of(fn).task_signature()

        async def body(**kw: Any) -> Any:
            return None

        body.__signature__ = sig  # type: ignore[attr-defined]
        body.__annotations__ = {p.name: p.annotation for p in sig.parameters.values()} | {
            "return": sig.return_annotation
        }
        body.__name__ = fn.__name__
        task = env.task(body)
        assert list(task.interface.inputs) == [p.name for p in sig.parameters.values()]


def test_task_names_are_stable_identifiers_and_unique_after_cleaning() -> None:
    assert task_function_name("agent", "get_weather") == "agent__get_weather"
    a, b = task_function_name("agent", "web search"), task_function_name("agent", "web-search")
    assert a != b and a.isidentifier() and b.isidentifier()
    assert task_function_name("agent", "web search") == a


class FrameworkRetry(Exception):
    """Stands in for a framework's control-flow exception (ModelRetry, ToolException)."""


class NeedsTwoArgs(Exception):
    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def _through_flyte(exc: Exception, control_flow: tuple[type[BaseException], ...] = ()) -> BaseException:
    """What the parent sees: the tool task's error, converted as Flyte converts a failed child."""
    from flyte._internal.runtime.convert import convert_error_to_native, convert_from_native_to_error

    err = convert_from_native_to_error(to_flyte_error(exc, control_flow))
    return original_error(convert_error_to_native(err))


def test_tool_exception_class_survives_the_task_boundary() -> None:
    rebuilt = _through_flyte(ValueError("bad input"))
    assert type(rebuilt) is ValueError and str(rebuilt) == "bad input"
    rebuilt = _through_flyte(FrameworkRetry("try again"), (FrameworkRetry,))
    assert type(rebuilt) is FrameworkRetry and str(rebuilt) == "try again"


def test_exception_needing_constructor_args_is_still_its_class() -> None:
    rebuilt = _through_flyte(NeedsTwoArgs("quota", 429))
    assert isinstance(rebuilt, NeedsTwoArgs) and str(rebuilt) == "quota"


def test_control_flow_errors_are_not_retried_others_are() -> None:
    assert isinstance(
        to_flyte_error(FrameworkRetry("x"), (FrameworkRetry,)), flyte.errors.NonRecoverableError
    )
    err = to_flyte_error(ValueError("x"))
    assert isinstance(err, flyte.errors.RuntimeUserError)
    assert not isinstance(err, flyte.errors.NonRecoverableError)


class StrNeedsState(Exception):
    """Like SQLAlchemy's errors: __str__ reads attributes only the constructor sets."""

    def __init__(self, statement: str, orig: Exception) -> None:
        super().__init__(statement)
        self.statement, self.orig = statement, orig

    def __str__(self) -> str:
        return f"({type(self.orig).__name__}) {self.orig} [SQL: {self.statement}]"


class KeywordOnly(Exception):
    """Like httpx.HTTPStatusError: required keyword-only constructor arguments."""

    def __init__(self, message: str, *, request: str, response: int) -> None:
        super().__init__(message)
        self.request, self.response = request, response


def test_an_exception_whose_str_needs_its_state_keeps_its_message_exactly() -> None:
    original = StrNeedsState("SELECT 1", ValueError("database is locked"))
    rebuilt = _through_flyte(original)
    assert isinstance(rebuilt, StrNeedsState) and type(rebuilt).__name__ == "StrNeedsState"
    assert type(rebuilt).__module__ == StrNeedsState.__module__
    assert str(rebuilt) == str(original) == "(ValueError) database is locked [SQL: SELECT 1]"
    assert repr(rebuilt).startswith("StrNeedsState(")


def test_unimportable_exception_class_keeps_its_name_module_and_message() -> None:
    err = flyte.errors.RuntimeUserError("byof:gone.module:Missing", "it broke")
    rebuilt = original_error(err)
    assert isinstance(rebuilt, ToolFailed) and rebuilt.original_type == "gone.module.Missing"
    assert type(rebuilt).__name__ == "Missing" and type(rebuilt).__module__ == "gone.module"
    assert str(rebuilt) == "it broke"


@pytest.mark.parametrize(
    "original",
    [
        KeywordOnly("Server error 503", request="GET /x", response=503),
        StrNeedsState("SELECT 1", ValueError("locked")),
        NeedsTwoArgs("quota", 429),
        ValueError("plain"),
    ],
)
def test_journaled_exceptions_replay_as_the_same_class_message_and_state(original: Exception) -> None:
    import cloudpickle

    replayed = load_error(cloudpickle.loads(cloudpickle.dumps(dump_error(original))))
    assert isinstance(replayed, type(original)) and type(replayed).__name__ == type(original).__name__
    assert str(replayed) == str(original)
    state = {k: v for k, v in vars(replayed).items() if not k.startswith("_byof")}
    assert state.keys() == vars(original).keys()
    assert all(repr(state[k]) == repr(v) for k, v in vars(original).items())


def test_a_journaled_exception_of_a_vanished_class_replays_under_its_name() -> None:
    data = dump_error(ValueError("gone"))
    data["class"] = "gone.module:Vanished"
    replayed = load_error(data)
    assert type(replayed).__name__ == "Vanished" and str(replayed) == "gone"


def test_hints_from_string_annotations() -> None:
    ns: dict[str, Any] = {}
    exec("from __future__ import annotations\ndef f(a: int, b: 'list[str]') -> str: ...", ns)
    sig = ToolSignature.of(ns["f"])
    assert dict(sig.task_params) == {"a": int, "b": list[str]} and sig.output is str
    assert typing.get_type_hints(ns["f"])["a"] is int


@pytest.mark.parametrize("value", [None, 0, "", []])
def test_coercion_keeps_falsy_values(value: Any) -> None:
    from byof.steps.tool_signature import coerce

    assert coerce(value, Any) == value
