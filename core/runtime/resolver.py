"""Rebuild byof tasks on a Flyte worker from loader args: module + registered task name.

A wrapped agent's task body is a byof closure, and its tool tasks are built while the agent
runs, so Flyte's default resolver (module + function name) cannot find either. Loader args
name the user's module (importing it runs `byof.wrap`, which registers the wrapped agent) and
the wrapped task's name; a tool task also names its tool, rebuilt by routing the agent's tools.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

from ..errors import ToolRoutingError

IMPORT_PATH = "byof.runtime.resolver.ByofResolver"


def module_name_for(module: str, root_dir: Path | None) -> str:
    """The importable name of `module`; `__main__` becomes its file's path under `root_dir`."""
    if module != "__main__":
        return module
    main = sys.modules.get("__main__")
    file = getattr(main, "__file__", None)
    if file is None:
        raise ToolRoutingError(
            "byof.wrap was called in an interactive __main__ with no file; define the wrapped agent "
            "in a module so a Flyte worker can import it"
        )
    path = Path(file).resolve()
    if root_dir is not None:
        try:
            path = path.relative_to(Path(root_dir).resolve())
        except ValueError:
            path = Path(path.name)
    else:
        path = Path(path.name)
    return ".".join(path.with_suffix("").parts)


class ByofResolver:
    """Flyte task resolver for wrapped agents and their tools (duck-typed to Flyte's Resolver)."""

    def __init__(
        self, module: str = "", task: str = "", tool: str | None = None, locator: str | None = None
    ) -> None:
        self._module = module
        self._task = task
        self._tool = tool
        self._locator = locator

    @classmethod
    def for_agent(cls, module: str, task: str) -> ByofResolver:
        return cls(module, task)

    @classmethod
    def for_tool(cls, module: str, task: str, tool: str, locator: str | None = None) -> ByofResolver:
        """`locator` ("module:qualname") pins a byof.tool function when names could collide."""
        return cls(module, task, tool, locator)

    @property
    def import_path(self) -> str:
        return IMPORT_PATH

    def loader_args(self, task: Any = None, root_dir: Path | None = None) -> list[str]:
        args = ["mod", module_name_for(self._module, root_dir), "task", self._task]
        if self._tool is not None:
            args += ["tool", self._tool]
        if self._locator is not None:
            module, _, qualname = self._locator.partition(":")
            args += ["fn", f"{module_name_for(module, root_dir)}:{qualname}"]
        return args

    def load_task(self, loader_args: list[str]) -> Any:
        from .wrapping import registered

        it = iter(loader_args)
        parsed = dict(zip(it, it, strict=False))
        importlib.import_module(parsed["mod"])
        wrapped = registered(parsed["task"])
        tool = parsed.get("tool")
        if tool is None:
            return wrapped.task
        return wrapped.tool_task(tool, parsed.get("fn"))
