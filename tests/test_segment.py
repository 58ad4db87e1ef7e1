"""The clause tree: numbering styles, references, headings, operative vs non-operative."""

from __future__ import annotations

from pathlib import Path

from contractcheck.ingest import load
from contractcheck.ingest.normalise import join_blocks
from contractcheck.model import Block, Clause, Document
from contractcheck.segment import segment


def _clauses(text: str) -> list[Clause]:
    return load(text.encode(), name="t.txt").clauses


def _by_ref(clauses: list[Clause]) -> dict[str, Clause]:
    return {c.ref: c for c in clauses if c.ref}


def test_decimal_letters_and_romans_nest() -> None:
    clauses = _clauses(
        "12. Obligations of the Supplier\n"
        "12.3 The Supplier shall:\n"
        "(a) comply with the law;\n"
        "(b) pay wages:\n"
        "(i) on time; and\n"
        "(ii) in full;\n"
        "(c) keep records.\n"
        "12.4 The Supplier shall report.\n"
        "13. Price\n"
        "Prices are fixed.\n"
    )
    by = _by_ref(clauses)
    assert set(by) >= {
        "12",
        "12.3",
        "12.3(a)",
        "12.3(b)",
        "12.3(b)(i)",
        "12.3(b)(ii)",
        "12.3(c)",
        "12.4",
        "13",
    }
    assert by["12.3(b)(ii)"].parent == by["12.3(b)"].id
    assert by["12.3(c)"].parent == by["12.3"].id
    assert by["12.4"].parent == by["12"].id
    assert by["13"].parent is None
    assert by["12"].heading == "Obligations of the Supplier"
    assert by["13"].text == "13. Price\nPrices are fixed."
    assert by["12.3(b)"].number == "(b)"


def test_letter_i_after_h_is_a_letter_not_a_roman() -> None:
    letters = "".join(f"({c}) item {c};\n" for c in "abcdefghij")
    by = _by_ref(_clauses("5.1 The Supplier shall:\n" + letters))
    assert by["5.1(i)"].parent == by["5.1"].id
    assert by["5.1(j)"].parent == by["5.1"].id


def test_swedish_styles_and_annex_references() -> None:
    clauses = _clauses(
        "§ 1 Parter\n"
        "Avtalet gäller mellan kommunen och leverantören.\n"
        "§ 2 Leverantörens åtaganden\n"
        "Leverantören ska betala lön enligt kollektivavtal.\n"
        "Punkt 4.2 Vite\n"
        "Vite utgår med 5 000 kronor.\n"
        "Bilaga 2 Uppförandekod för leverantörer\n"
        "1. Leverantören ska följa ILO:s kärnkonventioner.\n"
        "2. Leverantören ska tillåta revision.\n"
        "4 § Tvist\n"
        "Tvist avgörs av allmän domstol.\n"
    )
    by = _by_ref(clauses)
    assert by["§ 2"].heading == "Leverantörens åtaganden"
    assert by["Punkt 4.2"].heading == "Vite"
    annex = by["Bilaga 2"]
    assert annex.parent is None and annex.heading == "Uppförandekod för leverantörer"
    assert by["Bilaga 2 punkt 2"].parent == annex.id
    assert by["Bilaga 2 punkt 4 §"].parent == annex.id


def test_english_articles_with_numbered_paragraphs_and_schedules() -> None:
    by = _by_ref(
        _clauses(
            "Article 5 - Non-discrimination\n"
            "1. The Contractor shall not discriminate.\n"
            "2. The Contractor shall impose the same duties on subcontractors.\n"
            "Article 6 - Audit\n"
            "The Authority may audit.\n"
            "Schedule 3: Code of Conduct\n"
            "1. Suppliers shall respect human rights.\n"
        )
    )
    assert by["Article 5"].heading == "Non-discrimination"
    assert by["Article 5(2)"].parent == by["Article 5"].id
    assert by["Article 6"].parent is None
    assert by["Schedule 3, paragraph 1"].parent == by["Schedule 3"].id


