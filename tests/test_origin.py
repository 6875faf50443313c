"""byof.origin: the one answer to "what installs this very byof", for every kind of install, and
the hints that use it (error messages; `byof adapters` is in test_cli.py, templates in
test_templates.py, images in test_environment.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

import byof
from byof.errors import FrameworkVersionError
from byof.plugins.adapter import AdapterInfo
from byof.runtime.origin import Origin, from_direct_url, origin

ROOT = Path(__file__).resolve().parents[1]
V = byof.__version__


@pytest.mark.parametrize(
    ("installed", "requirement", "command"),
    [
        (Origin(), f"flyte-byof[crewai]=={V}", f'pip install "flyte-byof[crewai]=={V}"'),
        (
            Origin(url="file:///src/flyte-byof", editable=True),
            "flyte-byof[crewai] @ file:///src/flyte-byof",
            'pip install -e "/src/flyte-byof[crewai]"',
        ),
        (
            Origin(url="file:///src/flyte-byof"),
            "flyte-byof[crewai] @ file:///src/flyte-byof",
            'pip install "flyte-byof[crewai] @ file:///src/flyte-byof"',
        ),
        (
            Origin(url="file:///dist/flyte_byof-0.1.0-py3-none-any.whl"),
            "flyte-byof[crewai] @ file:///dist/flyte_byof-0.1.0-py3-none-any.whl",
            'pip install "flyte-byof[crewai] @ file:///dist/flyte_byof-0.1.0-py3-none-any.whl"',
        ),
        (
            Origin(url="https://git.example/flyte-byof.git", vcs="git", commit="c0ffee", subdirectory="py"),
            "flyte-byof[crewai] @ git+https://git.example/flyte-byof.git@c0ffee#subdirectory=py",
            'pip install "flyte-byof[crewai] @ git+https://git.example/flyte-byof.git@c0ffee#subdirectory=py"',
        ),
    ],
    ids=["index", "editable-folder", "folder", "wheel", "git"],
)
def test_each_kind_of_install_has_its_requirement_and_command(
    installed: Origin, requirement: str, command: str
) -> None:
    assert installed.requirement(["crewai"]) == requirement
    assert installed.pip_install(["crewai"]) == command
    assert installed.requirement() == requirement.replace("[crewai]", "")


def test_pep_610_documents_are_read() -> None:
    assert from_direct_url({"url": "file:///src/b", "dir_info": {"editable": True}}) == Origin(
        url="file:///src/b", editable=True
    )
    wheel = from_direct_url({"url": "file:///d/flyte_byof-0.1.0-py3-none-any.whl", "archive_info": {}})
    assert wheel.is_wheel and wheel.path == Path("/d/flyte_byof-0.1.0-py3-none-any.whl")
    git = from_direct_url({"url": "https://g/x.git", "vcs_info": {"vcs": "git", "commit_id": "abc"}})
    assert git.reference == "git+https://g/x.git@abc" and git.path is None
    assert from_direct_url({"url": "file:///a%20b/c", "dir_info": {}}).path == Path("/a b/c")


def test_the_running_byof_is_found_where_it_was_installed_from() -> None:
    """Tests run on an editable checkout (nox -s tests) or on a wheel file (nox -s wheel), never
    on an index install: either way the origin names this byof exactly."""
    found = origin()
    assert found.version == V and not found.from_index, found
    assert found.path is not None
    if found.editable:
        assert found.path == ROOT
    else:
        assert found.is_wheel and found.path.name.startswith(f"flyte_byof-{V}-"), found


def test_a_framework_outside_its_range_names_the_command_for_this_byof(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    info = AdapterInfo(
        name="crewai", framework="CrewAI", distribution="crewai", extra="crewai", supported=">=1.15,<2"
    )
    monkeypatch.setattr(AdapterInfo, "installed_version", lambda self: "1.9.0")
    with pytest.raises(FrameworkVersionError) as raised:
        info.check_version()
    assert str(raised.value) == (
        "byof's crewai adapter supports crewai>=1.15,<2, but crewai==1.9.0 is installed. "
        f"Install a supported version: {origin().pip_install(['crewai'])}"
    )
