"""Guards for every private Flyte API byof uses (core/_flyte_private.py).

If a Flyte upgrade moves or changes one of them, these fail first and name it.
"""

from __future__ import annotations

from pathlib import Path

import flyte

import byof._flyte_private as private
from byof.testing.recorder import record_flyte


def test_observer_hooks_see_tasks_and_trace_steps(flyte_local: None) -> None:
    env = flyte.TaskEnvironment("guard")

    @flyte.trace
    async def step(x: int) -> int:
        return x + 1

    @env.task
    async def child(x: int) -> int:
        return await step(x)

    @env.task
    async def parent(x: int) -> int:
        return await child(x)

    with record_flyte() as rec:
        assert flyte.run(parent, x=1).outputs()[0] == 2
    assert sorted(t.name for t in rec.tasks) == ["guard.child", "guard.parent"]
    child_action = next(t.action for t in rec.tasks if t.name == "guard.child")
    assert [(s.name, s.task_action, s.replayed) for s in rec.steps] == [("step", child_action, False)]


def test_worker_io_functions_exist() -> None:
    from flyte._internal.runtime import convert, io

    for name in ("error_path", "outputs_path", "load_error", "load_outputs"):
        assert callable(getattr(io, name)), name
    assert callable(convert.convert_outputs_to_native) and callable(convert.convert_error_to_native)


def test_raw_data_path_context(tmp_path: Path) -> None:
    with private.new_raw_data_path(str(tmp_path)):
        pass


def test_image_layers_expose_pip_packages() -> None:
    image = flyte.Image.from_debian_base(python_version=(3, 11)).with_pip_packages("a==1", "b")
    assert private.image_pip_packages(image) == ["a==1", "b"]


def test_a_local_runs_report_is_where_byof_says(flyte_local: None) -> None:
    env = flyte.TaskEnvironment("guard-report")
    said: list[str] = []

    @env.task(report=True)
    async def reported() -> str:
        import flyte.report

        said.append(private.report_path(flyte.ctx().output_path))
        await flyte.report.log.aio("<p>hello</p>", do_flush=True)
        return "ok"

    run = flyte.run(reported)
    assert run.outputs()[0] == "ok"
    assert Path(run.url).parent == private.local_metadata_dir()
    assert [str(p) for p in Path(run.url).rglob("report.html")] == said


def test_image_layers_name_copies_pip_and_apt_in_build_order(tmp_path: Path) -> None:
    (tmp_path / "f.txt").write_text("x")
    image = (
        flyte.Image.from_debian_base(python_version=(3, 11))
        .with_source_file(tmp_path / "f.txt", dst="/opt/x/")
        .with_source_folder(tmp_path, dst="/opt/y")
        .with_apt_packages("git")
        .with_pip_packages("a==1")
        .with_env_vars({"K": "v"})
    )
    assert private.image_layers(image)[:4] == [
        ("copy", (tmp_path / "f.txt", "/opt/x/")),
        ("copy", (tmp_path, "/opt/y")),
        ("apt", ("git",)),
        ("pip", ("a==1",)),
    ]
    assert private.image_layers(image)[4][0] == "Env"
