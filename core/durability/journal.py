"""The local durability journal: completed model and tool calls, so a resumed run skips them.

Flyte's local runtime replays nothing: a retried local task re-runs every model call and
every uncached tool, and a killed process loses everything. byof records each completed step
here, keyed by the run name, the wrapped agent's action in that run (its scope) and the step's
deterministic identity, so that a run started again with the same name (or retried by Flyte)
serves finished steps from the journal instead of calling the model or the tool again.

SQLite in WAL mode through the standard library: one writer at a time, readers never
blocked, safe across threads and processes. Each step is one committed INSERT, written when
the step completes, so a crash loses at most the step that was running.

One process owns a run at a time: the first execution of a run in a process claims it (pid,
host and the process's start time), and another process starting the same run name while the
owner lives is refused; an owner that died (a killed run) is taken over. The journal holds real
tool arguments and results, so its file is created readable by its owner only (0600).
"""

from __future__ import annotations

import contextlib
import functools
import os
import socket
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from ..errors import JournalError


ENV_PATH = "BYOF_JOURNAL_PATH"
PROCESS = uuid.uuid4().hex  # tells this process's executions from those of earlier processes
ENV_ENABLED = "BYOF_JOURNAL"
HOST = socket.gethostname()
BUSY_TIMEOUT_S = 10.0  # byof's writes take milliseconds: this long means another program holds a lock
OPEN_PROBE_S = 1.0  # how long opening waits for a write lock before saying who may hold it

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
    owner_pid INTEGER NOT NULL DEFAULT 0,
    owner_host TEXT NOT NULL DEFAULT '',
    owner_started REAL NOT NULL DEFAULT 0,
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
class Owner:
    """The process executing a run: which one, where, since when (its own start time)."""

    pid: int
    host: str
    started: float

    def alive(self) -> bool:
        """Whether that process still runs. A pid on this host is checked (and told apart from a
        later process that reuses it by its start time); on another host it is taken as alive."""
        if self.host != HOST:
            return True
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        started = process_start_time(self.pid)
        return not (started and self.started and abs(started - self.started) > 1.0)


def process_start_time(pid: int) -> float:
    """When process `pid` started, in seconds since boot (Linux /proc; 0 where unknown)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[19]) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


@functools.lru_cache(maxsize=4)
def _owner(pid: int) -> Owner:
    return Owner(pid, HOST, process_start_time(pid))


def me() -> Owner:
    """This process as a run's owner."""
    return _owner(os.getpid())


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
    from .._flyte_private import local_cache_dir

    return local_cache_dir() / "byof-journal.db"


def enabled() -> bool:
    """False when `BYOF_JOURNAL` is set to 0/off/false."""
    return os.environ.get(ENV_ENABLED, "1").lower() not in ("0", "off", "false", "no")


F = TypeVar("F", bound=Callable[..., Any])


