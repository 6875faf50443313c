"""One agent, three ways, for each framework that has an official Flyte adapter.

The same scripted tool-calling agent (byof's scripted model in the framework's own model type,
zero latency) recording the same durable work: one `flyte.trace` step per model call and one
Flyte child action per tool call. It is built three ways:

- **floor**: the framework inside a plain `@env.task`, written by hand: tools are Flyte tasks the
  framework's tools await, each model call is a `flyte.trace` step keyed by the conversation's
  length (an O(1) key: the least any adapter could hash). No identity check, no journal, no
  events: the minimum any adapter could cost for the same durable work.
- **official**: Flyte's own `flyteplugins-agents-<framework>` 2.12.1 adapter, used the way its
  README and docstrings show: tools are `@env.task`s wrapped with the adapter's `tool`, the run is
  `await run_agent(prompt, agent=...)` inside the user's `@env.task`.
- **byof**: `byof.wrap(agent, env=env)` of the plain agent (its tools plain functions), journal on.

`agent_spec(turns)` chooses the script: `turns=None` is the standard agent (`add`, `word_count`,
then an answer: 3 model calls, 2 tool calls); `turns=N` is N model+tool turns of an `echo` tool,
then an answer (N + 1 model calls, N tool calls), for the run-length sweep.

Every builder returns a `Variant`: a Flyte task and its inputs, so a benchmark times
`flyte.run(variant.task, **variant.inputs)` for each side the same way.
"""

from __future__ import annotations

import functools
import inspect
import json
import re
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import flyte

import byof
from byof.testing.recorder import record_flyte
from byof.testing.script import Script, call, say

PROMPT = "Add 2 and 3.5, then count the words in 'hello durable world'."
SWEEP_PROMPT = "Echo every turn number you are given."
KINDS = ("floor", "official", "byof")
FRAMEWORKS = ("langgraph", "pydantic-ai", "openai-agents")

# Separate environments, so the official adapter's `tool` (which sets a resolver on the task it
# wraps) never touches the floor's tasks, and byof's private tool-task clones stay its own.
floor_env = flyte.TaskEnvironment("bench-floor")
official_env = flyte.TaskEnvironment("bench-official")
byof_env = flyte.TaskEnvironment("bench-byof")


# -- the tools: plain bodies, and the same bodies as Flyte tasks in each environment -------------


async def add(a: float, b: float) -> float:
    """Add two numbers."""
    return a + b


async def word_count(text: str) -> int:
    """Count the words in a text."""
    return len(text.split())


async def echo(turn: int) -> int:
    """Return the turn number it was given."""
    return turn


BODIES: dict[str, Callable[..., Any]] = {"add": add, "word_count": word_count, "echo": echo}


def _task_copy(env: flyte.TaskEnvironment, body: Callable[..., Any]) -> Any:
    """`body` as a task of `env` (a new function object per environment: Flyte keys tasks by it)."""

    @functools.wraps(body)
    async def task_body(*args: Any, **kwargs: Any) -> Any:
        return await body(*args, **kwargs)

    return env.task(task_body)


FLOOR_TASKS = {name: _task_copy(floor_env, body) for name, body in BODIES.items()}
OFFICIAL_TASKS = {name: _task_copy(official_env, body) for name, body in BODIES.items()}


def floor_tool(name: str) -> Callable[..., Any]:
    """The floor's tool body, for the framework's own tool type: it awaits the tool's Flyte task
    (a child action), with the plain body's name, docstring and signature."""
    task = FLOOR_TASKS[name]
    signature = inspect.signature(BODIES[name])
    floats = {k for k, v in typing.get_type_hints(BODIES[name]).items() if v is float}

    @functools.wraps(BODIES[name])
    async def run_tool(*args: Any, **kwargs: Any) -> Any:
        inputs = signature.bind(*args, **kwargs).arguments
        # A model's JSON `2` for a float: Flyte's type engine takes only a float.
        return await task.aio(**{k: float(v) if k in floats else v for k, v in inputs.items()})

    return run_tool