def test_numbered_list_restarting_inside_a_clause_stays_inside() -> None:
    by = _by_ref(
        _clauses(
            "1. Definitions\n"
            "1.1 Terms.\n"
            "2. Deliverables\n"
            "2.1 The Supplier shall deliver the following:\n"
            "1. a report;\n"
            "2. a plan.\n"
            "3. Price\n"
        )
    )
    assert by["2.1(1)"].parent == by["2.1"].id
    assert by["2.1(2)"].parent == by["2.1"].id
    assert by["3"].parent is None


def test_false_number_starts_are_not_clauses() -> None:
    clauses = _clauses(
        "1. Term\n"
        "The Agreement runs for\n"
        "30 days after signature.\n"
        "2024 prices apply.\n"
        "1.500 kr is the fee.\n"
    )
    assert [c.ref for c in clauses if c.number] == ["1"]


def test_recitals_are_non_operative_until_the_operative_words() -> None:
    clauses = _clauses(
        "SERVICES AGREEMENT\n"
        "WHEREAS the Authority wishes to promote human rights in its supply chains;\n"
        "WHEREAS the Supplier is committed to fair labour practices;\n"
        "NOW, THEREFORE, the parties agree as follows:\n"
        "1. Labour standards\n"
        "1.1 The Supplier shall pay at least the minimum wage.\n"
    )
    recital = next(c for c in clauses if c.text.startswith("WHEREAS"))
    assert recital.operative is False
    assert "fair labour practices" in recital.text
    by = _by_ref(clauses)
    assert by["1.1"].operative is True


def test_background_headings_make_their_subtree_non_operative() -> None:
    by = _by_ref(
        _clauses(
            "1. Bakgrund\n"
            "1.1 Kommunen eftersträvar likabehandling.\n"
            "2. Syfte\n"
            "3. Leverantörens åtaganden\n"
            "3.1 Leverantören får inte diskriminera.\n"
        )
    )
    assert by["1"].operative is False and by["1.1"].operative is False
    assert by["2"].operative is False
    assert by["3.1"].operative is True


def test_word_automatic_numbers_and_pages_come_from_blocks() -> None:
    blocks = [
        Block("Allmänna villkor", kind="heading", level=1, page=1),
        Block("Definitioner", kind="heading", level=2, number="1.", page=1),
        Block("Med leverantör avses den som tecknar avtalet.", number="1.1", level=1, page=1),
        Block("leverantören ska", number="a)", level=2, page=2),
        Block("och i övrigt", number="b.", level=2, page=2, page_end=3),
        Block("Namn | Roll", kind="table", page=3),
        Block("[1] Se lagen (2016:1145).", kind="footnote", page=3),
    ]
    text, kept = join_blocks(blocks)
    doc = Document(path=None, sha256="", format="pdf", text=text, blocks=kept, language="sv")
    by = _by_ref(segment(doc))
    assert by["1"].heading == "Definitioner"
    assert by["1.1"].parent == by["1"].id
    assert by["1.1(a)"].page_start == 2
    assert by["1.1(b)"].page_end == 3 and "Namn | Roll" in by["1.1(b)"].text
    footnotes = next(c for c in doc.clauses or segment(doc) if c.heading == "Footnotes")
    assert "2016:1145" in footnotes.text


def test_every_clause_has_a_unique_id_and_its_offsets_match_its_text() -> None:
    doc = load(Path("corpora/samples/ramavtal-stadtjanster.txt").read_bytes())
    ids = [c.id for c in doc.clauses]
    assert len(ids) == len(set(ids))
    known = set(ids)
    for c in doc.clauses:
        assert doc.text[c.start : c.end] == c.text
        assert c.parent is None or c.parent in known
    assert _by_ref(doc.clauses)["Bilaga 1 punkt 3"].text.startswith("3. Normal arbetstid")
