"""The team adapter: `byof.wrap(byof.Team(...), env=env)` is a task that plans a request, runs
the plan's steps on the team's specialists as child actions, and returns how it went.

Task input: `prompt` (the request). Output: the `PlanResult` as JSON data: the plan, each step's
status, output or error, and the answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from byof.plugins import hookimpl
from byof.plugins.adapter import AdapterInfo, Param, TaskSignature

NAME = "team"


@hookimpl
def byof_adapter_info() -> AdapterInfo:
    return AdapterInfo(
        name=NAME,
        framework="byof teams",
        description="byof.Team: a planner and specialists of any framework, run in dependency waves.",
    )


@hookimpl
def byof_detect(agent: Any) -> str | None:
    from byof.team import Team

    return NAME if isinstance(agent, Team) else None


@hookimpl
def byof_task_signature(adapter: str, agent: Any, options: Mapping[str, Any]) -> TaskSignature | None:
    return TaskSignature(params=(Param("prompt", str),), output=dict) if adapter == NAME else None


@hookimpl
def byof_route_tools(adapter: str, agent: Any, router: Any) -> Any:
    return agent if adapter == NAME else None  # a team has no tools of its own; it is not changed by a run


@hookimpl
def byof_wrap_model(adapter: str, agent: Any, tracer: Any) -> Any:
    return agent if adapter == NAME else None  # its planner and specialists trace their own models


async def _invoke(team: Any, inputs: dict[str, Any], run: Any) -> Any:
    result = await team.run(run, inputs["prompt"])
    return result.model_dump(mode="json")


@hookimpl
def byof_invoke(adapter: str, agent: Any, inputs: dict[str, Any], run: Any) -> Any:
    return _invoke(agent, inputs, run) if adapter == NAME else None
