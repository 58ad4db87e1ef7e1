"""The PDF reader on real PDFs built with reportlab at test time (no mocked parsers)."""

from __future__ import annotations

import importlib.util
import json
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from contractcheck.errors import LoadError
from contractcheck.ingest import load
from contractcheck.ingest.base import Limits
from contractcheck.ingest.pdf import _join_texts

_FIXTURES = Path(__file__).parent / "fixtures" / "pdf_fixtures.py"
_SPEC = importlib.util.spec_from_file_location("pdf_fixtures", _FIXTURES)
assert _SPEC and _SPEC.loader
pdf_fixtures = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(pdf_fixtures)


@pytest.fixture(scope="session")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return pdf_fixtures.build_all(tmp_path_factory.mktemp("pdfs"))


@pytest.fixture(scope="session")
def contract(pdfs):
    return load(pdfs["contract"], segment=False)


def test_contract_basics(contract):
    assert contract.format == "pdf"
    assert contract.pages >= 3
    assert "1. Definitions" in contract.text
    assert "(a) forced labour" in contract.text


def test_running_header_and_footer_removed(contract):
    assert pdf_fixtures.HEADER not in contract.text
    assert "Sida " not in contract.text
    assert pdf_fixtures.HEADER in contract.headers
    assert any(h.startswith("Sida ") for h in contract.headers)


def test_body_lines_that_recur_are_kept(contract):
    # The fixture repeats its clauses; every copy of a clause must survive header detection.
    assert contract.text.count("14.2 The Supplier shall ensure") == 1
    assert contract.text.count("recognised human rights") >= 20


def test_blocks_carry_pages(contract):
    pages = {b.page for b in contract.blocks}
    assert pages == set(range(1, contract.pages + 1))
    assert all(b.page_end is not None and b.page_end >= b.page for b in contract.blocks)
    first = next(b for b in contract.blocks if b.text.startswith("1.1 "))
    assert first.page == 1


def test_paragraphs_and_clause_starts(contract):
    texts = [b.text for b in contract.blocks]
    assert "1. Definitions" in texts
    assert any(t.startswith("1.2 The Supplier shall prevent") for t in texts)
    sub = next(t for t in texts if t.startswith("(a) forced labour"))
    assert sub.endswith("within thirty days.")  # the wrapped sub-clause is one block
    heading = next(b for b in contract.blocks if b.text == "2. Social and Labour Requirements")
    assert heading.kind == "heading"


def test_hyphenated_word_joined(contract):
    assert "discrimination in recruitment" in contract.text
    assert "discrimi-" not in contract.text
    assert "EU-directive" in contract.text


def test_table_rows(contract):
    rows = [b.text for b in contract.blocks if b.kind == "table"]
    assert "Service | Unit | Price SEK" in rows
    assert "Window cleaning | hour | 450" in rows
    # A grid drawn as a single path goes through pdfplumber.
    assert "Unpaid overtime | High | Time records" in rows
    # The table text is not also present as loose lines.
    assert "Window cleaning hour" not in contract.text


def test_table_in_place(contract):
    texts = [b.text for b in contract.blocks]
    intro = next(i for i, t in enumerate(texts) if t.startswith("2.4 The prices"))
    assert texts[intro + 1] == "Service | Unit | Price SEK"


def test_paragraph_across_page_break_merged(contract):
    spanning = [b for b in contract.blocks if b.page_end and b.page_end > b.page]
    for b in spanning:
        assert b.kind == "paragraph"
    # Every clause that starts somewhere is still one block (none split at a page break).
    starts = [b.text for b in contract.blocks if b.text[:1].islower()]
    assert starts == []


def test_two_columns_read_column_by_column(pdfs):
    doc = load(pdfs["two_column"], segment=False)
    text = doc.text
    title = text.index("Annex 3 - Code of Conduct")
    order = [text.index(m) for m in ("LEFTSTART", "LEFTEND", "RIGHTSTART", "RIGHTEND")]
    assert title < order[0] and order == sorted(order)
    left = next(b for b in doc.blocks if "LEFTSTART" in b.text)
    assert "LEFTEND" in left.text and "RIGHT" not in left.text


def test_swedish_text(pdfs):
    doc = load(pdfs["swedish"], segment=False)
    assert "1. Allmänna villkor" in doc.text
    assert "leverantören följer gällande kollektivavtal" in doc.text
    assert "Öppenhet och ärlighet är grundläggande" in doc.text
    assert "Sida 1 av 1" not in doc.text  # a lone page number, even on a one-page file


def test_partial_text_layer_warning(pdfs):
    doc = load(pdfs["partial_scan"], segment=False)
    assert doc.pages == 4
    notices = {w.code: w.message for w in doc.warnings}
    assert notices["partial_text_layer"] == "1 of 4 pages have no text layer"
    assert "requirement number 4" in doc.text
    assert {b.page for b in doc.blocks} == {1, 2, 4}


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("encrypted", "encrypted"),
        ("truncated", "corrupt"),
        ("corrupt", "corrupt"),
        ("scanned", "no_text_layer"),
    ],
)
def test_errors(pdfs, name, code):
    with pytest.raises(LoadError) as info:
        load(pdfs[name], segment=False)
    assert info.value.code == code
    assert "\n" not in info.value.one_line()


