"""byof.environment: a TaskEnvironment whose image spec holds flyte-byof and the frameworks (not built)."""

from __future__ import annotations

import flyte
import pytest

import byof
from byof._flyte_private import image_pip_packages


def test_image_holds_byof_with_the_frameworks_extras() -> None:
    env = byof.environment("agents", frameworks=["langgraph", "crewai"], resources=flyte.Resources(cpu=2))
    assert isinstance(env, flyte.TaskEnvironment) and env.name == "agents"
    assert image_pip_packages(env.image) == [f"flyte-byof[langgraph,crewai]=={byof.__version__}"]
    assert env.resources.cpu == 2


def test_no_frameworks_still_installs_byof() -> None:
    assert image_pip_packages(byof.environment("plain").image) == [f"flyte-byof=={byof.__version__}"]


def test_adapters_add_packages_through_the_hook() -> None:
    class ExtraPackages:
        def byof_image_packages(self, framework: str) -> list[str] | None:
            return ["langchain-openai>=1.0"] if framework == "langgraph" else None

    plugin = ExtraPackages()
    byof.register(plugin)
    try:
        packages = image_pip_packages(byof.environment("lg", frameworks=["langgraph"]).image)
    finally:
        byof.unregister(plugin)
    assert packages == [f"flyte-byof[langgraph]=={byof.__version__}", "langchain-openai>=1.0"]


def test_the_agents_own_packages_follow_byof() -> None:
    env = byof.environment("own", frameworks=["smolagents"], packages=["smolagents[openai]", "httpx>=0.27"])
    assert image_pip_packages(env.image) == [
        f"flyte-byof[smolagents]=={byof.__version__}",
        "smolagents[openai]",
        "httpx>=0.27",
    ]


def test_unknown_framework_is_named() -> None:
    with pytest.raises(ValueError, match="unknown framework 'autogen'"):
        byof.environment("x", frameworks=["autogen"])


def test_own_base_image_is_extended() -> None:
    base = flyte.Image.from_debian_base(python_version=(3, 12)).with_pip_packages("numpy")
    env = byof.environment("x", frameworks=["smolagents"], image=base)
    assert image_pip_packages(env.image) == ["numpy", f"flyte-byof[smolagents]=={byof.__version__}"]


def test_unreleased_byof_can_come_from_elsewhere() -> None:
    url = "git+https://example.com/flyte-byof@main"
    assert image_pip_packages(byof.environment("x", byof_requirement=url).image) == [url]
    assert image_pip_packages(byof.environment("x", frameworks=["crewai"], byof_requirement=url).image) == [
        f"flyte-byof[crewai] @ {url}"
    ]
