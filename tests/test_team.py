"""Teams end to end: real local Flyte runs of a planner and specialists, checking what Flyte
recorded (a child action per planner call and per step) and what the team returned."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import flyte
import pytest
import team_agents as agents

import byof
from byof.observability.events import Event, PlanCreated, PlanRevised, PlanStepFinished, PlanStepStarted
from byof.team import PlanLimits, PlanStep, chat_planner
from byof.testing.chat import ScriptedChat
from byof.testing.recorder import record_flyte
from byof.testing.script import Request, Script, say

pytestmark = pytest.mark.usefixtures("flyte_local")

ENV = flyte.TaskEnvironment("team-tests")
CALC = byof.wrap(agents.calc, env=ENV, name="calc")
WORDS = byof.wrap(agents.words, env=ENV, name="words")
GATE = byof.wrap(agents.gate, env=ENV, name="gate")
SPECIALISTS = [
    byof.Specialist("calc", CALC, "Adds or multiplies two numbers."),
    byof.Specialist("words", WORDS, "Counts the words in a quoted text."),
    byof.Specialist("gate", GATE, "Waits for things."),
]
REQUEST = "Calculate 10 times 5 and count words in 'Hello World', then multiply the word count by the calculation result"


def step(id: str, agent: str, task: str, *deps: str) -> dict[str, Any]:
    return {"id": id, "agent": agent, "task": task, "depends_on": list(deps)}


def planner(*answers: Any, name: str = "planner") -> Any:
    """A wrapped chat planner answering with `answers` in turn (plans as JSON text)."""
    asked: list[Request] = []
    turns = [say(a if isinstance(a, str) else json.dumps(a)) for a in answers]

    def by_call(request: Request) -> None:
        asked.append(request)

    script = Script(on_respond=by_call)
    # Every planner call is a new conversation; answer the n-th call with the n-th answer.
    script.turns_for = lambda prompt: (turns[min(len(asked), len(turns)) - 1],)  # type: ignore[method-assign]
    # Each test builds its own planner and team under the same names: in an environment of their
    # own, as a notebook cell run again would (one environment holds one agent per name).
    task = byof.wrap(chat_planner(ScriptedChat(script)), env=flyte.TaskEnvironment(ENV.name), name=name)
    task.asked = asked
    return task


def run_team(team: byof.Team, request: str = REQUEST, **wrap: Any) -> tuple[dict[str, Any], Any, list[Event]]:
    events: list[Event] = []
    sinks = [events.append, *wrap.pop("sinks", [])]
    task = byof.wrap(
        team, env=flyte.TaskEnvironment(ENV.name), name=wrap.pop("name", "team"), sinks=sinks, **wrap
    )
    with record_flyte() as rec:
        out = flyte.run(task, prompt=request).outputs()[0]
    return out, rec, events


TUTORIAL = {
    "steps": [
        step("s1", "calc", "multiply 10 5"),
        step("s2", "words", "count words in 'Hello World'"),
        step("s3", "calc", "multiply $s2 $s1", "s1", "s2"),
    ],
    "final": "s3",
}


def test_the_tutorial_request_runs_as_two_waves_of_child_actions() -> None:
    team = byof.Team(SPECIALISTS, planner=planner(TUTORIAL))
    out, rec, events = run_team(team)
    assert out["answer"] == "100" and out["status"] == "succeeded"
    assert out["waves"] == [["s1", "s2"], ["s3"]]
    assert [(s["id"], s["status"], s["output"]) for s in out["steps"]] == [
        ("s1", "succeeded", "50"),
        ("s2", "succeeded", "2"),
        ("s3", "succeeded", "100"),
    ]
    assert "- s1 (calc, asked: multiply 10 5): 50" in out["steps"][2]["task"], (
        "dependencies' results injected"
    )
    # What Flyte recorded: the planner, a child action per step (its tools below it), the team.
    assert len(rec.tasks_named(".planner")) == 1
    assert len(rec.tasks_named(".calc")) == 2 and len(rec.tasks_named(".words")) == 1
    assert len(rec.tasks_named(".calc__multiply")) == 2
    created = [e for e in events if isinstance(e, PlanCreated)]
    assert len(created) == 1 and created[0].waves == [["s1", "s2"], ["s3"]]
    assert [e.name for e in events if isinstance(e, PlanStepStarted)][-1] == "s3"
    finished = {e.name: e for e in events if isinstance(e, PlanStepFinished)}
    assert finished["s3"].start_time >= max(finished["s1"].end_time, finished["s2"].end_time)  # type: ignore[operator]


def test_a_step_starts_when_its_own_dependencies_are_done_not_its_wave() -> None:
    """s1 can only finish once s3 has started; s3 needs only s2. Were s3 held back until the
    whole first wave (s1 included) finished, s1 would wait in vain and fail."""
    plan = {
        "steps": [
            step("s1", "gate", "wait go"),
            step("s2", "calc", "add 1 1"),
            step("s3", "gate", "open go", "s2"),
        ]
    }
    out, _, _ = run_team(byof.Team(SPECIALISTS, planner=planner(plan)), name="dataflow")
    assert [s["status"] for s in out["steps"]] == ["succeeded"] * 3, out["steps"]
    assert out["waves"] == [["s1", "s2"], ["s3"]]


@pytest.mark.parametrize("limit", [1, 3])
def test_max_parallel_bounds_the_steps_running_at_once(limit: int) -> None:
    agents.RUNNING.update(now=0, most=0)
    plan = {"steps": [step(f"s{i}", "gate", f"hold {limit}") for i in range(4)]}
    team = byof.Team(SPECIALISTS, planner=planner(plan), max_parallel=limit)
    out, _, _ = run_team(team, name=f"parallel_{limit}")
    assert [s["status"] for s in out["steps"]] == ["succeeded"] * 4
    assert agents.RUNNING["most"] == limit


def test_a_failed_step_skips_only_the_steps_that_need_it() -> None:
    plan = {
        "steps": [
            step("s1", "calc", "fail no luck"),
            step("s2", "words", "count 'a b c'"),
            step("s3", "calc", "add $s1 1", "s1"),
            step("s4", "calc", "multiply $s2 2", "s2"),
            step("s5", "calc", "add $s3 $s4", "s3", "s4"),
        ],
        "final": "s4",
    }
    out, rec, _ = run_team(byof.Team(SPECIALISTS, planner=planner(plan)), name="isolation")
    status = {s["id"]: (s["status"], s["output"], s["error"]) for s in out["steps"]}
    assert status["s1"][0] == "failed" and "no luck" in status["s1"][2]
    assert status["s2"] == ("succeeded", "3", None) and status["s4"] == ("succeeded", "6", None)
    assert status["s3"] == ("skipped", None, "skipped: it needs s1 failed")
    assert status["s5"] == ("skipped", None, "skipped: it needs s3 skipped")
    assert out["answer"] == "6" and out["status"] == "succeeded", "the final step did not need s1"
    assert len(rec.tasks_named(".calc")) == 2, "the skipped steps ran nothing"


def test_a_step_is_retried_as_its_specialist_task_says() -> None:
    retried = byof.wrap(agents.flaky, env=ENV, name="flaky_retried", retries=1)
    once = byof.wrap(agents.flaky, env=ENV, name="flaky_once")
    specialists = [
        byof.Specialist("retried", retried, "Retries once."),
        byof.Specialist("once", once, "No retries."),
    ]
    plan = {"steps": [step("s1", "retried", "first ask"), step("s2", "once", "second ask")]}
    out, rec, _ = run_team(byof.Team(specialists, planner=planner(plan)), name="retries")
    assert [(s["id"], s["status"]) for s in out["steps"]] == [("s1", "succeeded"), ("s2", "failed")]
    assert "ConnectionError: the service hiccuped" in out["steps"][1]["error"]
    assert agents.COUNTS["flaky:first ask"] == 2 and agents.COUNTS["flaky:second ask"] == 1


def test_an_answer_step_that_did_not_succeed_fails_the_result_not_the_run() -> None:
    plan = {"steps": [step("s1", "calc", "fail broken"), step("s2", "calc", "add $s1 1", "s1")]}
    out, _, _ = run_team(byof.Team(SPECIALISTS, planner=planner(plan)), name="no_answer")
    assert out["status"] == "failed" and out["answer"] is None
    assert [s["status"] for s in out["steps"]] == ["failed", "skipped"]


def test_an_invalid_plan_goes_back_to_the_planner_with_its_problems() -> None:
    bad = {"steps": [step("s1", "poet", "write a poem"), step("s2", "calc", "add 1 1", "s9")]}
    good = {"steps": [step("s1", "calc", "add 1 1")]}
    plan_task = planner("I think we should start with math.", bad, good)
    out, _, events = run_team(byof.Team(SPECIALISTS, planner=plan_task), name="repaired")
    assert out["answer"] == "2"
    assert [e.attempts for e in events if isinstance(e, PlanCreated)] == [3]
    second, third = plan_task.asked[1].messages[-1].content, plan_task.asked[2].messages[-1].content
    assert "holds no JSON plan" in second
    assert "step 's1': unknown specialist 'poet'" in third and "depends on 's9'" in third


def test_a_plan_still_invalid_after_the_repairs_fails_the_run_naming_the_problems() -> None:
    bad = {"steps": [step("s1", "poet", "write a poem")]}
    team = byof.Team(SPECIALISTS, planner=planner(bad), repair_attempts=1)
    with pytest.raises(Exception, match=r"unknown specialist 'poet'[\s\S]*after 2 planner answers"):
        run_team(team, name="unrepaired")


def test_a_planner_with_structured_output_is_read_as_data() -> None:
    async def structured(prompt: str) -> dict:
        return TUTORIAL

    plan_task = byof.wrap(structured, env=ENV, name="structured_planner")
    out, _, _ = run_team(byof.Team(SPECIALISTS, planner=plan_task), name="structured")
    assert out["answer"] == "100" and out["plan"]["final"] == "s3"


def test_the_planner_revises_the_remaining_steps_after_a_wave() -> None:
    revised = {"steps": [step("s3b", "calc", "add $s2 $s1", "s1", "s2")], "final": "s3b"}
    plan_task = planner(TUTORIAL, revised)
    out, rec, events = run_team(byof.Team(SPECIALISTS, planner=plan_task, revisions=1), name="revising")
    assert out["answer"] == "52" and out["revisions"] == 1
    assert [s["id"] for s in out["steps"]] == ["s1", "s2", "s3b"] and out["plan"]["final"] == "s3b"
    assert [e.revision for e in events if isinstance(e, PlanRevised)] == [1]
    assert "Steps done so far:\n- s1 (calc) succeeded: 50" in plan_task.asked[1].messages[-1].content
    assert len(rec.tasks_named(".planner")) == 2


def test_a_revision_that_keeps_the_plan_is_no_revision() -> None:
    plan_task = planner(TUTORIAL, {"steps": [TUTORIAL["steps"][2]], "final": "s3"})
    out, _, events = run_team(byof.Team(SPECIALISTS, planner=plan_task, revisions=2), name="kept")
    assert out["answer"] == "100" and out["revisions"] == 0
    assert not [e for e in events if isinstance(e, PlanRevised)]


def test_the_step_prompt_formatter_is_replaceable() -> None:
    def terse(step: PlanStep, results: dict[str, Any]) -> str:
        return step.task.replace("$s1", str(results["s1"].output)) if step.depends_on else step.task

    plan = {"steps": [step("s1", "calc", "add 2 3"), step("s2", "calc", "multiply $s1 10", "s1")]}
    out, _, _ = run_team(byof.Team(SPECIALISTS, planner=planner(plan), format_prompt=terse), name="terse")
    assert out["answer"] == "50" and out["steps"][1]["task"] == "multiply 5 10"


def test_plan_limits_apply_before_anything_runs() -> None:
    wide = {"steps": [step(f"s{i}", "calc", "add 1 1") for i in range(3)]}
    team = byof.Team(SPECIALISTS, planner=planner(wide), limits=PlanLimits(max_width=2), repair_attempts=0)
    before = agents.COUNTS["add"]
    with pytest.raises(Exception, match=r"wave 1 \(s0, s1, s2\) runs 3 steps at once; the limit is 2"):
        run_team(team, name="too_wide")
    assert agents.COUNTS["add"] == before


# -- seeing it ------------------------------------------------------------------------------------


def test_the_console_shows_the_plan_and_each_step_live() -> None:
    from io import StringIO

    from rich.console import Console

    from byof.sinks import PlanConsole

    screen = StringIO()
    plan = {
        "steps": [
            *TUTORIAL["steps"],
            step("s4", "calc", "fail on purpose"),
            step("s5", "calc", "add $s4 1", "s4"),
        ],
        "final": "s3",
    }
    team = byof.Team(SPECIALISTS, planner=planner(plan))
    run_team(team, name="shown", sinks=[PlanConsole(Console(file=screen, width=120))])
    text = screen.getvalue()
    assert "plan: 5 steps in 2 waves" in text and "s3 (answer)" in text
    assert text.index("wave 1") < text.index("▶ s1 calc: multiply 10 5") < text.index("wave 2")
    assert "✓ s3 calc" in text and ": 100" in text
    assert "✗ s4 calc" in text and "ValueError" in text
    assert "– s5 calc" in text and "skipped: it needs s4 failed" in text
    assert text.rstrip().endswith("answer: 100")


def test_the_report_draws_the_plan_graph_with_each_steps_task() -> None:
    from byof.observability.report import render_html

    out, _, events = run_team(byof.Team(SPECIALISTS, planner=planner(TUTORIAL)), name="reported", report=True)
    page = render_html(events)
    assert page.count("<svg") == 1 and 'aria-label="plan dependency graph"' in page
    graph = page[page.index("plan dependency graph") : page.index("</svg>")]
    assert graph.count("<rect") == 3 and graph.count("<line") == 2, "three steps, s3's two arrows"
    assert "wave 2" in graph and "✓ s3" in graph
    assert ">count words in 'Hello World'</tspan>" in graph, "each box carries its step's task"
    assert out["answer"] == "100"


# -- building a team -------------------------------------------------------------------------------


def test_a_team_says_what_is_wrong_with_its_parts() -> None:
    with pytest.raises(byof.TeamError, match="is not a byof-wrapped agent; wrap it first"):
        byof.Team([byof.Specialist("calc", agents.calc, "math")], planner=planner(TUTORIAL))
    with pytest.raises(byof.TeamError, match="specialist names must be unique"):
        byof.Team([SPECIALISTS[0], SPECIALISTS[0]], planner=planner(TUTORIAL))

    class NeedsUnits(byof.Adapter[None]):
        """An adapter whose agents' tasks take a required input besides the prompt."""

        name, framework = "units", "units"

        def claims(self, obj: Any) -> bool:
            return obj == "units-agent"

        def signature(self, obj: Any, options: Any) -> byof.TaskSignature:
            return byof.TaskSignature(params=(byof.Param("prompt", str), byof.Param("units", str)))

    class Plugin:
        def byof_register_adapters(self, register: Any) -> None:
            register(NeedsUnits())

    plugin = Plugin()
    byof.register(plugin)
    try:
        picky = byof.wrap("units-agent", env=ENV, name="picky")
        with pytest.raises(byof.TeamError, match=r"'team-tests.picky' cannot be called with a prompt alone"):
            byof.Team([byof.Specialist("picky", picky, "x")], planner=planner(TUTORIAL))
    finally:
        byof.unregister(plugin)
    with pytest.raises(byof.TeamError, match="the planner .* is not a byof-wrapped agent"):
        byof.Team(SPECIALISTS, planner=agents.calc)


