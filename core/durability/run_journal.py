"""One run's view of the journal: find completed steps, record new ones, catch divergence.

Step identity does not depend on scheduling order: a model call is its canonical request's
fingerprint plus how many identical requests this run made before it; a tool call is its name,
its arguments' fingerprint and the same occurrence count. Parallel tool calls that finish in any
order therefore find their own records. Position (how many model calls came before) is kept
only to detect divergence and to drop a stale tail.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from typing import Any, Literal

import cloudpickle

from ..errors import JournalDivergenceError
from .exceptions import dump_error, load_error
from .fingerprint import canonical_json, fingerprint
from .journal import Journal, Step

logger = logging.getLogger("byof.journal")

OnDivergence = Literal["error", "rerun"]


class RunJournal:
    """The journal scoped to one wrapped-agent execution (run name + the agent's action)."""

    def __init__(
        self, journal: Journal, run_name: str, scope: str, agent: str, on_divergence: OnDivergence
    ) -> None:
        self.journal = journal
        self.run_name = run_name
        self.scope = scope
        self.agent = agent
        self.on_divergence = on_divergence
        self._seen: Counter[str] = Counter()
        self._models_done = 0
        self._diverged = False
        self.resumed = False  # this execution was journaled before: a retry or a resume
        self._positional = True
        self._lock = threading.Lock()

    def _occurrence(self, identity: str) -> str:
        with self._lock:
            self._seen[identity] += 1
            return f"{identity}#{self._seen[identity]}"

    # -- model calls ----------------------------------------------------------------------

    def lookup(
        self, kind: str, name: str, fingerprint: str, seq: int | None = None
    ) -> tuple[str, Step | None]:
        """(key, the journaled step to replay or None) for a step of `kind` identified by its name
        and fingerprint, and by how many identical steps this execution looked up before it. A
        step with a `seq` is a model call, in the run's order: a new one where the journaled run
        had already gone further is a divergence (raised, unless told to rerun)."""
        key = self._occurrence(f"{kind}:{name}:{fingerprint}")
        step = None if self._diverged else self.journal.get(self.run_name, self.scope, kind, key)
        if seq is not None:
            if step is not None:
                with self._lock:
                    self._models_done = max(self._models_done, seq)
            elif not self._diverged and self._positional:
                self._check_divergence(seq, fingerprint, name)
        return key, step

    def continue_midway(self) -> None:
        """The framework resumes from its own checkpoint, skipping steps it already has: positions
        no longer line up with the journal's, so only identity lookups apply (no divergence check)."""
        self._positional = False

    def _check_divergence(self, seq: int, fingerprint: str, name: str) -> None:
        """A new request where the journaled run had already gone further: the run changed."""
        old = self.journal.model_at(self.run_name, self.scope, seq - 1)
        if old is None:
            return
        if self.on_divergence == "rerun":
            dropped = self.journal.forget_from(self.run_name, self.scope, seq - 1)
            self._diverged = True
            logger.warning(
                "run %r, agent %r: model call %d (%s) diverged from the journal; re-executing from here "
                "(dropped %d journaled steps)",
                self.run_name,
                self.agent,
                seq,
                name,
                dropped,
            )
            return
        raise JournalDivergenceError(
            f"run {self.run_name!r}, agent {self.agent!r}: model call {seq} ({name}) is not the one this run "
            f"journaled at that step (journaled request fingerprint {old.fingerprint}, now {fingerprint}). "
            "The prompt, the agent, its tools or a tool result changed since. Start fresh with a new run "
            f"name, delete the old journal with `byof runs rm {self.run_name}`, or wrap with "
            "on_divergence='rerun' to re-execute from this step on."
        )

    def record(
        self,
        key: str,
        kind: str,
        name: str,
        fingerprint: str,
        ok: bool,
        value: Any,
        started: float,
        seq: int | None = None,
    ) -> None:
        """Record a finished step: its value, or for a failure what it takes to raise the same
        exception again. A value that cannot be pickled is not journaled (said, with the step)."""
        try:
            payload = cloudpickle.dumps(value if ok else dump_error(value))
        except Exception as exc:
            logger.warning(
                "%s %r of agent %r returned a value that cannot be journaled (%s); a resumed run will "
                "run it again",
                kind.replace("_", " "),
                name,
                self.agent,
                exc,
            )
            return
        with self._lock:
            if seq is not None:
                self._models_done = max(self._models_done, seq)
            position = seq - 1 if seq is not None else self._models_done
        self.journal.put(
            self.run_name,
            self.scope,
            Step(kind, key, name, fingerprint, position, ok, payload, (time.time() - started) * 1000),
        )

    @staticmethod
    def replay(step: Step) -> Any:
        """A journaled step's value; a journaled failure is raised again, as the same class with
        the same message."""
        value = cloudpickle.loads(step.payload)
        if not step.ok:
            raise load_error(value)
        return value

    # -- the run --------------------------------------------------------------------------

    def start(self, inputs: Any, parent: str | None) -> None:
        """Open this execution; a lone earlier execution with other inputs is a divergence.

        Flyte names a child action by its inputs, so a changed prompt gives a new scope rather
        than a mismatching step. When this process runs no other execution of the agent (under
        the same parent) and an earlier process ran exactly one, with other inputs, the run was
        restarted with a changed prompt. (Concurrent siblings of a fan-out are not compared.)
        """
        inputs_fp = fingerprint(canonical_json(inputs))
        parent_key = parent or ""
        self.resumed = self.journal.get_scope(self.run_name, self.scope) is not None
        if not self.resumed:
            others = self.journal.siblings(self.run_name, self.scope, self.agent, parent_key)
            earlier = [(s, fp) for s, fp, ours in others if not ours]
            if len(earlier) == 1 and len(others) == 1 and earlier[0][1] != inputs_fp:
                old_scope, old_fp = earlier[0]
                if self.on_divergence == "rerun":
                    self.journal.remove_scope(self.run_name, old_scope)
                else:
                    raise JournalDivergenceError(
                        f"run {self.run_name!r}, agent {self.agent!r}: started with other inputs than the "
                        f"journaled run (journaled input fingerprint {old_fp}, now {inputs_fp}): the prompt "
                        "changed. Start fresh with a new run name, delete the old journal with "
                        f"`byof runs rm {self.run_name}`, or wrap with on_divergence='rerun' to re-execute."
                    )
        self.journal.start(self.run_name, self.scope, self.agent, parent_key, inputs_fp)

    def finish(self, ok: bool) -> None:
        if not ok:
            self.journal.forget_failed_tools(self.run_name, self.scope)
        self.journal.finish(self.run_name, self.scope, "succeeded" if ok else "failed")
