"""What Flyte itself recorded during a run: task executions and `flyte.trace` steps.

Assertions about durability must not rest on byof's own bookkeeping, so this listens where
Flyte reports to observability plugins: every task (the wrapped agent, each tool child task)
and every trace step (each model call), with the action ids Flyte assigned.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

from .._flyte_private import Recorder, StepInfo, TaskInfo, register_observer, unregister_observer


@dataclass(frozen=True)
class TaskRecord:
    name: str
    action: str
    error: str | None


@dataclass(frozen=True)
class StepRecord:
    name: str
    action: str
    task_action: str | None
    replayed: bool
    error: str | None


@dataclass
class FlyteRecord:
    """Tasks and trace steps Flyte executed while recording was on."""

    tasks: list[TaskRecord] = field(default_factory=list)
    steps: list[StepRecord] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def tasks_named(self, suffix: str) -> list[TaskRecord]:
        """Task executions whose Flyte task name ends with `suffix`."""
        return [t for t in self.tasks if t.name.endswith(suffix)]

    def steps_named(self, name: str) -> list[StepRecord]:
        return [s for s in self.steps if s.name == name]

    @contextlib.contextmanager
    def task_span(self, info: TaskInfo, recorder: Recorder) -> Iterator[None]:
        try:
            yield
        finally:
            error = None if recorder.error is None else f"{type(recorder.error).__name__}: {recorder.error}"
            with self._lock:
                self.tasks.append(TaskRecord(info.name, info.action.name, error))

    @contextlib.contextmanager
    def step_span(self, info: StepInfo, recorder: Recorder) -> Iterator[None]:
        try:
            yield
        finally:
            error = None if recorder.error is None else f"{type(recorder.error).__name__}: {recorder.error}"
            task_action = info.task_action.name if info.task_action is not None else None
            with self._lock:
                self.steps.append(StepRecord(info.name, info.action.name, task_action, info.replayed, error))


@contextlib.contextmanager
def record_flyte() -> Iterator[FlyteRecord]:
    """Collect what Flyte executes inside the block."""
    record = FlyteRecord()
    register_observer(record)
    try:
        yield record
    finally:
        unregister_observer(record)
