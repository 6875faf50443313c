"""Plans: strict validation naming each problem's step, and plans read from what planners write."""

from __future__ import annotations

import pytest

from byof.team import Plan, PlanError, PlanLimits, PlanStep, plan_from_output, plan_from_text, validate

TEAM = ("math", "words")


def plan(*steps: tuple[str, str, list[str]], final: str | None = None) -> Plan:
    return Plan(
        steps=[PlanStep(id=i, agent=a, task=f"task {i}", depends_on=d) for i, a, d in steps], final=final
    )


def problems(p: Plan, limits: PlanLimits = PlanLimits(), done: tuple[str, ...] = ()) -> list[str]:
    with pytest.raises(PlanError) as info:
        validate(p, TEAM, limits, done=done)
    return info.value.problems


def test_a_valid_plan_passes_and_has_waves() -> None:
    p = plan(("s1", "math", []), ("s2", "words", []), ("s3", "math", ["s1", "s2"]), ("s4", "words", ["s3"]))
    validate(p, TEAM)
    assert p.waves() == [["s1", "s2"], ["s3"], ["s4"]] and p.answer_step() == "s4"


def test_every_kind_of_problem_names_its_step() -> None:
    found = problems(
        plan(("s1", "math", ["s1"]), ("s1", "poet", []), ("s2", "words", ["s9"]), final="s7"),
    )
    assert "step 's1': the id is used by 2 steps; ids must be unique" in found
    assert "step 's1': depends on itself" in found
    assert "step 's1': unknown specialist 'poet'; known: math, words" in found
    assert "step 's2': depends on 's9', which is not a step of the plan" in found
    assert "final step 's7' is not a step of the plan" in found


def test_a_cycle_is_named_step_by_step() -> None:
    found = problems(
        plan(("a", "math", ["c"]), ("b", "math", ["a"]), ("c", "math", ["b"]), ("d", "math", []))
    )
    assert found == ["step 'a': dependency cycle a -> c -> b -> a"]


def test_empty_plan_and_limits() -> None:
    assert problems(Plan(steps=[])) == ["the plan has no steps"]
    wide = plan(*((f"s{i}", "math", []) for i in range(5)))
    assert problems(wide, PlanLimits(max_steps=4, max_width=8)) == ["the plan has 5 steps; the limit is 4"]
    assert problems(wide, PlanLimits(max_width=3)) == [
        "wave 1 (s0, s1, s2, s3, s4) runs 5 steps at once; the limit is 3"
    ]


def test_a_revision_may_depend_on_steps_done_but_not_redo_them() -> None:
    revised = plan(("s3", "math", ["s1"]), ("s1", "math", []))
    assert problems(revised, done=("s1",)) == ["step 's1': already done; give new steps new ids"]
    validate(plan(("s3", "math", ["s1", "s2"])), TEAM, done=("s1", "s2"))


# -- reading plans ---------------------------------------------------------------------------------


def test_json_in_a_fence_in_prose_or_bare() -> None:
    body = '{"steps": [{"id": "s1", "agent": "math", "task": "10*5"}], "final": "s1"}'
    for text in (f"Here you go:\n```json\n{body}\n```\nDone.", f"My plan is {body} as asked.", body):
        assert plan_from_text(text).steps[0].task == "10*5"


def test_models_own_field_names_numbered_steps_and_a_bare_list() -> None:
    text = (
        'Plan: [{"specialist": "math", "instruction": "10*5"}, '
        '{"specialist": "words", "description": "count", "dependencies": [1], "reason": "needs it"}]'
    )
    parsed = plan_from_text(text)
    assert [(s.id, s.agent, s.task, s.depends_on) for s in parsed.steps] == [
        ("1", "math", "10*5", []),
        ("2", "words", "count", ["1"]),
    ]


def test_structured_output_is_read_directly() -> None:
    data = {"steps": [{"id": "s1", "agent": "math", "task": "10*5", "depends_on": []}]}
    assert plan_from_output(data).steps[0].id == "s1"
    assert plan_from_output(Plan.model_validate(data)).steps[0].id == "s1"


def test_what_is_not_a_plan_says_what_was_found() -> None:
    with pytest.raises(PlanError, match="holds no JSON plan: 'I would rather not'"):
        plan_from_text("I would rather not")
    with pytest.raises(PlanError, match="a plan is an object with a list of steps"):
        plan_from_output({"answer": 42})
    with pytest.raises(PlanError) as info:
        plan_from_output({"steps": [{"id": "s1", "agent": "math"}, {"id": "s2", "agent": " ", "task": "x"}]})
    assert info.value.problems == [
        "step 's1': task: Field required",
        "step 's2': agent: Value error, must not be blank",
    ]
