"""Pydantic AI agents written the way Pydantic AI's own docs and examples write them, wrapped.

The patterns: deps holding live resources (the bank-support example's database connection, the
weather example's `httpx.AsyncClient`), agent delegation (a tool running another agent with
`usage=ctx.usage`, as the multi-agent docs and the flight-booking example do), tools that change
the deps, usage limits and model settings, and streaming. Each test runs the agent raw and
wrapped (`byof.wrap` + local `flyte.run`), compares the answers, and checks what Flyte recorded.
Everything is offline: scripted models, an in-process HTTP transport, a local sqlite file.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pydantic_ai")

import flyte
import httpx
from flyte_records import model_steps, run
from pydantic import BaseModel, Field
from pydantic_ai import Agent, ModelRetry, RunContext
from pydantic_ai.exceptions import UsageLimitExceeded
from pydantic_ai.models.openai import OpenAIChatModel
from pydantic_ai.providers.openai import OpenAIProvider
from pydantic_ai.usage import UsageLimits

import byof
from byof.observability.events import Event, ToolCalled
from byof.steps.tools import task_function_name
from byof.testing.openai_server import ScriptedOpenAIServer
from byof.testing.pydantic_ai import scripted_model
from byof.testing.recorder import record_flyte
from byof.testing.script import Request, Script, call, calls, say

pytestmark = pytest.mark.usefixtures("flyte_local")


def env() -> flyte.TaskEnvironment:
    return flyte.TaskEnvironment("pai-patterns")


def trace_steps(rec: Any, agent: str, tool: str) -> int:
    """How many trace steps Flyte recorded for `agent`'s tool `tool` run in the agent's task."""
    return len(rec.steps_named(task_function_name(agent, tool)))


# -- bank support: deps holding an open database connection -----------------------------------------

connections: list[sqlite3.Connection] = []
closed: list[sqlite3.Connection] = []


class DatabaseConn:
    """The bank's customer database, over an open sqlite3 connection (which cannot be pickled)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    async def customer_name(self, *, id: int) -> str | None:
        row = self.conn.execute("select name from customers where id = ?", (id,)).fetchone()
        return row[0] if row else None

    async def customer_balance(self, *, id: int, include_pending: bool) -> float:
        column = "balance + pending" if include_pending else "balance"
        row = self.conn.execute(f"select {column} from customers where id = ?", (id,)).fetchone()
        if row is None:
            raise ValueError("Customer not found")
        return float(row[0])


@dataclass
class SupportDependencies:
    customer_id: int
    db: DatabaseConn


class SupportOutput(BaseModel):
    support_advice: str = Field(description="Advice returned to the customer")
    block_card: bool = Field(description="Whether to block their card")
    risk: int = Field(description="Risk level of the query", ge=0, le=10)


def bank(script: Script) -> Agent[SupportDependencies, SupportOutput]:
    agent = Agent(
        scripted_model(script),
        deps_type=SupportDependencies,
        output_type=SupportOutput,
        instructions="You are a support agent in our bank; judge the risk level of each query.",
    )

    @agent.instructions
    async def add_customer_name(ctx: RunContext[SupportDependencies]) -> str:
        name = await ctx.deps.db.customer_name(id=ctx.deps.customer_id)
        return f"The customer's name is {name!r}"

    @agent.tool
    async def customer_balance(ctx: RunContext[SupportDependencies], include_pending: bool) -> float:
        """Returns the customer's current account balance."""
        return await ctx.deps.db.customer_balance(id=ctx.deps.customer_id, include_pending=include_pending)

    return agent


@pytest.fixture
def bank_db(tmp_path: Path) -> Path:
    path = tmp_path / "bank.db"
    with sqlite3.connect(path) as conn:
        conn.execute("create table customers (id integer primary key, name text, balance real, pending real)")
        conn.execute("insert into customers values (123, 'John', 123.45, 100)")
    return path


