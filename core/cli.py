"""The `byof` command line."""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from ._version import __version__


@click.group()
@click.version_option(__version__, prog_name="byof")
def main() -> None:
    """Run any Python agent framework durably on Flyte 2."""


@main.command()
def adapters() -> None:
    """List the installed adapters, their framework versions and supported ranges."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from .plugins import adapter_infos

    table = Table("adapter", "framework", "installed", "supported", "install")
    for column in table.columns:
        column.overflow = "fold"  # a cut-off requirement or install command is worse than a wrap
    for info in adapter_infos():
        version = info.installed_version()
        installed = "-" if info.distribution is None else version or "[yellow]not installed[/yellow]"
        # escape(): rich would read "[crewai]" in the command as a markup tag and drop it.
        install = escape(f'pip install "flyte-byof[{info.extra}]"') if info.extra and version is None else ""
        supported = escape(f"{info.distribution}{info.supported}") if info.distribution else "any"
        table.add_row(info.name, info.framework, installed, supported, install)
    Console().print(table)


def _parse_age(text: str) -> float:
    """Seconds in an age like 7d, 12h, 30m, 45s."""
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
    try:
        return float(text[:-1]) * units[text[-1]]
    except (KeyError, ValueError, IndexError):
        raise click.BadParameter(f"{text!r} is not an age like 7d, 12h, 30m or 45s") from None


def _age(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:.0f}{unit}"
    return f"{seconds:.0f}s"


@main.group(invoke_without_command=True)
@click.option(
    "--journal", "path", default=None, help="Journal file (default: $BYOF_JOURNAL_PATH or ~/.flyte)."
)
@click.pass_context
def runs(ctx: click.Context, path: str | None) -> None:
    """List journaled local runs (name, agents, steps done, status, age); see rm and prune."""
    import time

    from rich.console import Console
    from rich.table import Table

    from .journal import open_journal

    ctx.obj = open_journal(path)
    if ctx.invoked_subcommand is not None:
        return
    table = Table("run", "agents", "steps", "status", "age")
    now = time.time()
    for run in ctx.obj.runs():
        table.add_row(run.run_name, run.agents, str(run.steps), run.status, _age(now - run.updated))
    console = Console()
    console.print(table)
    console.print(f"journal: {ctx.obj.path}")


@runs.command("rm")
@click.argument("names", nargs=-1, required=True)
@click.pass_obj
def runs_rm(journal: Any, names: tuple[str, ...]) -> None:
    """Forget journaled runs: running one of these names again starts fresh."""
    for name in names:
        if journal.remove(name):
            click.echo(f"removed {name}")
        else:
            raise click.ClickException(f"no journaled run named {name!r} in {journal.path}")


@runs.command("prune")
@click.option("--older-than", "older_than", required=True, help="Age like 7d, 12h, 30m.")
@click.pass_obj
def runs_prune(journal: Any, older_than: str) -> None:
    """Forget journaled runs not updated for longer than an age."""
    removed = journal.prune(_parse_age(older_than))
    click.echo(f"pruned {len(removed)} run(s)" + (f": {', '.join(removed)}" if removed else ""))


class _Collector:
    """A plugin that keeps every event of this process (the hook a sink plugin implements)."""

    def __init__(self) -> None:
        self.events: list[Any] = []

    def byof_on_event(self, event: Any) -> None:
        self.events.append(event)


@main.command()
@click.option("--request", "request", default=None, help="What to ask the math agent (needs a real model).")
def demo(request: str | None) -> None:
    """Run the math agent as a real local Flyte run and show its model and tool steps.

    Offline with a scripted model by default; a real model is used when OPENAI_API_KEY is set.
    """
    import flyte
    from rich.console import Console

    from .examples.math_agent import DEMO_REQUEST
    from .plugins import register, unregister
    from .sinks.console import render_timeline

    console = Console()
    real = bool(os.environ.get("OPENAI_API_KEY"))
    prompt = request or DEMO_REQUEST
    if request and not real:
        console.print(
            "[yellow]No OPENAI_API_KEY: the scripted planner always answers with the demo plan.[/yellow]"
        )
    from .examples import demo as demo_module

    collector = _Collector()
    register(collector)
    model = "a real model (OPENAI_API_KEY is set)" if real else "a scripted model (offline, no API key)"
    console.print(f"[bold]byof demo[/bold]: the math agent as a local Flyte run, with {model}")
    console.print(f"request: {prompt}")
    try:
        flyte.init()
        answer = flyte.run(demo_module.math_agent, prompt=prompt).outputs()[0]
    finally:
        unregister(collector)
    render_timeline(collector.events, console)
    console.print(f"[bold green]answer:[/bold green] {answer}")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