def _explained(method: F) -> F:
    """Turn SQLite's bare errors into a `JournalError` that names the file and the fix."""

    @functools.wraps(method)
    def wrapper(self: Journal, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except (sqlite3.Error, OSError) as exc:
            raise self._error(exc) from exc

    return wrapper  # type: ignore[return-value]


class Journal:
    """One journal file; safe to share between threads, and between processes through SQLite.

    `readonly` opens an existing file for reading only (listing runs): it never creates the
    file, its directory or SQLite's side files' contents.
    """

    def __init__(self, path: Path | str, *, readonly: bool = False) -> None:
        self.path = check_path(path)
        self.readonly = readonly
        self._local = threading.local()

    def _error(self, exc: sqlite3.Error | OSError) -> JournalError:
        from ..errors import JournalError

        text = str(exc).lower()
        fix = "point BYOF_JOURNAL_PATH (or byof.wrap(journal=...)) at another file"
        if isinstance(exc, PermissionError):
            why = "cannot be created or opened: permission denied"
            fix = "make its directory writable by this user, or " + fix
        elif isinstance(exc, OSError):
            why = "cannot be created or opened"
        elif "locked" in text or "busy" in text:
            why = "is locked by another program holding a write transaction open"
            fix = "close the other program (a database browser, a stuck process), or " + fix
        elif "not a database" in text or "malformed" in text or "corrupt" in text:
            why = "is not a byof journal or is damaged (not a valid SQLite database)"
            fix = "move it away (byof starts a new journal there), or " + fix
        elif "readonly" in text or "read-only" in text:
            why = "is read-only"
            fix = "make it and its directory writable by this user, or " + fix
        elif "unable to open" in text:
            why = "cannot be opened (its directory must be writable: SQLite keeps -wal/-shm files beside it)"
            fix = "make the directory writable, or " + fix
        else:
            why = f"failed: {exc}"
        return JournalError(f"byof journal {self.path} {why}; {fix}. ({type(exc).__name__}: {exc})")

    def _connect(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            if self.readonly:
                conn = sqlite3.connect(
                    f"{self.path.resolve().as_uri()}?mode=ro",
                    uri=True,
                    isolation_level=None,
                    check_same_thread=False,
                )
                conn.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # fails now on a non-database
            else:
                _create_private(self.path)
                conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
                self._initialise(conn)
                conn.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
                conn.execute("PRAGMA synchronous=NORMAL")  # durable across a process crash in WAL mode
            self._local.conn = conn
        return conn

    def _initialise(self, conn: sqlite3.Connection) -> None:
        """Switch to WAL and create (or complete) the tables, waiting at most OPEN_PROBE_S for
        the write lock: a file that another program keeps locked fails here, at once, by name.
        Switching the journal mode can report "locked" without waiting while another connection
        opens a brand-new file: that is retried within the same bound."""
        conn.execute(f"PRAGMA busy_timeout={int(OPEN_PROBE_S * 1000)}")
        deadline = time.monotonic() + OPEN_PROBE_S
        while True:
            try:
                with _init_lock:
                    conn.execute("PRAGMA journal_mode=WAL")
                    conn.executescript(_SCHEMA)
                    columns = {row[1] for row in conn.execute("PRAGMA table_info(runs)")}
                    for column, ddl in _OWNER_COLUMNS.items():
                        if column not in columns:  # a journal written by an earlier byof
                            conn.execute(f"ALTER TABLE runs ADD COLUMN {column} {ddl}")
                    conn.execute("BEGIN IMMEDIATE")  # can this process write at all? Ask now, briefly.
                    conn.execute("ROLLBACK")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.01)

    def close(self) -> None:
        """Close this thread's connection (others close with their threads)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

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

    @_explained
    def start(self, run_name: str, scope: str, agent: str, parent: str = "", inputs_fp: str = "") -> None:
        """Open an execution of `run_name`, claiming the run for this process; raises
        `RunOwnedError` while another live process executes it."""
        now = time.time()
        owner = me()
        with self._write() as conn:
            self._claim(conn, run_name)
            conn.execute(
                "INSERT INTO runs (run_name, scope, agent, parent, inputs_fp, owner, status, created, updated, "
                "owner_pid, owner_host, owner_started) VALUES (?, ?, ?, ?, ?, ?, 'running', ?, ?, ?, ?, ?) "
                "ON CONFLICT (run_name, scope) DO UPDATE SET status='running', owner=excluded.owner, "
                "updated=excluded.updated, owner_pid=excluded.owner_pid, owner_host=excluded.owner_host, "
                "owner_started=excluded.owner_started",
                (
                    run_name,
                    scope,
                    agent,
                    parent,
                    inputs_fp,
                    PROCESS,
                    now,
                    now,
                    owner.pid,
                    owner.host,
                    owner.started,
                ),
            )

    def _claim(self, conn: sqlite3.Connection, run_name: str) -> None:
        rows = conn.execute(
            "SELECT DISTINCT owner_pid, owner_host, owner_started, min(updated) FROM runs "
            "WHERE run_name=? AND status='running' AND owner != ? GROUP BY owner",
            (run_name, PROCESS),
        ).fetchall()
        for pid, host, started, since in rows:
            owner = Owner(int(pid), str(host), float(started))
            if owner.pid and owner.alive():
                from ..errors import RunOwnedError

                raise RunOwnedError(
                    f"run {run_name!r} is being executed by another process (pid {owner.pid} on host "
                    f"{owner.host}, since {time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(since))}); "
                    "two processes would both run its remaining steps. Wait for it to finish or stop it "
                    "(a run whose process died is taken over), or start this one under another run name."
                )

    @_explained
    def get_scope(self, run_name: str, scope: str) -> str | None:
        """The status of an execution this journal has seen, if any."""
        row = (
            self._connect()
            .execute("SELECT status FROM runs WHERE run_name=? AND scope=?", (run_name, scope))
            .fetchone()
        )
        return None if row is None else str(row[0])

    @_explained
    def siblings(self, run_name: str, scope: str, agent: str, parent: str) -> list[tuple[str, str, bool]]:
        """(scope, inputs fingerprint, started by this process) of the other executions of
        `agent` under `parent` in a run."""
        rows = self._connect().execute(
            "SELECT scope, inputs_fp, owner FROM runs WHERE run_name=? AND agent=? AND parent=? AND scope != ?",
            (run_name, agent, parent, scope),
        )
        return [(r[0], r[1], r[2] == PROCESS) for r in rows]

    @_explained
    def remove_scope(self, run_name: str, scope: str) -> None:
        with self._write() as conn:
            conn.execute("DELETE FROM steps WHERE run_name=? AND scope=?", (run_name, scope))
            conn.execute("DELETE FROM runs WHERE run_name=? AND scope=?", (run_name, scope))

    @_explained
    def finish(self, run_name: str, scope: str, status: str) -> None:
        with self._write() as conn:
            conn.execute(
                "UPDATE runs SET status=?, updated=? WHERE run_name=? AND scope=?",
                (status, time.time(), run_name, scope),
            )

    @_explained
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

    @_explained
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

    @_explained
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

    @_explained
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

    @_explained
    def forget_failed_tools(self, run_name: str, scope: str) -> None:
        """Drop failed tool calls, so a retry of a failed run tries those tools again."""
        with self._write() as conn:
            conn.execute(
                "DELETE FROM steps WHERE run_name=? AND scope=? AND kind='tool' AND ok=0", (run_name, scope)
            )

    # -- housekeeping ---------------------------------------------------------------------

    @_explained
    def runs(self, limit: int | None = None) -> list[RunSummary]:
        """The journaled runs, most recently updated first (the newest `limit` of them)."""
        # The newest run names first (the primary key's order serves the grouping), then the
        # details of those runs only: listing the newest 50 of 10,000 runs touches 50 runs' steps.
        rows = (
            self._connect()
            .execute(
                "WITH newest AS (SELECT run_name, max(updated) AS updated FROM runs GROUP BY run_name "
                "ORDER BY updated DESC LIMIT ?) "
                "SELECT n.run_name, group_concat(DISTINCT r.agent), "
                "(SELECT count(*) FROM steps s WHERE s.run_name = n.run_name), "
                "CASE WHEN sum(r.status='running') > 0 THEN 'running' "
                "     WHEN sum(r.status='failed') > 0 THEN 'failed' ELSE 'succeeded' END, "
                "min(r.created), n.updated FROM newest n JOIN runs r ON r.run_name = n.run_name "
                "GROUP BY n.run_name ORDER BY n.updated DESC",
                (-1 if limit is None else limit,),
            )
            .fetchall()
        )
        return [RunSummary(*row) for row in rows]

    @_explained
    def count_runs(self) -> int:
        return int(self._connect().execute("SELECT count(DISTINCT run_name) FROM runs").fetchone()[0])

    @_explained
    def run_names(self, names: list[str]) -> set[str]:
        """Which of `names` the journal holds."""
        conn = self._connect()
        return {n for n in names if conn.execute("SELECT 1 FROM runs WHERE run_name=?", (n,)).fetchone()}

    @_explained
    def remove(self, run_name: str) -> int:
        with self._write() as conn:
            conn.execute("DELETE FROM steps WHERE run_name=?", (run_name,))
            return conn.execute("DELETE FROM runs WHERE run_name=?", (run_name,)).rowcount

    @_explained
    def prune(self, older_than_seconds: float, *, include_running: bool = False) -> list[str]:
        """Forget runs not updated for `older_than_seconds`; runs still marked running are kept
        unless `include_running` (a killed run stays "running" until it is resumed)."""
        cutoff = time.time() - older_than_seconds
        old = [
            r.run_name
            for r in self.runs()
            if r.updated < cutoff and (include_running or r.status != "running")
        ]
        for name in old:
            self.remove(name)
        return old


def check_path(path: Path | str) -> Path:
    """`path` as a journal file path, or a `JournalError` saying what is wrong with it; nothing
    is created or changed to find out."""
    from ..errors import JournalError

    if not str(path).strip():
        raise JournalError(
            "the byof journal path is empty; give a file path (BYOF_JOURNAL_PATH or byof.wrap(journal=...)), "
            "or turn the journal off with BYOF_JOURNAL=off / byof.wrap(journal=False)"
        )
    resolved = Path(path).expanduser()
    if resolved.is_dir():
        raise JournalError(
            f"the byof journal path {resolved} is a directory; give a file path inside it (BYOF_JOURNAL_PATH "
            f"or byof.wrap(journal=...)), e.g. {resolved / 'byof-journal.db'}"
        )
    problem = _header_problem(resolved)
    if problem:
        raise JournalError(
            f"byof journal {resolved} {problem}; move it away (byof starts a new journal there), or point "
            "BYOF_JOURNAL_PATH (or byof.wrap(journal=...)) at another file"
        )
    return resolved


def _header_problem(path: Path) -> str:
    """What is wrong with an existing file as an SQLite database, read from its 100-byte header
    alone (so nothing is written to find out): not SQLite at all, or cut short."""
    try:
        with path.open("rb") as f:
            header = f.read(100)
        size = path.stat().st_size
    except FileNotFoundError:
        return ""
    except OSError as exc:
        return f"cannot be read ({exc})"
    if size == 0:
        return ""  # SQLite makes an empty file a new database
    if len(header) < 100 or not header.startswith(b"SQLite format 3\x00"):
        return "is not a byof journal (not an SQLite database)"
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages, counter, valid_for = (int.from_bytes(header[o : o + 4], "big") for o in (28, 24, 92))
    if pages and counter == valid_for and size < pages * page_size:
        return f"is damaged: cut short ({size} of {pages * page_size} bytes)"
    return ""


def _create_private(path: Path) -> None:
    """Create the journal file readable and writable by its owner only: it holds real tool
    arguments and results. SQLite gives its -wal and -shm files the same permissions."""
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):  # another process created it first
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


_OWNER_COLUMNS = {
    "owner_pid": "INTEGER NOT NULL DEFAULT 0",
    "owner_host": "TEXT NOT NULL DEFAULT ''",
    "owner_started": "REAL NOT NULL DEFAULT 0",
}


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
