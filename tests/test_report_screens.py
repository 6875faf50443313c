"""The report of real runs, read as HTML and looked at in a real headless Chromium (1400×1000).

Three runs, each on Flyte's local runtime with `report=True`: a LangGraph agent on the real
ChatOpenAI class against byof's scripted OpenAI server (so the tokens are the ones the provider
reports), `byof demo`'s three-framework team on the request whose first step fails, and the
LangGraph agent resumed after its model failed mid-run (its first steps replayed from byof's
journal). Each report is screenshot and the PNG kept as a test artifact (tests/browser.py); the
test checks the page Chromium drew, not only the HTML. Runs in the `report` nox session, which
installs the `demo` extra and Chromium.
"""

from __future__ import annotations

import uuid
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import flyte
import pytest
from browser import artifacts, colours_drawn, screenshot

import byof
from byof.observability.report import COLOURS
from byof.testing.openai_server import ScriptedOpenAIServer
from byof.testing.script import Request, Script, ScriptedToolCall, calls, say

pytest.importorskip("langgraph")
langchain_openai = pytest.importorskip("langchain_openai")
pytestmark = pytest.mark.filterwarnings("ignore:create_react_agent has been moved")

FORECASTS = {"paris": "sunny, 21°C", "oslo": "light rain, 9°C"}
PROMPT = "What's the weather in Paris and Oslo? Give Paris in °F too."


def weather_agent(server: ScriptedOpenAIServer, name: str) -> Any:
    """A LangGraph ReAct agent as its docs write one, on ChatOpenAI pointed at `server`."""
    from langchain_core.tools import tool
    from langgraph.prebuilt import create_react_agent

    @tool
    def get_weather(city: str) -> str:
        """Get today's weather for a city."""
        return FORECASTS.get(city.lower(), "no forecast available")

    @tool
    def celsius_to_fahrenheit(celsius: float) -> float:
        """Convert a temperature from Celsius to Fahrenheit."""
        return round(celsius * 9 / 5 + 32, 1)

    model = langchain_openai.ChatOpenAI(
        model="gpt-4o-mini", base_url=server.base_url, api_key=server.api_key, max_retries=0
    )
    agent = create_react_agent(
        model, [get_weather, celsius_to_fahrenheit], prompt="You are a concise travel assistant."
    )
    env = flyte.TaskEnvironment("report-screens")
    return byof.wrap(agent, env=env, name=name, report=True)


def weather_script(on_respond: Any = None) -> Script:
    return Script(
        [
            calls(
                ScriptedToolCall("get_weather", {"city": "Paris"}),
                ScriptedToolCall("get_weather", {"city": "Oslo"}),
                delay=0.35,
            ),
            calls(ScriptedToolCall("celsius_to_fahrenheit", {"celsius": 21}), delay=0.25),
            say(
                "Paris: sunny, 21°C (69.8°F). Oslo: light rain, 9°C. Pack sunglasses and an umbrella.",
                delay=0.3,
            ),
        ],
        on_respond=on_respond,
    )


def report_of(run: Any) -> Path:
    reports = list(Path(run.url).rglob("report.html"))
    assert len(reports) == 1, f"expected one report under {run.url}, found {reports}"
    return reports[0]


