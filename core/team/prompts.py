"""What the planner is asked (to plan, to repair a plan, to revise one) and how a step's prompt
carries the results it depends on (`with_results`, replaceable per team)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .plan import Plan, PlanStep

if TYPE_CHECKING:
    from .results import StepResult

PLAN_FORMAT = (
    'Answer with only a JSON object: {"steps": [{"id": "s1", "agent": "<specialist name>", '
    '"task": "<what to ask, in full>", "depends_on": ["<ids of steps whose results it needs>"]}], '
    '"final": "<id of the step whose result answers the request>"}'
)


def as_text(value: Any) -> str:
    """A step's output as prompt text."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def planning_prompt(request: str, specialists: Mapping[str, str]) -> str:
    """The planner's prompt: the specialists (name: description), the request, the format."""
    team = "\n".join(f"- {name}: {description}" for name, description in specialists.items())
    return (
        "You plan work for a team of specialists. Split the request into steps, each done by one "
        "specialist. A step that needs another step's result depends on it; steps that do not "
        "depend on each other run at the same time. Write each task so the specialist can do it "
        "alone: the results of the steps it depends on are given to it.\n\n"
        f"Specialists:\n{team}\n\nRequest: {request}\n\n{PLAN_FORMAT}"
    )


def repair_prompt(prompt: str, answer: Any, problems: Sequence[str]) -> str:
    """The planning prompt again, with the plan that could not run and why."""
    listed = "\n".join(f"- {p}" for p in problems)
    return (
        f"{prompt}\n\nYour previous plan could not run:\n{listed}\n\nYour previous answer:\n"
        f"{as_text(answer)}\n\nAnswer with a corrected plan, as JSON only."
    )


def revision_prompt(prompt: str, done: Sequence[StepResult], remaining: Plan) -> str:
    """The planning prompt with what has run so far, asking for the steps still to run."""
    progress = "\n".join(
        f"- {r.id} ({r.agent}) {r.status}: {as_text(r.output) if r.status == 'succeeded' else r.error}"
        for r in done
    )
    return (
        f"{prompt}\n\nSteps done so far:\n{progress}\n\nSteps still planned:\n"
        f"{remaining.model_dump_json()}\n\nRevise the steps still to run given these results. Answer "
        "with the JSON plan of the steps still to run (the same ones if they still fit; new steps "
        "need new ids and may depend on the ids of steps done)."
    )


def with_results(step: PlanStep, results: Mapping[str, StepResult]) -> str:
    """The default step prompt: its task, then the results of the steps it depends on."""
    if not step.depends_on:
        return step.task
    lines = "\n".join(
        f"- {d} ({results[d].agent}, asked: {results[d].task.splitlines()[0]}): {as_text(results[d].output)}"
        for d in step.depends_on
    )
    return f"{step.task}\n\nResults of the steps this builds on:\n{lines}"
