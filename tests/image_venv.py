"""A stand-in for building an image's Python environment, without Docker: a virtualenv holding
exactly what an image spec installs, for running tasks under Flyte's worker entrypoint in it.

The spec's base must be Flyte's released default image (flyte preinstalled at the version its
tag names); each layer is then applied in order: a copy puts files under `root`, which stands
for the image's filesystem, and a pip layer installs its requirements with uv, as Flyte's
builder does, with file:// paths into the image read under `root`. Any other kind of layer
fails: this stand-in would otherwise pass where a real build might not.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from byof._flyte_private import image_layers


def uv() -> str:
    found = shutil.which("uv") or str(Path(sys.executable).with_name("uv"))
    assert Path(found).exists(), "uv is needed to build the image's environment (pip install uv)"
    return found


def _run(*args: str) -> None:
    done = subprocess.run(args, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, f"{' '.join(args)}:\n{done.stdout}\n{done.stderr}"


def _copy(src: Path, dst: str, root: Path) -> None:
    """Docker's COPY: a folder's contents into dst; a file into dst/ (or as dst)."""
    target = root / dst.lstrip("/")
    if src.is_dir():
        shutil.copytree(src, target, dirs_exist_ok=True)
    elif dst.endswith("/"):
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, target / src.name)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, target)


def build_image_venv(image: Any, root: Path) -> Path:
    """The python of a fresh venv under `root` that holds what `image` installs."""
    base = re.fullmatch(r".*/flyte:py(\d+)\.(\d+)-v(.+)", image.base_image or "")
    assert base, f"not Flyte's released default image: {image.base_image}"
    assert (int(base[1]), int(base[2])) == sys.version_info[:2], "run this under the image's Python"
    venv = root / "venv"
    python = str(venv / "bin" / "python")
    _run(uv(), "venv", "-q", "-p", sys.executable, str(venv))
    _run(uv(), "pip", "install", "-q", "--python", python, f"flyte=={base[3]}")
    for kind, detail in image_layers(image):
        if kind == "copy":
            _copy(*detail, root)
        elif kind == "pip":
            in_root = [r.replace("file:///", f"{root.as_uri()}/") for r in detail]
            _run(uv(), "pip", "install", "-q", "--python", python, *in_root)
        else:
            raise AssertionError(f"the image stand-in cannot build a {kind} layer: {detail}")
    return Path(python)
