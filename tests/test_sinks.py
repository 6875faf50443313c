"""JSONL and console sinks, fed through a real EventBus so redaction and truncation apply."""

from __future__ import annotations

import io
import json
import threading
from datetime import datetime
from pathlib import Path

import pytest
from rich.console import Console

from byof.observability.events import (
    AgentFinished,
    AgentStarted,
    ErrorEvent,
    Event,
    EventBus,
    ModelCalled,
    SpanEvent,
    StepReplayed,
    ToolBlockedEvent,
    ToolCalled,
)
from byof.sinks import ConsoleSink, JsonlSink, render_timeline

T0 = 1_700_000_000.0
TRACE = "run-123"


def run_events() -> list[Event]:
    """One agent run: a model call, a failing tool, a blocked tool, a replayed step, a span."""
    common = {"trace_id": TRACE, "agent": "weather"}
    agent = {**common, "span_id": "agent-span", "adapter": "generic", "input": {"prompt": "Paris?"}}
    child = {**common, "parent_id": "agent-span"}
    return [
        AgentStarted(**agent, start_time=T0),
        ModelCalled(
            **child,
            span_id="m1",
            start_time=T0 + 0.010,
            end_time=T0 + 0.130,
            name="gpt-test",
            seq=1,
            fingerprint="fp-abc",
            input=[{"role": "user", "content": "Paris?"}],
            output="call get_weather",
            usage={"input": 12, "output": 3, "total": 15},
        ),
        ToolCalled(
            **child,
            span_id="t1",
            start_time=T0 + 0.140,
            end_time=T0 + 0.152,
            name="get_weather",
            mode="task",
            task="weather.get_weather",
            input={"city": "Paris"},
            error="ConnectionError: upstream down",
        ),
        ToolBlockedEvent(
            **child,
            span_id="b1",
            start_time=T0 + 0.160,
            name="delete_files",
            input={"path": "/"},
            reason="destructive tool",
            policy="deny_list",
        ),
        StepReplayed(
            **child,
            span_id="r1",
            start_time=T0 + 0.170,
            end_time=T0 + 0.171,
            step="model",
            name="gpt-test",
            seq=1,
            saved_ms=120.0,
        ),
        ToolCalled(
            **child,
            span_id="t2",
            start_time=T0 + 0.180,
            end_time=T0 + 0.181,
            name="get_time",
            input={},
            output="12:00",
            replayed=True,
        ),
        SpanEvent(
            **child,
            span_id="s1",
            start_time=T0 + 0.200,
            end_time=T0 + 0.250,
            name="plan-wave-1",
            input="plan",
            output="done",
            attrs={"wave": 1},
        ),
        AgentFinished(**agent, start_time=T0, end_time=T0 + 0.300, output="Sunny, 21C"),
    ]


