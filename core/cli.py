"""The `byof` command line."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from ._version import __version__


def _stdout_closed() -> None:
    """The reader of our output went away (`byof demo | head -3`): stop at once, quietly, from
    whichever thread found out, as a Unix tool does; whatever the run was doing is moot."""
    sys.stderr.flush()
    os._exit(1)


@click.group()
@click.version_option(__version__, prog_name="byof")
def main() -> None:
    """Run any Python agent framework durably on Flyte 2."""
    from .sinks.terminal import when_stdout_closes

    when_stdout_closes(_stdout_closed)


@main.command()
def adapters() -> None:
    """List the installed adapters, their framework versions and supported ranges."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from .plugins import adapter_infos
    from .runtime.origin import origin

    table = Table("adapter", "framework", "installed", "supported", "install")
    for column in table.columns:
        column.overflow = "fold"  # a cut-off requirement or install command is worse than a wrap
    for info in adapter_infos():
        version = info.installed_version()
        installed = "-" if info.distribution is None else version or "[yellow]not installed[/yellow]"
        # escape(): rich would read "[crewai]" in the command as a markup tag and drop it.
        install = escape(origin().pip_install([info.extra])) if info.extra and version is None else ""
        supported = escape(f"{info.distribution}{info.supported}") if info.distribution else "any"
        table.add_row(info.name, info.framework, installed, supported, install)
    Console().print(table)


def _parse_age(text: str) -> float:
    """Seconds in an age like 7d, 12h, 30m, 45s: a finite, non-negative number and a unit."""
    import math

    units = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
    try:
        seconds = float(text[:-1]) * units[text[-1]]
    except (KeyError, ValueError, IndexError):
        seconds = math.nan
    if not math.isfinite(seconds) or seconds < 0 or not text[:-1].strip():
        raise click.BadParameter(
            f"{text!r} is not an age like 7d, 12h, 30m or 45s (a number >= 0 and a unit)"
        )
    return seconds


def _age(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:.0f}{unit}"
    return f"{seconds:.0f}s"


def _journal(ctx: click.Context, *, write: bool) -> Any:
    """The journal the command works on; listing opens it read-only and never creates it."""
    from .durability.journal import Journal, default_path

    with _journal_errors():
        journal = Journal(ctx.obj or default_path(), readonly=not write)
    return None if not write and not journal.path.exists() else journal


@contextlib.contextmanager
def _journal_errors() -> Iterator[None]:
    """Report a journal that cannot be used as a clear error, not a traceback."""
    from .errors import JournalError

    try:
        yield
    except JournalError as exc:
        raise click.ClickException(str(exc)) from None


@main.group(invoke_without_command=True)
@click.option(
    "--journal", "path", default=None, help="Journal file (default: $BYOF_JOURNAL_PATH or ~/.flyte)."
)
@click.option("--limit", default=50, show_default=True, help="Show the newest N runs.")
@click.option("--all", "show_all", is_flag=True, help="Show every run.")
@click.pass_context
def runs(ctx: click.Context, path: str | None, limit: int, show_all: bool) -> None:
    """List journaled local runs (name, agents, steps done, status, age); see rm and prune."""
    import time

    ctx.obj = path
    if ctx.invoked_subcommand is not None:
        return
    if limit < 1:
        raise click.BadParameter("--limit must be at least 1")
    journal = _journal(ctx, write=False)
    if journal is None:
        click.echo(f"no journaled runs: {path or 'the default journal'} does not exist yet")
        return
    with _journal_errors():
        shown, total = journal.runs(None if show_all else limit), journal.count_runs()
    now = time.time()
    rows = [("run", "agents", "steps", "status", "age")]
    rows += [(r.run_name, r.agents, str(r.steps), r.status, _age(now - r.updated)) for r in shown]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    # Plain columns, names whole (they are what `byof runs rm` takes), fast for 10,000 rows.
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    click.echo("\n".join(lines))
    more = f" (the newest {len(shown)} of {total}; --all shows every run)" if len(shown) < total else ""
    click.echo(f"journal: {journal.path}{more}")


