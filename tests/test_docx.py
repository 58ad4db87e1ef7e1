"""The DOCX reader, on real files built at test time (and one LibreOffice export checked in)."""

from __future__ import annotations

import importlib
import importlib.util
import zipfile
from pathlib import Path

import pytest

from contractcheck.errors import LoadError
from contractcheck.ingest import Limits, load
from contractcheck.ingest.docx import read as read_docx
from contractcheck.model import Document

_HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("docx_fixtures", _HERE / "fixtures" / "docx_fixtures.py")
assert _spec is not None and _spec.loader is not None
fx = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fx)

STATIC = _HERE / "fixtures" / "static"


@pytest.fixture(scope="session")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return fx.build_all(tmp_path_factory.mktemp("docx"))


@pytest.fixture(scope="session")
def numbered(files: dict[str, Path]) -> Document:
    return load(files["numbered"], segment=False)


@pytest.fixture(scope="session")
def tracked(files: dict[str, Path]) -> Document:
    return load(files["tracked"], segment=False)


def _block(doc: Document, text: str):
    matches = [b for b in doc.blocks if b.text == text]
    assert len(matches) == 1, f"{text!r} found {len(matches)} times in {[b.text for b in doc.blocks]}"
    return matches[0]


# --------------------------------------------------------------------------- (a) numbering, headings, tables


def test_numbers_come_from_numbering_xml_only(files: dict[str, Path]) -> None:
    with zipfile.ZipFile(files["numbered"]) as zf:
        body = zf.read("word/document.xml").decode()
    assert "Avtalets omfattning" in body
    assert "1.1" not in body and "(a)" not in body  # so the labels below are reconstructed


def test_automatic_numbering_labels(numbered: Document) -> None:
    labels = [b.number for b in numbered.blocks if b.number]
    assert labels == fx.NUMBERED_LABELS
    assert numbered.format == "docx"


def test_labels_are_not_prepended_to_text(numbered: Document) -> None:
    for b in numbered.blocks:
        if b.number:
            assert not b.text.startswith(b.number)
    assert "1.1" not in numbered.text


def test_lower_levels_restart_after_a_new_top_level_item(numbered: Document) -> None:
    assert _block(numbered, "Mänskliga rättigheter").number == "2."
    assert _block(numbered, "Uppförandekod").number == "2.1"
    assert _block(numbered, "Barnarbete och tvångsarbete får inte förekomma i något led.").number == "(b)"
    first_under_2 = next(b for b in numbered.blocks if b.text.startswith("Leverantören ska säkerställa"))
    assert first_under_2.number == "(a)"
    assert _block(numbered, "Ersättning utgår enligt tabellen nedan.").number == "3.1"


def test_headings_and_levels(numbered: Document) -> None:
    h1 = _block(numbered, "Avtalets omfattning")
    assert (h1.kind, h1.level, h1.number) == ("heading", 1, "1.")
    h2 = _block(numbered, "Uppförandekod")
    assert (h2.kind, h2.level) == ("heading", 2)
    item = _block(numbered, "Avtalet omfattar konsulttjänster inom IT-området.")
    assert (item.kind, item.level, item.number) == ("paragraph", 1, "1.1")
    sub = _block(numbered, "fackmässigt och med god kvalitet;")
    assert (sub.kind, sub.level, sub.number) == ("paragraph", 2, "(a)")
    title = _block(numbered, "Ramavtal för IT-konsulttjänster")
    assert (title.kind, title.number) == ("paragraph", None)


def test_bullets_carry_no_number(numbered: Document) -> None:
    assert _block(numbered, "ILO:s kärnkonventioner").number is None
    assert _block(numbered, "Arbetsmiljölagen (1977:1160)").number is None


def test_table_rows(numbered: Document) -> None:
    rows = [b.text for b in numbered.blocks if b.kind == "table"]
    assert rows == [
        "Tjänst | Pris",
        "Projektledare | 1 200 kr/timme",
        "Konsult | 950 kr/timme",
        fx.TABLE_MERGED,
    ]  # the merged cell is not repeated


