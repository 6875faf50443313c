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
    from rich.table import Table

    from .plugins import adapter_infos

    table = Table("adapter", "framework", "installed", "supported", "install")
    for info in adapter_infos():
        version = info.installed_version()
        installed = "-" if info.distribution is None else version or "[yellow]not installed[/yellow]"
        install = f'pip install "flyte-byof[{info.extra}]"' if info.extra and version is None else ""
        supported = f"{info.distribution}{info.supported}" if info.distribution else "any"
        table.add_row(info.name, info.framework, installed, supported, install)
    Console().print(table)


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