def support_deps_factory(path: Path) -> Any:
    @contextmanager
    def support_deps(customer_id: int) -> Iterator[SupportDependencies]:
        conn = sqlite3.connect(path, check_same_thread=False)
        connections.append(conn)
        try:
            yield SupportDependencies(customer_id, DatabaseConn(conn))
        finally:
            conn.close()
            closed.append(conn)

    return support_deps


BANK_TURNS = [
    call("customer_balance", include_pending=True),
    call("final_result", support_advice="Your balance is 223.45.", block_card=False, risk=1),
]


def test_bank_support_deps_with_an_open_connection_are_built_by_a_deps_factory(bank_db: Path) -> None:
    script = Script(by_prompt={"balance": BANK_TURNS})
    agent = bank(script)
    support_deps = support_deps_factory(bank_db)
    with support_deps(123) as deps:
        raw = agent.run_sync("What is my balance?", deps=deps).output.model_dump()
    connections.clear()
    closed.clear()

    task = byof.wrap(agent, env=env(), name="bank", adapter_options={"deps_factory": support_deps})
    with record_flyte() as rec:
        assert run(task, prompt="What is my balance?", deps={"customer_id": 123}) == raw
    assert raw == {"support_advice": "Your balance is 223.45.", "block_card": False, "risk": 1}
    assert [t.name for t in rec.tasks_named("__customer_balance")] == ["pai-patterns.bank__customer_balance"]
    assert model_steps(rec) == 2
    wrapped_requests = script.requests[-2:]
    # The instructions read the live connection in the agent's task; the tool read its own in its task.
    assert "The customer's name is 'John'" in wrapped_requests[0].messages[0].content
    assert wrapped_requests[1].tool_results == ["223.45"]
    assert len(connections) == 2, "one connection for the run, one for the tool task"
    assert {id(c) for c in closed} == {id(c) for c in connections}, "each closed when its task ended"


def test_deps_that_json_cannot_build_need_a_factory_and_the_error_says_so() -> None:
    with pytest.raises(TypeError, match=r"SupportDependencies.*deps_factory"):
        byof.wrap(bank(Script()), env=env(), name="bank_no_factory")


# -- weather: deps holding an httpx.AsyncClient ---------------------------------------------------

clients: list[httpx.AsyncClient] = []
PLACES = {"London": (51.5, -0.12), "Wiltshire": (51.35, -1.99)}


