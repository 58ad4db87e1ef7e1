"""From real PDF and DOCX files to the clause tree, and every bad file through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_cli as _cli

from contractcheck.ingest import load

BAD = {
    # PDF
    ("pdf", "encrypted"): "encrypted",
    ("pdf", "truncated"): "corrupt",
    ("pdf", "corrupt"): "corrupt",
    ("pdf", "scanned"): "no_text_layer",
    # DOCX
    ("docx", "not_zip"): ("unsupported_format", "corrupt"),
    ("docx", "zip_bomb"): "too_large",
    ("docx", "lying"): ("too_large", "corrupt"),  # sizes that lie are caught as either
    ("docx", "xxe"): "unsafe_xml",
    ("docx", "laughs"): "unsafe_xml",
    ("docx", "xxe_header"): "unsafe_xml",
    ("docx", "no_document"): "unsupported_format",
    ("docx", "malformed"): "corrupt",
    ("docx", "truncated"): "corrupt",
}


def test_pdf_clause_tree_has_pages_and_no_running_headers(pdf_files: dict[str, Path]) -> None:
    doc = load(pdf_files["contract"])
    by_ref = {c.ref: c for c in doc.clauses if c.ref}
    assert {"1", "1.1", "1.2", "1.2(a)", "1.2(b)", "2", "2.1", "3"} <= set(by_ref)
    assert by_ref["1"].heading == "Definitions"
    assert by_ref["1.2(b)"].parent == by_ref["1.2"].id
    assert "discrimination in recruitment" in by_ref["1.2"].text
    assert all(c.page_start is not None and c.page_start >= 1 for c in doc.clauses)
    assert max(c.page_end for c in doc.clauses) == doc.pages
    for c in doc.clauses:
        assert "Sida " not in c.text and "Dnr 2024/123" not in c.text
        assert doc.text[c.start : c.end] == c.text


def test_docx_automatic_numbering_becomes_clause_refs(docx_files: dict[str, Path]) -> None:
    doc = load(docx_files["numbered"])
    numbered = [c for c in doc.clauses if c.number]
    refs = [c.ref for c in numbered]
    assert "1" in refs and "1.1" in refs
    assert any(r.startswith("1.1(") or r.startswith("1.2(") for r in refs)
    assert all(c.page_start is None and c.page_end is None for c in doc.clauses)
    assert not any("Sida 1 av 3" in c.text for c in doc.clauses)


@pytest.mark.parametrize("command", ["extract", "check"])
@pytest.mark.parametrize("kind,name", sorted(BAD))
def test_every_bad_file_gets_one_line_and_exit_2(
    kind: str, name: str, command: str, pdf_files: dict[str, Path], docx_files: dict[str, Path]
) -> None:
    path = (pdf_files if kind == "pdf" else docx_files)[name]
    before = path.read_bytes()
    res = _cli(command, "--format", "json", str(path))
    assert res.returncode == 2
    assert "Traceback" not in res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"contractcheck: error: {path}: ")
    error = json.loads(res.stdout)["documents"][0]["error"]
    expected = BAD[(kind, name)]
    assert error["code"] in ((expected,) if isinstance(expected, str) else expected), error
    assert path.read_bytes() == before


def test_partial_text_layer_is_a_warning_not_an_error(pdf_files: dict[str, Path]) -> None:
    res = _cli("extract", str(pdf_files["partial_scan"]))
    assert res.returncode == 0, res.stderr
    assert "pages have no text layer (partial_text_layer)" in res.stdout


def test_good_files_survive_bad_neighbours(pdf_files: dict[str, Path], docx_files: dict[str, Path]) -> None:
    res = _cli(
        "extract",
        "--format",
        "json",
        str(pdf_files["encrypted"]),
        str(pdf_files["contract"]),
        str(docx_files["zip_bomb"]),
        str(docx_files["numbered"]),
    )
    assert res.returncode == 2
    docs = json.loads(res.stdout)["documents"]
    assert [d["error"]["code"] if d["error"] else None for d in docs] == [
        "encrypted",
        None,
        "too_large",
        None,
    ]
    assert docs[1]["clauses"] and docs[3]["clauses"]
