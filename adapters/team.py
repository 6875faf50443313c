"""The team adapter: `byof.wrap(byof.Team(...), env=env)` is a task that plans a request, runs
the plan's steps on the team's specialists as child actions, and returns how it went.

Task input: `prompt` (the request). Output: the `PlanResult` as JSON data: the plan, each step's
status, output or error, and the answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from byof.plugins import Adapter, Param, TaskSignature, hookimpl

NAME = "team"


class TeamAdapter(Adapter[None]):
    """A `byof.Team`: its planner and specialists are wrapped agents, durable on their own."""

    name = NAME
    framework = "byof teams"
    description = "byof.Team: a planner and specialists of any framework, run in dependency waves."

    def claims(self, obj: Any) -> bool:
        from byof.team import Team

        return isinstance(obj, Team)

    def signature(self, obj: Any, options: Mapping[str, Any]) -> TaskSignature:
        return TaskSignature(params=(Param("prompt", str),), output=dict)

    def prepare(self, obj: Any, run: Any) -> None:
        return None  # no tools or models of its own: its planner and specialists have theirs

    async def invoke(self, obj: Any, prepared: None, inputs: dict[str, Any], run: Any) -> Any:
        result = await obj.run(run, inputs["prompt"])
        return result.model_dump(mode="json")


@hookimpl
def byof_register_adapters(register: Any) -> None:
    register(TeamAdapter())