def fake_weather_api(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/latlng":
        lat, lng = PLACES[request.url.params["location"]]
        return httpx.Response(200, json={"lat": lat, "lng": lng})
    lat = float(request.url.params["lat"])
    return httpx.Response(
        200, json={"temperature": round(lat / 3, 1), "description": "Sunny" if lat > 51.4 else "Rainy"}
    )


@dataclass
class Deps:
    client: httpx.AsyncClient


class LatLng(BaseModel):
    lat: float
    lng: float


@asynccontextmanager
async def weather_client() -> AsyncIterator[Deps]:
    async with httpx.AsyncClient(
        base_url="https://weather.invalid", transport=httpx.MockTransport(fake_weather_api)
    ) as client:
        clients.append(client)
        yield Deps(client)


def weather(script: Script) -> Agent[Deps, str]:
    agent = Agent(scripted_model(script), instructions="Be concise, reply with one sentence.", deps_type=Deps)

    @agent.tool
    async def get_lat_lng(ctx: RunContext[Deps], location_description: str) -> LatLng:
        """Get the latitude and longitude of a location."""
        r = await ctx.deps.client.get("/latlng", params={"location": location_description})
        r.raise_for_status()
        return LatLng.model_validate_json(r.content)

    @agent.tool
    async def get_weather(ctx: RunContext[Deps], lat: float, lng: float) -> dict[str, Any]:
        """Get the weather at a location."""
        r = await ctx.deps.client.get("/weather", params={"lat": lat, "lng": lng})
        r.raise_for_status()
        data = r.json()
        return {"temperature": f"{data['temperature']} °C", "description": data["description"]}

    return agent


WEATHER_TURNS = [
    calls(
        ("get_lat_lng", {"location_description": "London"}),
        ("get_lat_lng", {"location_description": "Wiltshire"}),
    ),
    calls(("get_weather", {"lat": 51.5, "lng": -0.12}), ("get_weather", {"lat": 51.35, "lng": -1.99})),
    say("{results}"),
]


async def raw_weather(agent: Agent[Deps, str], prompt: str) -> str:
    async with weather_client() as deps:
        return (await agent.run(prompt, deps=deps)).output


@pytest.mark.parametrize("mode", ["task", "trace"])
def test_weather_deps_with_an_async_client(mode: str) -> None:
    """As tasks, each tool task opens (and closes) its own client through the factory; as trace
    steps, the tools use the run's one live client in the agent's task."""
    script = Script(by_prompt={"weather": WEATHER_TURNS})
    agent = weather(script)
    raw = asyncio.run(raw_weather(agent, "What is the weather like in London and in Wiltshire?"))
    assert "Sunny" in raw and "Rainy" in raw
    clients.clear()

    name = f"weather_{mode}"
    task = byof.wrap(
        agent, env=env(), name=name, tools=mode, adapter_options={"deps_factory": weather_client}
    )
    with record_flyte() as rec:
        assert run(task, prompt="What is the weather like in London and in Wiltshire?") == raw
    assert model_steps(rec) == 3
    assert all(c.is_closed for c in clients)
    if mode == "task":
        assert (
            len(rec.tasks_named(f"{name}__get_lat_lng")) == 2
            and len(rec.tasks_named(f"{name}__get_weather")) == 2
        )
        assert len(clients) == 5, "the run's client and one per tool task"
    else:
        assert [t.name for t in rec.tasks] == [f"pai-patterns.{name}"]
        assert trace_steps(rec, name, "get_lat_lng") == 2 and trace_steps(rec, name, "get_weather") == 2
        assert len(clients) == 1


# -- deps a tool task cannot rebuild -----------------------------------------------------------------


@dataclass
class Session:
    user: str
    lock: Any = field(default_factory=threading.Lock)  # made when the deps are validated; cannot cross


def locked_agent(script: Script) -> Agent[Session, str]:
    agent = Agent(scripted_model(script), deps_type=Session)

    @agent.tool
    def whoami(ctx: RunContext[Session]) -> str:
        """Say who the user is, holding the session's lock."""
        with ctx.deps.lock:
            return f"user {ctx.deps.user}"

    return agent


def test_deps_that_cannot_cross_name_the_field_and_the_fixes_and_trace_mode_works() -> None:
    agent = locked_agent(Script([call("whoami"), say("{last}")]))
    task = byof.wrap(agent, env=env(), name="locked")
    with pytest.raises(Exception) as failed:
        run(task, prompt="who", deps={"user": "ada"})
    message = str(failed.value)
    assert "deps field 'lock'" in message and "deps_factory" in message
    assert "tool_options={'whoami': 'trace'}" in message

    for mode in ("trace", "inline"):
        routed = byof.wrap(agent, env=env(), name=f"locked_{mode}", tool_options={"whoami": mode})
        with record_flyte() as rec:
            assert run(routed, prompt="who", deps={"user": "ada"}) == "user ada"
        assert [t.name for t in rec.tasks] == [f"pai-patterns.locked_{mode}"]
        assert trace_steps(rec, f"locked_{mode}", "whoami") == (1 if mode == "trace" else 0)


# -- agent delegation: a tool runs another agent, with usage=ctx.usage ------------------------------

SELECTOR = Script(by_prompt={"joke": [call("joke_factory", count=2), say("Best of: {last}")]})
GENERATOR = Script(by_prompt={"jokes": [call("get_jokes", count=2), say("{last}")]})
JOKES = {"1": "A pun.", "2": "A pun. A knock-knock."}


def fake_joke_api(request: httpx.Request) -> httpx.Response:
    assert request.headers["Authorization"] == "Bearer foobar"
    return httpx.Response(200, text=JOKES[request.url.params["count"]])


@dataclass
class ClientAndKey:
    http_client: httpx.AsyncClient
    api_key: str


joke_selection_agent = Agent(
    scripted_model(SELECTOR, "selector-model"),
    deps_type=ClientAndKey,
    instructions="Use the joke_factory to generate some jokes, then choose the best.",
)
joke_generation_agent = Agent(scripted_model(GENERATOR, "generator-model"), deps_type=ClientAndKey)


@joke_selection_agent.tool
async def joke_factory(ctx: RunContext[ClientAndKey], count: int) -> str:
    """Generate jokes."""
    r = await joke_generation_agent.run(f"Please generate {count} jokes.", deps=ctx.deps, usage=ctx.usage)
    return r.output


@joke_generation_agent.tool
async def get_jokes(ctx: RunContext[ClientAndKey], count: int) -> str:
    """Fetch jokes from the joke API."""
    response = await ctx.deps.http_client.get(
        "https://jokes.invalid",
        params={"count": count},
        headers={"Authorization": f"Bearer {ctx.deps.api_key}"},
    )
    response.raise_for_status()
    return response.text


@asynccontextmanager
async def joke_deps(api_key: str) -> AsyncIterator[ClientAndKey]:
    async with httpx.AsyncClient(transport=httpx.MockTransport(fake_joke_api)) as client:
        yield ClientAndKey(client, api_key)


async def raw_jokes(usage_limits: UsageLimits | None = None) -> str:
    async with joke_deps("foobar") as deps:
        return (
            await joke_selection_agent.run("Tell me a joke.", deps=deps, usage_limits=usage_limits)
        ).output


def jokes_task(name: str, events: list[Event]) -> Any:
    return byof.wrap(
        joke_selection_agent,
        env=env(),
        name=name,
        sinks=[events.append],
        adapter_options={"deps_factory": joke_deps},
    )


def test_agent_delegation_traces_the_delegate_and_routes_its_tools() -> None:
    before = (SELECTOR.call_count, GENERATOR.call_count)
    raw = asyncio.run(raw_jokes())
    assert raw == "Best of: A pun. A knock-knock."
    raw_requests = (SELECTOR.call_count - before[0], GENERATOR.call_count - before[1])
    assert raw_requests == (2, 2)

    events: list[Event] = []
    with record_flyte() as rec:
        assert run(jokes_task("jokes", events), prompt="Tell me a joke.", deps={"api_key": "foobar"}) == raw
    assert (model_steps(rec, "selector-model"), model_steps(rec, "generator-model")) == raw_requests
    assert len(rec.steps) == 4, "every model request of both agents, and nothing else, is a trace step"
    delegate_tool = task_function_name("jokes", "joke_generation_agent.get_jokes")
    assert [t.name for t in rec.tasks_named(f".{delegate_tool}")] == [f"pai-patterns.{delegate_tool}"]
    assert not rec.tasks_named("__joke_factory"), "the delegating tool runs in the agent's task"
    modes = {e.name: e.mode for e in events if isinstance(e, ToolCalled)}
    assert modes == {"joke_factory": "inline", "joke_generation_agent.get_jokes": "task"}


def test_the_delegates_usage_counts_toward_the_runs_usage_limits() -> None:
    """Two requests of its own and two of the delegate's: a request limit of 3 stops the run at its
    fourth request only if the delegate's requests were counted in the run's usage."""
    with pytest.raises(UsageLimitExceeded) as raw:
        asyncio.run(raw_jokes(UsageLimits(request_limit=3)))
    assert "request_limit of 3" in str(raw.value)
    task = jokes_task("jokes_limited", [])
    with pytest.raises(Exception) as wrapped:
        run(task, prompt="Tell me a joke.", deps={"api_key": "foobar"}, usage_limits={"request_limit": 3})
    assert str(raw.value) in str(wrapped.value)
    assert run(
        task, prompt="Tell me a joke.", deps={"api_key": "foobar"}, usage_limits={"request_limit": 4}
    ) == (asyncio.run(raw_jokes(UsageLimits(request_limit=4))))


def test_usage_limits_input_with_an_unknown_key_names_the_known_ones() -> None:
    task = jokes_task("jokes_bad_limits", [])
    with pytest.raises(Exception, match=r"unknown keys \['requests'\].*request_limit"):
        run(task, prompt="Tell me a joke.", deps={"api_key": "foobar"}, usage_limits={"requests": 3})


# -- tools that change the deps ------------------------------------------------------------------------

bodies: list[str] = []
together = threading.Barrier(1)  # replaced per test: calls that must all be running at once


def meet(parties: int) -> None:
    global together
    together = threading.Barrier(parties, timeout=20)


@dataclass
class Cart:
    items: list[str] = field(default_factory=list)
    total: float = 0.0


def shop(script: Script) -> Agent[Cart, str]:
    agent = Agent(scripted_model(script), deps_type=Cart)

    @agent.instructions
    def cart_size(ctx: RunContext[Cart]) -> str:
        return f"The cart holds {len(ctx.deps.items)} item(s)."

    @agent.tool
    def add_item(ctx: RunContext[Cart], item: str, price: float) -> str:
        """Put an item in the cart."""
        together.wait()
        bodies.append(item)
        ctx.deps.items.append(item)
        ctx.deps.total += price
        return f"{len(ctx.deps.items)} in cart"

    @agent.tool
    def checkout(ctx: RunContext[Cart]) -> str:
        """Check the cart out."""
        return f"{', '.join(ctx.deps.items)} for {ctx.deps.total:.2f}"

    return agent


ONE_BY_ONE = [
    call("add_item", item="apple", price=1.5),
    call("add_item", item="pear", price=2),
    call("checkout"),
]
AT_ONCE = [
    calls(("add_item", {"item": "apple", "price": 1.5}), ("add_item", {"item": "pear", "price": 2})),
    call("checkout"),
]


def raw_shop(turns: list[Any], script: Script | None = None) -> tuple[str, Cart]:
    cart = Cart()
    return shop(script or Script([*turns, say("{last}")])).run_sync("buy fruit", deps=cart).output, cart


def bought(checkout: str) -> tuple[list[str], str]:
    """A checkout answer's items (in any order) and total."""
    items, total = checkout.split(" for ")
    return sorted(items.split(", ")), total


def instructions_seen(script: Script) -> list[str]:
    """The instructions of each request (Pydantic AI evaluates them again for every request)."""
    return [next(m.content for m in reversed(r.messages) if m.role == "system") for r in script.requests]


def test_what_tool_tasks_change_in_the_deps_comes_back_to_the_run() -> None:
    meet(1)
    raw_script = Script([*ONE_BY_ONE, say("{last}")])
    raw, cart = raw_shop(ONE_BY_ONE, raw_script)
    assert raw == "apple, pear for 3.50" and cart.items == ["apple", "pear"]
    script = Script([*ONE_BY_ONE, say("{last}")])
    with record_flyte() as rec:
        assert run(byof.wrap(shop(script), env=env(), name="shop"), prompt="buy fruit", deps={}) == raw
    assert len(rec.tasks_named("shop__add_item")) == 2 and len(rec.tasks_named("shop__checkout")) == 1
    assert instructions_seen(script) == instructions_seen(raw_script)
    assert instructions_seen(script) == [f"The cart holds {n} item(s)." for n in (0, 1, 2, 2)]


def test_parallel_tool_tasks_changing_one_field_fail_loudly_and_run_as_trace_steps() -> None:
    """Both calls run at once (a barrier holds each until the other arrives), raw and wrapped."""
    meet(2)
    raw, _ = raw_shop(AT_ONCE)
    assert bought(raw) == (["apple", "pear"], "3.50"), "both writes, in either order"
    as_tasks = byof.wrap(shop(Script([*AT_ONCE, say("{last}")])), env=env(), name="shop_parallel")
    with pytest.raises(Exception) as failed:
        run(as_tasks, prompt="buy fruit", deps={})
    assert "changed deps.items in its task while another call changed it" in str(failed.value)
    assert "tool_options={'add_item': 'trace'}" in str(failed.value)

    in_process = byof.wrap(
        shop(Script([*AT_ONCE, say("{last}")])),
        env=env(),
        name="shop_traced",
        tool_options={"add_item": "trace"},
    )
    with record_flyte() as rec:
        assert bought(run(in_process, prompt="buy fruit", deps={})) == bought(raw)
    assert trace_steps(rec, "shop_traced", "add_item") == 2 and not rec.tasks_named("__add_item")


def test_a_tool_task_failing_after_a_deps_write_says_the_write_is_lost(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Raw, the write stays; a failing task returns only its error, so byof says what was lost."""
    agent = Agent(scripted_model(Script([call("reserve", item="fig"), say("{last}")])), deps_type=Cart)

    @agent.tool
    def reserve(ctx: RunContext[Cart], item: str) -> str:
        """Reserve an item."""
        ctx.deps.items.append(item)
        raise ModelRetry("out of stock")

    with caplog.at_level(logging.WARNING, logger="byof.tools"):
        answer = run(byof.wrap(agent, env=env(), name="reserve"), prompt="reserve a fig", deps={})
    assert "out of stock" in answer, "the model got the retry prompt"
    lost = [
        r.getMessage()
        for r in caplog.records
        if "reserve" in r.getMessage() and "deps.items" in r.getMessage()
    ]
    assert lost and "do not reach the agent's run" in lost[0]


@pytest.mark.parametrize("mode", ["task", "trace"])
def test_a_retried_run_gets_the_deps_writes_of_journaled_tool_calls(mode: str) -> None:
    """The retry serves both add_item calls from the journal, without running them, and their
    writes to the cart still reach the checkout."""
    meet(1)
    raw, _ = raw_shop(ONE_BY_ONE)
    failed = []

    def fail_once_before_checkout(request: Request) -> None:
        if request.turn == 2 and not failed:
            failed.append(request.turn)
            raise ConnectionError("model endpoint dropped the connection")

    bodies.clear()
    script = Script([*ONE_BY_ONE, say("{last}")], on_respond=fail_once_before_checkout)
    task = byof.wrap(shop(script), env=env(), name=f"shop_retried_{mode}", tools=mode, retries=1)
    assert run(task, prompt="buy fruit", deps={}) == raw
    assert failed and bodies == ["apple", "pear"], "each add_item body ran once"


# -- the run's own inputs: model settings; streaming -----------------------------------------------


def test_model_settings_reach_the_provider_as_in_a_raw_run() -> None:
    script = Script(by_prompt={"hello": [say("hi there")]})
    with ScriptedOpenAIServer(script) as server:
        provider = OpenAIProvider(base_url=server.base_url, api_key=server.api_key)
        agent = Agent(OpenAIChatModel("gpt-4o-mini", provider=provider))
        settings = {"temperature": 0.25, "max_tokens": 40}
        raw = agent.run_sync("hello", model_settings=settings).output  # type: ignore[arg-type]
        task = byof.wrap(agent, env=env(), name="settings")
        assert run(task, prompt="hello", model_settings=settings) == raw == "hi there"
        raw_body, wrapped_body = (r["body"] for r in server.requests)
    assert wrapped_body == raw_body and wrapped_body["temperature"] == 0.25


def test_the_scripted_model_streams_and_the_wrapped_stream_gives_the_raw_answer() -> None:
    meet(1)
    turns = [call("add_item", item="fig", price=3), say("the cart now has {last}, thank you")]

    async def raw_stream() -> list[str]:
        agent = shop(Script(turns))
        async with agent.run_stream("buy a fig", deps=Cart()) as stream:
            return [piece async for piece in stream.stream_text(delta=True, debounce_by=None)]

    pieces = asyncio.run(raw_stream())
    assert len(pieces) > 3 and "".join(pieces) == "the cart now has 1 in cart, thank you"
    task = byof.wrap(shop(Script(turns)), env=env(), name="streamed", adapter_options={"entry": "run_stream"})
    with record_flyte() as rec:
        assert run(task, prompt="buy a fig", deps={}) == "".join(pieces)
    assert model_steps(rec) == 2 and len(rec.tasks_named("streamed__add_item")) == 1
