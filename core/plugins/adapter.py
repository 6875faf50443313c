"""The adapter contract: one object per framework, registered through `byof_register_adapters`.

    class TinyAdapter(byof.Adapter[TinyRun]):
        name, framework, distribution, extra, supported = "tiny", "TinyAgents", "tinyagents", None, ">=0.3"

        def claims(self, obj):            # at byof.wrap: is this object yours? (import nothing)
            return byof.kit.loaded_instance(obj, "tinyagents", "Agent")

        def prepare(self, obj, run):      # once per run, in the task: tools -> run.router,
            ...                           # model calls -> run.tracer; returns your per-run state

        async def invoke(self, obj, prepared, inputs, run):   # the framework's own loop
            ...

    @byof.hookimpl
    def byof_register_adapters(register):
        register(TinyAdapter())

Built-in adapters are written and registered exactly like that, through the same `byof`
entry-point group.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import metadata
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from ..errors import FrameworkVersionError

if TYPE_CHECKING:
    from ..runtime.run_context import RunContext

P = TypeVar("P")


@dataclass(frozen=True)
class AdapterInfo:
    """An adapter's self-description, as `byof adapters` lists it."""

    name: str
    framework: str
    distribution: str | None = None
    extra: str | None = None
    supported: str = ""
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


class Adapter(Generic[P]):
    """How byof recognises one framework's objects and runs one of them durably.

    Subclass it, set the class attributes, and register an instance through the
    `byof_register_adapters` hook. `P` is the adapter's own per-run state: what `prepare` returns
    and `invoke` receives (a run-scoped copy of the agent, the framework's overrides, ...).

    A run of a wrapped agent, inside its Flyte task: `prepare(obj, run)`, then
    `await invoke(obj, prepared, inputs, run)`. On a Flyte worker that must rebuild one of the
    agent's tool tasks, only `prepare(obj, run)` is called, with `run.rebuilding` set and no
    tracer: an adapter must therefore route every tool it can reach in `prepare`, not when it is
    first called, or the worker cannot find it.
    """

    name: ClassVar[str]
    """The adapter's name (`byof adapters`, events' `adapter`)."""
    framework: ClassVar[str]
    """The framework's display name."""
    distribution: ClassVar[str | None] = None
    """The framework's distribution on PyPI, whose installed version is checked against `supported`."""
    extra: ClassVar[str | None] = None
    """The flyte-byof extra that installs the framework, if byof ships one."""
    supported: ClassVar[str] = ""
    """The supported version range of `distribution`, e.g. ">=1.0,<2"."""
    description: ClassVar[str] = ""
    entries: ClassVar[tuple[str, ...]] = ()
    """The framework entry points `adapter_options={"entry": ...}` may name; the first is the default."""
    fallback: ClassVar[bool] = False
    """Asked only after every other adapter declined (the generic adapter: any callable)."""

    @property
    def info(self) -> AdapterInfo:
        return AdapterInfo(
            self.name, self.framework, self.distribution, self.extra, self.supported, self.description
        )

    def claims(self, obj: Any) -> bool:
        """Whether `obj` is an agent of this framework. Called by `byof.wrap` for every adapter;
        must not import the framework (`byof.kit.loaded_instance` checks without importing)."""
        raise NotImplementedError

    def refusal(self, obj: Any) -> str | None:
        """Called for an object no adapter claims: why this framework's object cannot be wrapped as
        it is, and the fix (e.g. "a StateGraph must be compiled"), or None when it is not yours."""
        return None

    def signature(self, obj: Any, options: Mapping[str, Any]) -> TaskSignature:
        """The wrapped task's inputs and output type, at `byof.wrap` (`options`: its
        adapter_options). The default is `(prompt: str) -> str`."""
        return TaskSignature()

    def prepare(self, obj: Any, run: RunContext) -> P:
        """Make one run of `obj` durable: hand each tool body to `run.router.route(...)` and each
        model call to `run.tracer` (None when rebuilding a tool task on a worker), on run-scoped
        copies or context-scoped overrides, never on `obj` itself. Returns the run's state."""
        raise NotImplementedError

    async def invoke(self, obj: Any, prepared: P, inputs: dict[str, Any], run: RunContext) -> Any:
        """Run the framework's own loop on the prepared agent with the task's `inputs`; return
        the task's output (a value of the signature's output type; `byof.kit.to_output` converts)."""
        raise NotImplementedError

    def entry(self, options: Mapping[str, Any]) -> str:
        """The entry point `options` choose among `entries`, or a ValueError naming the choices."""
        chosen = str(options.get("entry", self.entries[0] if self.entries else ""))
        if self.entries and chosen not in self.entries:
            raise ValueError(
                f"the {self.name} adapter's adapter_options entry={chosen!r} is not one of "
                f"{', '.join(self.entries)}"
            )
        return chosen
