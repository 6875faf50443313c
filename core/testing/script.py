"""The framework-neutral script format that drives every scripted model byof ships.

A script says what the model answers at each turn of a conversation. Each adapter's scripted
model (in that framework's native model type) and the scripted OpenAI-compatible server turn
their requests into a neutral `Request`, ask `Script.respond`, and turn the `Turn` back into a
native response.

Scripts are stateless with respect to the model object: the turn is chosen from the request
itself (the number of assistant messages already in the conversation, and the first user
message), so one scripted model shared by concurrent runs, or a run resumed after a crash,
always gets the answer meant for its own conversation.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

Role = Literal["system", "user", "assistant", "tool"]


@dataclass(frozen=True)
class ScriptedToolCall:
    """A tool call the model makes. `id` defaults to a deterministic `call_<turn>_<index>`."""

    name: str
    arguments: Mapping[str, Any] = field(default_factory=dict)
    id: str | None = None


@dataclass(frozen=True)
class Turn:
    """One model answer: text, tool calls, or both.

    `text` may contain `{last}` (the latest tool result), `{results}` (every tool result so
    far, comma-separated) and `{prompt}` (the first user message); nothing else is replaced,
    so JSON braces in the text are safe. `delay` makes the model take that many seconds.
    """

    text: str | None = None
    tool_calls: tuple[ScriptedToolCall, ...] = ()
    delay: float = 0.0


def say(text: str, *, delay: float = 0.0) -> Turn:
    """A turn that answers with `text`."""
    return Turn(text=text, delay=delay)


def call(name: str, /, _id: str | None = None, **arguments: Any) -> Turn:
    """A turn that calls one tool."""
    return Turn(tool_calls=(ScriptedToolCall(name, arguments, _id),))


def calls(*tool_calls: ScriptedToolCall | tuple[str, Mapping[str, Any]], delay: float = 0.0) -> Turn:
    """A turn that calls several tools at once (parallel tool calls)."""
    normalised = tuple(
        c if isinstance(c, ScriptedToolCall) else ScriptedToolCall(c[0], c[1]) for c in tool_calls
    )
    return Turn(tool_calls=normalised, delay=delay)


@dataclass(frozen=True)
class Message:
    """A conversation message in neutral form."""

    role: Role
    content: str = ""
    tool_calls: tuple[ScriptedToolCall, ...] = ()
    tool_call_id: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class ToolSchema:
    """A tool as the model sees it: name, description, JSON schema of its arguments."""

    name: str
    description: str = ""
    parameters: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Request:
    """What a model was asked, in neutral form."""

    messages: tuple[Message, ...]
    tools: tuple[ToolSchema, ...] = ()
    model: str = ""

    @property
    def prompt(self) -> str:
        return next((m.content for m in self.messages if m.role == "user"), "")

    @property
    def turn(self) -> int:
        return sum(1 for m in self.messages if m.role == "assistant")

    @property
    def tool_results(self) -> list[str]:
        return [m.content for m in self.messages if m.role == "tool"]


class ScriptExhausted(AssertionError):
    """The conversation went on past the turns its script has."""


_PLACEHOLDER = re.compile(r"\{(last|results|prompt)\}")


def _render(text: str, request: Request) -> str:
    """Fill the placeholders in one pass, so a tool result holding "{prompt}" stays as it is."""
    results = request.tool_results
    values = {"last": results[-1] if results else "", "results": ", ".join(results), "prompt": request.prompt}
    return _PLACEHOLDER.sub(lambda m: values[m[1]], text)


class Script:
    """Turns per conversation: `Script([...])`, or per prompt with `by_prompt={"substring": [...]}`.

    A request whose first user message contains a `by_prompt` key gets that key's turns (the
    first matching key wins); any other request gets the default turns. Every request is
    recorded in `requests`, so tests can assert what the model saw (tool schemas included).
    """

    _snapshot_opaque = True  # its request log is the test's, not the agent's state

    def __init__(
        self,
        turns: Sequence[Turn] = (),
        *,
        by_prompt: Mapping[str, Sequence[Turn]] | None = None,
        on_respond: Callable[[Request], None] | None = None,
    ) -> None:
        self.turns = tuple(turns)
        self.by_prompt = {k: tuple(v) for k, v in (by_prompt or {}).items()}
        self.on_respond = on_respond
        self.requests: list[Request] = []
        self._lock = threading.Lock()

    def turns_for(self, prompt: str) -> tuple[Turn, ...]:
        for key, turns in self.by_prompt.items():
            if key in prompt:
                return turns
        return self.turns

    def respond(self, request: Request) -> Turn:
        """The rendered turn for `request`; records the request.

        `on_respond(request)` runs first: tests use it to count calls across processes, to fail
        or to kill the process at a given call.
        """
        if self.on_respond is not None:
            self.on_respond(request)
        with self._lock:
            self.requests.append(request)
        turns = self.turns_for(request.prompt)
        index = request.turn
        if index >= len(turns):
            raise ScriptExhausted(
                f"scripted model was asked for turn {index + 1} of a conversation starting "
                f"{request.prompt[:60]!r}, but its script has {len(turns)} turn(s)"
            )
        turn = turns[index]
        tool_calls = tuple(
            ScriptedToolCall(c.name, dict(c.arguments), c.id or f"call_{index}_{i}")
            for i, c in enumerate(turn.tool_calls)
        )
        text = _render(turn.text, request) if turn.text is not None else None
        return Turn(text=text, tool_calls=tool_calls, delay=turn.delay)

    @property
    def call_count(self) -> int:
        return len(self.requests)

    def calls_by_prompt(self) -> Counter[str]:
        with self._lock:
            return Counter(r.prompt for r in self.requests)

    def tools_seen(self) -> list[tuple[ToolSchema, ...]]:
        """The tool schemas of each request, in order."""
        with self._lock:
            return [r.tools for r in self.requests]
