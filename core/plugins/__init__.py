"""The plugin contract: adapters, sinks, policies and templates as pluggy plugins of `byof`."""

from .manager import adapter_infos, detect, get_plugin_manager, hookimpl, register, unregister

__all__ = ["adapter_infos", "detect", "get_plugin_manager", "hookimpl", "register", "unregister"]
