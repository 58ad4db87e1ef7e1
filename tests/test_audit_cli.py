"""`contractcheck audit` and `report` end to end: real PDF/DOCX/text files, a real SQLite store,
the real command line in a fresh interpreter."""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import subprocess
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import HEAVY, fixture_module, heavy_imports, run_cli

from contractcheck.rulepack import load_ruleset

audit_archive = fixture_module("audit_archive")


def rel(archive: Path, path: str) -> str:
    return Path(path).relative_to(archive).as_posix()


def schema() -> dict[str, Any]:
    return json.loads(resources.files("contractcheck").joinpath("schemas/report.schema.json").read_text())


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("audit")
    audit_archive.pin_rules(root).rename(root / "rules")
    return audit_archive.build_archive(root / "archive")


RULES = ["--no-default-rules", "--rules", "rules"]  # a frozen copy of the built-in pack, beside the archive


@pytest.fixture(scope="module")
def first(archive: Path) -> dict[str, Any]:
    """One audit of the mixed archive, as JSON."""
    work = archive.parent
    res = run_cli(
        "audit", *RULES, "--jobs", "2", "--format", "json", "-o", "out.json", str(archive), cwd=work
    )
    return {
        "proc": res,
        "db": work / "contractcheck-audit.sqlite",
        "report": json.loads((work / "out.json").read_text(encoding="utf-8")),
        "work": work,
    }


def test_audit_reports_good_files_as_check_does_and_every_bad_file(archive: Path, first: dict) -> None:
    res, report = first["proc"], first["report"]
    assert res.returncode == 2, res.stderr  # some documents could not be read
    assert "Traceback" not in res.stderr
    assert "\r" not in res.stderr and "ETA" not in res.stderr  # no progress bar into a pipe
    jsonschema.validate(report, schema())
    docs = {rel(archive, d["path"]): d for d in report["documents"]}
    assert set(docs) == set(audit_archive.GOOD) | set(audit_archive.BAD)
    for name, code in audit_archive.BAD.items():
        assert docs[name]["error"]["code"] == code
        assert docs[name]["findings"] == []
        lines = [line for line in res.stderr.splitlines() if str(archive / name) in line]
        assert len(lines) == 1 and lines[0].endswith(f"({code})"), lines
    good = [str(archive / g) for g in audit_archive.GOOD]
    checked = run_cli("check", *RULES, "--format", "json", "--fail-on", "never", *good, cwd=archive.parent)
    assert checked.returncode == 0, checked.stderr
    for expected in json.loads(checked.stdout)["documents"]:
        got = docs[rel(archive, expected["path"])]
        for key in ("sha256", "format", "language", "pages", "error", "warnings", "findings"):
            assert got[key] == expected[key], (expected["path"], key)
    skipped = {rel(archive, s["path"]): s["reason"] for s in report["summary"]["skipped_files"]}
    assert set(skipped) == {*audit_archive.SKIPPED, "good/loop"}
    assert "symbolic link loop" in skipped["good/loop"]
    summary = report["summary"]
    assert (summary["documents"], summary["unreadable"]) == (10, 5)
    for r in summary["requirements"]:
        assert r["met"] + r["weak"] + r["missing"] + r["not_applicable"] == summary["readable"]


def test_identical_files_are_checked_once_and_listed_per_path(first: dict) -> None:
    conn = sqlite3.connect(first["db"])
    rows = conn.execute(
        "SELECT d.path, d.result_id FROM documents d WHERE d.path LIKE '%ramavtal%' ORDER BY d.path"
    ).fetchall()
    results = conn.execute("SELECT count(*) FROM results").fetchone()[0]
    per_path = conn.execute("SELECT count(*) FROM document_findings WHERE path LIKE '%ramavtal%'").fetchone()
    conn.close()
    assert len(rows) == 2 and rows[0][1] == rows[1][1]
    assert results == 9  # 10 documents, two of them the same bytes
    assert per_path[0] == 2 * len(load_ruleset([]).rules)  # one row per document × requirement
    assert "audit: 9 checked now" in first["proc"].stderr


