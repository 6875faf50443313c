"""The editable install exposes the package the source tree defines (the wheel session checks the same)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_editable_install_matches_the_source_tree() -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "packaging_check.py"), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_every_source_package_is_listed_in_pyproject() -> None:
    listed = set(
        re.findall(
            r'"(byof(?:\.[a-z_]+)*)"',
            (ROOT / "pyproject.toml").read_text().split("packages = [")[1].split("]")[0],
        )
    )
    on_disk = set()
    for directory, package in {
        "core": "byof",
        "adapters": "byof.adapters",
        "templates": "byof.templates",
    }.items():
        for init in (ROOT / directory).rglob("__init__.py"):
            if "{{" in str(init):
                continue
            rel = init.parent.relative_to(ROOT / directory).parts
            on_disk.add(".".join((package, *rel)))
    assert listed == on_disk, (
        f"add to pyproject packages: {sorted(on_disk - listed)}; stale: {sorted(listed - on_disk)}"
    )


def test_ships_py_typed() -> None:
    assert (ROOT / "core" / "py.typed").exists()


def test_the_image_copies_what_a_build_of_the_source_folder_reads() -> None:
    """byof.environment copies these into an image to install a byof that came from a folder."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib

    from byof.runtime.images import SOURCE_FILES, SOURCE_FOLDERS

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert set(SOURCE_FILES) == {"pyproject.toml", project["project"]["readme"]}
    assert set(SOURCE_FOLDERS) == set(project["tool"]["setuptools"]["package-dir"].values())
    assert not list(ROOT.glob("LICEN[CS]E*")) and not (ROOT / "MANIFEST.in").exists(), (
        "setuptools reads these too: add them to byof.runtime.images.SOURCE_FILES"
    )
