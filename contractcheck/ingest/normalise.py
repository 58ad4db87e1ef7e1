"""One normal form for text from every format, so offsets mean the same thing everywhere."""

from __future__ import annotations

import re
import unicodedata

from ..model import Block

_LIGATURES = str.maketrans({"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"})
_DROP = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"), None)
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def normalise_line(text: str) -> str:
    """NFC, ligatures split, soft hyphens and zero-width marks dropped, white space folded."""
    text = unicodedata.normalize("NFC", text.translate(_LIGATURES).translate(_DROP))
    text = _CONTROLS.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = (_SPACES.sub(" ", ln).strip() for ln in text.split("\n"))
    return "\n".join(ln for ln in lines if ln)


def join_blocks(blocks: list[Block]) -> tuple[str, list[Block]]:
    """Normalise every block, drop empty ones, and join them with newlines, recording offsets."""
    parts: list[str] = []
    kept: list[Block] = []
    pos = 0
    for block in blocks:
        text = normalise_line(block.text)
        if not text:
            continue
        if block.number:
            block.number = normalise_line(block.number)
        block.text = text
        block.start = pos
        block.end = pos + len(text)
        pos = block.end + 1
        parts.append(text)
        kept.append(block)
    return "\n".join(parts), kept