@runs.command("rm")
@click.argument("names", nargs=-1, required=True)
@click.pass_context
def runs_rm(ctx: click.Context, names: tuple[str, ...]) -> None:
    """Forget journaled runs: running one of these names again starts fresh. Every name is
    checked before any run is removed."""
    journal = _journal(ctx, write=False)
    known = set() if journal is None else journal.run_names(list(names))
    missing = [n for n in names if n not in known]
    if missing:
        where = journal.path if journal is not None else ctx.obj or "the default journal"
        raise click.ClickException(
            f"no journaled run named {', '.join(map(repr, missing))} in {where}; nothing was removed"
        )
    journal = _journal(ctx, write=True)
    with _journal_errors():
        for name in dict.fromkeys(names):
            journal.remove(name)
            click.echo(f"removed {name}")


@runs.command("prune")
@click.option("--older-than", "older_than", required=True, help="Age like 7d, 12h, 30m.")
@click.option(
    "--include-running", is_flag=True, help="Also forget runs still marked running (a killed run stays so)."
)
@click.pass_context
def runs_prune(ctx: click.Context, older_than: str, include_running: bool) -> None:
    """Forget journaled runs not updated for longer than an age (runs marked running are kept)."""
    age = _parse_age(older_than)
    if _journal(ctx, write=False) is None:
        click.echo("pruned 0 run(s)")
        return
    with _journal_errors():
        removed = _journal(ctx, write=True).prune(age, include_running=include_running)
    click.echo(f"pruned {len(removed)} run(s)" + (f": {', '.join(removed)}" if removed else ""))


@main.command()
@click.argument("run", required=False)
@click.option("--open", "open_it", is_flag=True, help="Open the report in your web browser.")
def report(run: str | None, open_it: bool) -> None:
    """Say where a local run's report is (agents wrapped with report=True), and open it.

    RUN is the run's name (`flyte.run(...).name`, or the name you gave it); without it, the
    latest local run that has a report. Flyte's local runtime keeps each run under
    /tmp/flyte/metadata/RUN/. One line per report: agent, status, path."""
    import webbrowser

    from .observability.report import local_reports

    try:
        found = local_reports(run)
    except LookupError as exc:
        raise click.ClickException(str(exc)) from None
    width = max(len(f.agent) for f in found)
    for f in found:
        click.echo(f"{f.agent:<{width}}  {f.status or '-':<9}  {f.path}")
    if open_it:
        for f in found:
            webbrowser.open(f.path.resolve().as_uri())


def _demo_help() -> str:
    from .examples.team_scripts import EXAMPLES

    listed = "\n".join(f"  {name:9} {request}" for name, request in EXAMPLES.items())
    return (
        "Run a team of agents of different frameworks on a request: a planner splits it into "
        "steps, and the steps run as Flyte child actions in dependency waves, in parallel where "
        "they can.\n\nOffline with scripted models by default (no API key); real models when "
        "OPENAI_API_KEY is set.\n\nExample requests (--example NAME):\n\n\b\n"
        f"{listed}\n\nThe failure example divides by zero: that step fails, the step that needs "
        "it is skipped, and the rest still runs."
    )


def _framework_note(real: bool) -> str:
    import sys

    from .examples.team_scripts import HOMEGROWN, frameworks
    from .runtime.origin import origin

    extras = {"math": "pydantic-ai", "words": "langgraph", "coder": "smolagents"}
    said = []
    for role, framework in frameworks(real).items():
        if framework != HOMEGROWN:
            hint = ""
        elif extras[role] == "pydantic-ai" and sys.version_info < (3, 11):
            hint = " (Pydantic AI needs Python 3.11 or newer)"
        else:
            hint = f" ({origin().pip_install([extras[role]])} for the framework)"
        said.append(f"{role} on {framework}{hint}")
    return "specialists: " + ", ".join(said)


