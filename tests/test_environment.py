"""byof.environment: a TaskEnvironment whose image spec holds this byof and the frameworks (not built).

byof comes into the image the way it is installed where the environment is defined (see
byof/origin.py); each kind of install is given here as an Origin. test_image_worker.py builds
the spec's Python environment for real and runs a task in it.
"""

from __future__ import annotations

from pathlib import Path

import flyte
import pytest

import byof
from byof._flyte_private import image_layers, image_pip_packages
from byof.runtime.images import IMAGE_SOURCE_DIR, SOURCE_FILES, SOURCE_FOLDERS
from byof.runtime.origin import Origin

ROOT = Path(__file__).resolve().parents[1]
V = byof.__version__


@pytest.fixture
def from_index(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if byof had been installed from a package index."""
    monkeypatch.setattr("byof.runtime.images.origin", lambda: Origin())


def installed_as(monkeypatch: pytest.MonkeyPatch, origin: Origin) -> None:
    monkeypatch.setattr("byof.runtime.images.origin", lambda: origin)


def test_image_holds_byof_with_the_frameworks_extras(from_index: None) -> None:
    env = byof.environment("agents", frameworks=["langgraph", "crewai"], resources=flyte.Resources(cpu=2))
    assert isinstance(env, flyte.TaskEnvironment) and env.name == "agents"
    assert image_pip_packages(env.image) == [f"flyte-byof[langgraph,crewai]=={V}"]
    assert [kind for kind, _ in image_layers(env.image)] == ["pip"]  # nothing copied in
    assert env.resources.cpu == 2


def test_no_frameworks_still_installs_byof(from_index: None) -> None:
    assert image_pip_packages(byof.environment("plain").image) == [f"flyte-byof=={V}"]


def test_adapters_add_packages_through_the_hook(from_index: None) -> None:
    class ExtraPackages:
        def byof_image_packages(self, framework: str) -> list[str] | None:
            return ["langchain-openai>=1.0"] if framework == "langgraph" else None

    plugin = ExtraPackages()
    byof.register(plugin)
    try:
        packages = image_pip_packages(byof.environment("lg", frameworks=["langgraph"]).image)
    finally:
        byof.unregister(plugin)
    assert packages == [f"flyte-byof[langgraph]=={V}", "langchain-openai>=1.0"]


def test_the_agents_own_packages_follow_byof(from_index: None) -> None:
    env = byof.environment("own", frameworks=["smolagents"], packages=["smolagents[openai]", "httpx>=0.27"])
    assert image_pip_packages(env.image) == [
        f"flyte-byof[smolagents]=={V}",
        "smolagents[openai]",
        "httpx>=0.27",
    ]


def test_unknown_framework_is_named() -> None:
    with pytest.raises(ValueError, match="unknown framework 'autogen'"):
        byof.environment("x", frameworks=["autogen"])


def test_own_base_image_is_extended(from_index: None) -> None:
    base = flyte.Image.from_debian_base(python_version=(3, 12)).with_pip_packages("numpy")
    env = byof.environment("x", frameworks=["smolagents"], image=base)
    assert image_pip_packages(env.image) == ["numpy", f"flyte-byof[smolagents]=={V}"]


def test_a_byof_from_a_folder_is_copied_in_and_installed_from_there(monkeypatch: pytest.MonkeyPatch) -> None:
    installed_as(monkeypatch, Origin(url=ROOT.as_uri(), editable=True))
    env = byof.environment("src", frameworks=["crewai"], packages=["httpx"])
    copies = [(src, dst) for kind, (src, dst) in image_layers(env.image)[:-1] if kind == "copy"]
    assert copies == [
        *((ROOT / name, f"{IMAGE_SOURCE_DIR}/") for name in SOURCE_FILES),
        *((ROOT / name, f"{IMAGE_SOURCE_DIR}/{name}") for name in SOURCE_FOLDERS),
    ]
    assert image_layers(env.image)[-1] == (
        "pip",
        (f"flyte-byof[crewai] @ file://{IMAGE_SOURCE_DIR}", "httpx"),
    )


def test_a_byof_from_a_wheel_file_brings_that_wheel(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    wheel = tmp_path / f"flyte_byof-{V}-py3-none-any.whl"
    wheel.write_bytes(b"a wheel")
    installed_as(monkeypatch, Origin(url=wheel.as_uri()))
    env = byof.environment("whl", frameworks=["langgraph"])
    assert image_layers(env.image) == [
        ("copy", (wheel, f"{IMAGE_SOURCE_DIR}/")),
        ("pip", (f"flyte-byof[langgraph] @ file://{IMAGE_SOURCE_DIR}/{wheel.name}",)),
    ]


def test_a_byof_from_git_is_fetched_by_the_image_builder_with_git(monkeypatch: pytest.MonkeyPatch) -> None:
    installed_as(monkeypatch, Origin(url="https://example.com/flyte-byof.git", vcs="git", commit="abc123"))
    env = byof.environment("vcs", frameworks=["smolagents"])
    assert image_layers(env.image) == [
        ("apt", ("git",)),
        ("pip", ("flyte-byof[smolagents] @ git+https://example.com/flyte-byof.git@abc123",)),
    ]


def test_a_byof_whose_wheel_is_gone_falls_back_to_the_index_and_says_so(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    installed_as(monkeypatch, Origin(url=(tmp_path / "gone.whl").as_uri()))
    with pytest.warns(UserWarning, match=r"gone\.whl, which no longer exists.*flyte-byof==") as warned:
        env = byof.environment("gone")
    assert warned[0].filename == __file__  # the warning points at the caller's line
    assert image_layers(env.image) == [("pip", (f"flyte-byof=={V}",))]


def test_unreleased_byof_can_come_from_elsewhere() -> None:
    url = "git+https://example.com/flyte-byof@main"
    assert image_layers(byof.environment("x", byof_requirement=url).image) == [("pip", (url,))]
    assert image_pip_packages(byof.environment("x", frameworks=["crewai"], byof_requirement=url).image) == [
        f"flyte-byof[crewai] @ {url}"
    ]