@dataclass(frozen=True)
class AgentSpec:
    """What the scripted model does: its turns, and the tools the agent has."""

    label: str
    turns: tuple[Any, ...]
    tools: tuple[str, ...]
    prompt: str
    model_calls: int
    tool_calls: int

    def script(self) -> Script:
        script = Script(self.turns)
        # The script records every request (each holding the whole conversation): at N = 1000
        # that alone is ~10^6 objects per run, on every side alike. Nothing here reads them.
        script.requests = _Discard()
        return script


class _Discard(list):  # type: ignore[type-arg]
    def append(self, item: Any) -> None:
        pass


def agent_spec(turns: int | None = None) -> AgentSpec:
    """The standard agent (`turns=None`), or N echo turns then an answer."""
    if turns is None:
        return AgentSpec(
            "standard",
            (
                call("add", a=2, b=3.5),
                call("word_count", text="hello durable world"),
                say("Results: {results}"),
            ),
            ("add", "word_count"),
            PROMPT,
            3,
            2,
        )
    return AgentSpec(
        f"n{turns}",
        (*(call("echo", turn=i) for i in range(turns)), say("Echoed {last}")),
        ("echo",),
        SWEEP_PROMPT,
        turns + 1,
        turns,
    )


@dataclass
class Variant:
    """One side of a comparison: a Flyte task to run and its inputs."""

    framework: str
    kind: str
    spec: AgentSpec
    task: Any
    inputs: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"{self.framework}/{self.kind}"

    def run(self) -> Any:
        return flyte.run(self.task, **self.inputs).outputs()[0]

    async def arun(self) -> Any:
        run = await flyte.run.aio(self.task, **self.inputs)
        return (await run.outputs.aio())[0] if hasattr(run.outputs, "aio") else run.outputs()[0]


def _named(fn: Callable[..., Any], name: str) -> Callable[..., Any]:
    fn.__name__ = fn.__qualname__ = re.sub(r"\W+", "_", name)
    return fn


async def traced_turn(name: str, key: str, call_model: Callable[[], Any], dumps: Any, loads: Any) -> Any:
    """The floor's model step: one `flyte.trace` whose input is `key`, whose output is the response."""

    async def step(key: str) -> str:
        return dumps(await call_model())

    return loads(await flyte.trace(_named(step, name))(key))


# -- LangGraph ------------------------------------------------------------------------------------
# One graph shape for all three sides: the standard tool-calling graph (a model node, a tools node,
# tools_condition), as the official adapter builds it from its ai_node/tool_node. The floor's and
# byof's nodes do what the official nodes do, minus the durability the official nodes add.


def _lg_graph(model_node: Any, tools_node: Any) -> Any:
    from langgraph.graph import START, MessagesState, StateGraph
    from langgraph.prebuilt import tools_condition

    builder = StateGraph(MessagesState)
    builder.add_node("ai", model_node)
    builder.add_node("tools", tools_node)
    builder.add_edge(START, "ai")
    builder.add_conditional_edges("ai", tools_condition)
    builder.add_edge("tools", "ai")
    return builder.compile()


def _lg_tools_node(tools: Sequence[Any]) -> Any:
    """Run the last message's tool calls one by one, as the official tool_node does."""
    from langchain_core.messages import ToolMessage

    by_name = {t.name: t for t in tools}

    async def tools_node(state: dict[str, Any]) -> dict[str, Any]:
        out = []
        for tc in state["messages"][-1].tool_calls:
            result = await by_name[tc["name"]].ainvoke(tc["args"])
            out.append(ToolMessage(content=str(result), tool_call_id=tc["id"], name=tc["name"]))
        return {"messages": out}

    return tools_node


def _lg_config(spec: AgentSpec) -> dict[str, Any]:
    # LangGraph stops a run after 25 super-steps by default; a turn is two (model, tools).
    return {"recursion_limit": 2 * spec.model_calls + 10}


def _lg_model(spec: AgentSpec) -> Any:
    from byof.testing.langchain import ScriptedChatModel

    return ScriptedChatModel(script=spec.script())


