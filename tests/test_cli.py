"""The command line as a user runs it: real processes, exit codes, stderr, atomic output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import heavy_imports
from conftest import run_cli as run

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_SV = ROOT / "corpora" / "samples" / "ramavtal-stadtjanster.txt"


def test_extract_text_output() -> None:
    res = run("extract", str(SAMPLE_SV))
    assert res.returncode == 0, res.stderr
    assert "(text, sv, " in res.stdout
    assert "Bilaga 1 punkt 3" in res.stdout
    assert "[non-operative]" in res.stdout  # "1 Bakgrund och syfte"


def test_extract_json_contract(tmp_path: Path) -> None:
    bad = tmp_path / "empty.docx"
    bad.write_bytes(b"")
    res = run("extract", "--format", "json", str(SAMPLE_SV), str(bad))
    assert res.returncode == 2
    data = json.loads(res.stdout)
    assert data["schema_version"] == 1
    good, failed = data["documents"]
    assert set(good) >= {
        "path",
        "sha256",
        "format",
        "pages",
        "language",
        "text",
        "warnings",
        "error",
        "clauses",
    }
    assert good["error"] is None and good["pages"] is None and good["format"] == "text"
    clause_keys = {
        "id",
        "number",
        "ref",
        "heading",
        "text",
        "page_start",
        "page_end",
        "start",
        "end",
        "parent",
        "operative",
    }
    for c in good["clauses"]:
        assert set(c) == clause_keys
        assert good["text"][c["start"] : c["end"]] == c["text"]
    assert failed["error"] == {"code": "empty", "message": "empty file"}
    assert failed["clauses"] == []
    # one line on stderr, naming the file, no traceback
    lines = res.stderr.strip().splitlines()
    assert lines == [f"contractcheck: error: {bad}: empty file (empty)"]


def test_bad_inputs_do_not_stop_the_batch(tmp_path: Path) -> None:
    (tmp_path / "garbage.pdf").write_bytes(bytes(range(256)) * 10)
    (tmp_path / "a dir").mkdir()
    res = run(
        "extract",
        str(tmp_path / "garbage.pdf"),
        str(tmp_path / "missing.docx"),
        str(tmp_path / "a dir"),
        str(SAMPLE_SV),
    )
    assert res.returncode == 2
    assert "Traceback" not in res.stderr
    errors = res.stderr.strip().splitlines()
    assert len(errors) == 3
    assert "garbage.pdf: unsupported format" in errors[0]
    assert "missing.docx: no such file (not_found)" in errors[1]
    assert "a dir: is a directory" in errors[2]
    assert "Bilaga 1 punkt 3" in res.stdout  # the good file is still reported


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "x.pdf"
    bad.write_bytes(b"{\\rtf1 hi}")
    res = run("extract", "--debug", str(bad))
    assert res.returncode == 2
    assert "Traceback" in res.stderr


def test_output_file_is_written_atomically_and_replaces_the_old(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    out.write_text("old")
    res = run("extract", "--format", "json", "-o", str(out), str(SAMPLE_SV))
    assert res.returncode == 0
    assert json.loads(out.read_text())["documents"][0]["language"] == "sv"
    assert res.stdout == ""
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]  # no temporary files left


def test_unwritable_output_is_a_clear_error(tmp_path: Path) -> None:
    res = run("extract", "-o", str(tmp_path / "no" / "such" / "dir.txt"), str(SAMPLE_SV))
    assert res.returncode == 2
    assert res.stderr.startswith("contractcheck: error: ")
    assert "Traceback" not in res.stderr


def test_usage_error_exits_2() -> None:
    res = run("extract", "--format", "yaml", str(SAMPLE_SV))
    assert res.returncode == 2
    res = run("extract")
    assert res.returncode == 2


@pytest.mark.parametrize(
    "args", [["--help"], ["extract", "--help"], ["audit", "--help"], ["report", "--help"]]
)
def test_help_does_not_import_heavy_libraries(args: list[str]) -> None:
    status, imported, _, _ = heavy_imports(args)
    assert status == 0 and imported == []
