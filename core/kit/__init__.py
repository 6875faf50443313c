"""The adapter kit: what every adapter's seams need, built-in and third-party alike.

- `loaded_instance`: claim an object without importing its framework.
- `patch_once`, `original`, `active_run`: wrap a framework class's method once per process,
  inert outside the adapter's own runs.
- `RunMemo`: once per object per run (the run's copy of each agent, model or tool).
- `crossing`: a framework's run values (deps, context, state) in a tool step, and the writes the
  tool makes to them carried back from its task.
- `ModelTracer.stream` / `astream` (on `run.tracer`): a streamed model call as one step;
  `History`: a request's conversation given apart, so a call costs its new messages only.
- `retyped`: a framework tool's function as a task body, framework-typed values crossing pickled.
- `referenced_values`: the tools and agents a function's code names (eager discovery).
- `output_type_for`, `to_output`: the task's output type and value from a framework's result.
- `drive`, `run_tool_body`: run a framework's sync loop, or a sync tool body, in byof's own
  worker threads (a thread waiting on a durable call never starves the work it waits for).
- `coerce`: a value validated to an annotation in pydantic's lax mode (the model's JSON `2` as
  `2.0` for a float), as tool arguments are.
- `warn_once`: say once per process that something is not durable, naming it.
- `to_jsonable`: a display/JSON view of framework objects; `Drop`: identity paths to leave out.

Entry validation is `Adapter.entry(options)`; the version check is `Adapter.info.check_version()`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..durability.fingerprint import Drop
    from ..observability.redact import to_jsonable
    from ..plugins.detection import loaded_instance
    from ..runtime.threads import drive, run_tool_body
    from ..steps.models import History
    from ..steps.tool_signature import coerce, retyped
    from . import crossing
    from .memo import RunMemo
    from .once import warn_once
    from .outputs import output_type_for, to_output
    from .patching import active_run, original, patch_once
    from .references import referenced_values

# Loaded on first use, like byof's own names: byof's lower layers use kit modules (memo, once),
# and importing one must not pull in the layers above them.
_EXPORTS: dict[str, str] = {
    "Drop": "..durability.fingerprint",
    "to_jsonable": "..observability.redact",
    "loaded_instance": "..plugins.detection",
    "drive": "..runtime.threads",
    "run_tool_body": "..runtime.threads",
    "History": "..steps.models",
    "coerce": "..steps.tool_signature",
    "retyped": "..steps.tool_signature",
    "RunMemo": ".memo",
    "warn_once": ".once",
    "output_type_for": ".outputs",
    "to_output": ".outputs",
    "active_run": ".patching",
    "original": ".patching",
    "patch_once": ".patching",
    "referenced_values": ".references",
}

__all__ = [
    "Drop",
    "History",
    "RunMemo",
    "active_run",
    "coerce",
    "crossing",
    "drive",
    "loaded_instance",
    "original",
    "output_type_for",
    "patch_once",
    "referenced_values",
    "retyped",
    "run_tool_body",
    "to_jsonable",
    "to_output",
    "warn_once",
]


def __getattr__(name: str) -> Any:
    if name == "crossing":
        return importlib.import_module(".crossing", __name__)
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'byof.kit' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value
