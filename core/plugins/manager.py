"""byof's plugin manager: built-in adapters, third-party adapters, sinks and policies.

Everything is found through the `byof` entry-point group, so a third-party adapter is
installed exactly like a built-in one. Adapter modules must not import their framework at
import time: loading every adapter has to cost nothing for frameworks that are not installed.
"""

from __future__ import annotations

import threading
from typing import Any

import pluggy

from ..errors import AdapterError, NoAdapterError
from . import hookspecs
from .adapter import Adapter, AdapterInfo
from .detection import describe, no_adapter_error

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
    global _adapters
    pm = get_plugin_manager()
    if not pm.is_registered(plugin):
        pm.register(plugin, name=name)
        _adapters = None  # the next lookup asks byof_register_adapters again


def unregister(plugin: Any) -> None:
    global _adapters
    pm = get_plugin_manager()
    if pm.is_registered(plugin):
        pm.unregister(plugin)
        _adapters = None


_adapters: list[Adapter[Any]] | None = None


def adapters() -> list[Adapter[Any]]:
    """Every registered adapter: the others first, fallbacks (the generic adapter) last."""
    global _adapters
    found = _adapters
    if found is None:
        collected: list[Adapter[Any]] = []

        def register_adapter(adapter: Adapter[Any]) -> None:
            if not isinstance(adapter, Adapter):
                raise AdapterError(
                    f"byof_register_adapters registered {adapter!r}, which is not a byof.Adapter instance; "
                    "register an instance of your byof.Adapter subclass: register(MyAdapter())"
                )
            if any(a.name == adapter.name for a in collected):
                raise AdapterError(
                    f"two byof adapters are named {adapter.name!r}; adapter names must be unique"
                )
            collected.append(adapter)

        get_plugin_manager().hook.byof_register_adapters(register=register_adapter)
        found = _adapters = sorted(collected, key=lambda a: a.fallback)
    return found


def adapter_infos() -> list[AdapterInfo]:
    """Every registered adapter's self-description, sorted by name."""
    return sorted((a.info for a in adapters()), key=lambda i: i.name)


def detect(agent: Any) -> Adapter[Any]:
    """The adapter that claims `agent`, with its framework version checked.

    Raises `NoAdapterError` saying why nothing claims it and what to do.
    """
    if isinstance(agent, type):
        raise NoAdapterError(
            f"byof.wrap got the class {describe(agent)}, not an agent: build the agent first and wrap the "
            f"instance, e.g. byof.wrap({agent.__name__}(...), env=env)"
        )
    known = adapters()
    for adapter in known:
        if adapter.claims(agent):
            adapter.info.check_version()
            return adapter
    for adapter in known:
        reason = adapter.refusal(agent)
        if reason:
            raise NoAdapterError(f"byof.wrap got {describe(agent)}: {reason}")
    raise no_adapter_error(agent, [a.info for a in known])
