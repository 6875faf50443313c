"""Local durability: a killed or retried run resumes from byof's journal without repeating steps."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections import Counter
from pathlib import Path

import pytest

AGENT = Path(__file__).with_name("crash_agent.py")
ANSWER = "Results: 3.0, 3, 30.0, 2"


def run_agent(
    tmp_path: Path, run_name: str, kill_at: int = 0, *extra: str, log: str = "log"
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BYOF_JOURNAL_PATH": str(tmp_path / "journal.db")}
    return subprocess.run(
        [sys.executable, str(AGENT), run_name, str(kill_at), str(tmp_path / log), *extra],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def counts(tmp_path: Path, log: str = "log") -> Counter[str]:
    path = tmp_path / log
    return Counter(path.read_text().split()) if path.exists() else Counter()


def answer(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout.strip().splitlines()[-1]


@pytest.mark.slow
def test_sigkill_mid_run_then_resume_repeats_nothing(tmp_path: Path) -> None:
    reference = run_agent(tmp_path, f"ref-{uuid.uuid4().hex[:8]}", log="ref")
    assert answer(reference) == ANSWER
    assert counts(tmp_path, "ref") == {"model": 4, "tool:add": 2, "tool:word_count": 2}

    run_name = f"crash-{uuid.uuid4().hex[:8]}"
    killed = run_agent(tmp_path, run_name, kill_at=3, log="first")
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    assert counts(tmp_path, "first") == {"model": 2, "tool:add": 1, "tool:word_count": 1}

    resumed = run_agent(tmp_path, run_name, log="second")
    assert answer(resumed) == ANSWER
    # The 2 completed model calls and their 2 tool calls came from the journal: only the rest ran.
    assert counts(tmp_path, "second") == {"model": 2, "tool:add": 1, "tool:word_count": 1}


@pytest.mark.slow
def test_retry_after_in_process_failure_repeats_no_completed_step(tmp_path: Path) -> None:
    proc = run_agent(tmp_path, f"retry-{uuid.uuid4().hex[:8]}", 0, "--retries", "1", "--fail-at", "3")
    assert answer(proc) == ANSWER
    # Call 3 failed once (not logged); the retry replayed calls 1-2 and their tools from the journal.
    assert counts(tmp_path) == {"model": 4, "tool:add": 2, "tool:word_count": 2}


@pytest.mark.slow
def test_a_run_without_a_journal_repeats_everything_on_retry(tmp_path: Path) -> None:
    """The control for the test above: the same retry with the journal off calls things twice."""
    env_off = {"BYOF_JOURNAL": "off"}
    proc = subprocess.run(
        [
            sys.executable,
            str(AGENT),
            f"nojournal-{uuid.uuid4().hex[:8]}",
            "0",
            str(tmp_path / "log"),
            "--retries",
            "1",
            "--fail-at",
            "3",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **env_off},
    )
    assert answer(proc) == ANSWER
    assert counts(tmp_path) == {"model": 6, "tool:add": 3, "tool:word_count": 3}


@pytest.mark.slow
def test_changed_prompt_on_resume_is_a_divergence(tmp_path: Path) -> None:
    run_name = f"div-{uuid.uuid4().hex[:8]}"
    assert answer(run_agent(tmp_path, run_name)) == ANSWER
    changed = run_agent(tmp_path, run_name, 0, "--prompt", "Add, count, then do both at once!")
    assert changed.returncode != 0
    message = changed.stdout + changed.stderr  # Flyte's excepthook prints the error to stdout
    assert f"run '{run_name}', agent 'crash_agent': started with other inputs" in message
    assert "the prompt changed" in message
    assert "journaled input fingerprint" in message and f"byof runs rm {run_name}" in message
    rerun = run_agent(
        tmp_path, run_name, 0, "--prompt", "Add, count, then do both at once!", "--rerun", log="rerun"
    )
    assert answer(rerun) == ANSWER and counts(tmp_path, "rerun")["model"] == 4


@pytest.mark.slow
def test_fresh_run_names_replay_nothing(tmp_path: Path) -> None:
    for _ in range(2):
        assert answer(run_agent(tmp_path, f"fresh-{uuid.uuid4().hex[:8]}")) == ANSWER
    assert counts(tmp_path) == {"model": 8, "tool:add": 4, "tool:word_count": 4}


@pytest.mark.slow
def test_parallel_tool_calls_resume_whatever_order_they_finished_in(tmp_path: Path) -> None:
    run_name = f"par-{uuid.uuid4().hex[:8]}"
    killed = run_agent(tmp_path, run_name, kill_at=4, log="first")  # after the parallel turn's tools
    assert killed.returncode == -signal.SIGKILL
    assert counts(tmp_path, "first") == {"model": 3, "tool:add": 2, "tool:word_count": 2}
    assert answer(run_agent(tmp_path, run_name, log="second")) == ANSWER
    assert counts(tmp_path, "second") == {"model": 1}, "the two parallel calls must come from the journal"


@pytest.mark.slow
def test_changed_tools_diverge_at_the_first_model_call(tmp_path: Path) -> None:
    run_name = f"tools-{uuid.uuid4().hex[:8]}"
    assert answer(run_agent(tmp_path, run_name)) == ANSWER
    changed = run_agent(tmp_path, run_name, 0, "--extra-tool", log="changed")
    assert changed.returncode != 0
    message = changed.stdout + changed.stderr
    assert "model call 1 (chat) is not the one this run journaled" in message
    assert "journaled request fingerprint" in message and "on_divergence='rerun'" in message
    assert counts(tmp_path, "changed") == {}, "nothing may run past a divergence"
    rerun = run_agent(tmp_path, run_name, 0, "--extra-tool", "--rerun", log="rerun")
    assert answer(rerun) == ANSWER
    assert counts(tmp_path, "rerun") == {"model": 4, "tool:add": 2, "tool:word_count": 2}


@pytest.mark.slow
def test_replayed_steps_are_visible_with_the_time_saved(tmp_path: Path) -> None:
    import json

    run_name = f"vis-{uuid.uuid4().hex[:8]}"
    assert run_agent(tmp_path, run_name, kill_at=3).returncode == -signal.SIGKILL
    resumed = run_agent(tmp_path, run_name, 0, "--jsonl", str(tmp_path / "events.jsonl"))
    assert answer(resumed) == ANSWER
    lines = [json.loads(line) for line in (tmp_path / "events.jsonl").read_text().splitlines()]
    replayed = [(o["type"], o["name"]) for o in lines if o["replayed"]]
    assert sorted(replayed) == [
        ("GENERATION", "chat"),
        ("GENERATION", "chat"),
        ("TOOL", "add"),
        ("TOOL", "word_count"),
    ]
    savings = [o for o in lines if o["kind"] == "replay"]
    assert len(savings) == 4 and all(o["metadata"]["saved_ms"] > 0 for o in savings)
    assert "replayed" in resumed.stdout and "saved" in resumed.stdout  # the console timeline says so too


def _byof_runs(path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    byof = Path(sys.executable).with_name("byof")
    return subprocess.run(
        [str(byof), "runs", "--journal", str(path), *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "160"},
        timeout=60,
    )


def test_byof_runs_lists_removes_and_prunes(tmp_path: Path) -> None:
    from byof.durability.journal import Journal, Step

    path = tmp_path / "journal.db"
    journal = Journal(path)
    journal.start("kept-run", "a1", "weather")
    journal.put("kept-run", "a1", Step("model", "k", "chat", "fp", 0, True, b"{}", 3.0))
    journal.finish("kept-run", "a1", "succeeded")
    journal.start("other-run", "a1", "weather")
    journal.start("killed-run", "a1", "weather")  # a killed run stays marked running

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return _byof_runs(path, *args)

    listed = cli()
    assert listed.returncode == 0, listed.stderr
    assert "kept-run" in listed.stdout and "weather" in listed.stdout and "succeeded" in listed.stdout
    assert "other-run" in listed.stdout and "running" in listed.stdout
    assert cli("rm", "other-run").stdout.strip() == "removed other-run"
    missing = cli("rm", "kept-run", "no-such-run", "nor-this")
    assert missing.returncode != 0
    assert "no journaled run named 'no-such-run', 'nor-this'" in missing.stderr
    assert "nothing was removed" in missing.stderr and "kept-run" in cli().stdout
    assert cli("prune", "--older-than", "7d").stdout.strip() == "pruned 0 run(s)"
    assert cli("prune", "--older-than", "0s").stdout.strip() == "pruned 1 run(s): kept-run"
    assert "killed-run" in cli().stdout, "a run marked running is kept unless asked"
    pruned = cli("prune", "--older-than", "0s", "--include-running")
    assert pruned.stdout.strip() == "pruned 1 run(s): killed-run"
    assert "kept-run" not in cli().stdout


@pytest.mark.parametrize("age", ["soon", "-1d", "nand", "infd", "d", "1x", ""])
def test_byof_runs_prune_refuses_an_age_that_is_not_one(tmp_path: Path, age: str) -> None:
    from byof.durability.journal import Journal

    Journal(tmp_path / "journal.db").start("run", "a1", "agent")
    bad = _byof_runs(tmp_path / "journal.db", "prune", "--older-than", age)
    assert bad.returncode == 2 and "is not an age like 7d" in bad.stderr and "Traceback" not in bad.stderr


def test_byof_runs_explains_a_journal_it_cannot_read_and_creates_none(tmp_path: Path) -> None:
    listed = _byof_runs(tmp_path / "missing.db")
    assert listed.returncode == 0 and "no journaled runs" in listed.stdout
    assert list(tmp_path.iterdir()) == [], "listing never creates a journal"
    as_dir = _byof_runs(tmp_path)
    assert as_dir.returncode == 1 and "is a directory" in as_dir.stderr and "Traceback" not in as_dir.stderr
    garbage = tmp_path / "notes.db"
    garbage.write_text("my notes, not a journal\n" * 20)
    for args in ((), ("rm", "x"), ("prune", "--older-than", "1d")):
        refused = _byof_runs(garbage, *args)
        assert refused.returncode == 1 and "is not a byof journal" in refused.stderr, refused.stderr
        assert "Traceback" not in refused.stderr
    assert garbage.read_text() == "my notes, not a journal\n" * 20
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.db"]


def test_byof_runs_shows_the_newest_runs_by_default_with_their_whole_names(tmp_path: Path) -> None:
    from byof.durability.journal import Journal

    journal = Journal(tmp_path / "journal.db")
    long_name = "a-run-name-" + "long-" * 20 + "end"
    for i in range(120):
        journal.start(f"run-{i:03d}" if i else long_name, "a1", "agent")
    listed = _byof_runs(tmp_path / "journal.db")
    assert (
        listed.stdout.count("run-1") == 20 and "run-119" in listed.stdout and "run-069" not in listed.stdout
    )
    assert "the newest 50 of 120; --all shows every run" in listed.stdout
    assert len(_byof_runs(tmp_path / "journal.db", "--limit", "5").stdout.split("run-1")) - 1 == 5
    every = _byof_runs(tmp_path / "journal.db", "--all").stdout
    assert "run-001" in every and "".join(every.split()).count("".join(long_name.split())) == 1


@pytest.mark.slow
def test_parallel_calls_differing_only_in_ids_each_get_their_own_result_after_a_crash(
    tmp_path: Path,
) -> None:
    """20 agent runs, each making 9 parallel tool calls that differ only in a UUID, an `id`
    argument or a 32-hex token, started from threads in a random order; the process is killed
    once all are journaled. On resume every call is answered from the journal with the result of
    that very call: nothing runs again and no call gets another's result."""
    import json

    sys.path.insert(0, str(AGENT.parent))
    from identity_agent import TRIALS, prompt, trial_calls  # noqa: F401 - prompt documents the pairing

    env = {**os.environ, "BYOF_JOURNAL_PATH": str(tmp_path / "journal.db")}
    script = str(AGENT.with_name("identity_agent.py"))
    run_name = f"ids-{uuid.uuid4().hex[:8]}"

    def run(log: str, *extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, script, run_name, str(tmp_path / log), *extra],
            capture_output=True,
            text=True,
            env=env,
            timeout=600,
        )

    killed = run("first", "--kill")
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    executed = (tmp_path / "first").read_text().split("\n")
    executed = {line.removeprefix("tool:") for line in executed if line}
    assert len(executed) == TRIALS * 9, "every call ran once before the kill"

    resumed = run("second")
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert not (tmp_path / "second").exists(), "a journaled call ran again"
    answers = json.loads(resumed.stdout.strip().splitlines()[-1])
    for trial, answer in enumerate(answers):
        results = answer.split(", ")
        expected = trial_calls(trial)
        assert len(results) == len(expected)
        for result, call in zip(results, expected, strict=True):
            (value,) = call.arguments.values()
            assert result.startswith(f"{call.name} {value} #"), f"trial {trial}: {result!r} answers {call}"
            assert result in executed, f"trial {trial}: {result!r} is not what that call returned"


