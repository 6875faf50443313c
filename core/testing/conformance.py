"""The conformance kit: the behaviour every byof adapter must show, checked inside real Flyte runs.

An adapter (ours or a third party's) describes one `ConformanceCase`: how to build a small
agent of its framework around a scripted model and the kit's tools, and how to run that agent
natively. The kit wraps the agent itself, runs it through local `flyte.run`, and asserts on
what Flyte recorded (child task executions, trace steps), on the answer, and on the events.

    from byof.testing import conformance
    CASE = conformance.ConformanceCase(name="myframework", make_agent=..., run_raw=...)

    @pytest.mark.parametrize("check", conformance.CHECKS)
    def test_conformance(check):
        conformance.run_check(CASE, check)
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import flyte

from ..observability.events import (
    AgentFinished,
    AgentStarted,
    Event,
    ModelCalled,
    ToolBlockedEvent,
    ToolCalled,
)
from ..runtime.wrapping import wrap
from ..steps.policy import Block, ToolCall
from .recorder import FlyteRecord, record_flyte
from .script import Request, Script, call, say
from .snapshot import first_difference, snapshot

MAIN_PROMPT = "Add 2 and 3.5, then count the words in 'hello durable world'."
ERROR_PROMPT = "Try the exploding tool."
CONCURRENT_PROMPTS = ("Add 1 and 2.", "Add 10 and 20.")


class KitToolError(ValueError):
    """What the kit's `explode` tool raises."""


class KitTools:
    """The kit's three tools as plain functions, counting how often each body really ran.

    Factories wrap them with their framework's own tool decorator; names, docstrings and
    annotations are what the model is meant to see.
    """

    _snapshot_opaque = True  # its counters are the test's, not the agent's state

    def __init__(self, log: Path | None = None) -> None:
        self.counts: Counter[str] = Counter()
        self.log = log  # also append each execution here, to count across processes
        self._lock = threading.Lock()
        counted = self._count

        def add(a: float, b: float) -> float:
            """Add two numbers."""
            counted("add")
            return a + b

        def word_count(text: str) -> int:
            """Count the words in a text."""
            counted("word_count")
            return len(text.split())

        def explode(reason: str) -> str:
            """A tool that always fails, with the given reason."""
            counted("explode")
            raise KitToolError(reason)

        self.add = add
        self.word_count = word_count
        self.explode = explode

    def _count(self, name: str) -> None:
        with self._lock:
            self.counts[name] += 1
            if self.log is not None:
                with self.log.open("a") as f:
                    f.write(f"tool:{name}\n")

    @property
    def all(self) -> list[Callable[..., Any]]:
        return [self.add, self.word_count, self.explode]


def main_script(on_respond: Callable[[Request], None] | None = None) -> Script:
    return Script(
        on_respond=on_respond,
        by_prompt={
            MAIN_PROMPT: [
                call("add", a=2, b=3.5),
                call("word_count", text="hello durable world"),
                say("Results: {results}"),
            ],
            ERROR_PROMPT: [call("explode", reason="kaboom"), say("The tool failed: {last}")],
            CONCURRENT_PROMPTS[0]: [call("add", a=1, b=2), say("Sum: {last}")],
            CONCURRENT_PROMPTS[1]: [call("add", a=10, b=20), say("Sum: {last}")],
        },
    )


@dataclass
class ConformanceCase:
    """How the kit builds and runs one framework's agent.

    `make_agent(script, tools)` builds the agent with a scripted model answering from `script`
    and `tools.all` as its tools (in the framework's own tool type). `run_raw(agent, prompt)`
    runs the unwrapped agent natively (outside Flyte) and returns its answer. `tool_error` says
    how the framework surfaces a failing tool: "to_model" (the model sees the error text) or
    "raises" (the run fails with the tool's exception). `inputs` maps a prompt to the wrapped
    task's inputs; `answer_of` the task's output to answer text.
    """

    name: str
    make_agent: Callable[[Script, KitTools], Any]
    run_raw: Callable[[Any, str], Coroutine[Any, Any, Any]]
    tool_error: Literal["to_model", "raises"] = "to_model"
    inputs: Callable[[str], dict[str, Any]] = lambda prompt: {"prompt": prompt}
    answer_of: Callable[[Any], str] = lambda output: output if isinstance(output, str) else json.dumps(output)
    wrap_kwargs: dict[str, Any] = field(default_factory=dict)
    import_path: str | None = None
    block_error: Literal["to_model", "raises"] | None = (
        None  # how a policy block surfaces (default: tool_error)
    )
    settle: Callable[[], None] | None = None  # waits for the framework's background work after a run


