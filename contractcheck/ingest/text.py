"""Plain text and Markdown: decode, then one block per paragraph line."""

from __future__ import annotations

import re

from ..errors import LoadError
from ..model import Block
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
    blocks: list[Block] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or _MD_RULE.match(line) or _MD_TABLE_SEP.match(line):
            continue
        m = _MD_HEADING.match(line)
        if m:
            blocks.append(Block(text=_strip_md(m.group(2)), kind="heading", level=len(m.group(1))))
            continue
        if line.startswith("|") and line.endswith("|"):
            cells = [_strip_md(c.strip()) for c in line.strip("|").split("|")]
            blocks.append(Block(text=" | ".join(c for c in cells if c), kind="table"))
            continue
        blocks.append(Block(text=_strip_md(line)))
    return Extracted(blocks=blocks)


_MD_EMPH = re.compile(r"(\*\*|__)(.+?)\1")
_MD_LIST = re.compile(r"^(?:[-*+]\s+|>\s*)")


def _strip_md(line: str) -> str:
    """Drop Markdown emphasis and bullets so clause numbers sit at the start of the text."""
    line = _MD_LIST.sub("", line)
    return _MD_EMPH.sub(r"\2", line)
