"""Everything a Flyte worker does to find byof's tasks again: loader args, the registry of
wrapped agents, and the rebuild of a tool task.

A wrapped agent's task body is a byof closure, and its tool tasks are built while the agent
runs, so Flyte's default resolver (module + function name) cannot find either. Loader args
name the user's module (importing it runs `byof.wrap`, which registers the wrapped agent here)
and the wrapped task's name; a tool task also names its tool, rebuilt by letting the agent's
adapter route its tools (`Adapter.prepare` with `run.rebuilding`).
"""

from __future__ import annotations

import importlib
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import TaskNameError, ToolRoutingError
from ..observability.events import EventBus
from ..observability.redact import redacted
from ..steps.decorators import durable_tool
from ..steps.tools import ToolRouter
from .run_context import RunContext

if TYPE_CHECKING:
    from .wrapping import WrappedAgent

IMPORT_PATH = "byof.runtime.worker.ByofResolver"

_registry: dict[str, WrappedAgent] = {}  # task name -> the agent a worker resolves it to
_registry_lock = threading.Lock()


def registered(task_name: str) -> WrappedAgent:
    """The wrapped agent whose Flyte task is named `task_name` in this process."""
    try:
        return _registry[task_name]
    except KeyError:
        known = ", ".join(sorted(_registry)) or "none"
        raise LookupError(
            f"no byof-wrapped agent task named {task_name!r} in this process (known: {known}); "
            "the module that calls byof.wrap must be importable on the worker"
        ) from None


def register(wrapped: WrappedAgent, *, check_only: bool = False) -> None:
    """Make `wrapped` the agent its task name resolves to. An environment holds one agent per
    name: a second agent under a name its environment already gave out is refused. Wrapping the
    same agent again, or a new environment object of the same name (a test or a notebook cell
    run again builds both anew), takes the name over: a worker importing the module does the
    same, so the name resolves to the same agent there."""
    with _registry_lock:
        known = _registry.get(wrapped.task_name)
        if known is not None and known.env is wrapped.env and known.agent is not wrapped.agent:
            raise TaskNameError(
                redacted(
                    f"byof.wrap: the task name {wrapped.task_name!r} already belongs to {known.agent!r} "
                    f"(wrapped in {known.module}); {wrapped.agent!r} cannot take it too, or a Flyte worker "
                    "would run the wrong agent. Give one of them another name: "
                    f"byof.wrap(agent, env=..., name=...) (or put it in another TaskEnvironment)."
                )
            )
        _registry[wrapped.task_name] = wrapped


def rebuild_tool_task(wrapped: WrappedAgent, tool: str, locator: str | None = None) -> Any:
    """The Flyte task of tool `tool` of `wrapped`, as the run that called it built it. `locator`
    ("module:qualname") pins the byof.tool function a generic loop routes only when called."""
    built = wrapped.tools.built(tool)
    if built is not None:
        return built
    router = ToolRouter(wrapped.tools, wrapped.options)
    run = RunContext(
        agent=wrapped.options.name,
        adapter=wrapped.adapter.name,
        options=wrapped.options,
        trace_id="worker",
        span_id="rebuild",
        bus=EventBus(),
        router=router,
        rebuilding=True,
    )
    run.prepared = wrapped.adapter.prepare(wrapped.agent, run)
    spec = router.specs.get(tool)
    if spec is None:
        func = durable_tool(tool, locator)
        if func is None:
            raise ToolRoutingError(
                f"agent {wrapped.options.name!r} has no tool named {tool!r} "
                f"(known: {', '.join(sorted(router.specs)) or 'none'})"
            )
        router.route(tool, func)
        spec = router.specs[tool]
    return wrapped.tools.task_for(spec, router.options_for(spec))


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
        it = iter(loader_args)
        parsed = dict(zip(it, it, strict=False))
        importlib.import_module(parsed["mod"])
        wrapped = registered(parsed["task"])
        tool = parsed.get("tool")
        if tool is None:
            return wrapped.task
        return rebuild_tool_task(wrapped, tool, parsed.get("fn"))