@main.command(help=_demo_help())
@click.option(
    "--example", "example", type=click.Choice(["tutorial", "fan-out", "failure"]), default="tutorial"
)
@click.option("--request", "request", default=None, help="Any request of your own (needs OPENAI_API_KEY).")
@click.option(
    "--steps/--no-steps",
    default=None,
    help="Show each agent's model and tool calls as they run (default: on a terminal).",
)
def demo(example: str, request: str | None, steps: bool | None) -> None:
    import logging

    from .examples.team_scripts import EXAMPLES, HOMEGROWN, frameworks
    from .sinks import PlanConsole, ProgressSink
    from .sinks.terminal import SinkConsole

    console = SinkConsole()
    # Pydantic AI greets a terminal with a banner on its first run; in the demo's view it is noise.
    os.environ.setdefault("PYDANTIC_AI_NO_BANNER", "1")
    real = bool(os.environ.get("OPENAI_API_KEY"))
    if request and not real:
        raise click.UsageError(
            "offline, the demo's scripted models only know the example requests (--example NAME); "
            "set OPENAI_API_KEY to ask anything"
        )
    prompt = request or EXAMPLES[example]
    model = "real models (OPENAI_API_KEY is set)" if real else "scripted models (offline, no API key)"
    # Said before the frameworks load, which takes seconds.
    console.print(f"[bold]byof demo[/bold]: a team of agents as a local Flyte run, with {model}")
    console.print(_framework_note(real), markup=False)  # "[smolagents]" is an extra, not markup
    console.print(f"request: {prompt}", markup=False)
    used = sorted({f for f in frameworks(real).values() if f != HOMEGROWN})
    with console.status(f"loading {', '.join(used) or 'the agents'}…"):
        import flyte

        from .examples import team_demo
        from .runtime.wrapping import wrap
        from .team import Team

        team = wrap(
            Team(team_demo.specialists, planner=team_demo.planner),
            env=team_demo.env,
            name="demo",
            sinks=[PlanConsole(console), ProgressSink(console, show=steps)],
        )
    # Failed steps are shown in the plan view; Flyte would log each one's traceback as well.
    flyte.init(log_level=logging.CRITICAL)
    flyte.run(team, prompt=prompt)


def _list_templates() -> None:
    from rich.console import Console
    from rich.table import Table

    from .templates import registered_templates

    table = Table("template", "description", box=None)
    for name, info in sorted(registered_templates().items()):
        table.add_row(name, info.description)
    Console().print(table)


@main.command()
@click.argument("name", required=False)
@click.option("-t", "--template", default="any-framework", show_default=True, help="See --list.")
@click.option("--list", "list_only", is_flag=True, help="List the templates, one line each, and exit.")
@click.option("--no-input", is_flag=True, help="Take every default instead of asking.")
@click.option("-o", "--output-dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."))
@click.option("--overwrite", is_flag=True, help="Render into a non-empty project directory.")
@click.option("--package", default=None, help="The Python package name (default: from NAME).")
@click.option("--provider", default=None, help="openai, anthropic or openai-compatible.")
@click.option("--model", default=None, help="The model name (default: the provider's).")
@click.option("--python", "python_version", default=None, help="3.10 to 3.13.")
def new(
    name: str | None,
    template: str,
    list_only: bool,
    no_input: bool,
    output_dir: Path,
    overwrite: bool,
    package: str | None,
    provider: str | None,
    model: str | None,
    python_version: str | None,
) -> None:
    """Start a new agent project NAME from a template (cookiecutter), ready to run and test offline."""
    if list_only:
        _list_templates()
        return
    if not name:
        raise click.UsageError("give the project a NAME, e.g. `byof new my-agent --template langgraph`")
    from .errors import TemplateError
    from .templates.render import render

    given = {
        "package_name": package,
        "model_provider": provider,
        "model": model,
        "python_version": python_version,
    }
    extra = {"project_name": name, **{k: v for k, v in given.items() if v is not None}}
    try:
        project = render(template, output_dir=output_dir, extra=extra, no_input=no_input, overwrite=overwrite)
    except TemplateError as exc:
        raise click.UsageError(str(exc)) from exc
    except OSError as exc:  # the disk refused a write after the checks passed (full, permissions)
        raise click.ClickException(f"could not write the project into {output_dir}: {exc}") from exc
    click.echo(f"created {project} from the {template!r} template; next:")
    click.echo(f"  cd {project} && cat README.md")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
