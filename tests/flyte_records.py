"""What the adapter tests read back from a local Flyte run: its output, and what Flyte recorded."""

from __future__ import annotations

from typing import Any

import flyte

from byof.steps.models import step_name
from byof.testing.recorder import FlyteRecord

SCRIPTED_MODEL = "scripted-model"  # the default name of byof's scripted models


def run(task: Any, **inputs: Any) -> Any:
    """Run `task` on Flyte's local runtime and return its (single) output."""
    return flyte.run(task, **inputs).outputs()[0]


def model_steps(rec: FlyteRecord, model: str = SCRIPTED_MODEL) -> int:
    """How many trace steps Flyte recorded for calls to `model` (steps are named after it)."""
    return len(rec.steps_named(step_name(model)))


def tasks(rec: FlyteRecord, agent: str, tool: str) -> int:
    """How many child tasks Flyte ran for `agent`'s tool `tool`."""
    return len(rec.tasks_named(f".{agent}__{tool}"))
