"""The data model shared by every stage: plain dataclasses, no behaviour beyond (de)serialisation."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Notice:
    """A warning or an error, in the `{code, message}` shape of the JSON contract."""

    code: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


@dataclass
class Block:
    """One unit of running text as the loader found it: a paragraph, a heading, a table row.

    `number` carries a clause number that the format kept outside the text (Word's automatic
    numbering); the segmenter treats it exactly like a number typed at the start of the text.
    `start`/`end` are filled in when the blocks are joined into `Document.text`.
    """

    text: str
    page: int | None = None
    kind: str = "paragraph"  # paragraph | heading | table | footnote
    number: str | None = None
    level: int | None = None  # outline level when the format states one (Word heading styles)
    page_end: int | None = None
    start: int = 0
    end: int = 0


@dataclass
class Clause:
    """A citable unit of the contract, as a lawyer would refer to it."""

    id: str
    number: str | None
    ref: str | None
    heading: str | None
    text: str
    page_start: int | None
    page_end: int | None
    start: int
    end: int
    parent: str | None
    operative: bool
    kind: str = "clause"  # clause | annex | preamble

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("kind")
        return d


@dataclass
class Document:
    """A contract as read: normalised text, the blocks it was built from, and what went wrong."""

    path: str | None
    sha256: str
    format: str  # pdf | docx | text
    text: str = ""
    pages: int | None = None
    language: str | None = None
    blocks: list[Block] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)  # header/footer text kept apart from the body
    warnings: list[Notice] = field(default_factory=list)
    clauses: list[Clause] = field(default_factory=list)

    def to_dict(self, *, include_text: bool = True) -> dict[str, Any]:
        d: dict[str, Any] = {
            "path": self.path,
            "sha256": self.sha256,
            "format": self.format,
            "pages": self.pages,
            "language": self.language,
            "warnings": [w.to_dict() for w in self.warnings],
            "error": None,
            "clauses": [c.to_dict() for c in self.clauses],
        }
        if include_text:
            d["text"] = self.text
        return d
