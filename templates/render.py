"""Render a project template through the cookiecutter library, refusing bad input up front.

Everything that can be wrong (the template's name, the package name, an occupied target
directory) is checked after the answers are known and before a single file is written.
"""

from __future__ import annotations

import keyword
import os
import re
from pathlib import Path
from typing import Any

from byof._version import __version__
from byof.errors import TemplateError
from byof.runtime.origin import origin

from . import TemplateInfo, registered_templates

PACKAGE_NAME = re.compile(r"[a-z_][a-z0-9_]*")
PROJECT_DIR = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
MAX_NAME = 100  # a directory or package name; file systems allow 255 bytes for the whole component


def find_template(name: str) -> TemplateInfo:
    templates = registered_templates()
    if name not in templates:
        known = ", ".join(sorted(templates)) or "none"
        raise TemplateError(f"unknown template {name!r}; the templates are: {known} (see `byof new --list`)")
    return templates[name]


def check_package_name(name: str) -> None:
    """The rule the templates' pre_gen hook applies for plain cookiecutter, checked here first so
    `byof new` can name its own option."""
    if not PACKAGE_NAME.fullmatch(name) or keyword.iskeyword(name) or len(name) > MAX_NAME:
        raise TemplateError(
            f"{name!r} is not a valid Python package name: use lowercase letters, digits and "
            f"underscores, not starting with a digit, at most {MAX_NAME} characters (pass --package NAME)"
        )


def check_project_dir(slug: str, project_name: str) -> None:
    """The project's directory name (made from its NAME) is one plain path component: no path
    separators or `..` that would put files outside the output directory."""
    if not PROJECT_DIR.fullmatch(slug) or len(slug) > MAX_NAME or set(slug) <= {"."}:
        raise TemplateError(
            f"the project name {project_name!r} gives the directory name {slug!r}, which is not a plain "
            f"directory name: use letters, digits, spaces, '.', '-' or '_', starting with a letter or digit, "
            f"at most {MAX_NAME} characters, and -o DIR to choose where it goes"
        )


def check_output_dir(output_dir: Path) -> None:
    """`output_dir` is a directory this user can write in, or can be created as one."""
    existing = output_dir
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise TemplateError(f"cannot put a project in {output_dir}: {existing} is a file, not a directory")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise TemplateError(f"cannot put a project in {output_dir}: {existing} is not writable by this user")


def byof_source() -> str:
    """Where this byof was installed from when not from a package index (a folder, a wheel, a VCS
    commit): the reference for `flyte-byof @ ...`, so a new project's fresh environment gets the
    same byof. Empty for an index install, where the project's pinned requirement is enough."""
    return origin().reference


def answers(template: TemplateInfo, extra: dict[str, Any], no_input: bool) -> dict[str, Any]:
    """The template's cookiecutter context with `extra` applied and the questions answered."""
    from cookiecutter.generate import generate_context
    from cookiecutter.prompt import prompt_for_config

    overrides = {"_byof_version": __version__, "_byof_source": byof_source(), **extra}
    try:
        context = generate_context(str(template.path / "cookiecutter.json"), extra_context=overrides)
    except ValueError as exc:  # a value outside a choice variable's options
        raise TemplateError(f"template {template.name!r}: {exc}") from exc
    context["cookiecutter"] = prompt_for_config(context, no_input)
    context["cookiecutter"]["_template"] = str(template.path)
    return context


def render(
    template_name: str,
    *,
    output_dir: Path,
    extra: dict[str, Any] | None = None,
    no_input: bool = False,
    overwrite: bool = False,
) -> Path:
    """Render `template_name` into `output_dir`/<project_slug>; returns the project directory."""
    from cookiecutter.exceptions import FailedHookException
    from cookiecutter.generate import generate_files

    template = find_template(template_name)
    context = answers(template, extra or {}, no_input)
    values = context["cookiecutter"]
    if "project_slug" in values:
        check_project_dir(values["project_slug"], str(values.get("project_name", values["project_slug"])))
    if "package_name" in values:
        check_package_name(values["package_name"])
    check_output_dir(output_dir)
    target = output_dir / values.get("project_slug", "")
    if target.exists() and any(target.iterdir()) and not overwrite:
        raise TemplateError(
            f"{target} exists and is not empty: choose another name or -o DIR, or pass --overwrite"
        )
    try:
        project = generate_files(
            repo_dir=str(template.path),
            context=context,
            output_dir=str(output_dir),
            overwrite_if_exists=target.exists(),
        )
    except FailedHookException as exc:
        raise TemplateError(f"template {template.name!r} refused these answers: {exc}") from exc
    return Path(project)
