"""Which adapter's framework an object belongs to, decided without importing any framework."""

from __future__ import annotations

import functools
import importlib
import inspect
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

from ..errors import NoAdapterError

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


def loaded_instance(agent: Any, module: str, class_name: str) -> bool:
    """Whether `agent` is an instance of `module.class_name`, for an adapter's `claims`.

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


def describe(obj: Any) -> str:
    """`module.Class` of an object (or of a function or class itself), for messages."""
    named = obj if inspect.isroutine(obj) or isinstance(obj, type) else type(obj)
    return f"{getattr(named, '__module__', '?')}.{getattr(named, '__qualname__', repr(named))}"


def no_adapter_error(agent: Any, infos: list[Any]) -> NoAdapterError:
    """Why no adapter claims `agent`, and the fix: the extra to install, or the generic way."""
    from ..runtime.origin import origin

    top = type(agent).__module__.split(".")[0]
    installed = ", ".join(f"{i.name} ({i.framework})" for i in infos) or "none"
    extra = KNOWN_EXTRAS.get(top)
    if extra is not None and any(i.extra == extra for i in infos):
        fix = f"Install the framework its adapter supports: {origin().pip_install([extra])}."
    elif extra is not None:
        fix = (
            f"This byof version has no {top} adapter yet; it will ship with the "
            f'"flyte-byof[{extra}]" extra. Until then, wrap a plain function that runs your agent '
            "(the generic adapter takes any callable) and mark its tools with byof.tool."
        )
    else:
        fix = (
            "No byof extra covers this framework. Wrap a plain function that runs your agent "
            "(the generic adapter takes any callable), or install a third-party byof adapter "
            "that registers under the 'byof' entry-point group."
        )
    return NoAdapterError(f"no byof adapter claims {describe(agent)}. Installed adapters: {installed}. {fix}")
