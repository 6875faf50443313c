"""Every private Flyte API byof touches, in one place.

byof uses public Flyte APIs everywhere else. The names below have no public equivalent yet;
tests/test_flyte_private.py exercises each of them against the installed Flyte, so an upgrade
that moves or changes one fails there, loudly, instead of somewhere downstream.

- `flyte._observe`: the observer hooks Flyte calls around every task execution and every
  `flyte.trace` step (the seam flyteplugins-otel uses). byof.testing reads what Flyte recorded
  through it.
"""

from __future__ import annotations

from typing import Any

from flyte._observe import Recorder, StepInfo, TaskInfo, register_observer, unregister_observer

__all__ = [
    "Recorder",
    "StepInfo",
    "TaskInfo",
    "new_raw_data_path",
    "image_layers",
    "image_pip_packages",
    "local_cache_dir",
    "local_metadata_dir",
    "read_worker_result",
    "report_path",
    "register_observer",
    "unregister_observer",
]


# - Flyte's worker I/O: how a task's inputs are staged and its outputs/error read back. Used by
#   byof.testing.worker to run Flyte's own worker entrypoint (`a0`) against local files.
def new_raw_data_path(path: str) -> Any:
    """A context in which dry-run serialization can offload large inputs under `path`."""
    from flyte._context import internal_ctx
    from flyte.models import RawDataPath

    return internal_ctx().new_raw_data_path(raw_data_path=RawDataPath.from_local_folder(path))


def read_worker_result(task: Any, outputs_prefix: str) -> tuple[Any, BaseException | None]:
    """The native outputs (or the native error) a worker wrote under `outputs_prefix`."""
    import asyncio
    import os

    from flyte._internal.runtime import convert, io

    error_file = io.error_path(outputs_prefix)
    if os.path.exists(error_file):
        error = asyncio.run(io.load_error(error_file))
        return None, convert.convert_error_to_native(error)
    outputs = asyncio.run(io.load_outputs(io.outputs_path(outputs_prefix)))
    return asyncio.run(convert.convert_outputs_to_native(task.native_interface, outputs)), None


# - `flyte.Image` layers: what an image spec copies and installs, for inspecting (not building)
#   an image, and for byof's tests to rebuild its Python environment without Docker.
def image_pip_packages(image: Any) -> list[str]:
    """Every pip requirement the layers of `image` install, in order."""
    return [p for layer in image._layers for p in (getattr(layer, "packages", None) or ())]


def image_layers(image: Any) -> list[tuple[str, Any]]:
    """`image`'s layers in build order, as (kind, detail): ("copy", (source Path, destination)),
    ("pip", requirements), ("apt", packages), or (the layer's class name, the layer)."""
    from flyte._image import AptPackages, CopyConfig, PipPackages

    layers: list[tuple[str, Any]] = []
    for layer in image._layers:
        if isinstance(layer, CopyConfig):
            layers.append(("copy", (layer.src, layer.dst)))
        elif type(layer) is PipPackages:  # a Requirements layer (a file) is a subclass: not this
            layers.append(("pip", tuple(layer.packages or ())))
        elif isinstance(layer, AptPackages):
            layers.append(("apt", tuple(layer.packages)))
        else:
            layers.append((type(layer).__name__, layer))
    return layers


# - Flyte's local cache directory (~/.flyte/local-cache by default, or beside the config file):
#   byof's local journal lives beside it.
def local_cache_dir() -> Any:
    """The directory of Flyte's local task cache, as a Path (not created)."""
    from flyte._persistence._db import LocalDB

    return LocalDB._get_cache_dir()


# - Where Flyte writes a task's report: report.html under the action's output path; a local run's
#   actions live under /tmp/flyte/metadata/<run name>/ (Flyte's local runner builds that path
#   inline). `byof report` and the live view point users at it.
def report_path(output_path: str) -> str:
    """The report file of the action whose output path is `output_path`."""
    from flyte._internal.runtime import io

    return io.report_path(output_path)


def local_metadata_dir() -> Any:
    """The directory under which Flyte's local runtime keeps each run's actions, as a Path."""
    from pathlib import Path

    return Path("/tmp/flyte/metadata")