@pytest.mark.slow
def test_journaled_errors_replay_as_the_same_error_after_a_crash(tmp_path: Path) -> None:
    """Tool errors that cannot be pickled and loaded again as they are (required keyword-only
    constructor arguments; a __str__ that needs the constructor's attributes) are replayed from
    the journal as the same class with the same message: the resumed answer equals the
    uninterrupted one, and neither tool runs again."""
    env = {**os.environ, "BYOF_JOURNAL_PATH": str(tmp_path / "journal.db")}
    script = str(AGENT.with_name("error_agent.py"))

    def run(run_name: str, log: str, *extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, script, run_name, str(tmp_path / log), *extra],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
        )

    reference = answer(run(f"ref-{uuid.uuid4().hex[:8]}", "ref"))
    assert "StatusError: Server error '503 Service Unavailable'" in reference
    assert "DatabaseError: (TimeoutError) database is locked [SQL: SELECT 1]" in reference
    run_name = f"err-{uuid.uuid4().hex[:8]}"
    assert run(run_name, "first", "--kill").returncode == -signal.SIGKILL
    assert counts(tmp_path, "first") == {"tool:fetch": 1, "tool:query": 1}
    assert answer(run(run_name, "second")) == reference
    assert counts(tmp_path, "second") == {}, "the journaled failures were replayed, not run again"