def test_unchanged_archive_is_not_checked_again_and_loads_no_parser(archive: Path, first: dict) -> None:
    no_parser = tuple(m for m in HEAVY if m != "sqlite3")  # the store is read, of course
    status, imported, stdout, stderr = heavy_imports(
        ["audit", *RULES, "--format", "jsonl", str(archive)], no_parser, cwd=first["work"]
    )
    assert imported == [], stderr
    assert status == 2
    assert "audit: 0 checked now, 10 unchanged" in stderr
    for name in audit_archive.BAD:  # stored errors are listed again: they are why the exit code is 2
        assert stderr.count(str(archive / name)) == 1
    streamed = sorted(stdout.splitlines())
    again = run_cli("report", "--format", "jsonl", cwd=first["work"])
    assert again.returncode == 2
    assert streamed == sorted(again.stdout.splitlines())
    conn = sqlite3.connect(first["db"])
    assert conn.execute("SELECT count(*) FROM results").fetchone()[0] == 9
    conn.close()


def test_report_regenerates_json_csv_jsonl_and_text(archive: Path, first: dict) -> None:
    work = first["work"]
    res = run_cli("report", "--format", "json", cwd=work)
    assert res.returncode == 2
    regenerated = json.loads(res.stdout)
    jsonschema.validate(regenerated, schema())
    assert regenerated["documents"] == first["report"]["documents"]
    assert regenerated["summary"] == first["report"]["summary"]

    res = run_cli("report", "--format", "jsonl", cwd=work)
    lines = res.stdout.splitlines()
    assert [json.loads(line) for line in lines] == first["report"]["documents"]
    for line in lines:  # each line is a §2.2 document object
        jsonschema.validate({**regenerated, "documents": [json.loads(line)]}, schema())

    res = run_cli("report", "--format", "csv", "-o", "out.csv", cwd=work)
    assert res.returncode == 2 and res.stdout == ""
    raw = (work / "out.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in raw and raw.count(b"\r\n") >= raw.count(b"\n") - raw.count(b'"')
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    docs = first["report"]["documents"]
    assert len(rows) == sum(len(d["findings"]) or 1 for d in docs)
    by_key = {(r["path"], r["requirement"]): r for r in rows}
    for d in docs:
        for f in d["findings"]:
            row = by_key[(d["path"], f["requirement"])]
            assert (row["status"], row["severity"]) == (f["status"], f["severity"])
            assert row["reasons"] == " ".join(r["code"] for r in f["reasons"])
        if d["error"]:
            assert by_key[(d["path"], "")]["error_code"] == d["error"]["code"]
    swedish = [r for r in rows if r["path"].endswith("ramavtal.txt")]
    assert any("ö" in r["remediation"] or "ä" in r["remediation"] for r in swedish)

    res = run_cli("report", cwd=work)
    assert "Could not be read (5)" in res.stdout
    for name in audit_archive.BAD:
        assert str(archive / name) in res.stdout
    assert "NONDISC" in res.stdout and "Most high-severity gaps" in res.stdout
    assert not [p for p in work.iterdir() if p.name.endswith(".tmp")]  # written atomically


def test_incremental_audit_follows_content_and_settings(tmp_path: Path) -> None:
    docs = audit_archive.build_text_archive(tmp_path / "arch", 3, copies=1)
    audit_archive.pin_rules(tmp_path).rename(tmp_path / "rules")
    args = ["audit", *RULES, "--jobs", "1", "--fail-on", "never", "--db", "s.sqlite"]

    def audit(*extra: str) -> subprocess.CompletedProcess[str]:
        res = run_cli(*args, "--format", "jsonl", *extra, "arch", cwd=tmp_path)
        assert res.returncode == 0, res.stderr
        return res

    first = audit()
    assert "audit: 3 checked now" in first.stderr
    streamed = sorted(first.stdout.splitlines())  # streamed as documents finished
    regenerated = run_cli("report", "--db", "s.sqlite", "--format", "jsonl", cwd=tmp_path)
    assert streamed == sorted(regenerated.stdout.splitlines())

    os.utime(docs[0], ns=(1, 1))  # new mtime, same bytes: re-hashed, not re-checked
    assert "audit: 0 checked now, 3 unchanged" in audit().stderr
    docs[1].write_text(docs[1].read_text() + "\nAn added clause.\n", encoding="utf-8")
    assert "audit: 1 checked now, 2 unchanged" in audit().stderr
    (tmp_path / "arch" / "copy.txt").write_bytes(docs[2].read_bytes())  # a duplicate costs nothing
    assert "audit: 0 checked now, 4 unchanged" in audit().stderr
    docs[0].unlink()  # a removed file leaves the store
    res = audit()
    assert "audit: 0 checked now, 3 unchanged" in res.stderr
    assert len(res.stdout.splitlines()) == 3

    only = audit("--only", "NONDISC")  # other settings: a new result per distinct content
    assert "audit: 2 checked now" in only.stderr
    assert {f["requirement"] for line in only.stdout.splitlines() for f in json.loads(line)["findings"]} == {
        "NONDISC"
    }
    assert "audit: 0 checked now" in audit().stderr  # back to the default settings: still stored


def test_exit_codes_and_usage_errors(tmp_path: Path) -> None:
    audit_archive.build_text_archive(tmp_path / "arch", 1, copies=1)
    common = ["audit", "--jobs", "1", "--db", "s.sqlite"]
    never = run_cli(*common, "--fail-on", "never", "arch", cwd=tmp_path)
    assert never.returncode == 0, never.stderr
    gaps = run_cli(*common, "arch", cwd=tmp_path)  # the generated contract has gaps
    assert gaps.returncode == 1
    assert run_cli("report", "--db", "s.sqlite", "--fail-on", "never", cwd=tmp_path).returncode == 0
    assert run_cli("report", "--db", "s.sqlite", cwd=tmp_path).returncode == 1
    missing = run_cli(*common, "--fail-on", "never", "arch", "nowhere", cwd=tmp_path)
    assert missing.returncode == 2
    assert "contractcheck: error: nowhere: no such file or folder (not_found)" in missing.stderr
    assert "Traceback" not in missing.stderr
    bad_id = run_cli(*common, "--only", "NOPE", "arch", cwd=tmp_path)
    assert bad_id.returncode == 2 and "unknown requirement id(s): NOPE" in bad_id.stderr
    (tmp_path / "notes.txt").write_text("not a database " * 200)
    bad_db = run_cli("audit", "--db", "notes.txt", "arch", cwd=tmp_path)
    assert bad_db.returncode == 2 and bad_db.stderr.count("\n") == 1 and "notes.txt" in bad_db.stderr
    no_db = run_cli("report", "--db", "absent.sqlite", cwd=tmp_path)
    assert no_db.returncode == 2 and "no audit store" in no_db.stderr
    assert not (tmp_path / "absent.sqlite").exists()


def test_output_inside_the_archive_is_not_audited(tmp_path: Path) -> None:
    audit_archive.build_text_archive(tmp_path / "arch", 1, copies=1)
    for _ in range(2):
        res = run_cli(
            "audit", "--jobs", "1", "--fail-on", "never", "--format", "csv", "-o", "arch/out.csv", "arch",
            cwd=tmp_path,
        )  # fmt: skip
        assert res.returncode == 0, res.stderr
    assert "1 read and checked" in run_cli("report", cwd=tmp_path).stdout
    assert (tmp_path / "arch" / "out.csv").read_bytes().startswith(b"\xef\xbb\xbf")
