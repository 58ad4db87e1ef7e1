"""What every format reader returns, and the limits that keep hostile files harmless."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model import Block, Notice


@dataclass(frozen=True)
class Limits:
    """Documented ceilings. A file past one is refused with `too_large`, never half-read.

    The DOCX ceilings are checked against the sizes declared in the zip directory and again
    while inflating, so a zip bomb is refused before it costs memory.
    """

    max_file_bytes: int = 512 * 1024 * 1024
    max_docx_part_bytes: int = 64 * 1024 * 1024  # one XML part, uncompressed
    max_docx_total_bytes: int = 256 * 1024 * 1024  # all parts we read, uncompressed
    max_docx_ratio: int = 200  # uncompressed / compressed, for parts over 1 MiB
    max_pages: int = 20_000
    # Not a ceiling but a budget: processes that read a long PDF's pages at once (the second half
    # in a forked copy of this process); 1 reads in this process only, as an audit worker does.
    pdf_readers: int = 2


@dataclass
class Extracted:
    """A format reader's result: body blocks in reading order, plus what sits outside the body."""

    blocks: list[Block]
    pages: int | None = None
    headers: list[str] = field(default_factory=list)
    warnings: list[Notice] = field(default_factory=list)
