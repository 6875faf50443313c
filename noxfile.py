"""Test sessions.

`nox` runs the default set, which is the README's test command and CI's: the core suite on the
oldest and the newest Python, lint, types, the built wheel, the demo, every project template,
the extras-resolution check, and each adapter against its framework's newest release on the
newest Python that framework supports.

`nox -t full` runs the whole matrix: the core suite on every Python, each adapter against its
framework's newest release on the oldest and the newest Python the framework supports, and
against the oldest release the adapter claims (on the oldest Python).

Each adapter session installs only its own extra, because the frameworks' dependency pins
conflict (crewai pins openai<3; openai-agents needs openai>=3): see `CONFLICTS`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import nox
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_existing_virtualenvs = True

ROOT = Path(__file__).parent
PYTEST = ["pytest", "-p", "no:cacheprovider", "-q"]
PYTHONS = ("3.10", "3.11", "3.12", "3.13")  # pyproject's requires-python, oldest first
FULL = ["full"]  # the tag every session carries: `nox -t full` runs them all


def _find_pyenv_pythons() -> None:
    """Make pyenv's installed Pythons findable by version (python3.10, ...): pyenv's shims answer
    only for its global version, so nox and uv would look past the others. Links in .nox only."""
    versions = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    links = ROOT / ".nox" / "_pythons"
    for python in PYTHONS:
        found = sorted(versions.glob(f"{python}.*/bin/python{python}"))
        if found:
            links.mkdir(parents=True, exist_ok=True)
            link = links / f"python{python}"
            if link.is_symlink() and link.resolve() != found[-1].resolve():
                link.unlink()
            if not link.is_symlink():
                link.symlink_to(found[-1])
    if links.is_dir():
        os.environ["PATH"] = f"{links}{os.pathsep}{os.environ['PATH']}"


_find_pyenv_pythons()


# Every adapter session runs its own folder, tests/adapters/<name>/, and these tests, which cover
# each installed framework (its example, its benchmark, its token usage, that import stays light).
SHARED_TESTS = (
    "tests/test_examples.py",
    "tests/test_usage.py",
    "tests/test_benchmarks.py",
    "tests/test_import_light.py",
)


@dataclass(frozen=True)
class Adapter:
    """One adapter's test sessions: the newest framework release on the oldest and newest Python
    the framework supports, and the oldest release the adapter claims."""

    extra: str
    test_deps: tuple[str, ...] = ()  # what its tests use beyond the extra (real provider classes)
    oldest: tuple[str, ...] = ()  # exact pins of the oldest supported release
    pythons: tuple[str, str] = (PYTHONS[0], PYTHONS[-1])  # oldest and newest Python it supports


ADAPTERS: dict[str, Adapter] = {
    "langgraph": Adapter(
        extra="langgraph",
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
        test_deps=("pydantic-ai-slim[openai]", "openai>=1.50"),
        oldest=("pydantic-ai-slim[openai]==2.60.0",),
        pythons=("3.11", "3.13"),  # pydantic-ai-slim 2.60 and later need Python 3.11
    ),
    "openai-agents": Adapter(
        extra="openai-agents",
        # agents.testing, which byof's stream replay and scripted model use, arrived in 0.21
        # (which also moved to openai>=3: no release byof supports shares an env with crewai).
        oldest=("openai-agents==0.21.0",),
    ),
    "crewai": Adapter(
        extra="crewai",
        # crewai 1.14 fails the kit's concurrent-kickoff check; 1.15 is the first that passes it all.
        oldest=("crewai==1.15.0",),
    ),
    "smolagents": Adapter(
        extra="smolagents",
        test_deps=("openai>=1.50",),  # OpenAIServerModel, against byof's scripted server
        oldest=("smolagents==1.20.0",),
    ),
}

# Extras documented (docs/quickstart.md) as sharing one environment, besides each extra alone.
SHARED = (
    ("langgraph", "pydantic-ai", "openai-agents", "smolagents"),
    ("langgraph", "pydantic-ai", "crewai", "smolagents"),
)
# Extras that cannot share one environment: every crewai release the adapter supports pins
# openai<3, every openai-agents release it supports needs openai>=3. The extras session fails
# once they resolve together, so the docs and this list get updated.
CONFLICTS = (("crewai", "openai-agents"),)


@nox.session(python=PYTHONS, tags=FULL)
def tests(session: nox.Session) -> None:
    """Core and the generic adapter (no agent framework installed)."""
    session.install("-e", ".[dev]")
    session.run(*PYTEST, *session.posargs)


@nox.session(tags=FULL)
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


@nox.session(tags=FULL)
def report(session: nox.Session) -> None:
    """The report of real runs (LangGraph on the real ChatOpenAI, the demo's team), looked at in a
    headless Chromium; the screenshots are kept in .artifacts/report-screens/."""
    session.install("-e", ".[demo]", "pytest>=8", "pytest-asyncio>=0.24")
    env = {"BYOF_REQUIRE_CHROMIUM": "1"} if _chromium(session) else {}
    session.run(*PYTEST, "tests/test_report_screens.py", *session.posargs, env=env)


@nox.session(tags=FULL)
def templates(session: nox.Session) -> None:
    """Every `byof new` template rendered, installed in its own fresh env (uv, shared cache) with
    this checkout's byof, and its tests and `--local` main run offline."""
    session.install("-e", ".[dev]")
    session.run(*PYTEST, "-m", "projects", "tests/test_template_projects.py", *session.posargs)


@nox.session(name="mcp-1", tags=FULL)
def mcp_1(session: nox.Session) -> None:
    """A homegrown loop's MCP calls on mcp 1.x (the core sessions have mcp 2.x): the session
    class, its server names and the test server differ between the majors."""
    session.install("-e", ".[dev]", "mcp>=1.24,<2")
    session.run(*PYTEST, "tests/test_mcp.py", *session.posargs)


@nox.session(tags=FULL)
def lint(session: nox.Session) -> None:
    session.install("ruff>=0.6")
    session.run("ruff", "check", "core", "adapters", "templates", "tests", "benchmarks", "noxfile.py")
    session.run(
        "ruff", "format", "--check", "core", "adapters", "templates", "tests", "benchmarks", "noxfile.py"
    )


@nox.session(tags=FULL)
def types(session: nox.Session) -> None:
    """mypy over core, the adapters and the templates' own modules, as Python 3.10 (the oldest
    byof supports) reads them; frameworks are not installed here, so their types are Any."""
    session.install("-e", ".", "mypy>=1.11")
    templates = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "templates").glob("*.py"))
    session.run("mypy", "core", "adapters", *templates)


