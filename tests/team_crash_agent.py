"""A team for crash-resume tests, run as its own process.

    python tests/team_crash_agent.py RUN_NAME

The planner plans the tutorial request; every planner call and tool body appends a line to
$BYOF_TEAM_TEST_LOG. With $BYOF_TEAM_TEST_KILL set to a step's task, the process SIGKILLs
itself when that step starts. Prints the team's result as JSON on the last line.
"""

from __future__ import annotations

import json
import sys

import flyte
import team_agents as agents

import byof
from byof.team import chat_planner
from byof.testing.chat import ScriptedChat
from byof.testing.script import Script, say

env = flyte.TaskEnvironment("team-crash")
planner = byof.wrap(
    chat_planner(
        ScriptedChat(
            Script([say(json.dumps(agents.TUTORIAL_PLAN))], on_respond=lambda r: agents.note("planner"))
        )
    ),
    env=env,
    name="planner",
)
team = byof.Team(
    [
        byof.Specialist("calc", byof.wrap(agents.calc, env=env, name="calc"), "Adds or multiplies."),
        byof.Specialist("words", byof.wrap(agents.words, env=env, name="words"), "Counts words."),
    ],
    planner=planner,
)
run_team = byof.wrap(team, env=env, name="team")

if __name__ == "__main__":
    flyte.init()
    result = flyte.with_runcontext(name=sys.argv[1]).run(run_team, prompt="the tutorial request").outputs()[0]
    print(json.dumps(result))