def _owner_agent(tmp_path: Path, run_name: str, log: str, flag: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(AGENT.with_name("owner_agent.py")), run_name, str(tmp_path / log), str(flag)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "BYOF_JOURNAL_PATH": str(tmp_path / "journal.db")},
    )


def _wait_for_line(path: Path, text: str, proc: subprocess.Popen[str]) -> None:
    import time

    deadline = time.monotonic() + 300
    while not (path.exists() and text in path.read_text()):
        assert proc.poll() is None, proc.communicate()[0][-3000:]
        assert time.monotonic() < deadline, f"{text!r} never appeared in {path}"
        time.sleep(0.05)


@pytest.mark.slow
def test_a_second_process_starting_a_running_run_is_refused(tmp_path: Path) -> None:
    """Process A is inside a tool of run R; process B starts R too. B is refused, naming A's pid
    and host, and runs no step; A completes, every step run once."""
    import socket

    run_name, flag = f"owned-{uuid.uuid4().hex[:8]}", tmp_path / "flag"
    first = _owner_agent(tmp_path, run_name, "log", flag)
    _wait_for_line(tmp_path / "log", "tool:wait", first)
    second = _owner_agent(tmp_path, run_name, "log", flag)
    out = second.communicate(timeout=300)[0]
    assert second.returncode != 0
    assert f"run '{run_name}' is being executed by another process (pid {first.pid} on host " in out
    assert socket.gethostname() in out
    flag.touch()
    assert first.communicate(timeout=300)[0].strip().splitlines()[-1] == "flag seen, 3.0"
    lines = (tmp_path / "log").read_text().split("\n")
    assert Counter(line.split()[0] for line in lines if line) == {"model": 3, "tool:wait": 1, "tool:add": 1}
    assert {line.split()[1] for line in lines if line} == {str(first.pid)}, "B ran nothing"


@pytest.mark.slow
def test_a_run_whose_process_died_is_taken_over(tmp_path: Path) -> None:
    run_name, flag = f"stale-{uuid.uuid4().hex[:8]}", tmp_path / "flag"
    first = _owner_agent(tmp_path, run_name, "first", flag)
    _wait_for_line(tmp_path / "first", "tool:wait", first)
    first.send_signal(signal.SIGKILL)
    first.wait()
    flag.touch()
    second = _owner_agent(tmp_path, run_name, "second", flag)
    assert second.communicate(timeout=300)[0].strip().splitlines()[-1] == "flag seen, 3.0"
    lines = (tmp_path / "second").read_text().split("\n")
    # The model call made before the kill was journaled; the tool it was inside runs again.
    assert Counter(line.split()[0] for line in lines if line) == {"model": 2, "tool:wait": 1, "tool:add": 1}
