"""Analyse: spaCy pipelines and the term matcher that every rule is compiled into.

One blank pipeline per language (tokenizer + sentencizer): no trained model is needed or
downloaded. Terms are compiled once per Checker: fixed phrases into a spaCy PhraseMatcher on
lower-cased tokens, prefix terms ("discriminat*") into a lookup keyed by the token's text and
cached per distinct word, because spaCy's REGEX token patterns cost ~3.5 ms per pattern per
60 pages (perf-notes.md). Regex patterns run with a time limit, so a user's pattern cannot hang.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import regex
import spacy
from rapidfuzz import fuzz, process
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

REGEX_TIMEOUT = 0.25  # seconds per pattern per clause; a slower user pattern is reported, not waited on


def make_pipeline(lang: str) -> Language:
    """spacy.blank(lang) with a rule-based sentencizer; a trained pipeline is never required."""
    nlp = spacy.blank(lang)
    nlp.add_pipe("sentencizer")
    return nlp


@dataclass(frozen=True)
class Hit:
    """A term (or pattern) found in a clause: character offsets into the clause's text."""

    key: str
    start: int
    end: int
    text: str
    fuzzy: bool = False


@dataclass
class _PrefixTerm:
    key: str
    words: tuple[tuple[str, bool], ...]  # (text, is_prefix)


@dataclass
class TermMatcher:
    """Every term list of a rule set, compiled for one spaCy vocabulary."""

    nlp: Language
    phrase: PhraseMatcher
    exact_first: dict[str, list[_PrefixTerm]] = field(default_factory=dict)
    prefix_first: list[tuple[str, _PrefixTerm]] = field(default_factory=list)
    patterns: dict[str, list[regex.Pattern[str]]] = field(default_factory=dict)
    fuzzy_words: dict[str, list[tuple[str, bool, int]]] = field(
        default_factory=dict
    )  # key -> (word, prefix, cut)
    _prefix_cache: dict[str, list[_PrefixTerm]] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        nlp: Language,
        terms: dict[str, Iterable[str]],
        patterns: dict[str, Iterable[str]],
        fuzzy: dict[str, int],
    ) -> TermMatcher:
        """`terms`: key -> term strings; `patterns`: key -> regexes; `fuzzy`: key -> threshold."""
        matcher = cls(nlp, PhraseMatcher(nlp.vocab, attr="LOWER"))
        for key, items in terms.items():
            fixed = []
            for term in dict.fromkeys(" ".join(t.split()) for t in items):
                words = tuple((w.rstrip("*").lower(), w.endswith("*")) for w in _term_words(nlp, term))
                if not words or not words[0][0]:
                    continue
                if not any(p for _, p in words):
                    fixed.append(" ".join(w for w, _ in words))
                    continue
                pt = _PrefixTerm(key, words)
                first, is_prefix = words[0]
                if is_prefix:
                    matcher.prefix_first.append((first, pt))
                else:
                    matcher.exact_first.setdefault(first, []).append(pt)
            if fixed:
                matcher.phrase.add(key, [nlp.make_doc(t) for t in fixed])
            if key in fuzzy:
                single = [(w, p) for t in items if len(ws := t.split()) == 1 for w, p in [_one(ws[0])]]
                matcher.fuzzy_words[key] = [(w, p, fuzzy[key]) for w, p in single if len(w) >= 6]
        for key, items in patterns.items():
            matcher.patterns[key] = [regex.compile(p, regex.IGNORECASE | regex.V0) for p in items]
        return matcher

    def find(self, doc: Doc) -> list[Hit]:
        """All hits in one clause doc (phrases, prefix terms, patterns, fuzzy words)."""
        text = doc.text
        hits: list[Hit] = []
        for match_id, start, end in self.phrase(doc):
            span = doc[start:end]
            hits.append(Hit(self.nlp.vocab.strings[match_id], span.start_char, span.end_char, span.text))
        lowers = [t.lower_ for t in doc]
        for i, low in enumerate(lowers):
            for pt in self._candidates(low):
                end = _match_from(pt.words, lowers, i)
                if end:
                    hits.append(
                        Hit(
                            pt.key,
                            doc[i].idx,
                            doc[end - 1].idx + len(doc[end - 1]),
                            text[doc[i].idx : doc[end - 1].idx + len(doc[end - 1])],
                        )
                    )
        for key, compiled in self.patterns.items():
            for pattern in compiled:
                try:
                    for m in pattern.finditer(text, timeout=REGEX_TIMEOUT):
                        if m.end() > m.start():
                            hits.append(Hit(key, m.start(), m.end(), m.group()))
                except TimeoutError:
                    continue
        return hits

    def fuzzy_hits(self, doc: Doc, found: set[str], keys: set[str] | None = None) -> list[Hit]:
        """Words within the rule's similarity threshold of a topic word: typos and OCR noise."""
        hits: list[Hit] = []
        if not self.fuzzy_words:
            return hits
        words = {t.lower_ for t in doc if t.is_alpha and len(t) >= 6} - found
        if not words:
            return hits
        choices = sorted(words)
        matched: dict[str, list[str]] = defaultdict(list)
        for key, entries in self.fuzzy_words.items():
            if keys is not None and key not in keys:
                continue
            for word, is_prefix, cutoff in entries:
                cut = [c[: len(word)] if is_prefix else c for c in choices]
                for _, score, idx in process.extract_iter(word, cut, scorer=fuzz.ratio, score_cutoff=cutoff):
                    if score < 100 and not (is_prefix and choices[idx].startswith(word)):
                        matched[choices[idx]].append(key)
        for token in doc:
            for key in matched.get(token.lower_, ()):
                hits.append(Hit(key, token.idx, token.idx + len(token), token.text, fuzzy=True))
        return hits

    def _candidates(self, low: str) -> list[_PrefixTerm]:
        cached = self._prefix_cache.get(low)
        if cached is None:
            cached = list(self.exact_first.get(low, ()))
            cached += [pt for first, pt in self.prefix_first if low.startswith(first)]
            self._prefix_cache[low] = cached
        return cached


def _one(word: str) -> tuple[str, bool]:
    return word.rstrip("*").lower(), word.endswith("*")


def _term_words(nlp: Language, term: str) -> list[str]:
    """Split a term into tokens the way the tokenizer splits text, keeping the * markers."""
    out: list[str] = []
    for raw in term.split():
        star = raw.endswith("*")
        pieces = [t.text for t in nlp.make_doc(raw.rstrip("*"))]
        if star and pieces:
            pieces[-1] += "*"
        out += pieces
    return out


def _match_from(words: tuple[tuple[str, bool], ...], lowers: list[str], i: int) -> int:
    """End token index if the term's words match from token i, else 0."""
    j = i
    for word, is_prefix in words:
        if j >= len(lowers):
            return 0
        low = lowers[j]
        if not (low.startswith(word) if is_prefix else low == word):
            return 0
        j += 1
    return j
