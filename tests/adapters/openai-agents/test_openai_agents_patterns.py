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
from collections.abc import Iterator
from typing import Any, Literal

import pytest

pytest.importorskip("agents")

import flyte
from agents import (
    Agent,
    OpenAIChatCompletionsModel,
    OpenAIResponsesModel,
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


def test_a_worker_finds_the_tools_of_a_handoff_objects_target() -> None:
    # handoff(agent=...) keeps its agent out of sight; a worker rebuilding change_seat's task must
    # still find it, as it finds the tools of agents handed off to directly.
    task = byof.wrap(airline(), env=env(), name="airline_worker")
    rebuilt = byof.wrapped_agent(task).tool_task("change_seat")
    assert rebuilt.name == "oa-patterns.airline_worker__change_seat"


def test_a_tool_two_agents_share_is_one_tool_task(server: ScriptedOpenAIServer) -> None:
    turns = [
        call("faq_lookup", question="bag?"),
        call("transfer_to_faq_agent"),
        call("faq_lookup", question="bag?"),
        say("{results}"),
    ]
    faq = Agent(name="FAQ Agent", model=MODEL, tools=[faq_lookup])
    triage = Agent(name="Triage Agent", model=MODEL, tools=[faq_lookup], handoffs=[faq])
    server.script = Script(turns)
    raw = Runner.run_sync(triage, "bags").final_output
    assert raw.count("One bag under 50 pounds.") == 2
    server.script = Script(turns)
    task = byof.wrap(triage, env=env(), name="shared_tool")
    with record_flyte() as rec:
        assert run(task, prompt="bags") == raw
    assert tasks(rec, "shared_tool", "faq_lookup") == 2 and model_steps(rec, MODEL) == 4


# -- LLM as a judge: a plain Python loop around two agents -----------------------------------------


@dataclasses.dataclass
class Feedback:
    feedback: str
    score: Literal["pass", "needs_improvement", "fail"]


def judge_pair(
    outlines: ScriptedOpenAIServer, verdicts: ScriptedOpenAIServer
) -> tuple[Agent[Any], Agent[Any]]:
    """The example's two agents, on the SDK's real OpenAI model classes."""
    generator = Agent(
        name="story_outline_generator",
        instructions="Write a very short story outline; use any feedback to improve it.",
        model=OpenAIResponsesModel(
            "gpt-4o", AsyncOpenAI(base_url=outlines.base_url, api_key=outlines.api_key)
        ),
    )
    evaluator = Agent[None](
        name="evaluator",
        instructions="Judge the outline. Never pass it on the first try.",
        output_type=Feedback,
        model=OpenAIChatCompletionsModel(
            "gpt-4o-mini", AsyncOpenAI(base_url=verdicts.base_url, api_key=verdicts.api_key)
        ),
    )
    return generator, evaluator


OUTLINES = [say("A robot learns to paint."), say("A robot learns to paint, against a rival drone.")]
# The evaluator sees the generator's outlines as earlier assistant turns: its answers start at turn 2.
# The SDK asks for a dataclass output wrapped in a "response" object.
VERDICTS = [
    say("never"),
    say('{"response": {"feedback": "Give the robot a rival.", "score": "needs_improvement"}}'),
    say('{"response": {"feedback": "Good.", "score": "pass"}}'),
]


def test_llm_as_a_judge_loop_in_a_parent_task_matches_the_raw_loop() -> None:
    with (
        ScriptedOpenAIServer(Script(OUTLINES)) as outlines,
        ScriptedOpenAIServer(Script(VERDICTS)) as verdicts,
    ):
        generator, evaluator = judge_pair(outlines, verdicts)

        async def raw(msg: str) -> tuple[str, list[dict[str, Any]]]:
            items: list[Any] = [{"content": msg, "role": "user"}]
            rounds = []
            while True:
                outline = await Runner.run(generator, items)
                items = outline.to_input_list()
                verdict = (await Runner.run(evaluator, items)).final_output
                rounds.append(dataclasses.asdict(verdict))
                if verdict.score == "pass":
                    return outline.final_output, rounds
                items.append({"content": f"Feedback: {verdict.feedback}", "role": "user"})

        raw_outline, raw_rounds = asyncio.run(raw("a story about robots"))
        assert raw_outline == "A robot learns to paint, against a rival drone." and len(raw_rounds) == 2
        raw_requests = conversation(outlines.script.requests), conversation(verdicts.script.requests)
        outlines.script, verdicts.script = Script(OUTLINES), Script(VERDICTS)

        e = env("oa-judge")
        outline_task = byof.wrap(generator, env=e, name="outline", adapter_options={"return_result": True})
        judge_task = byof.wrap(evaluator, env=e, name="judge")

        @e.task
        async def judged(msg: str) -> dict[str, Any]:
            items: list[dict[str, Any]] = [{"content": msg, "role": "user"}]
            rounds = []
            while True:
                outline = await outline_task(input=items)
                items = outline["items"]
                verdict = await judge_task(input=items)
                rounds.append(verdict)
                if verdict["score"] == "pass":
                    return {"outline": outline["output"], "rounds": rounds}
                items.append({"content": f"Feedback: {verdict['feedback']}", "role": "user"})

        with record_flyte() as rec:
            assert run(judged, msg="a story about robots") == {"outline": raw_outline, "rounds": raw_rounds}
        assert (
            conversation(outlines.script.requests),
            conversation(verdicts.script.requests),
        ) == raw_requests
    assert len(rec.tasks_named(".outline")) == 2 and len(rec.tasks_named(".judge")) == 2
    assert model_steps(rec, "gpt-4o") == 2 and model_steps(rec, "gpt-4o-mini") == 2


# -- agents as tools, then a synthesizer over the orchestrator's items ------------------------------


def translator(language: str, word: str) -> Agent[Any]:
    return Agent(
        name=f"{language}_agent",
        instructions=f"Translate the user's message to {language}.",
        handoff_description=f"An english to {language} translator",
        model=ScriptedAgentsModel(Script([say(word)]), f"{language}-model"),
    )


def test_agents_as_tools_then_a_synthesizer_over_the_orchestrators_items() -> None:
    spanish, french = translator("spanish", "Hola"), translator("french", "Bonjour")
    orchestrator_script = Script(
        [
            calls(("translate_to_spanish", {"input": "hello"}), ("translate_to_french", {"input": "hello"})),
            say("Translated."),
        ]
    )
    orchestrator = Agent(
        name="orchestrator_agent",
        instructions="Use your tools to translate; never translate yourself.",
        model=ScriptedAgentsModel(orchestrator_script, "orchestrator-model"),
        tools=[
            spanish.as_tool(tool_name="translate_to_spanish", tool_description="Translate to Spanish"),
            french.as_tool(tool_name="translate_to_french", tool_description="Translate to French"),
        ],
    )
    # The synthesizer continues the orchestrator's conversation: two assistant turns are done.
    synthesizer_script = Script(
        [say("never"), say("never"), say("Spanish: Hola. French: Bonjour. Checked: {results}")]
    )
    synthesizer = Agent(
        name="synthesizer_agent",
        instructions="Check the translations and concatenate them.",
        model=ScriptedAgentsModel(synthesizer_script, "synthesizer-model"),
    )

    async def raw(msg: str) -> str:
        orchestrated = await Runner.run(orchestrator, msg)
        return (await Runner.run(synthesizer, orchestrated.to_input_list())).final_output

    raw_answer = asyncio.run(raw("Say hello in Spanish and French"))
    assert raw_answer == "Spanish: Hola. French: Bonjour. Checked: Hola, Bonjour"
    raw_synthesizer_saw = conversation(synthesizer_script.requests)

    e = env("oa-translate")
    orchestrate = byof.wrap(orchestrator, env=e, name="orchestrate", adapter_options={"return_result": True})
    synthesize = byof.wrap(synthesizer, env=e, name="synthesize")
    before = snapshot(orchestrator)
    with record_flyte() as rec:
        orchestrated = run(orchestrate, prompt="Say hello in Spanish and French")
        assert orchestrated["output"] == "Translated." and orchestrated["last_agent"] == "orchestrator_agent"
        assert run(synthesize, input=orchestrated["items"]) == raw_answer
    assert conversation(synthesizer_script.requests)[1:] == raw_synthesizer_saw
    for name, steps in (("orchestrator", 2), ("spanish", 1), ("french", 1), ("synthesizer", 1)):
        assert model_steps(rec, f"{name}-model") == steps, name
    assert not rec.tasks_named("__translate_to_spanish"), "an agent tool's nested run is durable step by step"
    after = snapshot(orchestrator)
    assert after == before, first_difference(before, after)


# -- a deterministic flow: three agents, a gate between them ---------------------------------------


class OutlineCheck(BaseModel):
    good_quality: bool
    is_scifi: bool


def test_deterministic_flow_with_a_gate_in_a_parent_task() -> None:
    def agent(name: str, turns: list[Any], output_type: Any = None) -> Agent[Any]:
        model = ScriptedAgentsModel(Script(turns), f"{name}-model")
        return Agent(name=name, instructions=f"The {name} step.", model=model, output_type=output_type)

    outline = agent("outline", [say("A crew wakes on a ship drifting past Neptune.")])
    checker = agent("checker", [say('{"good_quality": true, "is_scifi": true}')], OutlineCheck)
    story = agent("story", [say("Story of: {prompt}")], str)

    async def raw(prompt: str) -> str:
        drafted = (await Runner.run(outline, prompt)).final_output
        checked = (await Runner.run(checker, drafted)).final_output
        if not (checked.good_quality and checked.is_scifi):
            return "stopped"
        return (await Runner.run(story, drafted)).final_output

    raw_story = asyncio.run(raw("a scifi story"))
    e = env("oa-flow")
    steps = {a.name: byof.wrap(a, env=e, name=a.name) for a in (outline, checker, story)}

    @e.task
    async def flow(prompt: str) -> str:
        drafted = await steps["outline"](prompt=prompt)
        checked = await steps["checker"](prompt=drafted)
        if not (checked["good_quality"] and checked["is_scifi"]):
            return "stopped"
        return await steps["story"](prompt=drafted)

    with record_flyte() as rec:
        assert (
            run(flow, prompt="a scifi story")
            == raw_story
            == "Story of: A crew wakes on a ship drifting past Neptune."
        )
    assert [len(rec.tasks_named(f".{name}")) for name in steps] == [1, 1, 1]
    assert [model_steps(rec, f"{name}-model") for name in steps] == [1, 1, 1]
