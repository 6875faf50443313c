"""byof's plugin manager: built-in adapters, third-party adapters, sinks and policies.

Everything is found through the `byof` entry-point group, so a third-party adapter is
installed exactly like a built-in one. Adapter modules must not import their framework at
import time: loading every adapter has to cost nothing for frameworks that are not installed.
"""

from __future__ import annotations

import inspect
import threading
from typing import Any

import pluggy

from ..errors import NoAdapterError
from ..runtime.origin import origin
from . import hookspecs
from .adapter import KNOWN_EXTRAS, AdapterInfo

ENTRY_POINT_GROUP = "byof"

hookimpl = pluggy.HookimplMarker("byof")

_pm: pluggy.PluginManager | None = None
_lock = threading.Lock()


class _PluginManager(pluggy.PluginManager):
    """Like pytest's: a `byof_*` function or method is a hook implementation even unmarked,
    so a policy or sink plugin is just an object with the right method names."""

    def parse_hookimpl_opts(self, plugin: Any, name: str) -> Any:
        opts = super().parse_hookimpl_opts(plugin, name)
        if opts is None and name.startswith("byof_") and callable(getattr(plugin, name, None)):
            return {
                "wrapper": False,
                "hookwrapper": False,
                "optionalhook": False,
                "tryfirst": False,
                "trylast": False,
                "specname": None,
            }
        return opts


def get_plugin_manager() -> pluggy.PluginManager:
    """The process-wide plugin manager, with every `byof` entry point loaded on first use."""
    global _pm
    if _pm is None:
        with _lock:
            if _pm is None:
                pm = _PluginManager("byof")
                pm.add_hookspecs(hookspecs)
                pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
                _pm = pm
    return _pm


def register(plugin: Any, name: str | None = None) -> None:
    """Register a plugin object or module (a policy, a sink, an adapter) for this process."""
    pm = get_plugin_manager()
    if not pm.is_registered(plugin):
        pm.register(plugin, name=name)


def unregister(plugin: Any) -> None:
    pm = get_plugin_manager()
    if pm.is_registered(plugin):
        pm.unregister(plugin)


def adapter_infos() -> list[AdapterInfo]:
    """Every registered adapter's self-description, sorted by name."""
    infos = [i for i in get_plugin_manager().hook.byof_adapter_info() if i is not None]
    return sorted(infos, key=lambda i: i.name)


def _describe(agent: Any) -> str:
    named = agent if inspect.isroutine(agent) or isinstance(agent, type) else type(agent)
    return f"{getattr(named, '__module__', '?')}.{getattr(named, '__qualname__', repr(named))}"


def detect(agent: Any) -> AdapterInfo:
    """The adapter that owns `agent`, with its framework version checked.

    Raises `NoAdapterError` listing the installed adapters and the extra that would add one.
    """
    if isinstance(agent, type):
        raise NoAdapterError(
            f"byof.wrap got the class {_describe(agent)}, not an agent: build the agent first and wrap the "
            f"instance, e.g. byof.wrap({agent.__name__}(...), env=env)"
        )
    name = get_plugin_manager().hook.byof_detect(agent=agent)
    infos = {i.name: i for i in adapter_infos()}
    if name is None:
        raise no_adapter_error(agent, list(infos.values()))
    info = infos.get(name) or AdapterInfo(name=name, framework=name)
    info.check_version()
    return info


def no_adapter_error(agent: Any, infos: list[AdapterInfo]) -> NoAdapterError:
    compile_ = getattr(agent, "compile", None)
    if callable(compile_) and not callable(agent):
        return NoAdapterError(
            f"byof.wrap got {_describe(agent)}, a builder that is not runnable yet (a LangGraph StateGraph "
            "is built, then compiled): call .compile() and wrap what it returns, e.g. "
            "byof.wrap(builder.compile(), env=env)"
        )
    top = type(agent).__module__.split(".")[0]
    installed = ", ".join(f"{i.name} ({i.framework})" for i in infos) or "none"
    extra = KNOWN_EXTRAS.get(top)
    if extra is not None and any(i.extra == extra for i in infos):
        fix = f"Install the framework its adapter supports: {origin().pip_install([extra])}."
    elif extra is not None:
        fix = (
            f"This byof version has no {top} adapter yet; it will ship with the "
            f'"flyte-byof[{extra}]" extra. Until then, wrap a plain function that runs your agent '
            "(the generic adapter takes any callable) and mark its tools with byof.tool."
        )
    else:
        fix = (
            "No byof extra covers this framework. Wrap a plain function that runs your agent "
            "(the generic adapter takes any callable), or install a third-party byof adapter "
            "that registers under the 'byof' entry-point group."
        )
    return NoAdapterError(
        f"no byof adapter claims {_describe(agent)}. Installed adapters: {installed}. {fix}"
    )