def test_headers_and_footers_kept_apart(numbered: Document) -> None:
    assert fx.HEADER_TEXT in numbered.headers
    assert fx.FOOTER_TEXT in numbered.headers  # PAGE/NUMPAGES fields read from their results
    assert "Ramavtal – Dnr" not in numbered.text
    assert "Sida 1" not in numbered.text
    assert all(b.kind != "heading" or "Sida" not in b.text for b in numbered.blocks)


def test_swedish_text_and_no_pages(numbered: Document) -> None:
    assert "Leverantören ska säkerställa att mänskliga rättigheter respekteras" in numbered.text
    assert "Arbetsmiljölagen" in numbered.text and "förordningar" in numbered.text
    assert numbered.pages is None
    assert all(b.page is None for b in numbered.blocks)
    for b in numbered.blocks:
        assert numbered.text[b.start : b.end] == b.text


# --------------------------------------------------------------------------- (b) tracked changes & co.


def test_tracked_changes_read_as_accepted(tracked: Document) -> None:
    assert "Leverantören ska betala vite inom 30 dagar efter anmodan." in tracked.text
    assert "omedelbart" not in tracked.text
    assert "Här stod tidigare ingenting." in tracked.text  # moveFrom dropped
    assert "Här står nu en flyttad mening." in tracked.text  # moveTo kept
    assert tracked.text.count(fx.MOVED) == 1


def test_deleted_paragraph_marks(tracked: Document) -> None:
    assert "Första delen andra delen." in tracked.text
    assert "Helt struket stycke" not in tracked.text
    assert "Efter det strukna stycket." in tracked.text


def test_fields_and_special_characters(tracked: Document) -> None:
    assert "Se avsnitt 4.2 på sidan 7." in tracked.text
    assert "REF" not in tracked.text and "PAGEREF" not in tracked.text
    assert "Arbetsmiljö EU-direktiv" in tracked.text  # soft hyphen dropped, tab, no-break hyphen
    assert "ny rad" in tracked.text


def test_content_controls_and_style_headings(tracked: Document) -> None:
    assert "Text i innehållskontroll." in tracked.text
    custom = _block(tracked, "Särskilda villkor")  # a style based on Heading 1
    assert (custom.kind, custom.level) == ("heading", 1)
    rubrik = _block(tracked, "Miljökrav")  # a style named "Rubrik 2"
    assert (rubrik.kind, rubrik.level) == ("heading", 2)


def test_number_formats_legal_numbering_and_restart(tracked: Document) -> None:
    got = {t: _block(tracked, t).number for t in ["ett", "två", "två-i", "två-ii", "lagstil", "omstart"]}
    assert got == {
        "ett": "1)",
        "två": "2)",
        "två-i": "i)",
        "två-ii": "ii)",
        "lagstil": "2.2.1",
        "omstart": "1)",
    }
    assert _block(tracked, "punkt").number is None


def test_hyperlinks_inline_controls_and_text_boxes(tracked: Document) -> None:
    assert "Läs villkoren noga." in tracked.text
    assert tracked.text.count(fx.TEXT_BOX) == 1  # the VML fallback copy is not read twice
    after = tracked.blocks.index(_block(tracked, "Stycke med textruta."))
    assert tracked.blocks[after + 1].text == fx.TEXT_BOX


def test_merged_and_nested_tables(tracked: Document) -> None:
    rows = [b.text for b in tracked.blocks if b.kind == "table"]
    assert rows == ["a | b", "c | d", "e", "z | x | y"]


# --------------------------------------------------------------------------- (c) footnotes


def test_footnotes_follow_the_body_in_reference_order(files: dict[str, Path]) -> None:
    doc = load(files["footnotes"], segment=False)
    notes = [b for b in doc.blocks if b.kind == "footnote"]
    assert [b.text for b in notes] == [f"[1] {fx.FOOTNOTES['2']}", f"[2] {fx.FOOTNOTES['1']}"]
    assert doc.blocks[-2:] == notes
    assert doc.blocks[0].text == "Leverantören ska följa ILO:s kärnkonventioner."


# --------------------------------------------------------------------------- (d) bad inputs


