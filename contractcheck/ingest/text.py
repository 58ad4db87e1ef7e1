"""Plain text and Markdown: decode, then one block per paragraph line."""

from __future__ import annotations

import html
import re

from ..errors import LoadError
from ..model import Block
from ..numbering import parse_number
from .base import Extracted, Limits

_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_RULE = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$")
_MD_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else cp1252, else latin-1."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise LoadError(f"corrupt UTF-16 text ({exc.reason})", code="corrupt") from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def read(data: bytes, limits: Limits) -> Extracted:
    text = decode(data)
    lines = [ln.rstrip() for ln in text.splitlines()]
    wrap = _wrap_width(lines)
    blocks: list[Block] = []
    para: list[str] = []

    def flush() -> None:
        if para:
            blocks.append(Block(text=_join_wrapped(para)))
            para.clear()

    for raw in lines:
        line = raw.strip()
        if not line or _MD_RULE.match(line) or _MD_TABLE_SEP.match(line):
            flush()
            continue
        m = _MD_HEADING.match(line)
        if m:
            flush()
            blocks.append(Block(text=_strip_md(m.group(2)), kind="heading", level=len(m.group(1))))
            continue
        if line.startswith("|") and line.endswith("|"):
            flush()
            cells = [_strip_md(c.strip()) for c in line.strip("|").split("|")]
            blocks.append(Block(text=" | ".join(c for c in cells if c), kind="table"))
            continue
        if _MD_TOC_ENTRY.match(line):
            flush()
            continue
        line = _strip_md(line)
        if para and not _continues(para[-1], line, wrap):
            flush()
        para.append(line)
    flush()
    return Extracted(blocks=blocks)


def _wrap_width(lines: list[str]) -> int:
    """The width a hard-wrapped file was wrapped at (0 when lines are not wrapped)."""
    lengths = sorted(len(ln) for ln in lines if ln.strip())
    if len(lengths) < 5:
        return 0
    width = lengths[int(len(lengths) * 0.9)]
    return width if width <= 120 else 0


def _continues(prev: str, line: str, wrap: int) -> bool:
    """Whether `line` continues the paragraph `prev` ended: hard wrap, not a new clause."""
    if not wrap or _MD_LIST_ITEM.match(line) and not line[:1].isdigit():
        return False
    if prev.endswith("-") and line[:1].islower():
        return True
    if prev.endswith((".", ":", ";", "?", "!")):
        return False
    long_prev = len(prev) >= 0.6 * wrap
    number = parse_number(line)
    if number is None:
        return long_prev or line[:1].islower()
    if number.style == "paren":
        return long_prev
    # Mid-sentence, only a number followed by a capitalised word opens a clause ("Part 15 do not apply").
    return not number.rest[:1].isupper() and bool(number.rest)


def _join_wrapped(lines: list[str]) -> str:
    out = lines[0]
    for line in lines[1:]:
        if out.endswith("-") and len(out) > 1 and out[-2].isalpha() and line[:1].islower():
            out = out[:-1] + line
        else:
            out = f"{out} {line}"
    return out


_MD_LIST_ITEM = re.compile(r"^(?:[-*+]\s+|\d{1,3}[.)]\s+|\(?[a-z]{1,3}\)\s+)")
_MD_EMPH = re.compile(r"(\*\*|__)(.+?)\1")
_MD_LIST = re.compile(r"^(?:[-*+]\s+|>\s*)")


_HTML_TAG = re.compile(r"</?[A-Za-z][^<>]{0,200}>")
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)\s]*\)")
# A table-of-contents line: nothing but a link to an anchor in the same file.
_MD_TOC_ENTRY = re.compile(r"^(?:[-*+]\s+)?\[[^\]]+\]\(#[^)]*\)\s*$")


def _strip_md(line: str) -> str:
    """Drop Markdown emphasis, bullets and inline HTML so clause numbers sit at the start."""
    line = _MD_LIST.sub("", _HTML_TAG.sub("", line))
    line = html.unescape(_MD_LINK.sub(r"\1", line)).removesuffix("\\").rstrip()
    return _MD_EMPH.sub(r"\2", line)