def langgraph_floor(spec: AgentSpec) -> Variant:
    from langchain_core.messages import message_to_dict, messages_from_dict
    from langchain_core.tools import StructuredTool

    tools = [
        StructuredTool.from_function(coroutine=floor_tool(n), name=n, description=BODIES[n].__doc__)
        for n in spec.tools
    ]
    bound = _lg_model(spec).bind_tools(tools)

    async def ai(state: dict[str, Any]) -> dict[str, Any]:
        messages = state["messages"]
        reply = await traced_turn(
            "ai_model",
            str(len(messages)),
            lambda: bound.ainvoke(messages),
            lambda m: json.dumps(message_to_dict(m)),
            lambda s: messages_from_dict([json.loads(s)])[0],
        )
        return {"messages": [reply]}

    graph = _lg_graph(ai, _lg_tools_node(tools))
    config = _lg_config(spec)

    async def agent(prompt: str) -> str:
        state = await graph.ainvoke({"messages": [{"role": "user", "content": prompt}]}, config)
        return state["messages"][-1].content

    task = floor_env.task(_named(agent, f"langgraph_floor_{spec.label}"))
    return Variant("langgraph", "floor", spec, task, {"prompt": spec.prompt})


def langgraph_official(spec: AgentSpec) -> Variant:
    from flyteplugins.agents.langgraph import ai_node, run_agent, tool, tool_node

    tools = [tool(OFFICIAL_TASKS[n]) for n in spec.tools]
    graph = _lg_graph(ai_node(_lg_model(spec), tools), tool_node(tools))
    config = _lg_config(spec)

    async def agent(prompt: str) -> str:
        return await run_agent(prompt, agent=graph, config=config)

    task = official_env.task(_named(agent, f"langgraph_official_{spec.label}"))
    return Variant("langgraph", "official", spec, task, {"prompt": spec.prompt})


def langgraph_byof(spec: AgentSpec, **wrap_options: Any) -> Variant:
    from langchain_core.tools import StructuredTool

    tools = [
        StructuredTool.from_function(coroutine=BODIES[n], name=n, description=BODIES[n].__doc__)
        for n in spec.tools
    ]
    bound = _lg_model(spec).bind_tools(tools)

    async def ai(state: dict[str, Any]) -> dict[str, Any]:
        return {"messages": [await bound.ainvoke(state["messages"])]}

    graph = _lg_graph(ai, _lg_tools_node(tools))
    task = byof.wrap(
        graph,
        env=byof_env,
        name=f"langgraph_byof_{spec.label}",
        adapter_options=_lg_config(spec),
        **wrap_options,
    )
    return Variant("langgraph", "byof", spec, task, {"prompt": spec.prompt})


# -- Pydantic AI ----------------------------------------------------------------------------------


def _pai_model(spec: AgentSpec) -> Any:
    from byof.testing.pydantic_ai import scripted_model

    return scripted_model(spec.script())


def pydantic_ai_floor(spec: AgentSpec) -> Variant:
    from pydantic import TypeAdapter
    from pydantic_ai import Agent
    from pydantic_ai.messages import ModelResponse
    from pydantic_ai.models.wrapper import WrapperModel

    response = TypeAdapter(ModelResponse)

    class FloorModel(WrapperModel):
        async def request(self, messages: Any, settings: Any, params: Any) -> Any:
            return await traced_turn(
                "model_turn",
                str(len(messages)),
                lambda: self.wrapped.request(messages, settings, params),
                lambda r: response.dump_json(r).decode(),
                response.validate_json,
            )

    pai_agent = Agent(FloorModel(_pai_model(spec)), tools=[floor_tool(n) for n in spec.tools])

    async def agent(prompt: str) -> str:
        return str((await pai_agent.run(prompt)).output)

    task = floor_env.task(_named(agent, f"pydantic_ai_floor_{spec.label}"))
    return Variant("pydantic-ai", "floor", spec, task, {"prompt": spec.prompt})


