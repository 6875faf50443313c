"""What a team run returns: every step's status, output or error, and the answer."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

from .plan import Plan

Status = Literal["succeeded", "failed", "skipped"]


class StepResult(BaseModel):
    """One step as it ran. `task` is the prompt the specialist got (with its dependencies'
    results); `replayed` says it came from the journal of an earlier, interrupted run."""

    id: str
    agent: str
    task: str
    status: Status
    output: Any = None
    error: str | None = None
    wave: int = 0
    start_time: float | None = None
    end_time: float | None = None
    replayed: bool = False


class PlanResult(BaseModel):
    """The request, the plan as it finally stood, each step's result (in plan order) and the
    answer: the output of the plan's final step, or None when that step did not succeed."""

    request: str
    plan: Plan
    steps: list[StepResult]
    answer: Any = None
    status: Literal["succeeded", "failed"]
    revisions: int = 0
    waves: list[list[str]]

    def step(self, step_id: str) -> StepResult:
        return next(s for s in self.steps if s.id == step_id)