@dataclass
class KitRun:
    """One wrapped run: its output (or error), what Flyte recorded, the events, the counters."""

    output: Any
    error: BaseException | None
    record: FlyteRecord
    events: list[Event]
    script: Script
    tools: KitTools
    agent: Any


def _env(case: ConformanceCase) -> flyte.TaskEnvironment:
    return flyte.TaskEnvironment(f"byof-kit-{case.name}")


def kit_run(
    case: ConformanceCase,
    prompt: str,
    *,
    script: Script | None = None,
    run_name: str | None = None,
    **wrap_kwargs: Any,
) -> KitRun:
    """Build the case's agent, wrap it, and run it once through local `flyte.run`."""
    script, tools = script or main_script(), KitTools()
    agent = case.make_agent(script, tools)
    events: list[Event] = []
    task = wrap(
        agent,
        env=_env(case),
        name=f"kit_{case.name}",
        sinks=[events.append],
        **{**case.wrap_kwargs, **wrap_kwargs},
    )
    flyte.init()
    output, error = None, None
    with record_flyte() as record:
        try:
            output = flyte.with_runcontext(name=run_name).run(task, **case.inputs(prompt)).outputs()[0]
        except Exception as exc:
            error = exc
    return KitRun(output, error, record, events, script, tools, agent)


def _answer(case: ConformanceCase, run: KitRun) -> str:
    if run.error is not None:
        raise AssertionError(f"[{case.name}] the wrapped run failed: {type(run.error).__name__}: {run.error}")
    return case.answer_of(run.output)


def _of(events: list[Event], kind: type[Event]) -> list[Any]:
    return [e for e in events if isinstance(e, kind)]


def check_answer(case: ConformanceCase) -> None:
    """The wrapped agent gives the answer the tools' real results lead to."""
    run = kit_run(case, MAIN_PROMPT)
    answer = _answer(case, run)
    assert "5.5" in answer and "3" in answer, f"[{case.name}] unexpected answer {answer!r}"


def check_tool_actions(case: ConformanceCase) -> None:
    """Each tool call ran once, as a Flyte child task execution of the agent's run."""
    run = kit_run(case, MAIN_PROMPT)
    _answer(case, run)
    for tool in ("add", "word_count"):
        executions = run.record.tasks_named(f"__{tool}")
        assert len(executions) == 1, (
            f"[{case.name}] Flyte recorded {len(executions)} executions of the {tool!r} tool task, expected 1; "
            f"tasks recorded: {[t.name for t in run.record.tasks]}"
        )
        assert run.tools.counts[tool] == 1, (
            f"[{case.name}] the {tool!r} body ran {run.tools.counts[tool]} times"
        )
    calls = _of(run.events, ToolCalled)
    assert [c.mode for c in calls] == ["task", "task"], f"[{case.name}] tool calls not run as tasks: {calls}"


def check_model_steps(case: ConformanceCase) -> None:
    """Each model call was a `flyte.trace` step of the agent's task."""
    run = kit_run(case, MAIN_PROMPT)
    _answer(case, run)
    agent_actions = {t.action for t in run.record.tasks_named(f".kit_{case.name}")}
    model_calls = run.script.call_count
    assert model_calls >= 3, f"[{case.name}] the scripted model was called {model_calls} times, expected 3+"
    assert len(run.record.steps) == model_calls, (
        f"[{case.name}] {model_calls} model calls but Flyte recorded {len(run.record.steps)} trace steps"
    )
    stray = [s for s in run.record.steps if s.task_action not in agent_actions]
    assert not stray, f"[{case.name}] trace steps outside the agent's task: {stray}"
    assert len(_of(run.events, ModelCalled)) == model_calls


def check_schemas_unchanged(case: ConformanceCase) -> None:
    """The tool names, descriptions and argument schemas the model sees are the same wrapped or not."""
    raw_script, raw_tools = main_script(), KitTools()
    asyncio.run(case.run_raw(case.make_agent(raw_script, raw_tools), MAIN_PROMPT))
    run = kit_run(case, MAIN_PROMPT)
    _answer(case, run)
    raw, wrapped = raw_script.tools_seen(), run.script.tools_seen()
    assert raw and raw[0], f"[{case.name}] the unwrapped agent showed the model no tools"
    assert raw == wrapped, (
        f"[{case.name}] tools the model saw differ:\n unwrapped: {raw}\n wrapped:   {wrapped}"
    )


