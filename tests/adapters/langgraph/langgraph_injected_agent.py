"""A LangGraph ReAct agent whose tool takes an injected state and config, for crash tests.

    python tests/langgraph_injected_agent.py RUN_NAME LOG [--kill]

LangGraph injects values that change in every run (message ids in the state, checkpoint ids in
the config). With --kill the process SIGKILLs itself when the model is asked for its second
answer, after the tool call was journaled.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import Annotated

import flyte
from langchain_core.runnables import RunnableConfig
from langchain_core.tools import tool
from langgraph.prebuilt import InjectedState, create_react_agent

import byof
from byof.testing.langchain import ScriptedChatModel
from byof.testing.script import Request, Script, call, say

PROMPT = "How long is the conversation?"


def main() -> None:
    run_name, log, kill = sys.argv[1], Path(sys.argv[2]), "--kill" in sys.argv
    asked = {"n": 0}

    def on_respond(request: Request) -> None:
        asked["n"] += 1
        if kill and asked["n"] == 2:
            os.kill(os.getpid(), signal.SIGKILL)

    @tool
    def measure(unit: str, state: Annotated[dict, InjectedState], config: RunnableConfig) -> str:
        """Measure the conversation."""
        with log.open("a") as f:
            f.write("tool:measure\n")
        return f"{len(state['messages'])} {unit} (thread {config['configurable'].get('thread_id')})"

    script = Script(
        by_prompt={PROMPT: [call("measure", unit="messages"), say("{last}")]}, on_respond=on_respond
    )
    agent = create_react_agent(ScriptedChatModel(script=script), [measure])
    task = byof.wrap(agent, env=flyte.TaskEnvironment("injected"), name="injected")
    flyte.init()
    print(flyte.with_runcontext(name=run_name).run(task, prompt=PROMPT).outputs()[0])


if __name__ == "__main__":
    main()
