"""A team: specialists (byof-wrapped agents of any framework) and a planner that splits a request
into steps for them. `byof.wrap(team, env=env)` makes the team a Flyte task `(prompt) -> dict`
that plans, checks the plan, and runs its steps as child actions (see executor.py)."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..durability.steps import PLANNER
from ..errors import TeamError
from ..observability.events import PlanCreated, PlanRevised, StepReplayed
from ..runtime.run_context import RunContext
from .executor import Executor
from .journaled import journaled
from .parse import plan_from_output
from .plan import Plan, PlanError, PlanLimits, validate
from .prompts import planning_prompt, repair_prompt, revision_prompt, with_results
from .results import PlanResult, StepResult

Formatter = Callable[..., str]


@dataclass(frozen=True)
class Specialist:
    """A byof-wrapped agent the planner may give steps to, by `name`, as `description` says."""

    name: str
    agent: Any
    description: str


def _check_agent(role: str, task: Any) -> None:
    """`task` must be a byof-wrapped agent that can be called with a prompt alone."""
    from ..runtime.worker import registered

    try:
        wrapped = registered(task.name)
    except (AttributeError, LookupError):
        raise TeamError(
            f"{role} {task!r} is not a byof-wrapped agent; wrap it first: byof.wrap(agent, env=env, name=...)"
        ) from None
    params = wrapped.signature.params
    required = [p.name for p in params if p.name != "prompt" and p.default is inspect.Parameter.empty]
    if "prompt" not in {p.name for p in params} or required:
        raise TeamError(
            f"{role} {task.name!r} cannot be called with a prompt alone (its task takes "
            f"{', '.join(p.name for p in params)}); a team gives each agent only a prompt"
        )


class Team:
    """Specialists and a planner; wrap it with `byof.wrap(team, env=env)` to run requests.

    `limits` bounds the plan (steps, steps per wave); `max_parallel` how many steps run at once;
    `repair_attempts` how often an invalid plan goes back to the planner with its problems;
    `revisions` how often the planner may revise the remaining steps after a wave (0: never;
    revising makes each wave wait for the one before); `format_prompt(step, results)` writes a
    step's prompt from its task and its dependencies' results.
    """

    def __init__(
        self,
        specialists: Sequence[Specialist],
        planner: Any,
        *,
        limits: PlanLimits = PlanLimits(),
        max_parallel: int = 4,
        repair_attempts: int = 2,
        revisions: int = 0,
        format_prompt: Formatter = with_results,
    ) -> None:
        if not specialists:
            raise TeamError("a team needs at least one specialist")
        names = [s.name for s in specialists]
        if len(set(names)) != len(names):
            raise TeamError(f"specialist names must be unique: {', '.join(names)}")
        for specialist in specialists:
            _check_agent(f"specialist {specialist.name!r}", specialist.agent)
        _check_agent("the planner", planner)
        if max_parallel < 1 or repair_attempts < 0 or revisions < 0:
            raise TeamError("max_parallel must be at least 1; repair_attempts and revisions at least 0")
        self.specialists = {s.name: s for s in specialists}
        self.planner = planner
        self.limits = limits
        self.max_parallel = max_parallel
        self.repair_attempts = repair_attempts
        self.revisions = revisions
        self.format_prompt = format_prompt

    def __repr__(self) -> str:
        return f"Team(specialists={list(self.specialists)}, planner={self.planner.name!r})"

    # -- planning ----------------------------------------------------------------------------

    async def _ask_planner(self, run: RunContext, prompt: str) -> Any:
        answer, saved_ms = await journaled(
            run, PLANNER, self.planner.name, prompt, lambda: self.planner.aio(prompt=prompt)
        )
        if saved_ms is not None:
            run.emit(run.child(StepReplayed, step="planner", name=self.planner.name, saved_ms=saved_ms))
        return answer

    async def plan(
        self, run: RunContext, request: str, done: Sequence[StepResult] = (), remaining: Plan | None = None
    ) -> tuple[Plan, int]:
        """A valid plan (or revision of `remaining`, after the `done` steps) and the planner calls
        it took; an invalid one goes back to the planner with its problems, within bounds."""
        descriptions = {name: s.description for name, s in self.specialists.items()}
        asked = planning_prompt(request, descriptions)
        if remaining is not None:
            asked = revision_prompt(asked, done, remaining)
        finished = [r.id for r in done]
        prompt, attempt = asked, 1
        while True:
            answer = await self._ask_planner(run, prompt)
            try:
                plan = plan_from_output(answer)
                validate(plan, self.specialists, self.limits, done=finished)
                return plan, attempt
            except PlanError as problem:
                if attempt > self.repair_attempts:
                    last = f"after {attempt} planner answers; the last was {str(answer)[:300]!r}"
                    raise PlanError([*problem.problems, last]) from None
                prompt, attempt = repair_prompt(asked, answer, problem.problems), attempt + 1

    # -- running -----------------------------------------------------------------------------

    async def run(self, run: RunContext, request: str) -> PlanResult:
        """Plan `request`, run the plan, and say how every step went."""
        plan, attempts = await self.plan(run, request)
        run.emit(run.child(PlanCreated, plan=plan.model_dump(), waves=plan.waves(), attempts=attempts))
        executor = Executor(self, run)
        if not self.revisions:
            await executor.run(plan)  # each step starts as soon as the steps it needs are done
            return executor.result(request, plan.final, revisions=0)
        remaining, final, revision = plan, plan.final, 0
        while remaining.steps:  # wave by wave, so the planner can revise what is left in between
            wave = remaining.waves()[0]
            await executor.run(Plan(steps=[remaining.step(i) for i in wave]))
            remaining = Plan(steps=[s for s in remaining.steps if s.id not in wave], final=final)
            if remaining.steps and revision < self.revisions:
                revised, _ = await self.plan(run, request, executor.results(), remaining)
                if revised.model_dump() != remaining.model_dump():
                    revision += 1
                    remaining, final = revised, revised.final or final
                    run.emit(
                        run.child(
                            PlanRevised, plan=revised.model_dump(), waves=revised.waves(), revision=revision
                        )
                    )
        return executor.result(request, final, revisions=revision)
