"""The `byof demo` job: the math agent as a wrapped task, defined at module level so that a
Flyte worker can import it (`flyte run`/`flyte deploy` work on this module too)."""

from __future__ import annotations

import flyte

import byof
from byof.examples.math_agent import demo_chat, make_math_agent

env = flyte.TaskEnvironment("byof-demo")
math_agent = byof.wrap(make_math_agent(demo_chat()), env=env, name="math_agent")
