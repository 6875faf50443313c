"""The plugin contract: adapters, sinks, policies and templates as pluggy plugins of `byof`."""

from .adapter import Adapter, AdapterInfo, Param, TaskSignature
from .manager import adapter_infos, adapters, detect, get_plugin_manager, hookimpl, register, unregister

__all__ = [
    "Adapter",
    "AdapterInfo",
    "Param",
    "TaskSignature",
    "adapter_infos",
    "adapters",
    "detect",
    "get_plugin_manager",
    "hookimpl",
    "register",
    "unregister",
]
