"""Project templates rendered by `byof new` (cookiecutter layout), shipped as package data.

Third-party packages add templates through the `byof_register_templates` hook.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class TemplateInfo:
    """A project template: its name, the cookiecutter directory, and a one-line description."""

    name: str
    path: Path
    description: str = ""


def registered_templates() -> dict[str, TemplateInfo]:
    """Every template plugins register, by name (a later registration of a name wins)."""
    from byof.plugins import get_plugin_manager

    found: dict[str, TemplateInfo] = {}
    get_plugin_manager().hook.byof_register_templates(
        register=lambda info: found.__setitem__(info.name, info)
    )
    return found
