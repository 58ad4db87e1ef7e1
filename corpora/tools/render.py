"""Render a written corpus document from its plain-text source into DOCX or PDF.

Written documents are drafted as text so that their wording can be reviewed; the corpus needs
them in the formats buyers receive, so this turns the same text into a Word file (real heading
styles, tables, headers and footers) or a PDF (running header, "Page N of M" / "Sida N av M"
footer, wrapped paragraphs, ruled tables). The rendered file is the corpus document.

Source markup, one block per paragraph (blank line between blocks):
  # Title               -> title / heading 1
  ## Heading            -> heading 2
  - item                -> bullet list item (one per line, consecutive lines form the list)
  a | b | c             -> table row (consecutive lines form one table; the first row is the header)
  ---                   -> page break
  anything else         -> body paragraph; single newlines inside a block are joined by a space

Usage: python corpora/tools/render.py SOURCE.txt OUT.docx|OUT.pdf [--header TEXT] [--lang en|sv]
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Block:
    kind: str  # title | heading | para | bullets | table | pagebreak
    lines: list[str]


def parse(text: str) -> list[Block]:
    """Split the source into blocks; tables and bullet lists keep their lines."""
    blocks: list[Block] = []
    for raw in text.replace("\r\n", "\n").split("\n\n"):
        lines = [line.rstrip() for line in raw.strip("\n").split("\n") if line.strip()]
        if not lines:
            continue
        first = lines[0].lstrip()
        if first == "---" and len(lines) == 1:
            blocks.append(Block("pagebreak", []))
        elif first.startswith("## "):
            blocks.append(Block("heading", [first[3:].strip()]))
            if len(lines) > 1:
                blocks.append(Block("para", [" ".join(s.strip() for s in lines[1:])]))
        elif first.startswith("# "):
            blocks.append(Block("title", [first[2:].strip()]))
            if len(lines) > 1:
                blocks.append(Block("para", [" ".join(s.strip() for s in lines[1:])]))
        elif all(line.lstrip().startswith("- ") for line in lines):
            blocks.append(Block("bullets", [line.lstrip()[2:].strip() for line in lines]))
        elif all(" | " in line for line in lines):
            blocks.append(Block("table", lines))
        else:
            blocks.append(Block("para", [" ".join(s.strip() for s in lines)]))
    return blocks


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split(" | ")]


def to_docx(blocks: list[Block], out: Path, header: str, lang: str) -> None:
    from docx import Document
    from docx.shared import Pt

    doc = Document()
    doc.styles["Normal"].font.name = "Calibri"
    doc.styles["Normal"].font.size = Pt(11)
    section = doc.sections[0]
    if header:
        section.header.paragraphs[0].text = header
    section.footer.paragraphs[0].text = "Konfidentiellt" if lang == "sv" else "Confidential"
    for block in blocks:
        if block.kind == "title":
            doc.add_heading(block.lines[0], level=1)
        elif block.kind == "heading":
            doc.add_heading(block.lines[0], level=2)
        elif block.kind == "para":
            doc.add_paragraph(block.lines[0])
        elif block.kind == "bullets":
            for item in block.lines:
                doc.add_paragraph(item, style="List Bullet")
        elif block.kind == "table":
            rows = [_cells(line) for line in block.lines]
            width = max(len(r) for r in rows)
            table = doc.add_table(rows=len(rows), cols=width)
            table.style = "Table Grid"
            for i, row in enumerate(rows):
                for j, cell in enumerate(row):
                    table.cell(i, j).text = cell
        elif block.kind == "pagebreak":
            doc.add_page_break()
    doc.save(str(out))


def to_pdf(blocks: list[Block], out: Path, header: str, lang: str) -> None:
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    body = styles["BodyText"]

    def flowables() -> list:
        """A fresh story per build: reportlab consumes and splits flowables while laying out."""
        story: list = []
        for block in blocks:
            if block.kind == "title":
                story.append(Paragraph(escape(block.lines[0]), styles["Heading1"]))
            elif block.kind == "heading":
                story.append(Paragraph(escape(block.lines[0]), styles["Heading2"]))
            elif block.kind == "para":
                story.append(Paragraph(escape(block.lines[0]), body))
            elif block.kind == "bullets":
                for item in block.lines:
                    story.append(Paragraph(escape(item), body, bulletText="•"))
            elif block.kind == "table":
                rows = [[Paragraph(escape(c), body) for c in _cells(line)] for line in block.lines]
                table = Table(rows, repeatRows=1)
                table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black)]))
                story.append(table)
                story.append(Spacer(1, 4 * mm))
            elif block.kind == "pagebreak":
                story.append(PageBreak())
        return story

    word = ("Sida", "av") if lang == "sv" else ("Page", "of")

    class _Doc(SimpleDocTemplate):
        total = 0

        def afterPage(self) -> None:  # noqa: N802 - reportlab hook name
            c = self.canv
            c.saveState()
            c.setFont("Helvetica", 8)
            if header:
                c.drawString(20 * mm, A4[1] - 12 * mm, header)
            n = c.getPageNumber()
            label = f"{word[0]} {n} {word[1]} {self.total}" if self.total else f"{word[0]} {n}"
            c.drawRightString(A4[0] - 20 * mm, 10 * mm, label)
            c.restoreState()

    # Two passes so that the footer can say "of M".
    first = _Doc(str(out), pagesize=A4, topMargin=20 * mm, bottomMargin=20 * mm)
    first.build(flowables())
    total = first.page
    final = _Doc(str(out), pagesize=A4, topMargin=20 * mm, bottomMargin=20 * mm)
    final.total = total
    final.build(flowables())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("source", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--header", default="")
    ap.add_argument("--lang", choices=["en", "sv"], default="en")
    args = ap.parse_args(argv)
    blocks = parse(args.source.read_text(encoding="utf-8"))
    suffix = args.out.suffix.lower()
    if suffix == ".docx":
        to_docx(blocks, args.out, args.header, args.lang)
    elif suffix == ".pdf":
        to_pdf(blocks, args.out, args.header, args.lang)
    else:
        print(f"{args.out}: output must end in .docx or .pdf", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
