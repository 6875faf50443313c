"""The journal file itself: atomic records, WAL, concurrent writers in threads and processes."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from byof.journal import Journal, Step


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
    assert sorted(journal.prune(older_than_seconds=0.03)) == ["new", "old"]
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
        "import sys; from byof.journal import Journal, Step\n"
        "j = Journal(sys.argv[1])\n"
        "for i in range(100): j.put('run', sys.argv[2], Step('tool', f'k{i}', 'n', 'fp', 0, True, b'x', 1.0))\n"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", code, str(tmp_path / "j.db"), f"p{n}"]) for n in range(4)
    ]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0, 0]
    count = sqlite3.connect(tmp_path / "j.db").execute("SELECT count(*) FROM steps").fetchone()[0]
    assert count == 400
