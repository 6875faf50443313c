"""Test sessions. `nox` runs the full suite: core, each adapter alone with only its extra,
lint, types, and the built wheel in a fresh environment.

Each adapter session installs only its own extra, because the frameworks' dependency pins
conflict (crewai pins openai and pydantic; openai-agents wants a newer openai).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import nox

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["tests", "lint", "types", "wheel", "demo", "report", "templates"]

ROOT = Path(__file__).parent
PYTEST = ["pytest", "-p", "no:cacheprovider", "-q"]


@dataclass(frozen=True)
class Adapter:
    """One adapter's test sessions: the newest framework release and the oldest it claims."""

    extra: str
    tests: tuple[str, ...]
    test_deps: tuple[str, ...] = ()  # what its tests use beyond the extra (real provider classes)
    oldest: tuple[str, ...] = ()  # exact pins of the oldest supported release


ADAPTERS: dict[str, Adapter] = {
    "langgraph": Adapter(
        extra="langgraph",
        tests=(
            "tests/test_langgraph_conformance.py",
            "tests/test_langgraph.py",
            "tests/test_langgraph_seams.py",
            "tests/test_langgraph_patterns.py",
            "tests/test_examples.py",
            "tests/test_usage.py",
            "tests/test_benchmarks.py",
        ),
        test_deps=("langchain>=1.0,<2", "langchain-openai>=1.0,<2", "openai>=1.50"),
        # langgraph 1.0.0 accepts any langgraph-prebuilt 1.x, but only 1.0.0 imports with it.
        oldest=(
            "langgraph==1.0.0",
            "langgraph-prebuilt==1.0.0",
            "langchain-core==1.0.0",
            "langchain==1.0.0",
            "langchain-openai==1.0.0",
        ),
    ),
    "pydantic-ai": Adapter(
        extra="pydantic-ai",
        tests=(
            "tests/test_pydantic_ai_conformance.py",
            "tests/test_pydantic_ai.py",
            "tests/test_pydantic_ai_patterns.py",
            "tests/test_pydantic_ai_worker.py",
            "tests/test_examples.py",
            "tests/test_usage.py",
            "tests/test_benchmarks.py",
        ),
        test_deps=("pydantic-ai-slim[openai]", "openai>=1.50"),
        oldest=("pydantic-ai-slim[openai]==2.60.0",),
    ),
    "openai-agents": Adapter(
        extra="openai-agents",
        tests=(
            "tests/test_openai_agents_conformance.py",
            "tests/test_openai_agents.py",
            "tests/test_openai_agents_patterns.py",
            "tests/test_openai_agents_seams.py",
            "tests/test_examples.py",
            "tests/test_usage.py",
            "tests/test_benchmarks.py",
        ),
        # agents.testing, which byof's scripted model and stream replay use, arrived in 0.21.
        oldest=("openai-agents==0.21.0",),
    ),
    "crewai": Adapter(
        extra="crewai",
        tests=(
            "tests/test_crewai_conformance.py",
            "tests/test_crewai.py",
            "tests/test_examples.py",
            "tests/test_benchmarks.py",
        ),
        # crewai 1.14 fails the kit's concurrent-kickoff check; 1.15 is the first that passes it all.
        oldest=("crewai==1.15.0",),
    ),
    "smolagents": Adapter(
        extra="smolagents",
        tests=(
            "tests/test_smolagents_conformance.py",
            "tests/test_smolagents.py",
            "tests/test_smolagents_seams.py",
            "tests/test_examples.py",
            "tests/test_usage.py",
            "tests/test_benchmarks.py",
        ),
        test_deps=("openai>=1.50",),  # OpenAIServerModel, against byof's scripted server
        oldest=("smolagents==1.20.0",),
    ),
}


@nox.session
def tests(session: nox.Session) -> None:
    """Core and the generic adapter (no agent framework installed)."""
    session.install("-e", ".[dev]")
    session.run(*PYTEST, *session.posargs)


