"""Recognise clause numbers at the start of a line, in English and Swedish drafting styles."""

from __future__ import annotations

import re
from dataclasses import dataclass

_ROMAN = r"(?:x{0,3})(?:ix|iv|v?i{0,3})"

# Order matters: the first pattern that matches wins.
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    # Annex / Schedule / Appendix / Exhibit / Bilaga 2 — may carry a title after a dash or colon
    (
        "annex",
        re.compile(
            r"^(?P<word>annex|schedule|appendix|exhibit|attachment|bilaga|bilagor)\s+"
            r"(?P<num>\d{1,3}[a-z]?|[A-Z]{1,2}\b|" + _ROMAN.upper() + r"\b)(?P<sep>[.:)\-–—]?)\s*",
            re.IGNORECASE,
        ),
    ),
    # Article 5 / Artikel 5 / Clause 7 / Section 7 / Punkt 4.2 / Paragraf 3
    (
        "word",
        re.compile(
            r"^(?P<word>article|artikel|art\.|clause|section|sektion|punkt|paragraph|paragraf|kapitel|chapter|part|del)"
            r"\s+(?P<num>\d{1,3}(?:\.\d{1,3}){0,3}[a-z]?|[IVXLC]{1,6}\b)(?P<sep>[.:)\-–—]?)\s*",
            re.IGNORECASE,
        ),
    ),
    # § 4 / §4 / §§ 4
    ("section_sign", re.compile(r"^§{1,2}\s?(?P<num>\d{1,3}[a-z]?)(?P<sep>[.:)]?)\s*")),
    # 4 § (Swedish statute style)
    ("section_sign_after", re.compile(r"^(?P<num>\d{1,3}[a-z]?)\s?§(?P<sep>)\s*")),
    # 1 / 1. / 1.1 / 1.1.1 / 12.3.4. — decimal outline numbers
    ("decimal", re.compile(r"^(?P<num>\d{1,3}(?:\.\d{1,3}){0,5})(?P<sep>\.?\)?)(?=\s|$)\s*")),
    # (a) / a) / (i) / i) / (1) / 1)
    (
        "paren",
        # single letters, doubled letters "(aa)" and romans; never "(OA)" or "(EU)"
        re.compile(
            r"^(?P<open>\()?(?P<num>\d{1,2}|(?P<l>[a-zA-Z])(?P=l)?|" + _ROMAN + "|" + _ROMAN.upper() + r")"
            r"(?P<sep>\))(?:\s+|$)"
        ),
    ),
    # A. / B. (upper-case letter outline)
    ("letter", re.compile(r"^(?P<num>[A-Z])(?P<sep>\.)\s+(?=\S)")),
]


@dataclass(frozen=True)
class Number:
    """A clause number found at the start of a line."""

    style: str  # annex | word | section_sign | section_sign_after | decimal | paren | letter
    label: str  # as written, trimmed: "12.3", "(b)", "§ 4", "Bilaga 2"
    num: str  # the bare number: "12.3", "b", "4", "2"
    word: str | None  # "Article", "Bilaga", … for word/annex styles
    rest: str  # the text after the number
    had_sep: bool  # "1." or "1)" rather than a bare "1"


def parse_number(line: str) -> Number | None:
    """Return the clause number at the start of `line`, or None.

    Guards against the commonest false starts: years, amounts and dates ("2024 prices",
    "30 days"), since a bare integer needs a following capitalised word or a separator.
    """
    s = line.lstrip()
    for style, pattern in _PATTERNS:
        m = pattern.match(s)
        if not m:
            continue
        num = m.group("num")
        sep = m.group("sep") or ""
        rest = s[m.end() :]
        if style == "decimal" and not _plausible_decimal(num, sep, rest):
            continue
        if style == "paren" and not m.group("open") and not sep:
            continue
        if style == "section_sign_after" and rest[:1].isdigit():
            continue
        title = rest.strip().lstrip(".:-–—").strip()
        if (
            style == "word"
            and title
            and not (title[0].isupper() or title[0] in "\"“'‘(" and title[1:2].isupper())
        ):
            continue  # "Section 12 of the Act applies": a reference that wrapped to a line start
        if style == "annex" and re.match(r"\.\d", s[m.start("num") + len(num) :]):
            return None  # "EXHIBIT 10.17": a filing's exhibit index, not an annex of the contract
        word = m.groupdict().get("word")
        label = _label(style, num, word, m.group("open") if style == "paren" else None)
        return Number(style, label, num, word, title, bool(sep))
    return None


def _plausible_decimal(num: str, sep: str, rest: str) -> bool:
    parts = num.split(".")
    if int(parts[0]) == 0 or int(parts[0]) > 199:
        return False
    if any(len(p) > 2 for p in parts[1:]):
        return False  # "1.500" is an amount
    if rest[:1] in ("%", "-", "–", "/", ",", ":") or rest[:2] in ("kr", "SE", "EU"):
        return False
    if len(parts) == 1 and not sep:
        # A bare "3" opens a clause only when a heading-like capitalised word follows.
        return bool(rest) and rest[:1].isupper() and not _UNIT.match(rest)
    if not rest:
        return True
    return not _UNIT.match(rest)


_UNIT = re.compile(
    r"^(?:days?|weeks?|months?|years?|hours?|minutes?|dagar|dag|veckor|månader|år|timmar|procent|percent|"
    r"per\b|SEK|EUR|USD|kr\b|Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec|januari|februari|mars|april|maj|"
    r"juni|juli|augusti|september|oktober|november|december|p\.|pages?|sidor)",
    re.IGNORECASE,
)


def _label(style: str, num: str, word: str | None, opened: str | None) -> str:
    if style in ("annex", "word"):
        return f"{(word or '').capitalize()} {num}"
    if style == "section_sign":
        return f"§ {num}"
    if style == "section_sign_after":
        return f"{num} §"
    if style == "paren":
        return f"({num})"
    return num


def starts_clause(line: str) -> bool:
    """True when a line opens with something that numbers a clause."""
    return parse_number(line) is not None
