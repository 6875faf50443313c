"""A plan: steps for specialists, with the dependencies between them, checked before anything runs.

A plan is data a planner wrote, so it is validated strictly and every problem names the step it
is about: an empty plan, duplicate ids, a specialist nobody registered, a dependency on a
missing step or on the step itself, a cycle (named, step by step), and plans longer or wider
than the configured limits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, field_validator


class PlanStep(BaseModel):
    """One step: which specialist does what, after which other steps."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, description="A short unique id, like s1")
    agent: str = Field(min_length=1, description="The name of the specialist that does this step")
    task: str = Field(min_length=1, description="What the specialist is asked, in full")
    depends_on: list[str] = Field(
        default_factory=list, description="Ids of the steps whose results this step needs"
    )

    @field_validator("id", "agent", "task")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()


class Plan(BaseModel):
    """The steps that answer a request; `final` names the step whose output is the answer."""

    model_config = ConfigDict(extra="forbid")

    steps: list[PlanStep]
    final: str | None = Field(
        default=None, description="The id of the step whose result answers the request (default: the last)"
    )

    def step(self, step_id: str) -> PlanStep:
        return next(s for s in self.steps if s.id == step_id)

    def waves(self) -> list[list[str]]:
        """Steps by depth: a step's wave is one after the latest wave it depends on."""
        return waves_of(self.steps)

    def answer_step(self) -> str:
        return self.final or self.steps[-1].id


@dataclass(frozen=True)
class PlanLimits:
    """How big a plan may be: steps in all, steps in one wave (how many could run at once)."""

    max_steps: int = 20
    max_width: int = 8


class PlanError(ValueError):
    """A plan that cannot run; `problems` lists each one, naming its step."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("invalid plan:\n" + "\n".join(f"- {p}" for p in problems))


def waves_of(steps: Iterable[PlanStep], done: Iterable[str] = ()) -> list[list[str]]:
    """Wave numbers of acyclic `steps` (deps in `done` count as wave 0), as lists of ids."""
    by_id = {s.id: s for s in steps}
    depth: dict[str, int] = dict.fromkeys(done, 0)

    def wave(step_id: str) -> int:
        if step_id not in depth:
            deps = [d for d in by_id[step_id].depends_on if d in by_id or d in depth]
            depth[step_id] = 1 + max((wave(d) for d in deps), default=0)
        return depth[step_id]

    grouped: dict[int, list[str]] = {}
    for step_id in by_id:
        grouped.setdefault(wave(step_id), []).append(step_id)
    return [grouped[k] for k in sorted(grouped)]


def _cycle(steps: list[PlanStep]) -> list[str] | None:
    """One dependency cycle, as the ids along it (first id repeated at the end), or None."""
    by_id = {s.id: s for s in steps}
    state: dict[str, str] = {}  # "open" while on the path, "done" after
    path: list[str] = []

    def visit(step_id: str) -> list[str] | None:
        state[step_id] = "open"
        path.append(step_id)
        for dep in by_id[step_id].depends_on:
            if dep not in by_id or dep == step_id:
                continue
            if state.get(dep) == "open":
                return [*path[path.index(dep) :], dep]
            if dep not in state and (found := visit(dep)) is not None:
                return found
        path.pop()
        state[step_id] = "done"
        return None

    for step in steps:
        if step.id not in state and (found := visit(step.id)) is not None:
            return found
    return None


def validate(
    plan: Plan, specialists: Iterable[str], limits: PlanLimits = PlanLimits(), done: Iterable[str] = ()
) -> None:
    """Raise `PlanError` listing everything wrong with `plan`. Ids in `done` (steps that already
    ran, when a plan is revised) may be depended on but not planned again."""
    known, finished = set(specialists), set(done)
    problems: list[str] = []
    if not plan.steps:
        raise PlanError(["the plan has no steps"])
    ids = [s.id for s in plan.steps]
    for step_id in sorted({i for i in ids if ids.count(i) > 1}):
        problems.append(f"step {step_id!r}: the id is used by {ids.count(step_id)} steps; ids must be unique")
    for step in plan.steps:
        if step.id in finished:
            problems.append(f"step {step.id!r}: already done; give new steps new ids")
        if step.agent not in known:
            problems.append(
                f"step {step.id!r}: unknown specialist {step.agent!r}; known: {', '.join(sorted(known))}"
            )
        for dep in step.depends_on:
            if dep == step.id:
                problems.append(f"step {step.id!r}: depends on itself")
            elif dep not in ids and dep not in finished:
                problems.append(f"step {step.id!r}: depends on {dep!r}, which is not a step of the plan")
    if plan.final is not None and plan.final not in ids and plan.final not in finished:
        problems.append(f"final step {plan.final!r} is not a step of the plan")
    if not problems and (cycle := _cycle(plan.steps)) is not None:
        problems.append(f"step {cycle[0]!r}: dependency cycle {' -> '.join(cycle)}")
    if len(plan.steps) > limits.max_steps:
        problems.append(f"the plan has {len(plan.steps)} steps; the limit is {limits.max_steps}")
    if not problems:
        for number, wave in enumerate(waves_of(plan.steps, finished), start=1):
            if len(wave) > limits.max_width:
                problems.append(
                    f"wave {number} ({', '.join(wave)}) runs {len(wave)} steps at once; "
                    f"the limit is {limits.max_width}"
                )
    if problems:
        raise PlanError(problems)
