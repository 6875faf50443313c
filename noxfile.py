"""Test sessions. `nox` runs the full suite: core, each adapter alone with only its extra,
lint, types, and the built wheel in a fresh environment.

Each adapter session installs only its own extra, because the frameworks' dependency pins
conflict (crewai pins openai and pydantic; openai-agents wants a newer openai).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import nox

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["tests", "lint", "types", "wheel"]

ROOT = Path(__file__).parent
PYTEST = ["pytest", "-p", "no:cacheprovider", "-q"]

# Adapter name -> (extra, its test files). Sessions are added as each adapter lands.
ADAPTERS: dict[str, tuple[str, list[str]]] = {}


@nox.session
def tests(session: nox.Session) -> None:
    """Core and the generic adapter (no agent framework installed)."""
    session.install("-e", ".[dev]")
    session.run(*PYTEST, *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    session.install("ruff>=0.6")
    session.run("ruff", "check", "core", "adapters", "tests", "benchmarks", "noxfile.py")
    session.run("ruff", "format", "--check", "core", "adapters", "tests", "benchmarks", "noxfile.py")


@nox.session
def types(session: nox.Session) -> None:
    session.install("-e", ".", "mypy>=1.11")
    session.run("mypy", "core")


@nox.session
def wheel(session: nox.Session) -> None:
    """Build the wheel, install it (not editable) in a fresh env, and prove it is the same byof."""
    session.install("build>=1.2", "pytest>=8", "pytest-asyncio>=0.24")
    out = Path(tempfile.mkdtemp(prefix="byof-wheel-"))
    session.run("python", "-m", "build", "--wheel", "--outdir", str(out), external=False)
    wheels = list(out.glob("flyte_byof-*.whl"))
    assert len(wheels) == 1, wheels
    session.install("--force-reinstall", str(wheels[0]))
    # Run from outside the checkout so nothing can import the source tree by accident.
    with session.chdir(out):
        session.run("python", str(ROOT / "tests" / "packaging_check.py"), str(ROOT), "--installed")
        session.run(
            *PYTEST,
            str(ROOT / "tests" / "test_cli.py"),
            str(ROOT / "tests" / "test_conformance_generic.py"),
            "--rootdir",
            str(ROOT),
        )
    shutil.rmtree(out, ignore_errors=True)


def _adapter_session(name: str, extra: str, test_files: list[str]):
    def run(session: nox.Session) -> None:
        session.install("-e", f".[{extra}]", "pytest>=8", "pytest-asyncio>=0.24")
        session.run(
            *PYTEST,
            *test_files,
            "tests/test_import_light.py",
            *session.posargs,
            env={"HOME": tempfile.mkdtemp(prefix=f"byof-{name}-home-")},
        )

    run.__doc__ = f"The {name} adapter, with only the {extra!r} extra installed."
    return run


for _name, (_extra, _files) in ADAPTERS.items():
    nox.session(name=f"adapter-{_name}")(_adapter_session(_name, _extra, _files))
    nox.options.sessions.append(f"adapter-{_name}")

os.environ.setdefault("CREWAI_TESTING", "true")
