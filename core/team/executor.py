"""Runs a plan's steps as child actions: each as soon as the steps it needs are done, at most
`max_parallel` at once, a failure isolated to the steps that need it.

So the plan takes as long as its critical path (the slowest chain of dependent steps), not the
sum of its waves' slowest steps. A step whose dependency failed or was skipped is skipped, with
the reason; every other step still runs. A step an earlier execution of this run finished (a
resumed or retried run) comes from the journal and runs nothing.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any

from ..durability.exceptions import original_error
from ..durability.steps import PLAN_STEP
from ..observability.events import PlanStepFinished, PlanStepStarted, new_span_id
from ..runtime.run_context import RunContext, events_under
from .journaled import journaled
from .plan import Plan, PlanStep
from .results import PlanResult, StepResult

if TYPE_CHECKING:
    from .team import Team


def _error_text(exc: BaseException) -> str:
    """The error a step failed with, by its own class: a failed child action reaches the team as
    Flyte's error, which keeps the class in its code."""
    exc = original_error(exc)
    code = getattr(exc, "code", None)  # a Flyte error of another origin: its code names the class
    if isinstance(code, str) and code.strip():
        return f"{code.split('|')[-1].strip()}: {exc}"
    return f"{type(exc).__name__}: {exc}"


class Executor:
    """One team run's steps; `run` may be called several times (a wave at a time, when the
    planner revises the plan in between), each step seeing all results so far."""

    def __init__(self, team: Team, run: RunContext) -> None:
        self.team = team
        self.run_context = run
        self.gate = asyncio.Semaphore(team.max_parallel)
        self.steps: list[PlanStep] = []
        self.by_id: dict[str, StepResult] = {}
        self.finished: dict[str, asyncio.Event] = {}
        self.wave: dict[str, int] = {}

    def results(self) -> list[StepResult]:
        return [self.by_id[s.id] for s in self.steps if s.id in self.by_id]

    async def run(self, plan: Plan) -> None:
        for step in plan.steps:
            self.steps.append(step)
            self.finished[step.id] = asyncio.Event()
        for step in plan.steps:  # plan order is not dependency order
            self._wave_of(step.id)
        await asyncio.gather(*(self._step(step) for step in plan.steps))

    def _wave_of(self, step_id: str) -> int:
        if step_id not in self.wave:
            step = next(s for s in self.steps if s.id == step_id)
            self.wave[step_id] = 1 + max((self._wave_of(d) for d in step.depends_on), default=0)
        return self.wave[step_id]

    async def _step(self, step: PlanStep) -> None:
        try:
            for dep in step.depends_on:
                await self.finished[dep].wait()
            self.by_id[step.id] = await self._outcome(step)
        finally:
            self.finished[step.id].set()

    async def _outcome(self, step: PlanStep) -> StepResult:
        run, wave = self.run_context, self.wave[step.id]
        blocked = [d for d in step.depends_on if self.by_id[d].status != "succeeded"]
        if blocked:
            reasons = ", ".join(f"{d} {self.by_id[d].status}" for d in blocked)
            result = StepResult(
                id=step.id,
                agent=step.agent,
                task=step.task,
                status="skipped",
                wave=wave,
                error=f"skipped: it needs {reasons}",
            )
            self._finished(result)
            return result
        prompt = self.team.format_prompt(step, self.by_id)
        specialist = self.team.specialists[step.agent].agent
        span = new_span_id()  # the step's start and end events, and the specialist's run under it
        saved_ms = None
        async with self.gate:
            started = time.time()
            run.emit(
                run.child(
                    PlanStepStarted,
                    span_id=span,
                    name=step.id,
                    specialist=step.agent,
                    wave=wave,
                    input=prompt,
                )
            )
            try:
                with events_under(span):
                    output, saved_ms = await journaled(
                        run, PLAN_STEP, step.agent, prompt, lambda: specialist.aio(prompt=prompt)
                    )
                result = StepResult(
                    id=step.id,
                    agent=step.agent,
                    task=prompt,
                    status="succeeded",
                    output=output,
                    wave=wave,
                    replayed=saved_ms is not None,
                )
            except Exception as exc:  # isolated: the steps that need this one are skipped, no more
                result = StepResult(
                    id=step.id,
                    agent=step.agent,
                    task=prompt,
                    status="failed",
                    error=_error_text(exc),
                    wave=wave,
                )
        result.start_time, result.end_time = started, time.time()
        self._finished(result, span, saved_ms or 0.0)
        return result

    def _finished(self, result: StepResult, span: str | None = None, saved_ms: float = 0.0) -> None:
        run = self.run_context
        event = run.child(
            PlanStepFinished,
            name=result.id,
            specialist=result.agent,
            wave=result.wave,
            status=result.status,
            input=result.task,
            output=result.output,
            error=result.error,
            replayed=result.replayed,
            saved_ms=saved_ms,
        )
        if span is not None:
            event.span_id = span
        if result.start_time is not None:
            event.start_time = result.start_time
        event.end_time = time.time()
        run.emit(event)

    def result(self, request: str, final: str | None, revisions: int) -> PlanResult:
        """The run as it went: the steps that ran, in order, and the final step's output."""
        plan = Plan(steps=self.steps, final=final)
        answer_step = self.by_id[plan.answer_step()]
        waves: dict[int, list[str]] = {}
        for step in self.steps:
            waves.setdefault(self.wave[step.id], []).append(step.id)
        ok = answer_step.status == "succeeded"
        answer: Any = answer_step.output if ok else None
        return PlanResult(
            request=request,
            plan=plan,
            steps=self.results(),
            answer=answer,
            status="succeeded" if ok else "failed",
            revisions=revisions,
            waves=[waves[k] for k in sorted(waves)],
        )