def pydantic_ai_official(spec: AgentSpec) -> Variant:
    from flyteplugins.agents.pydantic_ai import run_agent, tool
    from pydantic_ai import Agent

    pai_agent = Agent(_pai_model(spec), tools=[tool(OFFICIAL_TASKS[n]) for n in spec.tools])

    async def agent(prompt: str) -> str:
        return await run_agent(prompt, agent=pai_agent)

    task = official_env.task(_named(agent, f"pydantic_ai_official_{spec.label}"))
    return Variant("pydantic-ai", "official", spec, task, {"prompt": spec.prompt})


def pydantic_ai_byof(spec: AgentSpec, **wrap_options: Any) -> Variant:
    from pydantic_ai import Agent

    pai_agent = Agent(_pai_model(spec), tools=[BODIES[n] for n in spec.tools])
    task = byof.wrap(pai_agent, env=byof_env, name=f"pydantic_ai_byof_{spec.label}", **wrap_options)
    return Variant("pydantic-ai", "byof", spec, task, {"prompt": spec.prompt})


# -- OpenAI Agents SDK ----------------------------------------------------------------------------
# The SDK's own tracing is off for every side (set_tracing_disabled): byof's tests and docs turn it
# off, and it would otherwise do the same per-span work on every side.


def _oai_model(spec: AgentSpec) -> Any:
    from agents import set_tracing_disabled

    from byof.testing.openai_agents import ScriptedAgentsModel

    set_tracing_disabled(True)
    return ScriptedAgentsModel(spec.script())


def openai_agents_floor(spec: AgentSpec) -> Variant:
    from agents import Agent, Runner, function_tool
    from agents.items import ModelResponse
    from agents.models.interface import Model
    from pydantic import TypeAdapter

    response = TypeAdapter(ModelResponse)

    class FloorModel(Model):
        def __init__(self, inner: Model) -> None:
            self.inner = inner

        async def get_response(self, system_instructions: Any, input: Any, *args: Any, **kwargs: Any) -> Any:
            return await traced_turn(
                "model_turn",
                str(len(input)),
                lambda: self.inner.get_response(system_instructions, input, *args, **kwargs),
                lambda r: response.dump_json(r).decode(),
                response.validate_json,
            )

        def stream_response(self, *args: Any, **kwargs: Any) -> Any:
            return self.inner.stream_response(*args, **kwargs)

    oai_agent = Agent(
        name="bench",
        model=FloorModel(_oai_model(spec)),
        tools=[function_tool(floor_tool(n)) for n in spec.tools],
    )

    async def agent(prompt: str) -> str:
        return str((await Runner.run(oai_agent, prompt, max_turns=spec.model_calls + 1)).final_output)

    task = floor_env.task(_named(agent, f"openai_agents_floor_{spec.label}"))
    return Variant("openai-agents", "floor", spec, task, {"prompt": spec.prompt})


def openai_agents_official(spec: AgentSpec) -> Variant:
    """The adapter's FlyteModelProvider wraps only models the run resolves by name through a
    provider (an `agents.Model` instance on the agent bypasses it, silently untraced), so the
    scripted model is served by a provider, the way its docs route a custom endpoint."""
    from agents import Agent, RunConfig
    from agents.models.interface import ModelProvider
    from flyteplugins.agents.openai import run_agent, tool

    model = _oai_model(spec)

    class ScriptedProvider(ModelProvider):
        def get_model(self, model_name: str | None) -> Any:
            return model

    oai_agent = Agent(
        name="bench", model="scripted-model", tools=[tool(OFFICIAL_TASKS[n]) for n in spec.tools]
    )

    async def agent(prompt: str) -> str:
        config = RunConfig(model_provider=ScriptedProvider())
        return await run_agent(prompt, agent=oai_agent, run_config=config, max_turns=spec.model_calls + 1)

    task = official_env.task(_named(agent, f"openai_agents_official_{spec.label}"))
    return Variant("openai-agents", "official", spec, task, {"prompt": spec.prompt})


def openai_agents_byof(spec: AgentSpec, **wrap_options: Any) -> Variant:
    from agents import Agent, function_tool

    oai_agent = Agent(
        name="bench", model=_oai_model(spec), tools=[function_tool(BODIES[n]) for n in spec.tools]
    )
    task = byof.wrap(
        oai_agent,
        env=byof_env,
        name=f"openai_agents_byof_{spec.label}",
        adapter_options={"max_turns": spec.model_calls + 1},
        **wrap_options,
    )
    return Variant("openai-agents", "byof", spec, task, {"prompt": spec.prompt})


