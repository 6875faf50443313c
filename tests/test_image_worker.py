"""The image byof.environment specifies holds the byof that runs here, and a tool task runs in it.

No Docker: the image spec's Python environment is rebuilt as a venv (tests/image_venv.py) from
its layers alone, and Flyte's worker entrypoint `a0` runs a wrapped agent's tool task there,
from an empty directory with only the code bundle. Under `nox -s tests` byof is an editable
checkout, so the image copies the source folder in; under `nox -s wheel` it is the wheel file.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent

AGENT_MODULE = """
import json
import sys

import byof

env = byof.environment("image-worker")


@byof.tool
def where(text: str) -> str:
    import byof.runtime.origin

    return json.dumps({"text": text.upper(), "prefix": sys.prefix, "byof": byof.__file__,
                       "origin": byof.runtime.origin.origin().url})


async def agent(prompt: str) -> str:
    return await where.aio(text=prompt)


agent_task = byof.wrap(agent, env=env, name="agent")
"""

DRIVER = """
import json, sys
from pathlib import Path

project, work, tests = map(Path, sys.argv[1:4])
sys.path[:0] = [str(project), str(tests)]
import flyte, byof
from byof._flyte_private import image_layers
from byof.runtime.origin import origin
from byof.testing.worker import run_on_worker
from image_venv import build_image_venv

flyte.init(root_dir=project)
import imageagent

python = build_image_venv(imageagent.env.image, work / "image")
tool = byof.wrapped_agent(imageagent.agent_task).tool_task("where")
result = run_on_worker(tool, work / "run", python=python, text="hello")
print(json.dumps({
    "here": origin().url,
    "layers": [[kind, [str(d) for d in detail] if kind == "copy" else list(detail)]
               for kind, detail in image_layers(imageagent.env.image)],
    "venv": str(python.parent.parent),
    "value": result.value,
    "error": repr(result.error),
    "stderr": result.stderr[-3000:],
}))
"""


@pytest.mark.slow
def test_a_tool_task_runs_under_a0_in_the_environment_the_image_spec_installs(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "imageagent.py").write_text(textwrap.dedent(AGENT_MODULE))
    driver = tmp_path / "driver.py"
    driver.write_text(textwrap.dedent(DRIVER))
    proc = subprocess.run(
        [sys.executable, str(driver), str(project), str(tmp_path / "work"), str(TESTS)],
        capture_output=True,
        text=True,
        timeout=1200,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])

    # The image brings in the byof installed here, not a release an index would have to have.
    here = result["here"]
    assert here.startswith("file://"), here
    copied = [detail for kind, detail in result["layers"] if kind == "copy"]
    assert copied and all(dst.startswith("/opt/flyte-byof") for _, dst in copied), result["layers"]
    assert result["layers"][-1][0] == "pip"
    (requirement,) = result["layers"][-1][1]
    assert requirement.startswith("flyte-byof @ file:///opt/flyte-byof"), requirement
    if here.endswith(".whl"):
        assert [Path(src).as_uri() for src, _ in copied] == [here]

    # And the tool ran on that byof, inside the image's environment, not this checkout.
    assert result["error"] == "None", result["stderr"]
    ran = json.loads(result["value"])
    assert ran["text"] == "HELLO"
    assert Path(ran["prefix"]) == Path(result["venv"])
    assert Path(ran["byof"]).is_relative_to(Path(result["venv"])), ran["byof"]
    assert ran["origin"] == (tmp_path / "work" / "image" / requirement.split("file:///")[1]).as_uri()
