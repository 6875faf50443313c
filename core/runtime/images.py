"""`byof.environment`: a TaskEnvironment whose image can run the agents it will hold.

The image installs the byof that is running here (see `origin.py`): from the package index when
it came from one; otherwise the wheel file or the source folder it was installed from is copied
into the image (Flyte's `with_source_file` / `with_source_folder` layers) and installed from
there, so an image never asks an index for a byof the index does not have.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import flyte

from ..plugins import get_plugin_manager
from ..plugins.detection import KNOWN_EXTRAS
from .origin import DISTRIBUTION, Origin, extras_spec, origin

# Where a byof that came from no package index is copied in the image, and installed from.
IMAGE_SOURCE_DIR = "/opt/flyte-byof"
# What a build of byof's source folder reads: pyproject.toml, its readme and its package-dir
# folders. tests/test_packaging.py keeps these in step with pyproject.toml.
SOURCE_FILES = ("pyproject.toml", "README.md")
SOURCE_FOLDERS = ("core", "adapters", "templates")


def framework_extras(frameworks: Iterable[str]) -> tuple[list[str], list[str]]:
    """byof's extras for `frameworks`, and the packages adapters add through `byof_image_packages`."""
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
    return extras, packages


def with_byof(image: flyte.Image, extras: list[str], installed: Origin) -> tuple[flyte.Image, str]:
    """`image` with the layers that bring in the byof `installed` names, and the pip requirement
    that installs it (with `extras`) there."""
    path = installed.path
    if path is None:  # a package index or a remote URL: the image builder fetches it
        return (image.with_apt_packages("git") if installed.vcs else image), installed.requirement(extras)
    if not path.exists():
        fallback = Origin(version=installed.version).requirement(extras)
        warnings.warn(
            f"byof.environment: flyte-byof was installed from {path}, which no longer exists, so the "
            f"image asks the package index for {fallback} instead. Reinstall byof from a wheel or "
            "folder that stays, or pass byof_requirement=...",
            stacklevel=3,
        )
        return image, fallback
    if installed.is_wheel:
        image = image.with_source_file(path, dst=f"{IMAGE_SOURCE_DIR}/")
        target = f"{IMAGE_SOURCE_DIR}/{path.name}"
    else:
        image = image.with_source_file([path / name for name in SOURCE_FILES], dst=f"{IMAGE_SOURCE_DIR}/")
        for name in SOURCE_FOLDERS:
            image = image.with_source_folder(path / name, dst=f"{IMAGE_SOURCE_DIR}/{name}")
        target = IMAGE_SOURCE_DIR
    return image, Origin(version=installed.version, url=Path(target).as_uri()).requirement(extras)


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
    """A `flyte.TaskEnvironment` named `name` whose image holds this byof and `frameworks`.

    byof comes into the image the way it is installed here: pinned from the package index, or
    copied in from the wheel or source folder it was installed from. `packages` are the agent's
    own requirements (a provider SDK, your libraries), installed after byof's. Pass `image` to
    start from your own base image, `byof_requirement` to install byof from somewhere else (a
    URL the image builder can reach); every other keyword (resources, secrets, env_vars, cache,
    ...) goes to `flyte.TaskEnvironment` unchanged.
    """
    extras, adapter_packages = framework_extras(frameworks)
    base = image if image is not None else flyte.Image.from_debian_base(python_version=python_version)
    if byof_requirement is not None:
        byof = f"{DISTRIBUTION}{extras_spec(extras)} @ {byof_requirement}" if extras else byof_requirement
    else:
        base, byof = with_byof(base, extras, origin())
    requirements = [byof, *adapter_packages, *packages]
    return flyte.TaskEnvironment(name, image=base.with_pip_packages(*requirements), **kwargs)
