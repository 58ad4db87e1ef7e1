"""The audit's parts on their own: walking, sniffing, the settings hash, the store and its migrations."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from contractcheck.audit.outputs import _cells, render_csv, summarize
from contractcheck.audit.plan import make_plan, skip_reason
from contractcheck.audit.settings import CheckSettings, resolve, settings_hash
from contractcheck.audit.store import MIGRATIONS, Store, StoreError, schema_version
from contractcheck.audit.walk import walk
from contractcheck.config import Config
from contractcheck.errors import ContractcheckError
from contractcheck.rulepack import builtin_rules_dir


def test_walk_recurses_skips_hidden_and_never_loops(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "one.txt").write_text("x")
    (tmp_path / "a" / "b" / "two.txt").write_text("y")
    (tmp_path / "a" / ".secret").write_text("z")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text("z")
    os.symlink("..", tmp_path / "a" / "b" / "up")  # a loop back to a/
    os.symlink(tmp_path / "a", tmp_path / "again")  # a second link to an already walked folder
    os.symlink(tmp_path / "missing", tmp_path / "a" / "dangling")
    os.mkfifo(tmp_path / "a" / "pipe")
    found = walk([str(tmp_path)])
    assert sorted(Path(f.path).relative_to(tmp_path).as_posix() for f in found.files) == [
        "a/b/two.txt",
        "a/one.txt",
    ]
    reasons = {Path(s.path).relative_to(tmp_path).as_posix(): s.reason for s in found.skipped}
    assert reasons[".git"] == "hidden"
    assert reasons["a/.secret"] == "hidden"
    assert "already visited" in reasons["a/b/up"]
    assert "already visited" in reasons["again"]
    assert reasons["a/dangling"] == "broken symbolic link"
    assert "not a regular file" in reasons["a/pipe"]
    assert not found.problems


def test_walk_reports_missing_arguments_and_takes_named_files(tmp_path: Path) -> None:
    named = tmp_path / ".named.txt"
    named.write_text("x")
    found = walk([str(tmp_path / "nope"), str(named)])
    assert [(p.code, p.message) for p in found.problems] == [("not_found", "no such file or folder")]
    assert [f.path for f in found.files] == [str(named)]  # named explicitly: hidden or not, it is taken
    assert found.files[0].explicit


def test_walk_reports_a_folder_it_cannot_list(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root can list any folder")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0)
    try:
        found = walk([str(tmp_path)])
    finally:
        locked.chmod(0o755)
    assert [p.code for p in found.problems] == ["unreadable"]
    assert found.unlisted == [str(locked)]


@pytest.mark.parametrize(
    ("head", "skipped"),
    [
        (b"%PDF-1.7\n", False),
        (b"", False),  # empty: taken, reported as `empty` by the check
        ("Avtal om städtjänster\n".encode(), False),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, True),
        (b"{\\rtf1 hello}", True),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), True),
        (b"PK\x03\x04garbage", False),  # a damaged zip might be a DOCX: taken, reported as corrupt
    ],
)
def test_skip_reason_judges_by_content(tmp_path: Path, head: bytes, skipped: bool) -> None:
    path = tmp_path / "file.pdf"  # the name never matters
    path.write_bytes(head)
    assert (skip_reason(head, str(path)) is not None) == skipped


def test_settings_hash_covers_what_changes_results(tmp_path: Path) -> None:
    def h(**kw: object) -> str:
        return settings_hash(CheckSettings(**kw).describe())  # type: ignore[arg-type]

    base = h()
    assert h() == base
    assert h(only=["NONDISC"]) != base
    assert h(skip=["NONDISC"]) != base
    assert h(lang="sv") != base
    assert h(config=Config(severity={"NONDISC": "low"})) != base
    assert h(config=Config(lang="sv")) == h(lang="sv")  # the effective language counts
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "pack.yaml").write_text('name: extra\nversion: "1"\nlanguages: [en]\n')
    with_pack = h(packs=[str(pack)])
    assert with_pack != base
    (pack / "pack.yaml").write_text('name: extra\nversion: "2"\nlanguages: [en]\n')
    assert h(packs=[str(pack)]) != with_pack  # the packs' bytes, not their names
    assert CheckSettings().describe()["assumptions"] == {}  # --assume facts will fill this, nothing else
    assert resolve(CheckSettings()).hash == base  # what an audit uses


def test_unknown_requirement_ids_are_refused_without_parsing_twice(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "s.sqlite")
    resolve(CheckSettings(), store)  # fills the rule-id cache
    with pytest.raises(ContractcheckError, match="unknown requirement id"):
        resolve(CheckSettings(only=["NOPE"]), store)
    store.close()


def test_pack_digest_reads_the_builtin_pack() -> None:
    dirs = CheckSettings().pack_dirs()
    assert dirs == [builtin_rules_dir() / "human-rights"]


def test_store_is_wal_and_versioned(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite"
    Store.open(db).close()
    assert schema_version(db) == len(MIGRATIONS)
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    conn.close()
    assert {"documents", "results", "findings", "skipped", "runs", "document_findings"} <= tables


def test_store_migrates_an_older_schema_keeping_its_data(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite"
    store = Store.open(db)
    store.save_ruleset("d", [{"name": "p", "version": "1"}], ["X"])
    store.close()
    upgrade = "ALTER TABLE documents ADD COLUMN note TEXT;"
    store = Store.open(db, migrations=(*MIGRATIONS, upgrade))
    assert schema_version(db) == len(MIGRATIONS) + 1
    assert store.ruleset("d") == ([{"name": "p", "version": "1"}], ["X"])
    cols = [r[1] for r in store.conn.execute("PRAGMA table_info(documents)")]
    store.close()
    assert "note" in cols


def test_store_refuses_a_failed_migration_without_half_applying_it(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite"
    Store.open(db).close()
    broken = "ALTER TABLE documents ADD COLUMN note TEXT; THIS IS NOT SQL;"
    with pytest.raises(StoreError):
        Store.open(db, migrations=(*MIGRATIONS, broken))
    assert schema_version(db) == len(MIGRATIONS)
    conn = sqlite3.connect(db)
    cols = [r[1] for r in conn.execute("PRAGMA table_info(documents)")]
    conn.close()
    assert "note" not in cols


def test_store_refuses_newer_and_foreign_files(tmp_path: Path) -> None:
    newer = tmp_path / "newer.sqlite"
    Store.open(newer).close()
    conn = sqlite3.connect(newer)
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 5}")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="newer contractcheck"):
        Store.open(newer)
    foreign = tmp_path / "foreign.sqlite"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="not a contractcheck audit store"):
        Store.open(foreign)
    text = tmp_path / "notes.txt"
    text.write_text("hello " * 1000)
    with pytest.raises(StoreError):
        Store.open(text)
    with pytest.raises(StoreError, match="no audit store"):
        Store.open(tmp_path / "absent.sqlite", create=False)
    assert not (tmp_path / "absent.sqlite").exists()


def test_plan_reuses_by_stat_and_rehashes_a_changed_file(tmp_path: Path) -> None:
    doc = tmp_path / "a.txt"
    doc.write_text("The Supplier shall not discriminate.\n")
    store = Store.open(tmp_path / "s.sqlite")
    found = walk([str(tmp_path / "a.txt")])
    plan = make_plan(found, store.documents(), {})
    assert list(plan.todo) and plan.hashed == 1
    sha = next(iter(plan.todo))
    run = store.start_run(version="0", settings_hash="h", settings={}, rulepacks=[], engine="t", roots=[])
    result = {"path": "a.txt", "format": "text", "error": None, "warnings": [], "findings": []}
    store.save_result(run, sha256=sha, settings_hash="h", version="0", result=result, paths=found.files,
                      seconds=0.1)  # fmt: skip
    again = make_plan(walk([str(doc)]), store.documents(), store.cached_results("h", "0"))
    assert (again.hashed, again.unchanged, again.todo) == (0, 1, {})
    doc.write_text("The Supplier shall not discriminate!\n")  # same size, new content
    changed = make_plan(walk([str(doc)]), store.documents(), store.cached_results("h", "0"))
    assert changed.hashed == 1 and list(changed.todo) != [sha]
    store.close()


def test_csv_cells_never_run_as_formulas() -> None:
    assert _cells(["=1+1", "-3 - three", "+x", "@SUM(A1)", "plain", None, 4]) == [
        "'=1+1", "'-3 - three", "'+x", "'@SUM(A1)", "plain", "", "4",
    ]  # fmt: skip


def test_summary_counts_and_shares() -> None:
    def finding(req: str, status: str, severity: str = "high") -> dict:
        return {"requirement": req, "title": req, "status": status, "severity": severity}

    docs = [
        {"path": "a", "error": None, "findings": [finding("R1", "met"), finding("R2", "missing")]},
        {"path": "b", "error": None, "findings": [finding("R1", "weak"), finding("R2", "not_applicable")]},
        {"path": "c", "error": {"code": "corrupt", "message": "bad"}, "findings": []},
    ]
    s = summarize(docs, [{"path": "x.png", "reason": "binary"}])
    r1, r2 = s["requirements"]
    assert (r1["met"], r1["weak"], r1["applicable"], r1["met_share"]) == (1, 1, 2, 0.5)
    assert (r2["missing"], r2["not_applicable"], r2["met_share"]) == (1, 1, 0.0)
    assert [g["path"] for g in s["most_high_gaps"]] == ["a", "b"]
    assert s["unreadable_documents"] == [{"path": "c", "code": "corrupt", "message": "bad"}]
    assert (s["documents"], s["readable"], s["unreadable"], s["skipped"]) == (3, 2, 1, 1)
    assert render_csv(docs).startswith("\ufeffpath,")


def test_progress_bar_counts_and_eta_only_when_enabled() -> None:
    import io

    from contractcheck.audit.progress import Progress

    out = io.StringIO()
    bar = Progress(4, out, enabled=True, reused=10)
    bar.advance()
    bar.advance(error=True)
    line = bar.line()
    assert "2/4 checked" in line and "1 unreadable" in line and "10 unchanged" in line and "ETA" in line
    bar.clear()
    assert out.getvalue().startswith("\r[") and out.getvalue().endswith("\r\x1b[K")
    quiet = io.StringIO()
    off = Progress(4, quiet, enabled=False)
    off.advance()
    off.clear()
    assert quiet.getvalue() == ""