def test_encrypted_message(pdfs):
    with pytest.raises(LoadError, match="password-protected PDF; remove the password first"):
        load(pdfs["encrypted"], segment=False)


def test_too_many_pages(pdfs):
    with pytest.raises(LoadError) as info:
        load(pdfs["contract"], segment=False, limits=Limits(max_pages=2))
    assert info.value.code == "too_large"


@pytest.mark.parametrize("cut", [0.1, 0.5, 0.9, 0.99])
def test_truncated_anywhere_never_crashes(pdfs, cut):
    data = pdfs["contract"].read_bytes()
    try:
        doc = load(data[: int(len(data) * cut)], segment=False)
    except LoadError as exc:
        assert exc.code in ("corrupt", "no_text_layer")
    else:
        assert doc.pages >= 1


@pytest.mark.parametrize(
    ("parts", "joined"),
    [
        (["form of discrimi\x02", "nation in pay"], "form of discrimination in pay"),
        (["apply the EU-", "directive"], "apply the EU-directive"),
        (["att leveran-", "tören följer"], "att leverantören följer"),
        (["Nord-", "Europa"], "Nord-Europa"),
        (["leverantörs-", "och kundansvar"], "leverantörs- och kundansvar"),
        (["see clause", "4.2 below"], "see clause 4.2 below"),
        (["a dash –", "here"], "a dash – here"),
    ],
)
def test_join_texts(parts, joined):
    assert _join_texts(parts) == joined


def test_memory_stays_flat(tmp_path):
    # A long file must not grow memory per page (pages and text pages are closed as we go).
    path = pdf_fixtures.build_contract(tmp_path / "long.pdf", copies=60, path_table=False)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    doc = load(path, segment=False)
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert doc.pages > 60
    assert (after - before) / 1024 < 100  # KiB on Linux


@pytest.fixture(scope="module")
def long_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return pdf_fixtures.build_contract(
        tmp_path_factory.mktemp("long") / "long.pdf", copies=70, path_table=False
    )


def _same(a, b) -> None:
    assert a.pages == b.pages and a.text == b.text and a.headers == b.headers
    assert [(x.kind, x.page, x.start, x.end) for x in a.blocks] == [
        (x.kind, x.page, x.start, x.end) for x in b.blocks
    ]


def test_a_long_pdf_read_by_two_processes_is_read_exactly_as_by_one(long_pdf: Path) -> None:
    result = _fresh(long_pdf, "")
    assert result["pages"] >= 64  # long enough for the second reader
    assert result["forks"] == [0, 1]  # one reader alone, then the second half by a second process
    assert result["same"]


def test_no_second_reader_while_other_threads_run(long_pdf: Path) -> None:
    import os
    import threading

    forks: list[int] = []
    os.register_at_fork(after_in_parent=lambda: forks.append(1))
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        doc = load(long_pdf, limits=Limits(pdf_readers=2))
    finally:
        stop.set()
        other.join()
    assert doc.pages >= 64 and not forks


def _fresh(long_pdf: Path, patch: str) -> dict:
    """Load `long_pdf` with one reader, then two, in a fresh interpreter (a test session has threads,
    which rightly turn the second reader off), `_read_page` first replaced by `patch`."""
    code = f"""
import json, os
import contractcheck.ingest.pdf as reader
from contractcheck.errors import LoadError
from contractcheck.ingest import load
from contractcheck.ingest.base import Limits
real, parent = reader._read_page, os.getpid()
{patch}
forks = []
os.register_at_fork(after_in_parent=lambda: forks.append(1))
one = load({str(long_pdf)!r}, limits=Limits(pdf_readers=1))
after_one = len(forks)
blocks = lambda d: [(b.kind, b.page, b.start, b.end, b.text) for b in d.blocks]
try:
    two = load({str(long_pdf)!r}, limits=Limits(pdf_readers=2))
    same = (one.text == two.text and one.pages == two.pages and blocks(one) == blocks(two)
        and one.headers == two.headers and [c.id for c in one.clauses] == [c.id for c in two.clauses])
    print(json.dumps({{"pages": one.pages, "forks": [after_one, len(forks)], "same": same}}))
except LoadError as exc:
    print(json.dumps({{"forks": [after_one, len(forks)], "error": [exc.code, exc.message]}}))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_a_bad_page_in_the_second_half_is_reported_as_from_one_reader(long_pdf: Path) -> None:
    result = _fresh(
        long_pdf,
        """
def failing(pdf, index):  # the forked reader inherits the replacement
    if index == 60 and os.getpid() != parent:
        raise LoadError(f"corrupt PDF: page {index + 1} cannot be read", code="corrupt")
    return real(pdf, index)
reader._read_page = failing
""",
    )
    assert result["forks"] == [0, 1]
    assert result["error"] == ["corrupt", "corrupt PDF: page 61 cannot be read"]


def test_a_second_reader_that_dies_leaves_its_pages_to_the_first(long_pdf: Path) -> None:
    result = _fresh(
        long_pdf,
        """
def dying(pdf, index):
    if os.getpid() != parent:
        os._exit(3)  # the forked reader vanishes without a word
    return real(pdf, index)
reader._read_page = dying
""",
    )
    assert result["forks"] == [0, 1] and result["same"]
