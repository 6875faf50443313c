"""The local durability journal: completed model and tool calls, so a resumed run skips them.

Flyte's local runtime replays nothing: a retried local task re-runs every model call and
every uncached tool, and a killed process loses everything. byof records each completed step
here, keyed by the run name, the wrapped agent's action in that run (its scope) and the step's
deterministic identity, so that a run started again with the same name (or retried by Flyte)
serves finished steps from the journal instead of calling the model or the tool again.

SQLite in WAL mode through the standard library: one writer at a time, readers never
blocked, safe across threads and processes. Each step is one committed INSERT, written when
the step completes, so a crash loses at most the step that was running.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ENV_PATH = "BYOF_JOURNAL_PATH"
PROCESS = uuid.uuid4().hex  # tells this process's executions from those of earlier processes
ENV_ENABLED = "BYOF_JOURNAL"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_name TEXT NOT NULL,
    scope TEXT NOT NULL,
    agent TEXT NOT NULL,
    parent TEXT NOT NULL,
    inputs_fp TEXT NOT NULL,
    owner TEXT NOT NULL,
    status TEXT NOT NULL,
    created REAL NOT NULL,
    updated REAL NOT NULL,
    PRIMARY KEY (run_name, scope)
);
CREATE TABLE IF NOT EXISTS steps (
    run_name TEXT NOT NULL,
    scope TEXT NOT NULL,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    name TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    after_model INTEGER NOT NULL,
    ok INTEGER NOT NULL,
    payload BLOB NOT NULL,
    duration_ms REAL NOT NULL,
    created REAL NOT NULL,
    PRIMARY KEY (run_name, scope, kind, key)
);
"""


@dataclass(frozen=True)
class Step:
    """A journaled step. `ok` is False for a tool call that raised (payload: the exception)."""

    kind: str
    key: str
    name: str
    fingerprint: str
    after_model: int
    ok: bool
    payload: bytes
    duration_ms: float


@dataclass(frozen=True)
class RunSummary:
    run_name: str
    agents: str
    steps: int
    status: str
    created: float
    updated: float


def default_path() -> Path:
    """`$BYOF_JOURNAL_PATH`, else beside Flyte's own local cache (~/.flyte/local-cache)."""
    configured = os.environ.get(ENV_PATH)
    if configured:
        return Path(configured).expanduser()
    from ._flyte_private import local_cache_dir

    return local_cache_dir() / "byof-journal.db"


def enabled() -> bool:
    """False when `BYOF_JOURNAL` is set to 0/off/false."""
    return os.environ.get(ENV_ENABLED, "1").lower() not in ("0", "off", "false", "no")


