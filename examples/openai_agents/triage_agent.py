"""An OpenAI Agents SDK triage agent with a handoff, made durable with byof.

    python examples/openai_agents/triage_agent.py ["What's the status of order 1042?"]

Offline by default (byof's scripted model); with OPENAI_API_KEY set, the agents use a real model
by name. The agents are built with the SDK's own API and never changed: byof.wrap turns the run
into a Flyte task in which both agents' model calls are trace steps and the tool call is a child
task, across the handoff.

In a terminal, ProgressSink shows each model and tool call as it starts and ends, and at
the end where the run's report (report=True) is; `byof report` finds it again later.
"""

from __future__ import annotations

import os
import sys

import flyte
from agents import Agent, function_tool, set_tracing_disabled

import byof
from byof.sinks import ProgressSink

ORDERS = {"1042": "shipped with DHL, arriving in 2 days"}


@function_tool
def order_status(order_id: str) -> str:
    """Look up where an order is."""
    return ORDERS.get(order_id, "no such order")


def model() -> object:
    """A model name for the real provider when a key is set, else byof's scripted model (no network)."""
    if os.environ.get("OPENAI_API_KEY"):
        return os.environ.get("BYOF_EXAMPLE_MODEL", "gpt-4o-mini")
    from byof.testing.openai_agents import ScriptedAgentsModel
    from byof.testing.script import Script, call, say

    script = Script(
        [call("transfer_to_orders"), call("order_status", order_id="1042"), say("Order 1042 is {last}.")]
    )
    return ScriptedAgentsModel(script)


shared_model = model()
orders = Agent(
    name="orders",
    instructions="Answer order questions with order_status.",
    model=shared_model,
    tools=[order_status],
)
triage = Agent(
    name="triage",
    instructions="Hand order questions to the orders agent.",
    model=shared_model,
    handoffs=[orders],
)

env = byof.environment("triage-agent", frameworks=["openai-agents"])
support = byof.wrap(triage, env=env, name="triage", report=True, sinks=[ProgressSink()])

if __name__ == "__main__":
    if not os.environ.get("OPENAI_API_KEY"):
        set_tracing_disabled(True)  # offline: nothing to export the SDK's traces to
    flyte.init()  # Flyte's embedded local runtime; flyte.init_from_config() targets a cluster
    question = sys.argv[1] if len(sys.argv) > 1 else "What's the status of order 1042?"
    print(flyte.run(support, prompt=question).outputs()[0])
