"""Plain text and Markdown: encodings, wrapping, Markdown structure."""

from __future__ import annotations

import pytest

from contractcheck.ingest import load

SV = "4.3 Leverantören får inte diskriminera på grund av kön, ålder eller etnisk tillhörighet – € 5.\n"


@pytest.mark.parametrize(
    "encoded",
    [
        SV.encode("utf-8"),
        b"\xef\xbb\xbf" + SV.encode("utf-8"),
        SV.encode("utf-16"),  # with BOM, native order
        b"\xfe\xff" + SV.encode("utf-16-be"),
        b"\xff\xfe" + SV.encode("utf-16-le"),
        SV.encode("cp1252"),
    ],
    ids=["utf8", "utf8-bom", "utf16", "utf16-be", "utf16-le", "cp1252"],
)
def test_encodings_are_detected(encoded: bytes) -> None:
    doc = load(encoded, name="x.txt")
    assert doc.format == "text"
    assert doc.text == SV.strip()
    assert doc.language == "sv"


def test_latin1_without_cp1252_only_bytes() -> None:
    doc = load("Leverantören ska betala lön enligt avtal. Ärende ö.".encode("latin-1"))
    assert "Leverantören" in doc.text and "Ärende ö" in doc.text


def test_hard_wrapped_paragraphs_are_joined_and_hyphens_repaired() -> None:
    body = (
        "1. Scope\n"
        "1.1 The Supplier shall ensure that no worker engaged in the performance of this\n"
        "Contract is subjected to forced labour, and shall keep records of all discrimi-\n"
        "nation complaints received from workers and from members of the public.\n"
        "1.2 The Supplier shall comply with the terms of Part 15 of the regulations\n"
        "Part 15 applies only to the extent that the Buyer so requires in writing here.\n"
        "\n"
        "2. Price\n"
        "2.1 Prices are fixed.\n"
    )
    doc = load(body.encode())
    texts = [b.text for b in doc.blocks]
    assert any("of this Contract is subjected" in t for t in texts)
    assert any("discrimination complaints" in t for t in texts)
    refs = [c.ref for c in doc.clauses]
    assert refs == ["1", "1.1", "1.2", "2", "2.1"]


def test_markdown_structure() -> None:
    md = (
        "# Framework Agreement\n\n"
        "## Table of contents\n\n"
        "- [1. Definitions](#1-definitions)\n\n"
        "## 1. Definitions\n\n"
        "**Supplier** means the party named above.\n\n"
        "| Role | Rate &amp; currency |\n|---|---|\n| Cleaner | 250 SEK |\n\n"
        '## 2. Obligations <span class="x">now</span>\n\n'
        "2.1 The Supplier shall not discriminate.\n"
    )
    doc = load(md.encode(), name="a.md")
    assert "Role | Rate & currency" in doc.text
    assert "Cleaner | 250 SEK" in doc.text
    assert "<span" not in doc.text and "**" not in doc.text
    assert "(#1-definitions)" not in doc.text  # table-of-contents links are not clauses
    numbered = [c for c in doc.clauses if c.number]
    assert [(c.ref, c.heading) for c in numbered] == [
        ("1", "Definitions"),
        ("2", "Obligations now"),
        ("2.1", None),
    ]
    assert numbered[2].parent == numbered[1].id


def test_offsets_index_the_normalised_text() -> None:
    doc = load("1. Title\u00a0here\r\n1.1 Shall\u00adnot ﬁle.\r\n".encode())
    assert "\r" not in doc.text and "\u00a0" not in doc.text and "\u00ad" not in doc.text
    assert "file" in doc.text
    for c in doc.clauses:
        assert doc.text[c.start : c.end] == c.text
