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

import numpy
import regex
import spacy
from rapidfuzz import fuzz, process
from spacy.attrs import IDX, LENGTH, LOWER
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

_SEP = "\x1f"
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
    term: str = ""  # the rule's term (or pattern) that matched, so "website"/"websites" count once


@dataclass
class _PrefixTerm:
    key: str
    words: tuple[tuple[str, bool], ...]  # (text, is_prefix)
    term: str = ""


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
    _prefix_cache: dict[int, list[_PrefixTerm]] = field(default_factory=dict)  # word hash -> terms
    _fuzzy_cache: dict[int, list[str]] = field(default_factory=dict)  # word hash -> keys

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
                pt = _PrefixTerm(key, words, term)
                first, is_prefix = words[0]
                if is_prefix:
                    matcher.prefix_first.append((first, pt))
                else:
                    matcher.exact_first.setdefault(first, []).append(pt)
            for t in fixed:  # one match id per term: "key\x1fterm"
                matcher.phrase.add(f"{key}{_SEP}{t}", [nlp.make_doc(t)])
            if key in fuzzy:
                single = [(w, p) for t in items if len(ws := t.split()) == 1 for w, p in [_one(ws[0])]]
                matcher.fuzzy_words[key] = [(w, p, fuzzy[key]) for w, p in single if len(w) >= 6]
        for key, items in patterns.items():
            matcher.patterns[key] = [regex.compile(p, regex.IGNORECASE | regex.V0) for p in items]
        return matcher

    def find(self, doc: Doc, fuzzy: dict[int, list[str]] | None = None, text: str | None = None) -> list[Hit]:
        """All hits in one clause doc: phrases, prefix terms, patterns, and `fuzzy` words.

        `fuzzy` maps a lower-case word's hash to the keys it approximately matches (see
        `fuzzy_map`); computing it once per document keeps rapidfuzz off the per-clause path.
        """
        text = doc.text if text is None else text  # Doc.text re-joins every token: pass it when known
        strings = self.nlp.vocab.strings
        hits: list[Hit] = []
        arr = doc.to_array([LOWER, IDX, LENGTH]).tolist()
        for match_id, start, end in self.phrase(doc):
            a, b = arr[start][1], arr[end - 1][1] + arr[end - 1][2]
            key, _, term = strings[match_id].partition(_SEP)
            hits.append(Hit(key, a, b, text[a:b], term=term))
        lowers = [row[0] for row in arr]
        cache = self._prefix_cache
        for i, h in enumerate(lowers):
            cands = cache.get(h)
            if cands is None:
                cands = self._candidates(strings[h])
                cache[h] = cands
            for pt in cands:
                end = _match_from(pt.words, lowers, i, strings)
                if end:
                    a, b = arr[i][1], arr[end - 1][1] + arr[end - 1][2]
                    hits.append(Hit(pt.key, a, b, text[a:b], term=pt.term))
            if fuzzy and h in fuzzy:
                a, b = arr[i][1], arr[i][1] + arr[i][2]
                hits += [Hit(key, a, b, text[a:b], fuzzy=True) for key in fuzzy[h]]
        for key, compiled in self.patterns.items():
            for pattern in compiled:
                try:
                    for m in pattern.finditer(text, timeout=REGEX_TIMEOUT):
                        if m.end() > m.start():
                            hits.append(Hit(key, m.start(), m.end(), m.group(), term=pattern.pattern))
                except TimeoutError:
                    continue
        return hits

    def fuzzy_map(self, docs: Iterable[Doc]) -> dict[int, list[str]]:
        """Words of these docs within a rule's similarity threshold of a topic word (typos, OCR noise)."""
        if not self.fuzzy_words:
            return {}
        strings = self.nlp.vocab.strings
        arrays = [doc.to_array(LOWER) for doc in docs]
        hashes = numpy.unique(numpy.concatenate(arrays)).tolist() if arrays else []
        out: dict[int, list[str]] = {}
        todo = []
        for h in hashes:
            if h in self._fuzzy_cache:
                if self._fuzzy_cache[h]:
                    out[h] = self._fuzzy_cache[h]
                continue
            word = strings[h]
            if len(word) >= 6 and word.isalpha():
                todo.append((h, word))
            else:
                self._fuzzy_cache[h] = []
        if todo:
            choices = [w for _, w in todo]
            found: dict[int, list[str]] = defaultdict(list)
            for key, entries in self.fuzzy_words.items():
                for word, is_prefix, cutoff in entries:
                    cut = [c[: len(word)] for c in choices] if is_prefix else choices
                    matches = process.extract_iter(word, cut, scorer=fuzz.ratio, score_cutoff=cutoff)
                    for _, score, idx in matches:
                        if score < 100:
                            found[todo[idx][0]].append(key)
            for h, _ in todo:
                self._fuzzy_cache[h] = sorted(set(found.get(h, [])))
                if self._fuzzy_cache[h]:
                    out[h] = self._fuzzy_cache[h]
        return out

    def _candidates(self, low: str) -> list[_PrefixTerm]:
        exact = list(self.exact_first.get(low, ()))
        return exact + [pt for first, pt in self.prefix_first if low.startswith(first)]


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


def _match_from(words: tuple[tuple[str, bool], ...], lowers: list[int], i: int, strings) -> int:
    """End token index if the term's words match from token i, else 0."""
    j = i
    for word, is_prefix in words:
        if j >= len(lowers):
            return 0
        low = strings[lowers[j]]
        if not (low.startswith(word) if is_prefix else low == word):
            return 0
        j += 1
    return j
