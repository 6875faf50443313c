"""What an adapter declares about itself, and the task signature it gives a wrapped agent."""

from __future__ import annotations

import functools
import importlib
import inspect
import sys
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from ..errors import FrameworkVersionError

# Top-level module of a framework's objects -> the extra that installs its adapter's framework.
# Used only to tell a user which extra to install when no adapter claims their object.
KNOWN_EXTRAS: dict[str, str] = {
    "langgraph": "langgraph",
    "langchain": "langgraph",
    "langchain_core": "langgraph",
    "pydantic_ai": "pydantic-ai",
    "agents": "openai-agents",
    "crewai": "crewai",
    "smolagents": "smolagents",
}


@functools.lru_cache(maxsize=1)
def _distributions_of() -> dict[str, list[str]]:
    found = dict(metadata.packages_distributions())
    if sys.version_info < (3, 11):
        # Python 3.10 reads only top_level.txt, which hatchling and flit wheels (most frameworks,
        # click) do not write; 3.11 infers the top-level names from RECORD, as done here.
        for dist in metadata.distributions():
            if dist.read_text("top_level.txt") is None:
                tops = {
                    f.parts[0] if len(f.parts) > 1 else f.stem for f in dist.files or () if f.suffix == ".py"
                }
                for top in tops:
                    found.setdefault(top, []).append(dist.metadata["Name"])
    return found


def framework_of(obj: Any) -> str | None:
    """The known framework whose installed package defines `obj`'s class or one of its bases.

    A class counts only when it really is that package's: found by its qualified name in its
    module, whose file lies in the framework's installed distribution. So a user's own module
    called `agents.py` is not the OpenAI Agents SDK, while a user's subclass of a framework's
    agent class still belongs to that framework.
    """
    if inspect.isroutine(obj) or isinstance(obj, type):
        return None
    for cls in type(obj).__mro__:
        top = (cls.__module__ or "").split(".")[0]
        if top in KNOWN_EXTRAS and _in_distribution(cls, top):
            return top
    return None


def _in_distribution(cls: type, top: str) -> bool:
    module = sys.modules.get(cls.__module__)
    found: Any = module
    for part in cls.__qualname__.split("."):
        found = getattr(found, part, None)
    file = getattr(module, "__file__", None)
    if found is not cls or file is None or top not in _distributions_of():
        return False
    for dist in _distributions_of()[top]:
        try:
            base = Path(str(metadata.distribution(dist).locate_file(""))).resolve()
        except metadata.PackageNotFoundError:
            continue
        if base in Path(file).resolve().parents:
            return True
    return False


@dataclass(frozen=True)
class AdapterInfo:
    """An adapter's self-description, returned from `byof_adapter_info`."""

    name: str
    framework: str
    distribution: str | None = None
    extra: str | None = None
    supported: str = ""
    modules: tuple[str, ...] = ()
    description: str = ""

    def installed_version(self) -> str | None:
        """The installed framework version, or None when the framework is not installed."""
        if self.distribution is None:
            return None
        try:
            return metadata.version(self.distribution)
        except metadata.PackageNotFoundError:
            return None

    def check_version(self) -> None:
        """Raise `FrameworkVersionError` when the installed framework is outside `supported`."""
        version = self.installed_version()
        if version is None or not self.supported:
            return
        try:
            ok = Version(version) in SpecifierSet(self.supported)
        except (InvalidVersion, InvalidSpecifier):
            return
        if not ok:
            from ..runtime.origin import origin

            install = (
                origin().pip_install([self.extra])
                if self.extra
                else f'pip install "{self.distribution}{self.supported}"'
            )
            raise FrameworkVersionError(
                f"byof's {self.name} adapter supports {self.distribution}{self.supported}, "
                f"but {self.distribution}=={version} is installed. Install a supported version: {install}"
            )


@dataclass(frozen=True)
class Param:
    """One input of a wrapped agent's task."""

    name: str
    annotation: Any
    default: Any = inspect.Parameter.empty


@dataclass(frozen=True)
class TaskSignature:
    """Inputs and output type of the Flyte task `byof.wrap` builds. The default is `(prompt: str) -> str`."""

    params: tuple[Param, ...] = field(default=(Param("prompt", str),))
    output: Any = str

    def to_inspect(self) -> inspect.Signature:
        return inspect.Signature(
            [
                inspect.Parameter(
                    p.name,
                    inspect.Parameter.POSITIONAL_OR_KEYWORD,
                    annotation=p.annotation,
                    default=p.default,
                )
                for p in self.params
            ],
            return_annotation=self.output,
        )


def output_type_for(annotation: Any) -> Any:
    """The task output type for an agent whose result is annotated `annotation`.

    Text stays `str`; pydantic models, dataclasses and mappings become `dict` (their JSON form)
    and sequences `list`; numbers and booleans keep their type; anything else is text.
    """
    import dataclasses
    import typing

    if annotation in (inspect.Signature.empty, None, str, Any):
        return str
    if annotation in (int, float, bool, dict, list):
        return annotation
    origin = typing.get_origin(annotation) or annotation
    if isinstance(origin, type):
        if hasattr(origin, "model_dump") or dataclasses.is_dataclass(origin) or issubclass(origin, dict):
            return dict
        if issubclass(origin, (list, tuple, set, frozenset)):
            return list
    return str


def to_output(value: Any, output_type: Any) -> Any:
    """`value` (a framework's final result) as the JSON-compatible value of type `output_type`."""
    import json

    from ..observability.redact import to_jsonable

    if output_type is str:
        if isinstance(value, str):
            return value
        data = to_jsonable(value)
        return data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    if output_type in (int, float, bool):
        return output_type(value)
    return to_jsonable(value)


def loaded_instance(agent: Any, module: str, class_name: str) -> bool:
    """Whether `agent` is an instance of `module.class_name`, for an adapter's `byof_detect`.

    It imports nothing when the framework is not loaded already (no object of it can exist
    then), which keeps loading every adapter free; a different package that happens to use the
    same top-level name just does not match.
    """
    if module.split(".")[0] not in sys.modules:
        return False
    try:
        cls = getattr(importlib.import_module(module), class_name)
    except (ImportError, AttributeError):
        return False
    return isinstance(agent, cls)


def referenced_values(func: Any) -> list[tuple[str, Any]]:
    """What a function's own code refers to by name, for an adapter's eager discovery (the tools a
    node calls, the agents a tool runs): its closure variables and the module globals its code
    names, nested functions and comprehensions included; a list, tuple or dict value is opened one
    level. Names reached only through other functions are not followed."""
    if not inspect.isfunction(func):
        return []
    found: list[tuple[str, Any]] = []
    for name, cell in zip(func.__code__.co_freevars, func.__closure__ or (), strict=False):
        try:
            found.append((name, cell.cell_contents))
        except ValueError:  # a variable not assigned yet
            continue
    found += [(n, func.__globals__[n]) for n in _code_names(func.__code__) if n in func.__globals__]
    opened: list[tuple[str, Any]] = []
    for name, value in found:
        if isinstance(value, dict):
            opened += [(name, v) for v in value.values()]
        elif isinstance(value, (list, tuple)):
            opened += [(name, v) for v in value]
        else:
            opened.append((name, value))
    return opened


def _code_names(code: Any) -> list[str]:
    names = list(code.co_names)
    for const in code.co_consts:
        if inspect.iscode(const):
            names += [n for n in _code_names(const) if n not in names]
    return names