@nox.session(tags=FULL)
def wheel(session: nox.Session) -> None:
    """Build the wheel, install it (not editable) in a fresh env, and prove it is the same byof,
    and that an image byof.environment specifies carries that very wheel."""
    session.install("build>=1.2", "pytest>=8", "pytest-asyncio>=0.24", "ruff>=0.6", "uv>=0.4")
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
                str(ROOT / "tests" / "test_origin.py"),  # hints name the wheel byof came from
                str(ROOT / "tests" / "test_image_worker.py"),  # and the image carries that wheel
                "--rootdir",
                str(ROOT),
            )
    finally:  # a failed session leaves no wheel behind in /tmp
        shutil.rmtree(out, ignore_errors=True)


def _resolve(uv: str, python: str, extras: tuple[str, ...]) -> dict[str, str] | str:
    """What uv resolves for flyte-byof with `extras` on `python` (name -> version), or its error."""
    args = [uv, "pip", "compile", "-q", "--no-header", "--no-annotate", "--python-version", python]
    done = subprocess.run(
        [*args, *(a for e in extras for a in ("--extra", e)), str(ROOT / "pyproject.toml")],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        return done.stderr.strip()
    pins = (Requirement(line) for line in done.stdout.splitlines() if line and not line.startswith("#"))
    return {canonicalize_name(r.name): str(next(iter(r.specifier)).version) for r in pins}


def _declared(project: dict, python: str, extras: tuple[str, ...]) -> list[Requirement]:
    """Every requirement pyproject declares for `extras` on `python`, through `flyte-byof[...]`."""
    optional = project["optional-dependencies"]
    wanted, seen = list(extras), set()
    found = [Requirement(r) for r in project["dependencies"]]
    while wanted:
        extra = wanted.pop()
        if extra in seen:
            continue
        seen.add(extra)
        for requirement in map(Requirement, optional[extra]):
            if requirement.marker and not requirement.marker.evaluate({"python_version": python}):
                continue
            if canonicalize_name(requirement.name) == "flyte-byof":
                wanted.extend(requirement.extras)
            else:
                found.append(requirement)
    return found


@nox.session(tags=FULL)
def extras(session: nox.Session) -> None:
    """Resolve (uv, no install) every extra and every documented combination on every Python,
    and check that what resolves is inside the ranges pyproject declares; the documented
    conflicts and the Pythons a framework does not support must fail to resolve."""
    session.install("uv>=0.4")
    uv = shutil.which("uv", path=session.bin)
    assert uv, "uv is not installed in the session"
    project = nox.project.load_toml(ROOT / "pyproject.toml")["project"]
    for extra, requirements in project["optional-dependencies"].items():
        unbounded = [r for r in map(Requirement, requirements) if r.name != "flyte-byof" and not _floor(r)]
        if unbounded:
            session.error(
                f"[{extra}]: {unbounded} need a lower bound, or a resolver may pick an ancient release"
            )
    for shared in SHARED:
        if any(set(conflict) <= set(shared) for conflict in CONFLICTS):
            session.error(f"{shared} is documented as one environment but holds a conflict")
    combinations = [(extra,) for extra in project["optional-dependencies"]] + list(SHARED)
    lowest = {name: adapter.pythons[0] for name, adapter in ADAPTERS.items()}
    jobs = [(python, c) for python in PYTHONS for c in [*combinations, *CONFLICTS]]
    with ThreadPoolExecutor(max_workers=4) as pool:  # uv mostly waits on the index
        results = dict(zip(jobs, pool.map(lambda job: _resolve(uv, *job), jobs), strict=True))
    problems = []
    for (python, combination), resolved in results.items():
        label = f"[{','.join(combination)}] on Python {python}"
        if combination in CONFLICTS:
            if not isinstance(resolved, str):
                problems.append(f"{label} resolves now: update CONFLICTS and docs/quickstart.md")
            continue
        supported = all(_version(python) >= _version(lowest.get(e, PYTHONS[0])) for e in combination)
        if isinstance(resolved, str):
            if supported:
                problems.append(f"{label} does not resolve:\n{resolved}")
            continue
        if not supported:
            problems.append(f"{label} resolves now: update ADAPTERS' pythons and docs/quickstart.md")
            continue
        for requirement in _declared(project, python, combination):
            version = resolved.get(canonicalize_name(requirement.name))
            if version is None or not requirement.specifier.contains(version, prereleases=True):
                problems.append(f"{label}: {requirement} resolved to {version}")
        session.log(f"{label}: {len(resolved)} packages, {_frameworks(resolved)}")
    if problems:
        session.error("\n".join(problems))


def _frameworks(resolved: dict[str, str]) -> str:
    names = ("langgraph", "pydantic-ai-slim", "openai-agents", "crewai", "smolagents", "openai")
    return " ".join(f"{n}=={resolved[n]}" for n in names if n in resolved)


def _floor(requirement: Requirement) -> bool:
    return any(spec.operator in (">=", ">", "==", "~=", "===") for spec in requirement.specifier)


def _version(python: str) -> tuple[int, ...]:
    return tuple(int(part) for part in python.split("."))


def _adapter_session(name: str, adapter: Adapter, pins: tuple[str, ...]):
    def run(session: nox.Session) -> None:
        session.install("-e", f".[{adapter.extra}]", "pytest>=8", "pytest-asyncio>=0.24", *adapter.test_deps)
        if pins:
            session.install(*pins)
        folder = ROOT / "tests" / "adapters" / name
        if not any(folder.glob("test_*.py")):
            session.error(f"no tests in {folder}")  # a session must test something
        session.run(
            *PYTEST,
            str(folder),
            *SHARED_TESTS,
            *session.posargs,
            env={"HOME": session.create_tmp()},  # inside .nox, not the user's HOME
        )

    which = "the oldest supported" if pins else "the newest"
    run.__doc__ = f"The {name} adapter against {which} release, with only the {adapter.extra!r} extra."
    return run


# Flyte's official agent adapters, for benchmarks/bench_official.py and the benchmarks that share its
# agents. The three resolve together with byof's extras for the same frameworks. Without the
# pydantic-ai pin a resolver may pick the placeholder pydantic-ai 0.0.5 (the official plugin needs
# `pydantic-ai`, byof `pydantic-ai-slim`), whose files overwrite pydantic-ai-slim's.
OFFICIAL_PLUGINS = (
    "flyteplugins-agents-langgraph==2.12.1",
    "flyteplugins-agents-pydantic-ai==2.12.1",
    "flyteplugins-agents-openai==2.12.1",
    "pydantic-ai>=2.60,<3",
)
BENCH_TOOLS = ("py-spy>=0.4", "yappi>=1.6")  # profile_byof.py's profilers


@nox.session(name="bench-official")
def bench_official(session: nox.Session) -> None:
    """byof against Flyte's official agent adapters (slow; not in the default run).

    `nox -s bench-official` runs benchmarks/bench_official.py; `nox -s bench-official -- SCRIPT
    ARGS...` runs another script of benchmarks/ in the same environment (bench_run_length.py,
    bench_concurrency.py, bench_runs_cli.py, profile_byof.py), e.g.
    `nox -s bench-official -- bench_run_length.py --turns 10 100 1000`.
    """
    session.install("-e", ".[langgraph,pydantic-ai,openai-agents]", *OFFICIAL_PLUGINS, *BENCH_TOOLS)
    args = list(session.posargs)
    script = args.pop(0) if args and args[0].endswith(".py") else "bench_official.py"
    session.run("python", str(ROOT / "benchmarks" / script), *args, env={"OTEL_SDK_DISABLED": "true"})


DEFAULT = [
    "tests-3.10",
    "tests-3.13",
    "lint",
    "types",
    "wheel",
    "demo",
    "report",
    "templates",
    "extras",
    "mcp-1",
]
for _name, _adapter in ADAPTERS.items():
    nox.session(name=f"adapter-{_name}", python=list(_adapter.pythons), tags=FULL)(
        _adapter_session(_name, _adapter, ())
    )
    nox.session(name=f"adapter-{_name}-oldest", python=_adapter.pythons[0], tags=FULL)(
        _adapter_session(_name, _adapter, _adapter.oldest)
    )
    DEFAULT.append(f"adapter-{_name}-{_adapter.pythons[1]}")
nox.options.sessions = DEFAULT

os.environ.setdefault("CREWAI_TESTING", "true")
