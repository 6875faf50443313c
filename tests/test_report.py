"""The report of real local runs (`report=True`), read back from the file Flyte wrote.

A homegrown loop over a chat API (the shape tool_loop.py shows), a team of homegrown specialists,
and a run resumed from byof's journal. The report must hold each row once, nested as the run
was, and only what the event bus delivered: redacted. (tests/test_report_screens.py looks at
reports of framework agents in a real browser.)
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import flyte
import pytest
import team_agents as agents

import byof
from byof.examples.tool_loop import make_tool_agent
from byof.observability.events import AgentFinished, Event
from byof.testing.chat import ScriptedChat
from byof.testing.openai_format import chat_completion, request_from_chat
from byof.testing.script import Request, Script, ScriptedToolCall, call, calls, say

pytestmark = pytest.mark.usefixtures("flyte_local")
ENV = flyte.TaskEnvironment("report-tests")


@byof.tool
def lookup(city: str, api_key: str = "") -> str:
    """Look a city's weather up with a service key."""
    return f"sunny in {city}"


def tool_agent(script: Script, name: str, **wrap: Any) -> Any:
    chat = ScriptedChat(script)

    @byof.model_call(name="chat")
    async def complete(messages: list[dict[str, Any]], tools: list[dict[str, Any]]) -> dict[str, Any]:
        return await chat(messages, tools)

    agent = make_tool_agent(complete, [lookup])
    return byof.wrap(agent, env=ENV, name=name, report=True, **wrap)


def report_file(run: Any) -> Path:
    found = list(Path(run.url).rglob("report.html"))
    assert len(found) == 1, found
    return found[0]


def row_names(page: str) -> list[tuple[int, str, str]]:
    """(depth, badge, name) of each trace row, in order."""
    return [
        (int(depth), badge, name)
        for depth, badge, name in re.findall(
            r'class="row[^"]*" style="--d:(\d+)">.*?<span class="kind"[^>]*>([A-Z]+)</span><b>([^<]*)</b>',
            page,
        )
    ]


def test_each_row_once_nested_under_its_agent_from_the_bus_events() -> None:
    seen: list[Event] = []
    script = Script([call("lookup", city="Paris"), say("It is {last}.")])
    task = tool_agent(script, "weather_once", sinks=[seen.append])
    run = flyte.run(task, prompt="Weather in Paris?")
    assert run.outputs()[0] == "It is sunny in Paris."
    page = report_file(run).read_text()
    assert row_names(page) == [
        (0, "AGENT", "weather_once"),
        (1, "MODEL", "chat #1"),
        (1, "TOOL", "lookup"),
        (1, "MODEL", "chat #2"),
    ], "the agent's row appears once, its calls nested under it"
    assert 'calls lookup(city="Paris")' in page and 'city="Paris", api_key="" → sunny in Paris' in page
    finished = [e for e in seen if isinstance(e, AgentFinished)]
    assert len(finished) == 1 and finished[0].report == str(report_file(run)), "the event says where it is"


def test_a_secret_in_a_tool_argument_never_reaches_the_report(monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "sk-live-" + uuid.uuid4().hex
    monkeypatch.setenv("MY_API_KEY", secret)
    script = Script([call("lookup", city="Oslo", api_key=secret), say("Done with key {last}")])
    run = flyte.run(tool_agent(script, "secretive"), prompt=f"Use the key {secret}")
    page = report_file(run).read_text()
    assert secret not in page
    assert "[REDACTED:MY_API_KEY]" in page  # in the prompt, the model's decision and the tool's arguments
    assert row_names(page)[0] == (0, "AGENT", "secretive")


def test_token_counts_from_a_chat_api_response() -> None:
    """A loop that keeps the whole chat completion, as a raw API client returns it, usage included."""
    script = Script([say("hello there")])

    @byof.model_call(name="chat")
    async def complete(messages: list[dict[str, Any]]) -> dict[str, Any]:
        turn = script.respond(request_from_chat({"model": "m", "messages": messages}))
        return chat_completion(turn, "m", prompt_tokens=30)

    async def agent(prompt: str) -> str:
        answer = await complete([{"role": "user", "content": prompt}])
        return answer["choices"][0]["message"]["content"]

    run = flyte.run(byof.wrap(agent, env=ENV, name="counted", report=True), prompt="hi")
    page = report_file(run).read_text()
    used = re.search(r"(\d+) tokens \(30 in, (\d+) out\)", page)
    assert used and int(used[1]) == 30 + int(used[2]) and f"30→{used[2]} tok" in page


def test_a_team_report_nests_each_steps_specialist_and_its_calls() -> None:
    import json

    from byof.team import chat_planner

    plan = json.dumps(agents.TUTORIAL_PLAN)
    planner = byof.wrap(chat_planner(ScriptedChat(Script([say(plan)]))), env=ENV, name="planner")
    team = byof.Team(
        [
            byof.Specialist("calc", byof.wrap(agents.calc, env=ENV, name="calc"), "Adds or multiplies."),
            byof.Specialist("words", byof.wrap(agents.words, env=ENV, name="words"), "Counts words."),
        ],
        planner=planner,
    )
    run = flyte.run(byof.wrap(team, env=ENV, name="reported_team", report=True), prompt="the tutorial")
    assert run.outputs()[0]["answer"] == "100"
    rows = row_names(report_file(run).read_text())
    assert rows[:3] == [(0, "TEAM", "reported_team"), (1, "AGENT", "planner"), (2, "MODEL", "plan #1")]
    for step, specialist, tool in (("s1 · calc", "calc", "multiply"), ("s2 · words", "words", "word_count")):
        at = rows.index(next(r for r in rows if r[2] == step))
        assert rows[at : at + 3] == [(1, "STEP", step), (2, "AGENT", specialist), (3, "TOOL", tool)]


def test_a_resumed_run_marks_what_came_from_the_journal_and_the_time_it_saved() -> None:
    state = {"n": 0}

    def fail_the_second_call_once(request: Request) -> None:
        state["n"] += 1
        if state["n"] == 2:
            raise ConnectionError("model endpoint dropped the connection")

    lima = calls(ScriptedToolCall("lookup", {"city": "Lima"}), delay=0.05)
    script = Script([lima, say("Lima: {last}")], on_respond=fail_the_second_call_once)
    task = tool_agent(script, "resumed")
    name = f"resume-{uuid.uuid4().hex[:8]}"
    with pytest.raises(Exception, match="dropped the connection"):
        flyte.with_runcontext(name=name).run(task, prompt="Weather in Lima?")
    run = flyte.with_runcontext(name=name).run(task, prompt="Weather in Lima?")
    assert run.outputs()[0] == "Lima: sunny in Lima" and state["n"] == 3
    page = report_file(run).read_text()
    assert len(re.findall(r"↺ replayed · saved [\d.]+ ms", page)) == 2, (
        "the first model call and the tool call"
    )
    assert "2 replayed from the journal, saving" in page


def test_a_report_that_cannot_be_drawn_never_fails_the_run(monkeypatch: pytest.MonkeyPatch) -> None:
    import byof.observability.report

    def broken(events: Any) -> str:
        raise ValueError("a bug in the renderer")

    monkeypatch.setattr(byof.observability.report, "render_html", broken)
    run = flyte.run(tool_agent(Script([say("fine")]), "undrawn"), prompt="hi")
    assert run.outputs()[0] == "fine"
    assert "could not draw this run's report" in report_file(run).read_text()
