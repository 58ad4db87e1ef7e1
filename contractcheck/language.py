"""Tell English from Swedish by their commonest function words: cheap, and good on contracts."""

from __future__ import annotations

import re

_WORD = re.compile(r"[a-zåäöéü]+")
_EN = frozenset(
    [
        "the",
        "of",
        "and",
        "to",
        "in",
        "is",
        "that",
        "for",
        "be",
        "shall",
        "by",
        "with",
        "as",
        "on",
        "or",
        "this",
        "any",
        "not",
        "are",
        "such",
        "which",
        "from",
        "its",
        "will",
        "under",
        "all",
        "contract",
        "supplier",
        "agreement",
        "party",
        "parties",
    ]
)
_SV = frozenset(
    [
        "och",
        "att",
        "det",
        "som",
        "för",
        "på",
        "är",
        "av",
        "med",
        "till",
        "den",
        "har",
        "inte",
        "ett",
        "ska",
        "skall",
        "enligt",
        "eller",
        "vid",
        "om",
        "från",
        "avtal",
        "leverantören",
        "beställaren",
        "part",
        "parterna",
        "detta",
        "denna",
        "samt",
    ]
)


def detect_language(text: str, *, sample_chars: int = 200_000) -> str:
    """Return 'sv' or 'en' (the default when the text gives no sign)."""
    en = sv = 0
    for word in _WORD.findall(text[:sample_chars].lower()):
        if word in _SV:
            sv += 1
        elif word in _EN:
            en += 1
    return "sv" if sv > en else "en"
