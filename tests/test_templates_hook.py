"""Third-party packages register project templates through the byof_register_templates hook."""

from __future__ import annotations

from pathlib import Path

import byof
from byof.templates import TemplateInfo, registered_templates


def test_plugin_registers_a_template(tmp_path: Path) -> None:
    class Templates:
        def byof_register_templates(self, register) -> None:
            register(TemplateInfo("my-stack", tmp_path, "An agent on my company's stack."))

    plugin = Templates()
    byof.register(plugin)
    try:
        found = registered_templates()
    finally:
        byof.unregister(plugin)
    assert found["my-stack"] == TemplateInfo("my-stack", tmp_path, "An agent on my company's stack.")
    assert "my-stack" not in registered_templates()
