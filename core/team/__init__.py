"""Teams: a planner splits a request into steps for specialists (byof-wrapped agents of any
framework), and the steps run as child actions in dependency order, in parallel where they can.

    team = byof.Team([byof.Specialist("math", math_task, "Does arithmetic"), ...], planner=planner_task)
    run_team = byof.wrap(team, env=env, name="team")
    flyte.run(run_team, prompt="...").outputs()[0]   # the PlanResult as JSON data
"""

from __future__ import annotations

from .parse import plan_from_output, plan_from_text
from .plan import Plan, PlanError, PlanLimits, PlanStep, validate
from .planner import chat_planner
from .prompts import planning_prompt, with_results
from .results import PlanResult, StepResult
from .team import Specialist, Team

__all__ = [
    "Plan",
    "PlanError",
    "PlanLimits",
    "PlanResult",
    "PlanStep",
    "Specialist",
    "StepResult",
    "Team",
    "chat_planner",
    "plan_from_output",
    "plan_from_text",
    "planning_prompt",
    "validate",
    "with_results",
]
