"""`byof.environment`: a TaskEnvironment whose image can run the agents it will hold."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import flyte

from ._version import __version__
from .adapter import KNOWN_EXTRAS
from .plugins import get_plugin_manager

DISTRIBUTION = "flyte-byof"


def image_packages(frameworks: Iterable[str], byof_requirement: str | None = None) -> list[str]:
    """The pip requirements of an image for `frameworks`: flyte-byof with their extras, plus
    whatever each framework's adapter adds through `byof_image_packages`.

    `byof_requirement` replaces the released `flyte-byof==<version>` (a git URL, a wheel path
    in the image), e.g. to run an unreleased byof on a cluster; the extras are appended to it.
    """
    extras: list[str] = []
    packages: list[str] = []
    known = sorted(set(KNOWN_EXTRAS.values()))
    hook = get_plugin_manager().hook
    for framework in frameworks:
        contributed = [p for ps in hook.byof_image_packages(framework=framework) if ps for p in ps]
        if framework in known:
            extras.append(framework)
        elif not contributed:
            raise ValueError(
                f"byof.environment: unknown framework {framework!r}; known: {', '.join(known)} "
                "(or install a byof adapter package that provides it)"
            )
        packages.extend(p for p in contributed if p not in packages)
    spec = f"[{','.join(extras)}]" if extras else ""
    if byof_requirement is not None:
        return [f"{DISTRIBUTION}{spec} @ {byof_requirement}" if extras else byof_requirement, *packages]
    return [f"{DISTRIBUTION}{spec}=={__version__}", *packages]


def environment(
    name: str,
    *,
    frameworks: Iterable[str] = (),
    packages: Iterable[str] = (),
    image: flyte.Image | None = None,
    python_version: tuple[int, int] | None = None,
    byof_requirement: str | None = None,
    **kwargs: Any,
) -> flyte.TaskEnvironment:
    """A `flyte.TaskEnvironment` named `name` whose image holds flyte-byof and `frameworks`.

    `packages` are the agent's own requirements (a provider SDK, your libraries), installed
    after byof's. Pass `image` to start from your own base image, `byof_requirement` to install byof from
    somewhere other than the package index; every other keyword (resources, secrets, env_vars,
    cache, ...) goes to `flyte.TaskEnvironment` unchanged.
    """
    base = image if image is not None else flyte.Image.from_debian_base(python_version=python_version)
    requirements = [*image_packages(frameworks, byof_requirement), *packages]
    return flyte.TaskEnvironment(name, image=base.with_pip_packages(*requirements), **kwargs)
