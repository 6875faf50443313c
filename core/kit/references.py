"""What a function's code names: how adapters find the tools and agents a node or a tool uses."""

from __future__ import annotations

import inspect
from typing import Any


def referenced_values(func: Any) -> list[tuple[str, Any]]:
    """What a function's own code refers to by name, for an adapter's eager discovery (the tools a
    node calls, the agents a tool runs): its closure variables and the module globals its code
    names, nested functions and comprehensions included; a list, tuple or dict value is opened one
    level. Names reached only through other functions are not followed."""
    if not inspect.isfunction(func):
        return []
    found: list[tuple[str, Any]] = []
    for name, cell in zip(func.__code__.co_freevars, func.__closure__ or (), strict=False):
        try:
            found.append((name, cell.cell_contents))
        except ValueError:  # a variable not assigned yet
            continue
    found += [(n, func.__globals__[n]) for n in _code_names(func.__code__) if n in func.__globals__]
    opened: list[tuple[str, Any]] = []
    for name, value in found:
        if isinstance(value, dict):
            opened += [(name, v) for v in value.values()]
        elif isinstance(value, (list, tuple)):
            opened += [(name, v) for v in value]
        else:
            opened.append((name, value))
    return opened


def _code_names(code: Any) -> list[str]:
    names = list(code.co_names)
    for const in code.co_consts:
        if inspect.iscode(const):
            names += [n for n in _code_names(const) if n not in names]
    return names