# -- a homegrown loop (no official adapter exists for it) -----------------------------------------


def _chat(spec: AgentSpec) -> Any:
    from byof.testing.chat import ScriptedChat

    return ScriptedChat(spec.script())


def homegrown_floor(spec: AgentSpec) -> Variant:
    """byof's example loop (byof.examples.tool_loop), written with Flyte alone."""
    from byof.examples.tool_loop import tool_schema

    chat = _chat(spec)
    schemas = [tool_schema(BODIES[n]) for n in spec.tools]
    tools = {n: floor_tool(n) for n in spec.tools}

    async def agent(prompt: str) -> str:
        messages: list[dict[str, Any]] = [{"role": "user", "content": prompt}]
        for _ in range(spec.model_calls):
            reply = await traced_turn(
                "chat", str(len(messages)), lambda: chat(messages, schemas), json.dumps, json.loads
            )
            messages.append(reply)
            if not reply.get("tool_calls"):
                return reply.get("content") or ""
            for tc in reply["tool_calls"]:
                result = await tools[tc["function"]["name"]](**json.loads(tc["function"]["arguments"]))
                content = result if isinstance(result, str) else json.dumps(result)
                messages.append({"role": "tool", "tool_call_id": tc["id"], "content": content})
        raise RuntimeError("no answer")

    task = floor_env.task(_named(agent, f"homegrown_floor_{spec.label}"))
    return Variant("homegrown", "floor", spec, task, {"prompt": spec.prompt})


def homegrown_byof(spec: AgentSpec, **wrap_options: Any) -> Variant:
    from byof.examples.tool_loop import make_tool_agent

    loop = make_tool_agent(
        _chat(spec), [byof.tool(BODIES[n]) for n in spec.tools], max_turns=spec.model_calls
    )
    task = byof.wrap(loop, env=byof_env, name=f"homegrown_byof_{spec.label}", **wrap_options)
    return Variant("homegrown", "byof", spec, task, {"prompt": spec.prompt})


BUILDERS: dict[str, dict[str, Callable[..., Variant]]] = {
    "langgraph": {"floor": langgraph_floor, "official": langgraph_official, "byof": langgraph_byof},
    "pydantic-ai": {"floor": pydantic_ai_floor, "official": pydantic_ai_official, "byof": pydantic_ai_byof},
    "openai-agents": {
        "floor": openai_agents_floor,
        "official": openai_agents_official,
        "byof": openai_agents_byof,
    },
    "homegrown": {"floor": homegrown_floor, "byof": homegrown_byof},
}


def build(framework: str, kind: str, spec: AgentSpec, *, observed: bool = False) -> Variant:
    """`observed`: byof's events go to a sink (that drops them), as with report=True or a JSONL
    sink; byof then prepares (redacts) every event. Without one, nobody reads them."""
    if kind == "byof" and observed:
        return BUILDERS[framework][kind](spec, sinks=[ignore_event])
    return BUILDERS[framework][kind](spec)


def ignore_event(event: Any) -> None:
    """A sink that reads nothing: what remains is the cost of delivering events to a sink."""


# -- what Flyte recorded --------------------------------------------------------------------------


@dataclass(frozen=True)
class DurableWork:
    """What Flyte itself recorded for one run: child actions (tool tasks) and trace steps."""

    child_actions: int
    trace_steps: int
    step_names: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.child_actions} + {self.trace_steps}"


def durable_work(variant: Variant) -> tuple[DurableWork, Any]:
    """Run `variant` once while listening to Flyte's observers; returns what it recorded and the answer."""
    with record_flyte() as rec:
        answer = variant.run()
    # The agent's own task is recorded too; every other task execution is a child action.
    children = len(rec.tasks) - 1
    names = tuple(sorted({s.name for s in rec.steps}))
    return DurableWork(children, len(rec.steps), names), answer
