"""An audit killed outright (SIGKILL) or stopped with Ctrl-C (SIGINT) and run again continues where
it stopped: nothing finished is redone, nothing is lost, no row is duplicated, no worker is left."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import fixture_module, run_cli

from contractcheck.rulepack import load_ruleset

audit_archive = fixture_module("audit_archive")
COUNT = 24
ARGS = [
    "audit",
    "--jobs",
    "1",
    "--fail-on",
    "never",
    "--db",
    "s.sqlite",
    "--no-default-rules",
    "--rules",
    "pinned",
    "arch",
]


def results(db: Path) -> dict[str, tuple[int, int, str]]:
    if not db.exists():
        return {}
    conn = sqlite3.connect(db, timeout=10)
    try:
        rows = conn.execute("SELECT sha256, id, run_id, checked_at FROM results").fetchall()
    except sqlite3.OperationalError:  # the schema is not there yet
        rows = []
    conn.close()
    return {sha: (rid, run, at) for sha, rid, run, at in rows}


def descendants_of(pid: int) -> list[int]:
    """Every process below `pid` (the checker zygote and the workers it forked)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
    found, frontier = [], [pid]
    while frontier:
        kids = [p for p, pp in parents.items() if pp in frontier]
        found += kids
        frontier = kids
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def start_and_stop(tmp_path: Path, sig: int) -> tuple[subprocess.Popen[str], dict, list[int]]:
    """Start an audit, let it store a few documents, then send `sig`."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "contractcheck.cli", *ARGS],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while len(results(tmp_path / "s.sqlite")) < 3:
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        assert time.monotonic() < deadline
        time.sleep(0.02)
    workers = descendants_of(proc.pid)
    proc.send_signal(sig)
    proc.wait(timeout=60)
    return proc, results(tmp_path / "s.sqlite"), workers


def assert_consistent(db: Path, rules: int) -> None:
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    orphans = conn.execute(
        "SELECT count(*) FROM documents d LEFT JOIN results r ON r.id = d.result_id "
        "WHERE d.error_code IS NULL AND r.id IS NULL"
    ).fetchone()[0]
    per_result = conn.execute(
        "SELECT DISTINCT (SELECT count(*) FROM findings f WHERE f.result_id = r.id) "
        "FROM results r WHERE r.status = 'ok'"
    ).fetchall()
    conn.close()
    assert orphans == 0
    assert per_result == [(rules,)]  # every stored result complete: all requirements or nothing


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=["kill-9", "ctrl-c"])
def test_stopped_audit_resumes_where_it_stopped(tmp_path: Path, sig: int) -> None:
    audit_archive.build_text_archive(tmp_path / "arch", COUNT, copies=3)
    pinned = audit_archive.pin_rules(tmp_path)
    pinned.rename(tmp_path / "pinned")
    rules = len(load_ruleset([str(tmp_path / "pinned")], default=False).rules)
    proc, before, workers = start_and_stop(tmp_path, sig)
    assert 3 <= len(before) < COUNT, "the audit finished before it could be stopped"
    if sig == signal.SIGINT:
        assert proc.returncode == 130
        assert "audit interrupted" in (proc.stderr.read() if proc.stderr else "")
    else:
        assert proc.returncode == -signal.SIGKILL
    deadline = time.monotonic() + 10
    while any(alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(workers) >= 2 and not any(alive(w) for w in workers), "a worker outlived its audit"
    assert_consistent(tmp_path / "s.sqlite", rules)

    res = run_cli(*ARGS, cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert f"audit: {COUNT - len(before)} checked now, {len(before)} unchanged" in res.stdout
    after = results(tmp_path / "s.sqlite")
    assert len(after) == COUNT
    for sha, row in before.items():  # finished before the stop: kept as it was, not redone
        assert after[sha] == row
    assert_consistent(tmp_path / "s.sqlite", rules)
    conn = sqlite3.connect(tmp_path / "s.sqlite")
    assert conn.execute("SELECT count(*) FROM documents").fetchone()[0] == COUNT
    assert conn.execute("SELECT count(*) FROM findings").fetchone()[0] == COUNT * rules
    statuses = [r[0] for r in conn.execute("SELECT status FROM runs ORDER BY id")]
    conn.close()
    assert statuses[-1] == "done"
    # a killed run cannot say more than "running"
    assert statuses[0] == ("interrupted" if sig == signal.SIGINT else "running")
