"""A framework's final result as the wrapped task's output."""

from __future__ import annotations

import inspect
from typing import Any


def output_type_for(annotation: Any) -> Any:
    """The task output type for an agent whose result is annotated `annotation`.

    Text stays `str`; pydantic models, dataclasses and mappings become `dict` (their JSON form)
    and sequences `list`; numbers and booleans keep their type; anything else is text.
    """
    import dataclasses
    import typing

    if annotation in (inspect.Signature.empty, None, str, Any):
        return str
    if annotation in (int, float, bool, dict, list):
        return annotation
    origin = typing.get_origin(annotation) or annotation
    if isinstance(origin, type):
        if hasattr(origin, "model_dump") or dataclasses.is_dataclass(origin) or issubclass(origin, dict):
            return dict
        if issubclass(origin, (list, tuple, set, frozenset)):
            return list
    return str


def to_output(value: Any, output_type: Any) -> Any:
    """`value` (a framework's final result) as the JSON-compatible value of type `output_type`."""
    import json

    from ..observability.redact import to_jsonable

    if output_type is str:
        if isinstance(value, str):
            return value
        data = to_jsonable(value)
        return data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    if output_type in (int, float, bool):
        return output_type(value)
    return to_jsonable(value)
