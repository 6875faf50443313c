"""A plan out of whatever the planner returned: structured data, or text with JSON in it.

Models put the JSON in a markdown fence, in prose, or bare; they name fields their own way
("dependencies", "specialist") and number steps. All of that is accepted. What cannot be read
as a plan is a `PlanError` saying what was found, so it can go back to the planner.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import ValidationError

from .plan import Plan, PlanError

_FENCE = re.compile(r"```(?:json|JSON)?\s*\n(.*?)```", re.DOTALL)
_ALIASES = {
    "id": ("id", "step_id", "step", "name"),
    "agent": ("agent", "specialist", "assignee", "worker"),
    "task": ("task", "instruction", "description", "prompt"),
    "depends_on": ("depends_on", "dependencies", "deps", "after", "requires"),
}


def plan_from_output(output: Any) -> Plan:
    """The plan in a planner's output: a dict or list (structured output), or text."""
    if isinstance(output, Plan):
        return output
    if isinstance(output, str):
        return plan_from_text(output)
    return _plan_from_data(output)


def plan_from_text(text: str) -> Plan:
    """The plan in `text`: the first JSON object or list in a fence, or else in the text."""
    candidates = [m.group(1) for m in _FENCE.finditer(text)] + [text]
    for candidate in candidates:
        data = _first_json(candidate)
        if data is not None:
            return _plan_from_data(data)
    raise PlanError([f"the planner's answer holds no JSON plan: {text[:300]!r}"])


def _first_json(text: str) -> Any:
    """The first JSON object or list that starts somewhere in `text`, or None."""
    decoder = json.JSONDecoder()
    for match in re.finditer(r"[\[{]", text):
        try:
            value, _ = decoder.raw_decode(text, match.start())
        except json.JSONDecodeError:
            continue
        if isinstance(value, (dict, list)):
            return value
    return None


def _plan_from_data(data: Any) -> Plan:
    if isinstance(data, list):
        data = {"steps": data}
    raw_steps = data.get("steps", data.get("plan")) if isinstance(data, dict) else None
    if not isinstance(raw_steps, list):
        raise PlanError([f"a plan is an object with a list of steps; got {json.dumps(data)[:300]}"])
    steps = [_step(i, raw) for i, raw in enumerate(raw_steps, start=1)]
    final = data.get("final", data.get("final_step"))
    try:
        return Plan.model_validate({"steps": steps, "final": None if final is None else str(final)})
    except ValidationError as exc:
        raise PlanError([_problem(steps, e) for e in exc.errors()]) from None


def _step(number: int, raw: Any) -> dict[str, Any]:
    """A step's fields under their own names; a step without an id gets its number."""
    if not isinstance(raw, dict):
        return {"id": str(number), "task": raw}  # let validation say what is wrong with it
    step: dict[str, Any] = {}
    for field, names in _ALIASES.items():
        value = next((raw[n] for n in names if n in raw), None)
        if value is not None:
            step[field] = value
    step.setdefault("id", str(number))
    step["id"] = str(step["id"])
    deps = step.get("depends_on", [])
    step["depends_on"] = [str(d) for d in (deps if isinstance(deps, list) else [deps])]
    return step  # other fields a model adds ("reason", ...) are left out


def _problem(steps: list[dict[str, Any]], error: Any) -> str:
    loc = error["loc"]
    if loc and loc[0] == "steps" and len(loc) > 1 and isinstance(loc[1], int):
        step_id = steps[loc[1]].get("id", str(loc[1] + 1))
        field = ".".join(str(x) for x in loc[2:]) or "step"
        return f"step {step_id!r}: {field}: {error['msg']}"
    return f"{'.'.join(str(x) for x in loc)}: {error['msg']}"