# -- crash-resume ------------------------------------------------------------------------------


def crash_run(tmp_path: Path, run_name: str, log: str, kill: str = "") -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "BYOF_JOURNAL_PATH": str(tmp_path / "journal.db"),
        "BYOF_TEAM_TEST_LOG": str(tmp_path / log),
        "BYOF_TEAM_TEST_KILL": kill,
    }
    script = Path(__file__).with_name("team_crash_agent.py")
    return subprocess.run(
        [sys.executable, str(script), run_name], capture_output=True, text=True, env=env, timeout=300
    )


def logged(tmp_path: Path, log: str) -> Counter[str]:
    path = tmp_path / log
    return Counter(path.read_text().split()) if path.exists() else Counter()


@pytest.mark.slow
def test_a_killed_team_run_resumes_without_redoing_finished_steps(tmp_path: Path) -> None:
    run_name = f"team-{uuid.uuid4().hex[:8]}"
    killed = crash_run(tmp_path, run_name, "first", kill="multiply $s2 $s1")
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    assert logged(tmp_path, "first") == {"planner": 1, "multiply": 1, "word_count": 1}

    resumed = crash_run(tmp_path, run_name, "second")
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    result = json.loads(resumed.stdout.strip().splitlines()[-1])
    assert result["answer"] == "100"
    # The plan and the finished steps came from the journal: only s3 ran, one multiply.
    assert logged(tmp_path, "second") == {"multiply": 1}
    assert [(s["id"], s["replayed"]) for s in result["steps"]] == [("s1", True), ("s2", True), ("s3", False)]
