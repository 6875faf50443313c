"""Many concurrent runs whose framework calls sync tools from the event loop's default executor
(as LangChain does) must not deadlock: the tools' own bodies run in byof's threads, not in the
pool those callers are parked in."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

AGENT = textwrap.dedent(
    """
    import asyncio

    import flyte

    import byof

    env = flyte.TaskEnvironment("starve")


    @byof.tool
    def double(x: int) -> int:
        return 2 * x


    async def agent(prompt: str) -> str:
        # A sync tool called from a default-executor thread, which waits for its child task.
        return str(await asyncio.to_thread(double, int(prompt)))


    task = byof.wrap(agent, env=env, name="agent")


    @env.task
    async def fan_out(n: int) -> list[str]:
        return list(await asyncio.gather(*(task(prompt=str(i)) for i in range(n))))


    flyte.init()
    print(flyte.run(fan_out, n=40).outputs()[0])  # more runs than the default executor's 32 threads
    """
)


@pytest.mark.slow
def test_sync_tools_called_from_the_default_executor_do_not_starve_it(tmp_path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", AGENT],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
        env={"BYOF_JOURNAL": "off", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().splitlines()[-1] == str([str(2 * i) for i in range(40)])
