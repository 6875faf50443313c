"""`byof new`: every template renders through the cookiecutter library into a complete project,
for every provider; plain `cookiecutter` renders the same files; bad input is refused before
anything is written. (Installing and running each project: test_template_projects.py.)"""

from __future__ import annotations

import json
import py_compile
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import byof
from byof.cli import main as cli
from byof.templates import TemplateInfo, registered_templates
from byof.templates.builtin import builtin_templates
from byof.templates.render import byof_source

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = [t.name for t in builtin_templates()]
PROVIDERS = ["openai", "anthropic", "openai-compatible"]
QUESTIONS = {"project_name", "package_name", "model_provider", "model", "python_version"}
FILES = [
    "pyproject.toml", "README.md", ".flyte/config.yaml", ".env.example", ".gitignore",
    "src/acme_bot/__init__.py", "src/acme_bot/__main__.py", "src/acme_bot/main.py",
    "src/acme_bot/agent.py", "src/acme_bot/environment.py", "src/acme_bot/settings.py",
    "src/acme_bot/offline.py", "tests/conftest.py", "tests/test_agent.py",
]  # fmt: skip


def new(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["new", *args])
    return result.exit_code, result.output


def files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def test_the_templates_the_issue_names_are_all_there_and_listed() -> None:
    assert set(TEMPLATES) == {
        "any-framework", "langgraph", "pydantic-ai", "openai-agents", "crewai", "smolagents", "planner"
    }  # fmt: skip
    code, out = new("--list")
    assert code == 0
    for info in builtin_templates():
        assert info.description and len(info.description) < 160, info
        assert info.name in out and info.description.split()[0] in out


@pytest.mark.parametrize("template", TEMPLATES)
def test_each_template_asks_the_five_questions_and_pins_this_byof(template: str) -> None:
    config = json.loads((ROOT / "templates" / template / "cookiecutter.json").read_text())
    assert {k for k in config if not k.startswith("_")} >= QUESTIONS
    assert config["model_provider"] == PROVIDERS
    assert config["_byof_version"] == byof.__version__  # what plain `cookiecutter` pins
    extras = set(config["_frameworks"])
    assert extras <= {"langgraph", "pydantic-ai", "openai-agents", "crewai", "smolagents"}


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize("template", TEMPLATES)
def test_each_template_renders_a_complete_lint_clean_project(
    template: str, provider: str, tmp_path: Path
) -> None:
    code, out = new("Acme Bot", "-t", template, "--provider", provider, "--python", "3.12", "--no-input",
                    "-o", str(tmp_path))  # fmt: skip
    assert code == 0, out
    project = tmp_path / "acme-bot"
    assert set(FILES) <= files(project)

    config = json.loads((ROOT / "templates" / template / "cookiecutter.json").read_text())
    pyproject = (project / "pyproject.toml").read_text()
    extras = f"[{','.join(config['_frameworks'])}]" if config["_frameworks"] else ""
    assert f'"flyte-byof{extras}>={byof.__version__}"' in pyproject
    assert 'requires-python = ">=3.12"' in pyproject
    assert "byof.wrap(" in (project / "src/acme_bot/agent.py").read_text()
    environment = (project / "src/acme_bot/environment.py").read_text()
    assert "flyte.Secret(" in environment and "flyte.Resources(" in environment
    assert "python_version=(3, 12)" in environment
    main = (project / "src/acme_bot/main.py").read_text()
    assert "--local" in main and "flyte.init_from_config" in main and "asyncio.gather" in main
    readme = (project / "README.md").read_text()
    assert "python -m acme_bot --local" in readme and "pytest" in readme and "{{" not in readme
    key = "ANTHROPIC_API_KEY" if provider == "anthropic" else "OPENAI_API_KEY"
    assert f"{key}=" in (project / ".env.example").read_text()
    assert ".env\n" in (project / ".gitignore").read_text()

    for path in project.rglob("*.py"):
        py_compile.compile(str(path), doraise=True)
    ruff = str(Path(sys.executable).with_name("ruff"))
    for check in (["check", "--select", "E,F,W,I,UP,B"], ["format", "--check"]):
        done = subprocess.run(
            [ruff, *check, "--line-length", "100", str(project)], capture_output=True, text=True
        )
        assert done.returncode == 0, done.stdout + done.stderr


def test_plain_cookiecutter_renders_the_same_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cookiecutter.main import cookiecutter

    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # cookiecutter keeps a replay file there
    monkeypatch.setattr("byof.templates.render.byof_source", lambda: "")  # as if from an index
    for template in TEMPLATES:
        mine, theirs = tmp_path / "byof" / template, tmp_path / "cookiecutter" / template
        default = json.loads((ROOT / "templates" / template / "cookiecutter.json").read_text())[
            "project_name"
        ]
        assert new("-t", template, default, "--no-input", "-o", str(mine))[0] == 0
        cookiecutter(str(ROOT / "templates" / template), no_input=True, output_dir=str(theirs))
        assert files(mine) == files(theirs), template
        for name in files(mine):
            assert (mine / name).read_bytes() == (theirs / name).read_bytes(), (template, name)


