"""Check that the installed `byof` package is exactly what the source tree says it should be.

Run against the editable install (tests/test_packaging.py) and against the built wheel in a
fresh environment (nox -s wheel): passing in both proves they expose the same package.

    python tests/packaging_check.py <checkout> [--installed]
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from importlib import metadata, resources
from pathlib import Path

# Top-level modules of the frameworks the extras install.
OPTIONAL_FRAMEWORKS = {
    "langgraph",
    "langchain",
    "langchain_core",
    "pydantic_ai",
    "agents",
    "openai",  # comes with openai-agents, whose seams use its client types
    "crewai",
    "smolagents",
}

# Source directory -> the package it is installed as (pyproject's package-dir).
SOURCES = {"core": "byof", "adapters": "byof.adapters", "templates": "byof.templates"}


def is_module(path: Path, root: Path) -> bool:
    """A .py file inside packages all the way down; others (template files, hooks) are data."""
    return all(
        (parent / "__init__.py").is_file() for parent in path.parents if root in (parent, *parent.parents)
    )


def expected_modules(checkout: Path) -> set[str]:
    found: set[str] = set()
    for directory, package in SOURCES.items():
        root = checkout / directory
        for path in root.rglob("*.py"):
            if not is_module(path, root):
                continue
            parts = path.relative_to(root).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found.add(".".join((package, *parts)))
    return found


def installed_modules() -> set[str]:
    """Every module importable under the mapped packages (an editable finder maps each root)."""
    names: set[str] = set()
    for root in SOURCES.values():
        package = importlib.import_module(root)
        names.add(root)
        names.update(info.name for info in pkgutil.walk_packages(package.__path__, prefix=f"{root}."))
    return names


def data_files(checkout: Path) -> list[tuple[str, str]]:
    """Non-Python files that must ship, as (package, path in it): py.typed and the templates."""
    files = [("byof", "py.typed")]
    templates = checkout / "templates"
    for path in templates.rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            rel = path.relative_to(templates)
            if not is_module(path, templates):
                files.append(("byof.templates", rel.as_posix()))
    return files


def main(checkout: Path, installed: bool) -> None:
    import byof

    location = Path(byof.__file__).resolve()
    if installed:
        source = (checkout / "core").resolve()
        assert source not in location.parents, f"byof imported from the source tree: {location}"
    expected, actual = expected_modules(checkout), installed_modules()
    assert expected == actual, (
        f"missing: {sorted(expected - actual)}; unexpected: {sorted(actual - expected)}"
    )
    for name in sorted(actual):
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            # A framework's seams or scripted model import that framework: fine when its extra is
            # not installed here, anything else missing is a packaging bug.
            if (exc.name or "").split(".")[0] not in OPTIONAL_FRAMEWORKS:
                raise
    missing = [f for f in data_files(checkout) if not resources.files(f[0]).joinpath(f[1]).is_file()]
    assert not missing, f"data files not installed: {missing}"
    points = {ep.name: ep.value for ep in metadata.entry_points(group="byof")}
    assert points.get("generic") == "byof.adapters.generic", points
    scripts = {ep.name for ep in metadata.entry_points(group="console_scripts")}
    assert "byof" in scripts
    print(f"ok: {len(actual)} modules, {len(data_files(checkout))} data files, from {location.parent}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), "--installed" in sys.argv[2:])