class Journal:
    """One journal file; safe to share between threads, and between processes through SQLite."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._local = threading.local()

    def _connect(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA busy_timeout=30000")
            self._initialise(conn)
            conn.execute("PRAGMA synchronous=NORMAL")  # durable across a process crash in WAL mode
            self._local.conn = conn
        return conn

    def _initialise(self, conn: sqlite3.Connection) -> None:
        """Switch to WAL and create the tables. Switching the journal mode can report "locked"
        at once, without waiting, while another connection opens a brand-new file: retry."""
        deadline = time.monotonic() + 30.0
        while True:
            try:
                with _init_lock:
                    conn.execute("PRAGMA journal_mode=WAL")
                    conn.executescript(_SCHEMA)
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.01)

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        conn = self._connect()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    # -- a run ----------------------------------------------------------------------------

    def start(self, run_name: str, scope: str, agent: str, parent: str = "", inputs_fp: str = "") -> None:
        now = time.time()
        with self._write() as conn:
            conn.execute(
                "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, 'running', ?, ?) ON CONFLICT (run_name, scope) "
                "DO UPDATE SET status='running', owner=excluded.owner, updated=excluded.updated",
                (run_name, scope, agent, parent, inputs_fp, PROCESS, now, now),
            )

    def get_scope(self, run_name: str, scope: str) -> str | None:
        """The status of an execution this journal has seen, if any."""
        row = (
            self._connect()
            .execute("SELECT status FROM runs WHERE run_name=? AND scope=?", (run_name, scope))
            .fetchone()
        )
        return None if row is None else str(row[0])

    def siblings(self, run_name: str, scope: str, agent: str, parent: str) -> list[tuple[str, str, bool]]:
        """(scope, inputs fingerprint, started by this process) of the other executions of
        `agent` under `parent` in a run."""
        rows = self._connect().execute(
            "SELECT scope, inputs_fp, owner FROM runs WHERE run_name=? AND agent=? AND parent=? AND scope != ?",
            (run_name, agent, parent, scope),
        )
        return [(r[0], r[1], r[2] == PROCESS) for r in rows]

    def remove_scope(self, run_name: str, scope: str) -> None:
        with self._write() as conn:
            conn.execute("DELETE FROM steps WHERE run_name=? AND scope=?", (run_name, scope))
            conn.execute("DELETE FROM runs WHERE run_name=? AND scope=?", (run_name, scope))

    def finish(self, run_name: str, scope: str, status: str) -> None:
        with self._write() as conn:
            conn.execute(
                "UPDATE runs SET status=?, updated=? WHERE run_name=? AND scope=?",
                (status, time.time(), run_name, scope),
            )

    def get(self, run_name: str, scope: str, kind: str, key: str) -> Step | None:
        row = (
            self._connect()
            .execute(
                "SELECT kind, key, name, fingerprint, after_model, ok, payload, duration_ms FROM steps "
                "WHERE run_name=? AND scope=? AND kind=? AND key=?",
                (run_name, scope, kind, key),
            )
            .fetchone()
        )
        return (
            None
            if row is None
            else Step(row[0], row[1], row[2], row[3], row[4], bool(row[5]), row[6], row[7])
        )

    def model_at(self, run_name: str, scope: str, position: int) -> Step | None:
        """A journaled model call made after `position` earlier model calls, if the run got there."""
        row = (
            self._connect()
            .execute(
                "SELECT kind, key, name, fingerprint, after_model, ok, payload, duration_ms FROM steps "
                "WHERE run_name=? AND scope=? AND kind='model' AND after_model >= ? ORDER BY after_model LIMIT 1",
                (run_name, scope, position),
            )
            .fetchone()
        )
        return (
            None
            if row is None
            else Step(row[0], row[1], row[2], row[3], row[4], bool(row[5]), row[6], row[7])
        )

    def put(self, run_name: str, scope: str, step: Step) -> None:
        """Record a completed step, atomically."""
        with self._write() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO steps VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    run_name,
                    scope,
                    step.kind,
                    step.key,
                    step.name,
                    step.fingerprint,
                    step.after_model,
                    int(step.ok),
                    step.payload,
                    step.duration_ms,
                    time.time(),
                ),
            )

    def forget_from(self, run_name: str, scope: str, position: int) -> int:
        """Drop the model calls from `position` on, and the tool calls made after them: the stale
        tail of a diverged run (tool calls made before that model call stay)."""
        with self._write() as conn:
            cur = conn.execute(
                "DELETE FROM steps WHERE run_name=? AND scope=? AND "
                "((kind='model' AND after_model >= ?) OR (kind='tool' AND after_model > ?))",
                (run_name, scope, position, position),
            )
            return cur.rowcount

    def forget_failed_tools(self, run_name: str, scope: str) -> None:
        """Drop failed tool calls, so a retry of a failed run tries those tools again."""
        with self._write() as conn:
            conn.execute(
                "DELETE FROM steps WHERE run_name=? AND scope=? AND kind='tool' AND ok=0", (run_name, scope)
            )

    # -- housekeeping ---------------------------------------------------------------------

    def runs(self) -> list[RunSummary]:
        rows = (
            self._connect()
            .execute(
                "SELECT r.run_name, group_concat(DISTINCT r.agent), "
                "(SELECT count(*) FROM steps s WHERE s.run_name = r.run_name), "
                "CASE WHEN sum(r.status='running') > 0 THEN 'running' "
                "     WHEN sum(r.status='failed') > 0 THEN 'failed' ELSE 'succeeded' END, "
                "min(r.created), max(r.updated) FROM runs r GROUP BY r.run_name ORDER BY max(r.updated) DESC"
            )
            .fetchall()
        )
        return [RunSummary(*row) for row in rows]

    def remove(self, run_name: str) -> int:
        with self._write() as conn:
            conn.execute("DELETE FROM steps WHERE run_name=?", (run_name,))
            return conn.execute("DELETE FROM runs WHERE run_name=?", (run_name,)).rowcount

    def prune(self, older_than_seconds: float) -> list[str]:
        cutoff = time.time() - older_than_seconds
        old = [r.run_name for r in self.runs() if r.updated < cutoff]
        for name in old:
            self.remove(name)
        return old


_init_lock = threading.Lock()
_journals: dict[Path, Journal] = {}
_journals_lock = threading.Lock()


def open_journal(path: Path | str | None = None) -> Journal:
    """The process's Journal for `path` (default: `default_path()`)."""
    resolved = Path(path) if path is not None else default_path()
    with _journals_lock:
        journal = _journals.get(resolved)
        if journal is None:
            journal = _journals[resolved] = Journal(resolved)
        return journal
