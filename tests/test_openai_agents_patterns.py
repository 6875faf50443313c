"""The OpenAI Agents SDK's published patterns, wrapped: each runs raw and with `byof.wrap` +
`flyte.run` in one process, and must give the same answers while Flyte records every model call
as a trace step and every function tool call as a child task.

The agents here are written the way the SDK's examples write them (customer service with
handoffs and a context object, LLM as a judge, agents as tools with a synthesizer, a
deterministic flow), with byof's own code and scripted models instead of a real provider.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Iterator
from typing import Any, Literal

import pytest

pytest.importorskip("agents")

import flyte
from agents import (
    Agent,
    OpenAIChatCompletionsModel,
    OpenAIResponsesModel,
    RunConfig,
    RunContextWrapper,
    Runner,
    function_tool,
    handoff,
    set_tracing_disabled,
)
from flyte_records import model_steps, run, tasks
from openai import AsyncOpenAI
from pydantic import BaseModel

import byof
from byof.testing.openai_agents import ScriptedAgentsModel
from byof.testing.openai_server import ScriptedOpenAIServer
from byof.testing.recorder import record_flyte
from byof.testing.script import Script, call, calls, say
from byof.testing.snapshot import first_difference, snapshot

set_tracing_disabled(True)  # no trace export from tests

pytestmark = pytest.mark.usefixtures("flyte_local")

MODEL = "gpt-4o-mini"


def env(name: str = "oa-patterns") -> flyte.TaskEnvironment:
    return flyte.TaskEnvironment(name)


def conversation(requests: list[Any]) -> list[Any]:
    """What the model was asked, request by request: the messages and the tools it was offered."""
    return [(r.messages, tuple(t.name for t in r.tools)) for r in requests]


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[ScriptedOpenAIServer]:
    """A scripted OpenAI server that agents given a model *name* reach through the SDK's default
    client, as the SDK's examples run (their agents name no model and no client)."""
    with ScriptedOpenAIServer(Script()) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", server.api_key)
        yield server


# -- customer service: handoffs, a hook and tools that write the context --------------------------


class Booking(BaseModel):
    passenger: str | None = None
    confirmation: str | None = None
    seat: str | None = None
    flight: str | None = None


@function_tool(name_override="faq_lookup", description_override="Look up a frequently asked question.")
async def faq_lookup(question: str) -> str:
    return "One bag under 50 pounds." if "bag" in question else "I don't know."


@function_tool
async def change_seat(ctx: RunContextWrapper[Booking], confirmation: str, seat: str) -> str:
    """Change the seat of a booking.

    Args:
        confirmation: the booking's confirmation number.
        seat: the new seat.
    """
    assert ctx.context.flight is not None, "the handoff sets the flight"
    ctx.context.confirmation = confirmation
    ctx.context.seat = seat
    return f"seat {seat} booked for {confirmation}"


@function_tool
def booking_summary(ctx: RunContextWrapper[Booking]) -> str:
    """Read the booking back."""
    b = ctx.context
    return f"{b.passenger} on {b.flight}, seat {b.seat} ({b.confirmation})"


async def assign_flight(ctx: RunContextWrapper[Booking]) -> None:
    ctx.context.flight = "FLT-482"


def airline() -> Agent[Booking]:
    faq = Agent[Booking](
        name="FAQ Agent",
        handoff_description="Answers questions about the airline.",
        instructions="Answer with the faq lookup tool, else hand back to triage.",
        model=MODEL,
        tools=[faq_lookup],
    )
    seats = Agent[Booking](
        name="Seat Booking Agent",
        handoff_description="Changes a passenger's seat.",
        instructions="Ask for the confirmation number and seat, change it, read the booking back.",
        model=MODEL,
        tools=[change_seat, booking_summary],
    )
    triage = Agent[Booking](
        name="Triage Agent",
        instructions="Delegate to the right agent.",
        model=MODEL,
        handoffs=[faq, handoff(agent=seats, on_handoff=assign_flight)],
    )
    faq.handoffs.append(triage)
    seats.handoffs.append(triage)
    return triage


CUSTOMER_SERVICE = [
    # user: "I'd like another seat"
    call("transfer_to_seat_booking_agent"),
    say("Sure. Your confirmation number and the seat you want?"),
    # user: "ABC123, seat 12A"
    call("change_seat", confirmation="ABC123", seat="12A"),
    call("booking_summary"),
    say("Done: {last}."),
]
USER_TURNS = ("I'd like another seat", "ABC123, seat 12A")


def test_customer_service_handoffs_and_context_writes_match_the_raw_run(
    server: ScriptedOpenAIServer,
) -> None:
    server.script = Script(CUSTOMER_SERVICE)
    triage = airline()

    async def raw() -> tuple[list[str], Booking]:
        items: list[Any] = []
        agent: Agent[Booking] = triage
        context = Booking(passenger="Ada")
        answers = []
        for text in USER_TURNS:
            items.append({"role": "user", "content": text})
            result = await Runner.run(agent, items, context=context)
            answers.append(result.final_output)
            items, agent = result.to_input_list(), result.last_agent
        return answers, context

    raw_answers, raw_context = asyncio.run(raw())
    assert raw_answers[-1] == "Done: Ada on FLT-482, seat 12A (ABC123)."
    raw_requests = conversation(server.script.requests)
    server.script = Script(CUSTOMER_SERVICE)

    before = snapshot(triage)
    task = byof.wrap(
        triage,
        env=env(),
        name="airline",
        adapter_options={"context_type": Booking, "return_result": True},
    )
    answers, items, agent, context = [], [], None, {"passenger": "Ada"}
    with record_flyte() as rec:
        for text in USER_TURNS:
            out = run(task, input=items, prompt=text, starting_agent=agent, context=context)
            answers.append(out["output"])
            items, agent, context = out["items"], out["last_agent"], out["context"]
    assert answers == raw_answers
    assert context == raw_context.model_dump(), "the caller sees what the tools wrote"
    assert agent == "Seat Booking Agent"
    assert conversation(server.script.requests) == raw_requests, "the model saw the very same turns"
    assert model_steps(rec, MODEL) == 5 and len(rec.tasks_named(".airline")) == 2
    assert tasks(rec, "airline", "change_seat") == 1 and tasks(rec, "airline", "booking_summary") == 1
    after = snapshot(triage)
    assert after == before, first_difference(before, after)
