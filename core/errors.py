"""Errors byof raises. Each one names the object at fault and how to fix it."""

from __future__ import annotations

import flyte.errors


class ByofError(Exception):
    """Base class of every error byof raises on its own account."""


class NoAdapterError(ByofError, TypeError):
    """No installed adapter claims the object given to `byof.wrap`."""


class AdapterError(ByofError):
    """An adapter claimed an object but cannot apply one of its seams to it."""


class FrameworkVersionError(AdapterError):
    """The installed framework is outside the range an adapter supports."""


class TaskNameError(ByofError, ValueError):
    """Two different agents were wrapped under one task name, which must resolve to one agent."""


class NotDurableError(ByofError, RuntimeError):
    """Durability was asked for but the call happened where it cannot be durable."""


class WriteConflictError(NotDurableError):
    """A tool task changed a value of the agent's run that a parallel call changed too, so its
    change cannot be carried back without losing the other."""


class ToolRoutingError(ByofError, TypeError):
    """A tool could not be turned into a durable Flyte task."""


class ToolDecoratorOrderError(ToolRoutingError):
    """`byof.tool` was applied on top of a framework's tool decorator instead of under it."""


class SerializationError(ByofError, TypeError):
    """A value cannot cross into or out of a Flyte task."""


class ToolBlocked(ByofError):
    """A policy plugin blocked a tool call; the agent sees this as the tool's error.

    Adapters translate it into their framework's own tool-error type, so the agent's loop
    reacts to a block exactly as it reacts to any failing tool.
    """

    def __init__(self, tool: str, reason: str, policy: str = "") -> None:
        self.tool = tool
        self.reason = reason
        self.policy = policy
        by = f" by {policy}" if policy else ""
        super().__init__(f"tool {tool!r} was blocked{by}: {reason}")


class ToolFailed(ByofError):
    """A tool failed with an exception whose original class could not be rebuilt.

    `original_type` is the dotted path of the class the tool raised.
    """

    def __init__(self, original_type: str, message: str) -> None:
        self.original_type = original_type
        super().__init__(f"{original_type}: {message}")


class JournalDivergenceError(ByofError, flyte.errors.NonRecoverableError):
    """On resume, a step's request differs from the one the journal holds for that position.

    Retrying cannot fix it, so Flyte is told not to retry (a non-recoverable user error).
    """

    def __init__(self, message: str) -> None:
        # The code names the class the way byof.original_error reads it back.
        flyte.errors.NonRecoverableError.__init__(
            self, message, code="byof:byof.errors:JournalDivergenceError"
        )


class JournalError(ByofError, flyte.errors.NonRecoverableError):
    """The local journal file cannot be used (a directory, not a database, read-only, locked).

    Retrying cannot fix it, so Flyte is told not to retry.
    """

    def __init__(self, message: str) -> None:
        flyte.errors.NonRecoverableError.__init__(self, message, code="byof:byof.errors:JournalError")


class RunOwnedError(ByofError, flyte.errors.NonRecoverableError):
    """Another live process is executing this run: both would run its remaining steps."""

    def __init__(self, message: str) -> None:
        flyte.errors.NonRecoverableError.__init__(self, message, code="byof:byof.errors:RunOwnedError")


class TeamError(ByofError, TypeError):
    """A team built from something that cannot be a specialist or planner, or with bad settings."""


class TemplateError(ByofError, ValueError):
    """`byof new` cannot render: unknown template, invalid package name, or a non-empty target."""
