"""The conformance kit's crash-resume runner: one case's run in a process that can be killed.

    python -m byof.testing.crash_resume MODULE:CASE RUN_NAME LOG KILL_AT [SYS_PATH...]

The case's agent runs under the kit's main script; each real model answer and tool execution
is appended to LOG, and with KILL_AT=k the process SIGKILLs itself when the model is asked for
call k. The answer is printed as the last line of stdout.
"""

from __future__ import annotations

import importlib
import os
import signal
import sys
from pathlib import Path


def main(import_path: str, run_name: str, log: Path, kill_at: int) -> None:
    import flyte

    from ..runtime.wrapping import wrap
    from .conformance import MAIN_PROMPT, KitTools, main_script
    from .script import Request

    module, _, attr = import_path.partition(":")
    case = getattr(importlib.import_module(module), attr)
    calls = {"n": 0}

    def on_respond(request: Request) -> None:
        calls["n"] += 1
        if calls["n"] == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        with log.open("a") as f:
            f.write("model\n")

    agent = case.make_agent(main_script(on_respond), KitTools(log=log))
    task = wrap(
        agent, env=flyte.TaskEnvironment(f"byof-kit-{case.name}"), name=f"kit_{case.name}", **case.wrap_kwargs
    )
    flyte.init()
    output = flyte.with_runcontext(name=run_name).run(task, **case.inputs(MAIN_PROMPT)).outputs()[0]
    print(case.answer_of(output))


if __name__ == "__main__":
    sys.path[:0] = [p for p in sys.argv[5:] if p not in sys.path]
    main(sys.argv[1], sys.argv[2], Path(sys.argv[3]), int(sys.argv[4]))