@pytest.mark.parametrize(
    ("name", "codes"),
    [
        ("not_zip", {"unsupported_format"}),
        ("fake_zip", {"corrupt"}),
        ("truncated", {"corrupt"}),
        ("malformed", {"corrupt"}),
        ("no_document", {"corrupt", "unsupported_format"}),
        ("zip_bomb", {"too_large"}),
        ("lying", {"corrupt", "too_large"}),
        ("xxe", {"unsafe_xml"}),
        ("xxe_utf16", {"unsafe_xml"}),
        ("laughs", {"unsafe_xml"}),
        ("xxe_header", {"unsafe_xml"}),
    ],
)
def test_bad_inputs_are_refused(files: dict[str, Path], name: str, codes: set[str]) -> None:
    with pytest.raises(LoadError) as info:
        load(files[name], segment=False)
    assert info.value.code in codes, info.value.message


def test_missing_document_part_is_corrupt_to_the_reader(files: dict[str, Path]) -> None:
    with pytest.raises(LoadError) as info:
        read_docx(files["no_document"].read_bytes(), Limits())
    assert info.value.code == "corrupt"


def test_zip_bomb_is_refused_from_the_zip_directory(files: dict[str, Path]) -> None:
    path = files["zip_bomb"]
    assert path.stat().st_size < 2 * 1024 * 1024
    with zipfile.ZipFile(path) as zf:
        assert zf.getinfo("word/document.xml").file_size >= 300 * 1024 * 1024
    data = path.read_bytes()
    # Each rule alone refuses it, before a byte is inflated: part size, total size, ratio.
    huge = 2**40
    for limits, hint in (
        (Limits(max_docx_total_bytes=huge, max_docx_ratio=huge), "part word/document.xml is too large"),
        (Limits(max_docx_part_bytes=huge, max_docx_ratio=huge), "parts are too large"),
        (Limits(max_docx_part_bytes=huge, max_docx_total_bytes=huge), "zip bomb"),
    ):
        with pytest.raises(LoadError) as info:
            read_docx(data, limits)
        assert info.value.code == "too_large"
        assert hint in info.value.message


def test_understated_sizes_are_not_trusted(files: dict[str, Path]) -> None:
    with zipfile.ZipFile(files["lying"]) as zf:
        assert zf.getinfo("word/document.xml").file_size == 900
    with pytest.raises(LoadError) as info:
        read_docx(files["lying"].read_bytes(), Limits())
    assert info.value.code in ("corrupt", "too_large")


def test_external_entity_is_never_resolved(files: dict[str, Path]) -> None:
    with pytest.raises(LoadError) as info:
        load(files["xxe"], segment=False)
    err = info.value
    assert err.code == "unsafe_xml"
    assert err.message == "DOCX contains an XML DOCTYPE/entity declaration; refused for safety"
    passwd = Path("/etc/passwd")
    lines = [ln for ln in passwd.read_text().splitlines() if ln.strip()] if passwd.exists() else []
    for line in [*lines, "root:x:0:0"]:
        assert line not in str(err) and line not in err.one_line()


# --------------------------------------------------------------------------- LibreOffice export


def _pdf_reader_ready() -> bool:
    try:
        importlib.import_module("contractcheck.ingest.pdf")
    except Exception:
        return False
    return True


def test_static_docx_matches_fixture() -> None:
    doc = load(STATIC / "lo_export_numbered.docx", segment=False)
    assert [b.number for b in doc.blocks if b.number] == fx.NUMBERED_LABELS


@pytest.mark.skipif(not _pdf_reader_ready(), reason="contractcheck.ingest.pdf is not importable yet")
def test_libreoffice_pdf_shows_the_automatic_numbers() -> None:
    doc = load(STATIC / "lo_export_numbered.pdf", segment=False)
    assert doc.format == "pdf"
    texts = [b.text for b in doc.blocks]
    i = 0
    for label in fx.NUMBERED_LABELS:  # every label, in order, at the start of a block
        while i < len(texts) and not texts[i].startswith(label + " "):
            i += 1
        assert i < len(texts), f"no block starts with {label!r} (in order): {texts}"
        i += 1
    assert fx.HEADER_TEXT not in doc.text
    assert "Sida 1 av 3" not in doc.text and "Sida 2 av 3" not in doc.text