def check_not_mutated(case: ConformanceCase) -> None:
    """Wrapping and running the agent leaves the user's object exactly as it was.

    Two comparisons. First, a fresh agent's public attributes (at every depth) before and after
    wrapped runs: a wrapped run may set none of them, not even one the framework sets on its
    first run (Pydantic AI names an unnamed agent after the variable its `run` was called from,
    so a run from byof's code would rename it). Second, everything reachable, with the baseline
    taken after one plain run, so caches a framework fills on first use (LangGraph's compiled
    nodes, say) count as the framework's doing, not byof's.
    """
    script, tools = main_script(), KitTools()
    agent = case.make_agent(script, tools)
    fresh = snapshot(agent, public=True)
    task = wrap(agent, env=_env(case), name=f"kit_{case.name}", **case.wrap_kwargs)
    flyte.init()
    for _ in range(2):
        flyte.run(task, **case.inputs(MAIN_PROMPT))
    if case.settle:
        case.settle()
    after_wrapped = snapshot(agent, public=True)
    assert after_wrapped == fresh, (
        f"[{case.name}] wrapped runs changed a public attribute of a fresh agent: "
        f"{first_difference(fresh, after_wrapped)}"
    )
    asyncio.run(case.run_raw(agent, MAIN_PROMPT))
    if case.settle:
        case.settle()
    before = snapshot(agent)
    for _ in range(2):
        flyte.run(task, **case.inputs(MAIN_PROMPT))
    if case.settle:
        case.settle()
    after = snapshot(agent)
    assert after == before, (
        f"[{case.name}] the agent changed after wrapped runs: {first_difference(before, after)}"
    )


def check_concurrent_runs(case: ConformanceCase) -> None:
    """Two concurrent runs of one agent object each get their own answer and tool calls."""
    script, tools = main_script(), KitTools()
    agent = case.make_agent(script, tools)
    env = _env(case)
    task = wrap(agent, env=env, name=f"kit_{case.name}", **case.wrap_kwargs)
    first, second = CONCURRENT_PROMPTS

    async def fan_out() -> str:
        outputs = await asyncio.gather(task(**case.inputs(first)), task(**case.inputs(second)))
        return json.dumps([case.answer_of(o) for o in outputs])

    fan_out.__name__ = f"kit_{case.name}_fan_out"
    parent = env.task(fan_out)
    flyte.init()
    with record_flyte() as record:
        answers = json.loads(flyte.run(parent).outputs()[0])
    assert "3" in answers[0] and "30" not in answers[0], f"[{case.name}] first run answered {answers[0]!r}"
    assert "30" in answers[1], f"[{case.name}] second run answered {answers[1]!r}"
    assert len(record.tasks_named("__add")) == 2 and tools.counts["add"] == 2, (
        f"[{case.name}] expected 2 add task executions, got {[t.name for t in record.tasks]}"
    )


def check_tool_error(case: ConformanceCase) -> None:
    """A failing tool surfaces the way the framework expects, and Flyte records the failure."""
    run = kit_run(case, ERROR_PROMPT)
    failed = [t for t in run.record.tasks_named("__explode") if t.error]
    assert failed, f"[{case.name}] Flyte recorded no failed explode task: {run.record.tasks}"
    if case.tool_error == "to_model":
        answer = _answer(case, run)
        assert "kaboom" in answer, f"[{case.name}] the model did not see the tool error: {answer!r}"
    else:
        assert run.error is not None and "kaboom" in str(run.error), (
            f"[{case.name}] run did not fail with the tool error"
        )
    errors = [c.error for c in _of(run.events, ToolCalled) if c.name == "explode"]
    assert errors and "KitToolError" in (errors[0] or ""), (
        f"[{case.name}] tool event lost the error class: {errors}"
    )


class _BlockWordCount:
    def byof_before_tool_call(self, call: ToolCall) -> Block | None:
        return Block("word counting is not allowed here", policy="kit") if call.tool == "word_count" else None


def check_policy_block(case: ConformanceCase) -> None:
    """A policy plugin's block reaches the agent as a tool error, runs nothing, and is recorded."""
    run = kit_run(case, MAIN_PROMPT, plugins=[_BlockWordCount()])
    assert not run.record.tasks_named("__word_count"), f"[{case.name}] a blocked tool still ran as a task"
    assert run.tools.counts["word_count"] == 0
    blocked = _of(run.events, ToolBlockedEvent)
    assert [b.name for b in blocked] == ["word_count"] and "not allowed" in blocked[0].reason
    if (case.block_error or case.tool_error) == "to_model":
        assert "not allowed" in _answer(case, run), f"[{case.name}] the agent did not see the block"
    else:
        assert run.error is not None and "not allowed" in str(run.error)


