"""The README's first screen gives exactly two commands, and CI runs the test one verbatim."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    block = text.split("```bash", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def test_readme_first_screen_has_the_two_commands() -> None:
    demo, tests = readme_commands()
    assert demo.endswith("byof demo") and 'pip install ".[demo]"' in demo
    assert tests.endswith("nox") and 'pip install -e ".[dev]"' in tests
    first_screen = (ROOT / "README.md").read_text().split("\n## ", 1)[0]
    assert demo in first_screen and tests in first_screen and len(first_screen.splitlines()) < 25


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    _, tests = readme_commands()
    ci = [
        line for line in (ROOT / ".ci" / "run").read_text().splitlines() if line and not line.startswith("#")
    ]
    assert tests in ci, f"{tests!r} not in .ci/run"


def test_nox_fails_on_no_tests_collected() -> None:
    """pytest's exit 5 must fail CI: nox treats any non-zero exit as a failure unless told otherwise."""
    noxfile = (ROOT / "noxfile.py").read_text()
    assert "success_codes" not in noxfile