class _Rows(HTMLParser):
    """The trace's rows as (depth, badge, name) and the text of the page, from the report HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[tuple[int, str, str]] = []
        self.text: list[str] = []
        self._depth = 0
        self._in: str | None = None
        self._badge = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        style = a.get("style") or ""
        if tag in ("summary", "div") and "row" in (a.get("class") or "").split() and "--d:" in style:
            self._depth = int(style.split("--d:")[1].split(";")[0].strip())
        if tag == "span" and "kind" in (a.get("class") or "").split():
            self._in = "badge"
        elif tag == "b" and self._badge:
            self._in = "name"

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._in == "badge":
            self._badge = data
        elif self._in == "name":
            self.rows.append((self._depth, self._badge, data))
            self._badge = ""
        self._in = None


def rows(page: Path) -> _Rows:
    parsed = _Rows()
    parsed.feed(page.read_text())
    return parsed


def look(chromium: str, page: Path, name: str, wanted: dict[str, str]) -> dict[str, int]:
    png = screenshot(chromium, page, artifacts() / f"{name}.png")
    return colours_drawn(png, wanted)


def test_single_agent_report(chromium: str, flyte_local: None) -> None:
    with ScriptedOpenAIServer(weather_script()) as server:
        run = flyte.run(weather_agent(server, "weather"), prompt=PROMPT)
    assert "Pack sunglasses" in run.outputs()[0]
    page = report_of(run)
    parsed = rows(page)
    assert parsed.rows == [
        (0, "AGENT", "weather"),
        (1, "MODEL", "gpt-4o-mini #1"),
        (1, "TOOL", "get_weather"),
        (1, "TOOL", "get_weather"),
        (1, "MODEL", "gpt-4o-mini #2"),
        (1, "TOOL", "celsius_to_fahrenheit"),
        (1, "MODEL", "gpt-4o-mini #3"),
    ], "the AGENT row once, its calls nested under it in order"
    text = " ".join(" ".join(parsed.text).split())
    assert 'calls get_weather(city="Paris"), get_weather(city="Oslo")' in text  # what the model decided
    assert 'city="Oslo" → light rain, 9°C' in text  # a tool's arguments and result
    assert "tok" in text and "tokens (" in text  # the provider's token counts, per call and in total
    assert "3 model calls · 3 tool calls" in text

    drawn = look(chromium, page, "single-agent", {k: COLOURS[k] for k in ("agent", "model", "tool")})
    assert all(n > 200 for n in drawn.values()), f"bars and badges not drawn: {drawn}"


def test_team_report_with_a_failed_step(chromium: str, flyte_local: None) -> None:
    pytest.importorskip("pydantic_ai")
    pytest.importorskip("smolagents")
    from byof.examples import team_demo
    from byof.examples.team_scripts import EXAMPLES

    team = byof.wrap(
        byof.Team(team_demo.specialists, planner=team_demo.planner),
        env=team_demo.env,
        name="team_report",
        report=True,
    )
    run = flyte.run(team, prompt=EXAMPLES["failure"])
    assert run.outputs()[0]["status"] == "failed"
    page = report_of(run)
    parsed = rows(page)
    shape = [(d, badge) for d, badge, _ in parsed.rows]
    assert parsed.rows[0] == (0, "TEAM", "team_report")
    assert (1, "AGENT", "planner") in parsed.rows
    for step, agent in (("s1 · math", "math"), ("s2 · words", "words")):
        at = parsed.rows.index(next(r for r in parsed.rows if r[2] == step))
        assert parsed.rows[at][:2] == (1, "STEP") and parsed.rows[at + 1] == (2, "AGENT", agent)
        assert shape[at + 2][0] == 3, "the specialist's own calls nest under its run"
    assert (1, "STEP", "s3 · coder") in parsed.rows  # skipped: it ran nothing
    text = " ".join(" ".join(parsed.text).split())
    assert "ZeroDivisionError: cannot divide by zero" in text
    assert "no answer: the plan's final step did not succeed (s1 failed, s3 skipped)" in text
    assert "Count the words in 'keep going" in text  # the plan graph's boxes carry each step's task

    drawn = look(
        chromium, page, "team-failed-step", {k: COLOURS[k] for k in ("step", "error", "tool", "agent")}
    )
    assert all(n > 200 for n in drawn.values()), f"not drawn: {drawn}"


def test_resumed_run_report_marks_replayed_steps(chromium: str, flyte_local: None) -> None:
    state = {"calls": 0, "failed": False}

    def drop_the_third_call(request: Request) -> None:
        state["calls"] += 1
        if state["calls"] == 3 and not state["failed"]:
            state["failed"] = True
            raise ConnectionError("model endpoint dropped the connection")

    name = f"resumed-{uuid.uuid4().hex[:8]}"
    with ScriptedOpenAIServer(weather_script(drop_the_third_call)) as server:
        agent = weather_agent(server, "weather_resumed")
        with pytest.raises(Exception, match="dropped the connection"):
            flyte.with_runcontext(name=name).run(agent, prompt=PROMPT)
        run = flyte.with_runcontext(name=name).run(agent, prompt=PROMPT)
        assert state["calls"] == 4, "the resumed run asked the model once more: only the call that failed"
    page = report_of(run)
    text = " ".join(" ".join(rows(page).text).split())
    assert text.count("↺ replayed · saved") == 5, "two model calls and three tool calls came from the journal"
    assert "5 replayed from the journal, saving" in text

    drawn = look(chromium, page, "resumed-run", {k: COLOURS[k] for k in ("agent", "model")})
    assert all(n > 200 for n in drawn.values()), f"not drawn: {drawn}"