def check_events(case: ConformanceCase) -> None:
    """The run emitted agent, model and tool events, nested under the agent's span."""
    run = kit_run(case, MAIN_PROMPT)
    _answer(case, run)
    started, finished = _of(run.events, AgentStarted), _of(run.events, AgentFinished)
    assert len(started) == 1 and len(finished) == 1 and finished[0].error is None
    agent_span = started[0].span_id
    children = _of(run.events, ModelCalled) + _of(run.events, ToolCalled)
    assert children and all(e.parent_id == agent_span for e in children)
    assert all(e.end_time is not None and e.end_time >= e.start_time for e in children)
    assert {e.name for e in _of(run.events, ToolCalled)} == {"add", "word_count"}


def check_retry_resumes(case: ConformanceCase) -> None:
    """A Flyte retry after an in-process failure repeats no completed model or tool call."""
    failed = {"done": False}

    def fail_third_call_once(request: Request) -> None:
        if request.turn == 2 and not failed["done"]:
            failed["done"] = True
            raise ConnectionError("model endpoint dropped the connection")

    run = kit_run(case, MAIN_PROMPT, script=main_script(fail_third_call_once), retries=1)
    answer = _answer(case, run)
    assert "5.5" in answer and "3" in answer, f"[{case.name}] unexpected answer after the retry: {answer!r}"
    assert failed["done"], f"[{case.name}] the scripted failure never happened"
    answered = run.script.call_count  # the failing call raised before it was recorded
    assert answered == 3, (
        f"[{case.name}] the model answered {answered} calls for 3 turns: the retry repeated some"
    )
    assert run.tools.counts == {"add": 1, "word_count": 1}, (
        f"[{case.name}] tools re-ran: {dict(run.tools.counts)}"
    )


def run_case_process(
    import_path: str, run_name: str, log: Path, *, kill_at: int, journal: Path
) -> subprocess.CompletedProcess[str]:
    """Run the case `import_path` in a fresh process (byof.testing.crash_resume); returns it once
    it exits (or is killed)."""
    env = {**os.environ, "BYOF_JOURNAL_PATH": str(journal)}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "byof.testing.crash_resume",
            import_path,
            run_name,
            str(log),
            str(kill_at),
            *sys.path,
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )


def check_crash_resume(case: ConformanceCase) -> None:
    """SIGKILL after 2 of 3 model calls; the same run name resumes with only the last call live."""
    if case.import_path is None:
        raise AssertionError(
            f"[{case.name}] set ConformanceCase.import_path so a fresh process can rebuild the case"
        )
    with tempfile.TemporaryDirectory(prefix="byof-kit-crash-") as tmp:
        work = Path(tmp)
        run_name = f"kit-crash-{uuid.uuid4().hex[:10]}"
        killed = run_case_process(
            case.import_path, run_name, work / "first", kill_at=3, journal=work / "journal.db"
        )
        assert killed.returncode == -signal.SIGKILL, (
            f"[{case.name}] the run was not killed:\n{killed.stderr[-3000:]}"
        )
        first = _log_counts(work / "first")
        assert first == {"model": 2, "tool:add": 1, "tool:word_count": 1}, (
            f"[{case.name}] before the kill: {first}"
        )
        resumed = run_case_process(
            case.import_path, run_name, work / "second", kill_at=0, journal=work / "journal.db"
        )
        assert resumed.returncode == 0, f"[{case.name}] the resumed run failed:\n{resumed.stderr[-3000:]}"
        answer = resumed.stdout.strip().splitlines()[-1]
        assert "5.5" in answer and "3" in answer, f"[{case.name}] resumed answer {answer!r}"
        second = _log_counts(work / "second")
        assert second == {"model": 1}, f"[{case.name}] the resumed run repeated completed steps: {second}"


def _log_counts(path: Path) -> Counter[str]:
    return Counter(path.read_text().split()) if path.exists() else Counter()


CHECKS: dict[str, Callable[[ConformanceCase], None]] = {
    "answer": check_answer,
    "tool_actions": check_tool_actions,
    "model_steps": check_model_steps,
    "schemas_unchanged": check_schemas_unchanged,
    "not_mutated": check_not_mutated,
    "concurrent_runs": check_concurrent_runs,
    "tool_error": check_tool_error,
    "policy_block": check_policy_block,
    "events": check_events,
    "retry_resumes": check_retry_resumes,
    "crash_resume": check_crash_resume,
}


def run_check(case: ConformanceCase, check: str) -> None:
    """Run one named check of `CHECKS` against `case`; raises AssertionError on failure."""
    CHECKS[check](case)


def run_all(case: ConformanceCase) -> None:
    for check in CHECKS.values():
        check(case)
