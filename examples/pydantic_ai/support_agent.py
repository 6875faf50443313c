"""A Pydantic AI support agent made durable with byof: offline by default, a real model with OPENAI_API_KEY.

    python examples/pydantic_ai/support_agent.py ["Where is order 1042?"]

The agent is built with Pydantic AI's own API (deps, RunContext tools, a typed output) and never
changed: byof.wrap turns its run into a Flyte task in which each tool call is a child task and
each model request a trace step, and returns the validated output as JSON data.

In a terminal, ProgressSink shows each model and tool call as it starts and ends, and at
the end where the run's report (report=True) is; `byof report` finds it again later.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass

import flyte
from pydantic import BaseModel
from pydantic_ai import Agent, RunContext

import byof
from byof.sinks import ProgressSink

ORDERS = {"1042": {"status": "shipped", "carrier": "DHL", "eta_days": 2}}


@dataclass
class Shop:
    """Per-run dependencies: which shop and how long deliveries take there."""

    name: str
    extra_days: int = 0


class Answer(BaseModel):
    order_id: str
    status: str
    eta_days: int
    message: str


def model():
    """A real OpenAI model when a key is set, else byof's scripted model (no network, no key)."""
    if os.environ.get("OPENAI_API_KEY"):
        return os.environ.get("BYOF_EXAMPLE_MODEL", "openai:gpt-4o-mini")  # resolved inside the task
    from byof.testing.pydantic_ai import scripted_model
    from byof.testing.script import Script, call

    answer = {"order_id": "1042", "status": "shipped", "eta_days": 3, "message": "Your order ships with DHL."}
    return scripted_model(Script([call("lookup_order", order_id="1042"), call("final_result", **answer)]))


agent = Agent(
    model(),
    deps_type=Shop,
    output_type=Answer,
    instructions="You answer order questions briefly.",
    defer_model_check=True,
)


@agent.tool
def lookup_order(ctx: RunContext[Shop], order_id: str) -> str:
    """Look up an order's status and delivery estimate."""
    order = dict(ORDERS.get(order_id, {"status": "unknown", "eta_days": 0}))
    order["eta_days"] += ctx.deps.extra_days
    return json.dumps({"shop": ctx.deps.name, **order})


env = byof.environment("support-agent", frameworks=["pydantic-ai"])
support = byof.wrap(agent, env=env, name="support", report=True, sinks=[ProgressSink()])

if __name__ == "__main__":
    flyte.init()  # Flyte's embedded local runtime; flyte.init_from_config() targets a cluster
    question = sys.argv[1] if len(sys.argv) > 1 else "Where is order 1042?"
    print(flyte.run(support, prompt=question, deps={"name": "Acme", "extra_days": 1}).outputs()[0])
