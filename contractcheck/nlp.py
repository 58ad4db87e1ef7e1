"""Analyse: spaCy pipelines and the term matcher that every rule is compiled into.

One blank pipeline per language (tokenizer + sentencizer): no trained model is needed or
downloaded. Terms are compiled once per Checker: fixed phrases into a spaCy PhraseMatcher on
lower-cased tokens, prefix terms ("discriminat*") into a lookup keyed by the token's text and
cached per distinct word, because spaCy's REGEX token patterns cost ~3.5 ms per pattern per
60 pages (perf-notes.md). Regex patterns run with a time limit, so a user's pattern cannot hang.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from sys import intern  # the same matched word ('shall', 'ska') is one string, not thousands
from typing import NamedTuple

import numpy
import regex
import spacy
from rapidfuzz import fuzz, process
from spacy.attrs import IDX, LENGTH, LOWER
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from .literals import Condition, TextProbe, required_literals

REGEX_TIMEOUT = 0.25  # seconds per pattern per clause; a slower user pattern is reported, not waited on


def make_pipeline(lang: str) -> Language:
    """spacy.blank(lang) with a rule-based sentencizer; a trained pipeline is never required."""
    nlp = spacy.blank(lang)
    nlp.add_pipe("sentencizer")
    return nlp


class Hit(NamedTuple):
    """A term (or pattern) found in a clause: character offsets (into the document's text when the
    matcher was given the clause's start as `base`). A tuple: a dense contract yields 100,000s."""

    key: str
    start: int
    end: int
    text: str
    fuzzy: bool = False
    term: str = ""  # the rule's term (or pattern) that matched, so "website"/"websites" count once


_hit = tuple.__new__  # _hit(Hit, (all six fields)): a third of Hit(...)'s cost, for the hot loops


@dataclass
class _PrefixTerm:
    """A term with a `*` word; the same words under several keys are matched once."""

    words: tuple[tuple[str, bool], ...]  # (text, is_prefix)
    targets: list[tuple[str, str]] = field(default_factory=list)  # (key, term as written)


@dataclass(frozen=True)
class WordIndex:
    """Per document: the word hashes that begin a term or a fuzzy match, and the fuzzy keys."""

    wanted: frozenset[int]
    fuzzy: dict[int, list[str]]


@dataclass
class TermMatcher:
    """Every term list of a rule set, compiled for one spaCy vocabulary."""

    nlp: Language
    phrase: PhraseMatcher
    exact_first: dict[str, list[_PrefixTerm]] = field(default_factory=dict)
    prefix_first: dict[str, list[_PrefixTerm]] = field(default_factory=dict)  # "diskrimin" -> terms
    phrase_targets: dict[str, list[str]] = field(default_factory=dict)  # fixed phrase -> its keys
    patterns: dict[str, list[regex.Pattern[str]]] = field(default_factory=dict)
    needs: dict[regex.Pattern[str], tuple[Condition, ...]] = field(default_factory=dict)  # see literals
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
        by_words: dict[tuple[tuple[str, bool], ...], _PrefixTerm] = {}
        for key, items in terms.items():
            fixed = []
            for term in dict.fromkeys(" ".join(t.split()) for t in items):
                words = tuple((w.rstrip("*").lower(), w.endswith("*")) for w in _term_words(nlp, term))
                if not words or not words[0][0]:
                    continue
                if not any(p for _, p in words):
                    fixed.append(" ".join(w for w, _ in words))
                    continue
                pt = by_words.get(words)
                if pt is None:
                    pt = by_words[words] = _PrefixTerm(words)
                    first, is_prefix = words[0]
                    index = matcher.prefix_first if is_prefix else matcher.exact_first
                    index.setdefault(first, []).append(pt)
                pt.targets.append((key, term))
            for t in fixed:  # one match id per distinct phrase, with every key that lists it
                if t not in matcher.phrase_targets:
                    matcher.phrase_targets[t] = []
                    matcher.phrase.add(t, [nlp.make_doc(t)])
                matcher.phrase_targets[t].append(key)
            if key in fuzzy:
                single = [(w, p) for t in items if len(ws := t.split()) == 1 for w, p in [_one(ws[0])]]
                matcher.fuzzy_words[key] = [(w, p, fuzzy[key]) for w, p in single if len(w) >= 6]
        for key, items in patterns.items():
            matcher.patterns[key] = [regex.compile(p, regex.IGNORECASE | regex.V0) for p in items]
            for compiled in matcher.patterns[key]:
                matcher.needs[compiled] = required_literals(compiled.pattern)
        return matcher

    def live_patterns(self, text: str) -> dict[str, list[regex.Pattern[str]]]:
        """The patterns that can match somewhere in `text`: those whose required words it holds."""
        probe = TextProbe(text)
        live = {
            k: [p for p in ps if probe.may_match(self.needs.get(p, ()))] for k, ps in self.patterns.items()
        }
        return {k: ps for k, ps in live.items() if ps}

    def find(self, doc: Doc, words: WordIndex, text: str, base: int) -> list[Hit]:
        """The term hits of one clause doc: phrases, prefix terms and fuzzy words, offsets shifted by
        `base` (the clause's start). Patterns are not run here but per document: see `find_patterns`.

        `words` (see `word_index`) names the words worth a look, computed once per document so that
        rapidfuzz and the term lookup stay off the per-token path; `text` is the clause's text
        (Doc.text would re-join every token).
        """
        strings = self.nlp.vocab.strings
        hits: list[Hit] = []
        arr = doc.to_array([LOWER, IDX, LENGTH])
        matches = self.phrase(doc)
        lowers, idx, length = (col.tolist() for col in arr.T)
        wanted = [i for i, h in enumerate(lowers) if h in words.wanted]
        targets = self.phrase_targets
        for match_id, start, end in matches:
            a, b = idx[start], idx[end - 1] + length[end - 1]
            term = strings[match_id]
            found = intern(text[a:b])
            hits += [_hit(Hit, (key, a + base, b + base, found, False, term)) for key in targets[term]]
        cache, fuzzy = self._prefix_cache, words.fuzzy
        for i in wanted:
            h = lowers[i]
            for pt in cache[h]:
                end = _match_from(pt.words, lowers, i, strings)
                if end:
                    a, b = idx[i], idx[end - 1] + length[end - 1]
                    found = intern(text[a:b])
                    hits += [
                        _hit(Hit, (key, a + base, b + base, found, False, term)) for key, term in pt.targets
                    ]
            if h in fuzzy:
                a, b = idx[i], idx[i] + length[i]
                hits += [
                    _hit(Hit, (key, a + base, b + base, intern(text[a:b]), True, "")) for key in fuzzy[h]
                ]
        return hits

    def find_patterns(
        self, text: str, spans: list[tuple[int, int]], patterns: dict[str, list[regex.Pattern[str]]]
    ) -> list[list[Hit]]:
        """Hits of `patterns` (key -> compiled) per span (a clause) of one text, offsets into `text`."""
        out: list[list[Hit]] = [[] for _ in spans]
        for key, compiled in patterns.items():
            for i, hits in enumerate(pattern_hits_in_spans(key, compiled, text, spans)):
                out[i] += hits
        return out

    def word_index(self, docs: Iterable[Doc]) -> WordIndex:
        """The distinct words of one document that can start a term or stand for a topic word."""
        arrays = [doc.to_array(LOWER) for doc in docs]
        hashes = numpy.unique(numpy.concatenate(arrays)).tolist() if arrays else []
        fuzzy = self._fuzzy_map(hashes)
        strings, cache = self.nlp.vocab.strings, self._prefix_cache
        for h in hashes:
            if h not in cache:
                cache[h] = self._candidates(strings[h])
        return WordIndex(frozenset(h for h in hashes if cache[h] or h in fuzzy), fuzzy)

    def _fuzzy_map(self, hashes: list[int]) -> dict[int, list[str]]:
        """Words within a rule's similarity threshold of a topic word (typos, OCR noise)."""
        if not self.fuzzy_words:
            return {}
        strings = self.nlp.vocab.strings
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
        # A word's candidates: terms starting with exactly it, and prefix terms whose first word is
        # one of its prefixes; looking up each prefix keeps this independent of the term count.
        out = list(self.exact_first.get(low, ()))
        index = self.prefix_first
        for n in range(1, len(low) + 1):
            found = index.get(low[:n])
            if found:
                out += found
        return out


def pattern_hits_in(
    key: str, patterns: list[regex.Pattern[str]], text: str, start: int, end: int
) -> list[Hit]:
    """All hits of one key's patterns in text[start:end] (a sentence), each with its own time limit."""
    return [h for p in patterns for h in (_pattern_hits(key, p, text, start, end) or [])]


def pattern_hits_in_spans(
    key: str, patterns: list[regex.Pattern[str]], text: str, spans: list[tuple[int, int]]
) -> list[list[Hit]]:
    """`pattern_hits_in` for each of `spans` (sorted, not overlapping), from one scan of their range.

    One scan over a long stretch costs far less than thousands of short ones. A match that does not
    fit inside one span is dropped and the spans it touches are scanned on their own, so the hits
    are exactly those of a scan per span.
    """
    out: list[list[Hit]] = [[] for _ in spans]
    if not spans:
        return out
    lo, hi = spans[0][0], spans[-1][1]
    starts = [a for a, _ in spans]
    for pattern in patterns:
        whole = _pattern_hits(key, pattern, text, lo, hi, REGEX_TIMEOUT * (1 + (hi - lo) // 50_000))
        found: dict[int, list[Hit]] = defaultdict(list)
        rescan: set[int] = set()
        if whole is None:  # too slow over the whole range: span by span, each with its own limit
            whole, rescan = [], set(range(len(spans)))
        for h in whole:
            i = bisect.bisect_right(starts, h.start) - 1
            if i >= 0 and h.end <= spans[i][1]:
                found[i].append(h)
                continue
            last = bisect.bisect_left(starts, h.end)  # spans starting before the match ends
            rescan.update(j for j in range(max(i, 0), last) if spans[j][1] > h.start)
        for i in rescan:
            found[i] = _pattern_hits(key, pattern, text, *spans[i]) or []
        for i, hits in found.items():
            out[i] += hits
    return out


def _pattern_hits(
    key: str, pattern: regex.Pattern[str], text: str, start: int, end: int, timeout: float = REGEX_TIMEOUT
) -> list[Hit] | None:
    """Matches of one pattern in text[start:end], offsets into `text`; None past its time limit."""
    hits: list[Hit] = []
    try:
        for m in pattern.finditer(text, start, end, timeout=timeout):
            if m.end() > m.start():
                hits.append(Hit(key, m.start(), m.end(), m.group(), term=pattern.pattern))
    except TimeoutError:
        return None
    return hits


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
