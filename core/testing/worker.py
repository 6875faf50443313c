"""Run a task the way a Flyte cluster would, without a cluster.

The task is serialized as a deploy would serialize it (a dry-run remote run: task spec with
its container args and resolver loader args, inputs, code bundle), then Flyte's own worker
entrypoint `a0` runs it in a fresh process from an empty directory holding only the unpacked
bundle, and the outputs it wrote are read back with Flyte's own loaders. If the task's
resolver cannot rebuild it from its loader args in that fresh process, this fails.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import flyte

from .._flyte_private import new_raw_data_path, read_worker_result

_PLACEHOLDERS = {
    "{{.input}}": "inputs.pb",
    "{{.outputPrefix}}": "out",
    "{{.rawOutputDataPrefix}}": "raw",
    "{{.checkpointOutputPrefix}}": "ckpt",
}


@dataclass
class WorkerResult:
    value: Any
    error: BaseException | None
    container_args: list[str]
    returncode: int
    stderr: str
    seconds: float


def serialize(task: Any, workdir: Path, **inputs: Any) -> Any:
    """Serialize `task` as a remote run would (needs `flyte.init(root_dir=...)` first)."""
    (workdir / "bundle").mkdir(parents=True, exist_ok=True)
    with new_raw_data_path(str(workdir / "driver_raw")):
        runner = flyte.with_runcontext(mode="remote", dry_run=True, copy_bundle_to=workdir / "bundle")
        return runner.run(task, **inputs)


def run_on_worker(
    task: Any, workdir: Path, *, python: str | Path | None = None, timeout: float = 300, **inputs: Any
) -> WorkerResult:
    """Serialize `task` with `inputs`, run it under `a0` in a fresh process, read its result.

    `python` is the interpreter of the environment `a0` runs in: by default this one; pass a
    virtualenv's to run the task with only what that environment holds (e.g. one built like the
    task's image)."""
    workdir = Path(workdir)
    dry = serialize(task, workdir, **inputs)
    (workdir / "inputs.pb").write_bytes(dry.inputs.proto_inputs.SerializeToString())
    for sub in ("out", "raw", "ckpt", "cwd", "home", "runbase"):
        (workdir / sub).mkdir(exist_ok=True)
    container_args = list(dry.task_spec.task_template.container.args)
    values = {k: str(workdir / v) for k, v in _PLACEHOLDERS.items()}
    values |= {
        "{{.prevCheckpointPrefix}}": "",
        "{{.runName}}": "byof-worker",
        "{{.actionName}}": "a0",
        "{{.runStartTime}}": "2024-01-01T00:00:00Z",
    }
    command = [values.get(a, a) for a in container_args]
    bindir = Path(python or sys.executable).parent
    command[0] = str(bindir / "a0")
    env = {
        "PATH": f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": str(workdir / "home"),
        "_U_ORG_NAME": "local",
        "FLYTE_INTERNAL_EXECUTION_PROJECT": "byof",
        "FLYTE_INTERNAL_EXECUTION_DOMAIN": "development",
        "_U_RUN_BASE": str(workdir / "runbase"),
    }
    started = time.perf_counter()
    proc = subprocess.run(
        command, cwd=workdir / "cwd", env=env, capture_output=True, text=True, timeout=timeout
    )
    seconds = time.perf_counter() - started
    try:
        value, error = read_worker_result(task, str(workdir / "out"))
    except FileNotFoundError:
        raise RuntimeError(f"a0 wrote no result (exit {proc.returncode}):\n{proc.stderr[-3000:]}") from None
    return WorkerResult(value, error, container_args, proc.returncode, proc.stderr, seconds)


def run_driver(source: str, project: Path, workdir: Path, *, timeout: float = 600) -> Any:
    """Run the driver script `source` in a fresh process, as `python driver.py <project> <workdir>`
    from `workdir`'s parent, and return the JSON value it prints last: a driver serializes tasks as
    a deploy would, in a process whose imports the test does not share."""
    driver = workdir.parent / "driver.py"
    driver.write_text(source)
    proc = subprocess.run(
        [sys.executable, str(driver), str(project), str(workdir)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=workdir.parent,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"the driver failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])
