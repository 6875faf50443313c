"""The journal file itself: atomic records, WAL, concurrent writers in threads and processes."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from byof.durability.journal import Journal, Step
from byof.errors import JournalError


def step(kind: str, key: str, after: int, payload: bytes = b"x", ok: bool = True) -> Step:
    return Step(kind, key, "name", "fp", after, ok, payload, 1.5)


def test_put_get_and_wal_mode(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.db")
    journal.start("run", "a0", "agent")
    journal.put("run", "a0", step("model", "m#1", 0, b'{"x": 1}'))
    assert journal.get("run", "a0", "model", "m#1") == step("model", "m#1", 0, b'{"x": 1}')
    assert journal.get("run", "other-scope", "model", "m#1") is None
    mode = sqlite3.connect(tmp_path / "j.db").execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_forget_from_drops_the_tail_but_keeps_tools_before_it(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.db")
    for key, kind, after in [
        ("m1", "model", 0),
        ("t1", "tool", 1),
        ("m2", "model", 1),
        ("t2", "tool", 2),
        ("m3", "model", 2),
    ]:
        journal.put("run", "a0", step(kind, key, after))
    assert journal.forget_from("run", "a0", 1) == 3
    assert [
        journal.get("run", "a0", k, key) is not None
        for key, k in [("m1", "model"), ("t1", "tool"), ("m2", "model"), ("t2", "tool"), ("m3", "model")]
    ] == [
        True,
        True,
        False,
        False,
        False,
    ]


def test_runs_remove_and_prune(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.db")
    journal.start("old", "a0", "agent")
    journal.put("old", "a0", step("model", "m", 0))
    journal.finish("old", "a0", "succeeded")
    journal.start("new", "a0", "agent")
    runs = {r.run_name: r for r in journal.runs()}
    assert runs["old"].steps == 1 and runs["old"].status == "succeeded" and runs["new"].status == "running"
    time.sleep(0.05)
    journal.start("newest", "a0", "agent")
    assert journal.prune(older_than_seconds=0.03) == ["old"], "a run still marked running is kept"
    assert journal.prune(older_than_seconds=0.03, include_running=True) == ["new"]
    assert [r.run_name for r in journal.runs()] == ["newest"]
    assert journal.remove("newest") == 1 and journal.runs() == []


def test_concurrent_writers_in_threads(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.db")

    def write(n: int) -> None:
        for i in range(50):
            journal.put("run", f"s{n}", step("tool", f"k{i}", 0))

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    count = sqlite3.connect(tmp_path / "j.db").execute("SELECT count(*) FROM steps").fetchone()[0]
    assert count == 400


def test_concurrent_writers_in_processes(tmp_path: Path) -> None:
    code = (
        "import sys; from byof.durability.journal import Journal, Step\n"
        "j = Journal(sys.argv[1])\n"
        "for i in range(100): j.put('run', sys.argv[2], Step('tool', f'k{i}', 'n', 'fp', 0, True, b'x', 1.0))\n"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", code, str(tmp_path / "j.db"), f"p{n}"]) for n in range(4)
    ]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0, 0]
    count = sqlite3.connect(tmp_path / "j.db").execute("SELECT count(*) FROM steps").fetchone()[0]
    assert count == 400


# -- a journal path that cannot be used: a clear error, nothing written or deleted ------------

BAD_PATHS = ["directory", "empty", "garbage", "truncated", "read-only file", "read-only directory"]


@contextmanager
def read_only(*paths: Path) -> Iterator[None]:
    """Make `paths` read-only for this process. Root ignores file modes, so as root the paths are
    made immutable (chattr +i) instead, and made mutable again afterwards."""
    if os.geteuid() != 0:
        for p in paths:
            p.chmod(0o500 if p.is_dir() else 0o400)
        yield
        for p in paths:
            p.chmod(0o700 if p.is_dir() else 0o600)
        return
    if shutil.which("chattr") is None:
        pytest.skip("running as root without chattr: cannot make a file read-only")
    done = subprocess.run(["chattr", "+i", *map(str, paths)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"chattr +i is not supported here: {done.stderr.strip()}")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", *map(str, paths)], check=True)


def _bad_journal(tmp_path: Path, case: str, stack: ExitStack) -> tuple[str, bytes | None]:
    """A journal path of the given kind, and the bytes of the file there (to check it is kept)."""
    if case == "directory":
        return str(tmp_path), None
    if case == "empty":
        return "", None
    path = tmp_path / "journal.db"
    if case == "garbage":
        path.write_bytes(b"these are not the tables you are looking for\n" * 40)
    elif case == "truncated":
        good = Journal(tmp_path / "good.db")
        for i in range(200):
            good.put("run", "a0", step("tool", f"k{i}", 0, b"x" * 500))
        good.close()
        data = (tmp_path / "good.db").read_bytes()
        path.write_bytes(data[: len(data) // 3])
    elif case == "read-only file":
        journal = Journal(path)
        journal.start("run", "a0", "agent")
        journal.close()
        stack.enter_context(read_only(*tmp_path.glob("journal.db*"), tmp_path))
    elif case == "read-only directory":
        readonly = tmp_path / "ro"
        readonly.mkdir()
        stack.enter_context(read_only(readonly))
        return str(readonly / "journal.db"), None
    return str(path), path.read_bytes()


@pytest.mark.parametrize("case", BAD_PATHS)
def test_an_unusable_journal_path_is_a_clear_error_and_nothing_changes(tmp_path: Path, case: str) -> None:
    from byof.errors import JournalError

    with ExitStack() as stack:
        path, before = _bad_journal(tmp_path, case, stack)
        listing_before = sorted(str(p) for p in tmp_path.rglob("*"))
        with pytest.raises(JournalError) as info:
            journal = Journal(path)
            journal.start("run", "a1", "agent")
            journal.put("run", "a1", step("model", "m", 0))
        message = str(info.value)
        assert "byof journal" in message and "BYOF_JOURNAL" in message, message
        assert (path or "empty") in message
        if before is not None:
            assert Path(path).read_bytes() == before, "the file must not be changed"
        assert sorted(str(p) for p in tmp_path.rglob("*")) == listing_before, "nothing may be created"


def test_a_journal_locked_by_another_program_fails_fast_naming_it(tmp_path: Path) -> None:
    """Another program keeps a write transaction open: opening fails within about a second with
    the path, instead of waiting SQLite's long busy timeout."""
    from byof.errors import JournalError

    path = tmp_path / "journal.db"
    Journal(path).start("run", "a0", "agent")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys, time; c = sqlite3.connect(sys.argv[1], isolation_level=None); "
            "c.execute('BEGIN EXCLUSIVE'); print('locked', flush=True); time.sleep(120)",
            str(path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(JournalError, match="is locked by another program") as info:
            Journal(path).start("run", "a1", "agent")
        assert str(path) in str(info.value)
    finally:
        holder.kill()
        holder.wait()


def test_a_new_journal_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "private" / "journal.db")
    journal.start("run", "a0", "agent")
    journal.put("run", "a0", step("tool", "k", 0, b"secret tool result"))
    files = sorted(tmp_path.glob("private/journal.db*"))
    assert [f.name for f in files] == ["journal.db", "journal.db-shm", "journal.db-wal"]
    assert {f.name: stat.S_IMODE(f.stat().st_mode) for f in files} == dict.fromkeys(
        (f.name for f in files), 0o600
    )


def test_listing_opens_read_only_and_never_creates_a_journal(tmp_path: Path) -> None:
    missing = tmp_path / "nothing-here.db"
    with pytest.raises(JournalError):
        Journal(missing, readonly=True).runs()
    assert not list(tmp_path.iterdir())
