"""byof's own project templates: every directory here holding a cookiecutter.json.

Each template describes itself in its cookiecutter.json (`_description`), so `byof new --list`
and plain `cookiecutter` read the same source.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from byof.plugins import hookimpl

from . import TemplateInfo

HERE = Path(__file__).parent


def builtin_templates() -> list[TemplateInfo]:
    found = []
    for config in sorted(HERE.glob("*/cookiecutter.json")):
        description = json.loads(config.read_text()).get("_description", "")
        found.append(TemplateInfo(config.parent.name, config.parent, description))
    return found


@hookimpl
def byof_register_templates(register: Callable[[TemplateInfo], None]) -> None:
    for info in builtin_templates():
        register(info)