def test_a_byof_not_from_an_index_is_what_the_project_installs(tmp_path: Path) -> None:
    """Tests run on a checkout (editable) or a wheel file: a new project's fresh venv must get the
    same byof, since no package index has this one."""
    source = byof_source()
    assert source.startswith("file://"), source
    assert new("Acme Bot", "-t", "crewai", "--no-input", "-o", str(tmp_path))[0] == 0
    readme = (tmp_path / "acme-bot" / "README.md").read_text()
    assert f'.venv/bin/pip install -e ".[dev]" "flyte-byof[crewai] @ {source}"' in readme


def test_an_unknown_template_is_refused_with_the_list(tmp_path: Path) -> None:
    code, out = new("x", "-t", "langchain", "--no-input", "-o", str(tmp_path))
    assert code == 2 and "unknown template 'langchain'" in out
    assert "langgraph" in out and "any-framework" in out
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(("name", "package"), [("9 lives", None), ("ok", "class"), ("ok", "My-Pkg")])
def test_an_invalid_package_name_is_refused(name: str, package: str | None, tmp_path: Path) -> None:
    args = [name, "--no-input", "-o", str(tmp_path)] + (["--package", package] if package else [])
    code, out = new(*args)
    assert code == 2 and "not a valid Python package name" in out and "--package" in out
    assert not list(tmp_path.iterdir())


def test_plain_cookiecutter_refuses_an_invalid_package_name_through_the_hook(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cookiecutter.exceptions import FailedHookException
    from cookiecutter.main import cookiecutter

    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    with pytest.raises(FailedHookException):
        cookiecutter(str(ROOT / "templates/langgraph"), no_input=True, output_dir=str(tmp_path / "out"),
                     extra_context={"package_name": "9lives"})  # fmt: skip
    assert not (tmp_path / "out" / "weather-agent").exists()


def test_a_non_empty_target_needs_overwrite_and_keeps_its_files(tmp_path: Path) -> None:
    target = tmp_path / "acme-bot"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    code, out = new("Acme Bot", "--no-input", "-o", str(tmp_path))
    assert code == 2 and "exists and is not empty" in out and "--overwrite" in out
    assert files(target) == {"notes.txt"}

    code, out = new("Acme Bot", "--no-input", "-o", str(tmp_path), "--overwrite")
    assert code == 0, out
    assert (target / "notes.txt").read_text() == "mine" and (target / "pyproject.toml").is_file()


def test_an_empty_target_directory_is_fine(tmp_path: Path) -> None:
    (tmp_path / "acme-bot").mkdir()
    assert new("Acme Bot", "--no-input", "-o", str(tmp_path))[0] == 0


def test_other_bad_answers_are_refused(tmp_path: Path) -> None:
    code, out = new("Acme Bot", "--provider", "azure", "--no-input", "-o", str(tmp_path))
    assert code == 2 and "azure" in out and "openai-compatible" in out
    code, out = new("--no-input", "-o", str(tmp_path))
    assert code == 2 and "NAME" in out
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("name", ["../../escape", "a/b", "..", ".", "/abs", "x" * 150, "_under"])
def test_a_project_name_that_is_not_a_plain_directory_name_is_refused(name: str, tmp_path: Path) -> None:
    out_dir = tmp_path / "deep" / "out"
    out_dir.mkdir(parents=True)
    code, out = new(name, "--package", "ok", "--no-input", "-o", str(out_dir))
    assert code == 2 and "not a plain directory name" in out and "Traceback" not in out
    assert files(tmp_path) == set(), "nothing may be written anywhere"


def test_an_output_dir_that_cannot_take_a_project_is_refused(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("mine")
    code, out = new("Acme Bot", "--no-input", "-o", str(blocker / "sub"))
    assert code == 2 and f"{blocker} is a file, not a directory" in out and "Traceback" not in out
    assert blocker.read_text() == "mine" and files(tmp_path) == {"a-file"}


def test_a_third_party_template_is_listed_and_rendered(tmp_path: Path) -> None:
    template = tmp_path / "my-stack"
    (template / "{{cookiecutter.project_slug}}").mkdir(parents=True)
    (template / "cookiecutter.json").write_text(
        json.dumps({"project_name": "x", "project_slug": "{{ cookiecutter.project_name }}"})
    )
    (template / "{{cookiecutter.project_slug}}" / "README.md").write_text(
        "# {{ cookiecutter.project_name }}\n"
    )

    class Templates:
        def byof_register_templates(self, register) -> None:
            register(TemplateInfo("my-stack", template, "An agent on my company's stack."))

    plugin = Templates()
    byof.register(plugin)
    try:
        assert "An agent on my company's stack." in new("--list")[1]
        code, out = new("billing", "-t", "my-stack", "--no-input", "-o", str(tmp_path / "out"))
    finally:
        byof.unregister(plugin)
    assert code == 0, out
    assert (tmp_path / "out" / "billing" / "README.md").read_text() == "# billing\n"
    assert "my-stack" not in registered_templates()  # gone with its plugin