def read_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_jsonl_writes_one_observation_per_line(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "dir" / "trace.jsonl"
    bus = EventBus([JsonlSink(path)])
    for event in run_events():
        bus.emit(event)

    rows = read_lines(path)
    by_id = {row["id"]: row for row in rows}
    assert len(rows) == 7  # AgentStarted is folded into the AGENT line
    assert [row["kind"] for row in rows].count("agent.start") == 0
    assert {i: r["type"] for i, r in by_id.items()} == {
        "m1": "GENERATION", "t1": "TOOL", "b1": "EVENT", "r1": "EVENT",
        "t2": "TOOL", "s1": "SPAN", "agent-span": "AGENT",
    }  # fmt: skip

    agent = by_id["agent-span"]
    assert agent["name"] == "weather" and agent["parent_id"] is None
    assert agent["input"] == {"prompt": "Paris?"} and agent["output"] == "Sunny, 21C"
    assert agent["duration_ms"] == pytest.approx(300.0, abs=1e-3)
    assert agent["metadata"] == {"adapter": "generic", "report": None}
    assert all(r["parent_id"] == "agent-span" for i, r in by_id.items() if i != "agent-span")
    assert all(r["trace_id"] == TRACE for r in rows)

    model = by_id["m1"]
    assert model["name"] == "gpt-test" and model["output"] == "call get_weather"
    assert model["metadata"]["seq"] == 1 and model["metadata"]["fingerprint"] == "fp-abc"
    assert model["replayed"] is False and model["error"] is None
    assert model["usage"] == {"input": 12, "output": 3, "total": 15}
    assert all(r["usage"] is None for r in rows if r["type"] != "GENERATION")  # only model calls have tokens
    assert datetime.fromisoformat(model["start_time"]).timestamp() == pytest.approx(T0 + 0.010, abs=1e-3)
    assert datetime.fromisoformat(model["end_time"]).utcoffset().total_seconds() == 0
    assert isinstance(model["duration_ms"], float) and model["duration_ms"] == pytest.approx(120.0, abs=1e-3)

    tool = by_id["t1"]
    assert tool["error"] == "ConnectionError: upstream down" and tool["output"] is None
    assert tool["metadata"]["mode"] == "task" and tool["metadata"]["task"] == "weather.get_weather"

    blocked = by_id["b1"]
    assert (
        blocked["name"] == "delete_files" and blocked["end_time"] is None and blocked["duration_ms"] is None
    )
    assert blocked["metadata"] == {"reason": "destructive tool", "policy": "deny_list"}

    assert by_id["r1"]["metadata"] == {"step": "model", "seq": 1, "saved_ms": 120.0}
    assert by_id["t2"]["replayed"] is True
    assert by_id["s1"]["metadata"]["attrs"] == {"wave": 1}


def test_jsonl_error_event_sets_error(tmp_path: Path) -> None:
    path = tmp_path / "trace.jsonl"
    EventBus([JsonlSink(path)]).emit(
        ErrorEvent(
            trace_id=TRACE, agent="a", where="tool:get_weather", error_type="ValueError", message="bad city"
        )
    )
    (row,) = read_lines(path)
    assert row["type"] == "EVENT" and row["kind"] == "error"
    assert row["error"] == "ValueError: bad city"
    assert row["metadata"]["where"] == "tool:get_weather"


def test_jsonl_truncates_long_output(tmp_path: Path) -> None:
    path = tmp_path / "trace.jsonl"
    bus = EventBus([JsonlSink(path)], max_chars=50)
    bus.emit(ToolCalled(trace_id=TRACE, agent="a", name="dump", output="x" * 500, end_time=T0 + 1))
    (row,) = read_lines(path)
    assert row["output"] == "x" * 50 + "... [truncated 450 chars]"
    assert "x" * 51 not in path.read_text()


def test_jsonl_appends_across_sinks_and_threads(tmp_path: Path) -> None:
    path = tmp_path / "trace.jsonl"
    sink = JsonlSink(path)
    EventBus([JsonlSink(path)]).emit(SpanEvent(trace_id=TRACE, agent="a", name="before"))
    bus = EventBus([sink])

    def emit_many(worker: int) -> None:
        for i in range(25):
            bus.emit(ToolCalled(trace_id=TRACE, agent="a", name=f"w{worker}-{i}", output="y" * 200))

    threads = [threading.Thread(target=emit_many, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    rows = read_lines(path)  # every line parses: no interleaved writes
    assert len(rows) == 1 + 8 * 25
    assert rows[0]["name"] == "before"


def test_render_timeline_shows_steps(tmp_path: Path) -> None:
    seen: list[Event] = []
    bus = EventBus([seen.append])
    for event in run_events():
        bus.emit(event)
    out = io.StringIO()
    render_timeline(seen, Console(file=out, width=160))
    text = out.getvalue()

    for expected in (
        "get_weather", "get_time", "delete_files", "gpt-test", "plan-wave-1", "weather",
        "model", "tool", "agent", "step", "replay",
        "120 ms", "12 ms", "300 ms", "+0.140s",
        "blocked: destructive tool", "replayed", "ConnectionError: upstream down",
    ):  # fmt: skip
        assert expected in text, expected
    assert "agent.start" not in text
    rows = [line for line in text.splitlines() if line.startswith("│")]
    # One row per step in start order: the agent (started first), then the model call, then tools.
    assert [row.split("│")[3].strip() for row in rows] == [
        "weather", "gpt-test", "get_weather", "delete_files", "gpt-test", "get_time", "plan-wave-1",
    ]  # fmt: skip


def test_render_timeline_without_events() -> None:
    out = io.StringIO()
    render_timeline([], Console(file=out))
    assert "no events" in out.getvalue()


def test_console_sink_renders_when_outermost_agent_finishes() -> None:
    out = io.StringIO()
    sink = ConsoleSink(Console(file=out, width=160))
    bus = EventBus([sink])
    events = run_events()
    nested = AgentFinished(trace_id=TRACE, agent="helper", parent_id="agent-span", end_time=T0 + 0.2)
    for event in [*events[:-1], nested]:
        bus.emit(event)
    assert out.getvalue() == ""  # a nested agent finishing is not the end of the run
    assert len(sink.events) == 8

    bus.emit(events[-1])
    assert "get_weather" in out.getvalue() and "helper" in out.getvalue()
    assert sink.events == []  # printed runs are dropped, so the sink can serve the next run


def test_failing_sink_does_not_break_emit(caplog) -> None:
    def broken(event: Event) -> None:
        raise RuntimeError("sink down")

    seen: list[Event] = []
    bus = EventBus([broken, seen.append])
    bus.emit(SpanEvent(trace_id=TRACE, agent="a", name="step"))
    assert [e.name for e in seen] == ["step"]  # type: ignore[attr-defined]
    assert "event sink" in caplog.text


def test_render_timeline_fits_a_narrow_console() -> None:
    out = io.StringIO()
    render_timeline(run_events(), Console(file=out, width=80))
    lines = out.getvalue().splitlines()
    assert all(len(line) <= 80 for line in lines)
    assert "get_weather" in out.getvalue() and "120 ms" in out.getvalue()  # only the summary gives way


def test_no_secret_reaches_any_sink_the_report_included(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, flyte_local: None
) -> None:
    """A credential's value in the prompt, a tool's argument and result, the model's answer and
    an error message: the report HTML, the JSONL file, the console timeline and a sink plugin
    show only its name."""
    import io

    import flyte
    from rich.console import Console

    import byof
    from byof.sinks import ConsoleSink, JsonlSink

    secret = "sk-live-5ecret-Value-0042"
    monkeypatch.setenv("PAYMENTS_API_KEY", secret)

    @byof.tool
    def charge(card: str) -> str:
        """Charge a card."""
        return f"charged with {card}"

    @byof.tool
    def refuse(token: str) -> str:
        """Always fails, quoting its input."""
        raise PermissionError(f"token {token} was refused")

    @byof.model_call
    async def decide(prompt: str) -> dict:
        return {"said": f"I will use {secret}"}

    async def agent(prompt: str) -> str:
        decided = await decide(prompt)
        charged = await charge.aio(card=secret)
        try:
            await refuse.aio(token=secret)
        except PermissionError as exc:
            charged += f" ({exc})"
        return f"{decided['said']}; {charged}"

    seen: list[Event] = []
    plugin = type("Sink", (), {"byof_on_event": lambda self, event: seen.append(event)})()
    out = io.StringIO()
    jsonl = tmp_path / "events.jsonl"
    task = byof.wrap(
        agent,
        env=flyte.TaskEnvironment("secrets"),
        report=True,
        sinks=[JsonlSink(jsonl), ConsoleSink(Console(file=out, width=200))],
        plugins=[plugin],
    )
    result = flyte.run(task, prompt=f"pay with {secret}")
    assert secret in result.outputs()[0], "the agent itself sees its real data"
    reports = list(Path(result.url).rglob("report.html"))
    assert reports
    shown = {
        "report": reports[0].read_text(),
        "jsonl": jsonl.read_text(),
        "console": out.getvalue(),
        "plugin": json.dumps([e.to_dict() for e in seen]),
    }
    for sink, text in shown.items():
        assert secret not in text, f"the secret reached the {sink}"
    assert "[REDACTED:PAYMENTS_API_KEY]" in shown["jsonl"] and "REDACTED" in shown["report"]