@nox.session
def demo(session: nox.Session) -> None:
    """`byof demo` as the README installs it (the demo extra): a team of three frameworks."""
    session.install("-e", ".[demo]", "pytest>=8", "pytest-asyncio>=0.24")
    session.run(
        *PYTEST, "tests/test_team_frameworks.py", "tests/test_cli.py", "-k", "team or demo", *session.posargs
    )


def _chromium(session: nox.Session) -> bool:
    """Whether a Chromium is on PATH, installing Debian's when it is not and this can (apt-get, root)."""
    if any(shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome")):
        return True
    if shutil.which("apt-get") and os.geteuid() == 0:
        session.run("apt-get", "update", "-qq", external=True)
        session.run("apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium", external=True)
        return True
    session.warn("no Chromium here and no apt-get as root to install it: the report screenshots are skipped")
    return False


@nox.session
def report(session: nox.Session) -> None:
    """The report of real runs (LangGraph on the real ChatOpenAI, the demo's team), looked at in a
    headless Chromium; the screenshots are kept in .artifacts/report-screens/."""
    session.install("-e", ".[demo]", "pytest>=8", "pytest-asyncio>=0.24")
    env = {"BYOF_REQUIRE_CHROMIUM": "1"} if _chromium(session) else {}
    session.run(*PYTEST, "tests/test_report_screens.py", *session.posargs, env=env)


@nox.session
def templates(session: nox.Session) -> None:
    """Every `byof new` template rendered, installed in its own fresh env (uv, shared cache) with
    this checkout's byof, and its tests and `--local` main run offline."""
    session.install("-e", ".[dev]")
    session.run(*PYTEST, "-m", "projects", "tests/test_template_projects.py", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    session.install("ruff>=0.6")
    session.run("ruff", "check", "core", "adapters", "templates", "tests", "benchmarks", "noxfile.py")
    session.run(
        "ruff", "format", "--check", "core", "adapters", "templates", "tests", "benchmarks", "noxfile.py"
    )


@nox.session
def types(session: nox.Session) -> None:
    session.install("-e", ".", "mypy>=1.11")
    session.run("mypy", "core")


@nox.session
def wheel(session: nox.Session) -> None:
    """Build the wheel, install it (not editable) in a fresh env, and prove it is the same byof."""
    session.install("build>=1.2", "pytest>=8", "pytest-asyncio>=0.24", "ruff>=0.6")
    out = Path(tempfile.mkdtemp(prefix="byof-wheel-"))
    try:
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
                str(ROOT / "tests" / "test_templates.py"),  # `byof new` from the installed templates
                "--rootdir",
                str(ROOT),
            )
    finally:  # a failed session leaves no wheel behind in /tmp
        shutil.rmtree(out, ignore_errors=True)


def _adapter_session(name: str, adapter: Adapter, pins: tuple[str, ...]):
    def run(session: nox.Session) -> None:
        session.install("-e", f".[{adapter.extra}]", "pytest>=8", "pytest-asyncio>=0.24", *adapter.test_deps)
        if pins:
            session.install(*pins)
        session.run(
            *PYTEST,
            *adapter.tests,
            "tests/test_import_light.py",
            *session.posargs,
            env={"HOME": session.create_tmp()},  # inside .nox, not the user's HOME
        )

    which = "the oldest supported" if pins else "the newest"
    run.__doc__ = f"The {name} adapter against {which} release, with only the {adapter.extra!r} extra."
    return run


for _name, _adapter in ADAPTERS.items():
    for _suffix, _pins in (("", ()), ("-oldest", _adapter.oldest)):
        _session = f"adapter-{_name}{_suffix}"
        nox.session(name=_session)(_adapter_session(_name, _adapter, _pins))
        nox.options.sessions.append(_session)

os.environ.setdefault("CREWAI_TESTING", "true")
