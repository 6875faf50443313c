"""Homegrown specialists for team tests: small deterministic agents with durable tools.

Each reads its task from the first line of its prompt and the results it builds on from the
lines byof's default formatter adds ("- s1 (calc, asked: ...): 50"). `$s1` in a task stands
for step s1's result. Every tool body run is counted in COUNTS (and in LOG, when set, for
tests that run a team in another process).
"""

from __future__ import annotations

import asyncio
import os
import re
import threading
from collections import Counter

import byof

COUNTS: Counter[str] = Counter()
_lock = threading.Lock()
RUNNING = {"now": 0, "most": 0}
FLAGS: dict[str, threading.Event] = {}


def note(name: str) -> None:
    with _lock:
        COUNTS[name] += 1
    log = os.environ.get("BYOF_TEAM_TEST_LOG")
    if log:
        with open(log, "a") as f:
            f.write(name + "\n")


@byof.tool
def multiply(a: float, b: float) -> float:
    """Multiply two numbers."""
    note("multiply")
    return a * b


@byof.tool
def add(a: float, b: float) -> float:
    """Add two numbers."""
    note("add")
    return a + b


@byof.tool
def word_count(text: str) -> int:
    """Count the words in a text."""
    note("word_count")
    return len(text.split())


@byof.tool
def explode(reason: str) -> str:
    """Always fails."""
    note("explode")
    raise ValueError(reason)


# The seed tutorial's request as these specialists' plan: two independent steps, then one on both.
TUTORIAL_PLAN = {
    "steps": [
        {"id": "s1", "agent": "calc", "task": "multiply 10 5"},
        {"id": "s2", "agent": "words", "task": "count words in 'Hello World'"},
        {"id": "s3", "agent": "calc", "task": "multiply $s2 $s1", "depends_on": ["s1", "s2"]},
    ],
    "final": "s3",
}


def results(prompt: str) -> dict[str, str]:
    return dict(re.findall(r"^- (\w+) \([^)]*\): (.*)$", prompt, re.MULTILINE))


def operands(prompt: str) -> list[float]:
    task, found = prompt.splitlines()[0], results(prompt)
    return [float(found[t[1:]]) if t.startswith("$") else float(t) for t in task.split()[1:]]


async def calc(prompt: str) -> str:
    """`add a b`, `multiply a b` or `fail reason`."""
    op = prompt.split()[0]
    if op == "fail":
        return await explode.aio(reason=prompt.splitlines()[0][5:])
    if os.environ.get("BYOF_TEAM_TEST_KILL") == prompt.splitlines()[0]:
        os.kill(os.getpid(), 9)
    a, b = operands(prompt)
    tool = {"add": add, "multiply": multiply}[op]
    return f"{await tool.aio(a=a, b=b):g}"


async def words(prompt: str) -> str:
    """Counts the words between quotes."""
    quoted = re.search(r"'([^']*)'", prompt)
    return str(await word_count.aio(text=quoted.group(1) if quoted else prompt))


async def gate(prompt: str) -> str:
    """`wait NAME` finishes once a step ran `open NAME` (within 30 s); `hold N` waits until N
    steps hold at once (within 30 s) and records how many ever did."""
    op, arg = prompt.splitlines()[0].split()
    if op == "open":
        FLAGS.setdefault(arg, threading.Event()).set()
        return "opened"
    if op == "wait":
        flag = FLAGS.setdefault(arg, threading.Event())
        for _ in range(3000):
            if flag.is_set():
                return "passed"
            await asyncio.sleep(0.01)
        raise TimeoutError(f"nobody opened {arg!r}: the step that opens it never started")
    with _lock:
        RUNNING["now"] += 1
        RUNNING["most"] = max(RUNNING["most"], RUNNING["now"])
    try:
        for _ in range(3000):
            if RUNNING["now"] >= int(arg):
                break
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.05)
        return "held"
    finally:
        with _lock:
            RUNNING["now"] -= 1


async def flaky(prompt: str) -> str:
    """Fails the first time it is asked `prompt` in this process, then answers."""
    note(f"flaky:{prompt}")
    if COUNTS[f"flaky:{prompt}"] == 1:
        raise ConnectionError("the service hiccuped")
    return "steady"
