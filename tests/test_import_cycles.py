"""No import cycle in byof's own modules: each role builds on the ones below it."""

from __future__ import annotations

import pytest
from import_graph import cycles, graph


@pytest.mark.parametrize("folder", ["core", "adapters", "templates"])
def test_no_module_imports_itself_back(folder: str) -> None:
    found = cycles(graph(folder))
    assert found == [], f"import cycles in {folder}/ (every import counts, lazy ones too): {found}"


def test_the_graph_sees_lazy_imports() -> None:
    """The check is not blind: a function-level import is an edge (the old cycle hid behind one)."""
    edges = graph("core")
    assert "byof.runtime.worker" in edges["byof.runtime.wrapping"]
    assert "byof.durability.steps" in edges["byof.steps.models"]
