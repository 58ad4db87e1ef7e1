"""Evaluate: grade every requirement of a rule set against one segmented Document.

Per requirement: applicability → sentences on the topic (hard negatives excluded, headings and
definitions alone do not count) → the strongest one as main evidence → obligation strength,
scope, location, duty-bearer and timing of that sentence → elements, looked for in the clauses
on the topic and in clauses that refer to them ("a breach of clause 4.3 is a material breach")
→ status, reasons, missing elements, evidence and remediation.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy
import regex
from rapidfuzz import fuzz
from spacy.attrs import IDX, IS_PUNCT, ORTH

from .findings import Evidence, Finding, Reason
from .model import Clause, Document
from .nlp import Hit, TermMatcher, make_pipeline, pattern_hits_in, pattern_hits_in_spans
from .rulepack import LANGS, Element, Rule, RuleSet, Terms

# Strength order: a higher number is a firmer obligation.
_RANK = {"none": 0, "permissive": 1, "hedged": 2, "binding": 3, "prohibition": 3}

# Clause references in running text: "clause 4.3", "punkt 4.2 och 4.3", "§ 7", "sections 5 and 6".
_REF_HEAD = regex.compile(
    r"(?:clauses?|sections?|paragraphs?|articles?|punkt(?:erna)?|avsnitt|artikel|klausul|§§?)\s*"
    r"(\d{1,3}(?:\.\d{1,3})*)((?:\s*(?:,|and|or|och|eller|samt|-|–|to|till)\s*\d{1,3}(?:\.\d{1,3})*)*)",
    regex.IGNORECASE,
)
_REF_MORE = regex.compile(
    r"\s*(,|and|or|och|eller|samt|-|–|to|till)\s*(\d{1,3}(?:\.\d{1,3})*)", regex.IGNORECASE
)
# "punkterna 4–12", "clauses 4 to 12", "4.1-4.3": a range stands for every number in it.
_RANGE_WORDS = frozenset({"-", "–", "to", "till"})
_RANGE_CAP = 30  # a longer "range" is more likely a date or an amount than clauses cited
# A standard clause cited by number and title ("52.222-50 Combating Trafficking in Persons (MAR 2015)").
_STANDARD_CLAUSE = regex.compile(r"\b\d{2,3}\.\d{3}-\d{1,4}\b")


@dataclass(slots=True)
class Sentence:
    clause: Clause
    start: int  # offsets into Document.text
    end: int
    text: str
    hits: dict[str, list[Hit]] = field(default_factory=dict)
    strength: str = "none"
    strength_hit: str = ""

    def has(self, key: str) -> bool:
        return key in self.hits

    def first(self, key: str) -> str:
        return self.hits[key][0].text if key in self.hits else ""


@dataclass
class _Analysed:
    """A document's sentences with their term hits, computed once for all requirements."""

    doc: Document
    sentences: list[Sentence]
    by_clause: dict[str, list[Sentence]]
    keys_in_doc: dict[str, list[Sentence]]  # matcher key -> the sentences that have it, in order
    clauses: dict[str, Clause]
    children: dict[str, list[str]]
    page_starts: list[int]
    page_of: list[int | None]
    facts: dict[str, bool] = field(default_factory=dict)
    # Each requirement is judged once per document, so one audit or sanction clause can serve many.
    results: dict[str, tuple[Finding, list[Sentence]]] = field(default_factory=dict)
    judging: set[str] = field(default_factory=set)
    by_ref: dict[str, list[str]] | None = None  # bare clause number -> clause ids, built when first asked
    annexes: list[tuple[str, str]] | None = None  # (lower-case label, clause id), built when first asked
    lazy_patterns: dict[str, list[regex.Pattern[str]]] = field(default_factory=dict)
    filled: set[tuple[str, int]] = field(default_factory=set)  # (key, sentence start) already scanned
    scores: dict[tuple[str, int], float] = field(default_factory=dict)  # (rule, sentence start) -> _score
    refs_in: dict[str, set[str]] = field(default_factory=dict)  # clause id -> clause numbers it cites
    element_keys: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # rule -> (E:, O:) keys


class Engine:
    """A rule set compiled once, for checking many documents."""

    def __init__(self, ruleset: RuleSet):
        self.ruleset = ruleset
        self._matchers: dict[str, TermMatcher] = {}
        self.terms, self.patterns, self.fuzzy = _compile_keys(ruleset)
        self._under = {r.id: _heading_regex(r.exclude_under) for r in ruleset.rules if r.exclude_under}
        self._context = {r.id: _heading_regex(r.context) for r in ruleset.rules if r.context}

    def matcher(self, lang: str) -> TermMatcher:
        if lang not in self._matchers:
            self._matchers[lang] = TermMatcher.build(
                make_pipeline(lang), self.terms, self.patterns, self.fuzzy
            )
        return self._matchers[lang]

    # --- per document ------------------------------------------------------------------------
    def evaluate(
        self, doc: Document, rules: list[Rule] | None = None, facts: dict[str, bool] | None = None
    ) -> list[Finding]:
        """Grade each rule; `facts` are what the user stated (--assume) that the text cannot show."""
        rules = self.ruleset.rules if rules is None else rules
        analysed = self.analyse(doc)
        analysed.facts = dict(facts or {})
        return [self._judge(rule, analysed)[0] for rule in rules]

    def _judge(self, rule: Rule, a: _Analysed) -> tuple[Finding, list[Sentence]]:
        if rule.id not in a.results:
            a.judging.add(rule.id)
            a.results[rule.id] = self._evaluate_rule(rule, a)
            a.judging.discard(rule.id)
        return a.results[rule.id]

    def _through_link(
        self, rule: Rule, element: Element, best: Sentence, a: _Analysed
    ) -> tuple[str, Sentence] | None:
        """A verification, remedy or flow-down element met by the requirement that is about it
        (VERIFY-AUDIT, REMEDY-SANCTION, SUBCON-FLOWDOWN) when that clause covers this one."""
        target = self.ruleset.links.get(element.vocab or "")
        linked = self.ruleset.get(target) if target else None
        if linked is None or linked.id == rule.id or linked.id in a.judging:
            return None
        finding, topic = self._judge(linked, a)
        if finding.status not in ("met", "weak"):
            return None
        vocab = element.vocab or ""
        same = {e.id for e in linked.elements if e.id == vocab or e.vocab == vocab}
        if same & set(finding.missing_elements):
            return None  # the linked requirement itself lacks this very element
        for s in sorted(topic, key=lambda s: -_score(linked, s, a)):
            # A clause that names this one serves it even when weak; one that merely sits nearby
            # only when it is itself a sound clause on its subject.
            reach = _covers(s, best, a)
            if s.has(f"V:{vocab}") and (reach == "names" or (reach == "part" and finding.status == "met")):
                return linked.id, s
        return None

    def analyse(self, doc: Document) -> _Analysed:
        lang = doc.language if doc.language in LANGS else "en"
        matcher = self.matcher(lang)
        nlp = matcher.nlp
        clauses = [c for c in doc.clauses if c.text.strip()]
        sentences: list[Sentence] = []
        by_clause: dict[str, list[Sentence]] = defaultdict(list)
        by_key: dict[str, list[Sentence]] = defaultdict(list)
        punct = frozenset(nlp.vocab.strings.add(c) for c in nlp.get_pipe("sentencizer").punct_chars)
        # Topic patterns are looked for everywhere; the other patterns (exclusions, context, elements,
        # triggers) only in the sentences a requirement's evaluation actually reads: see _fill.
        docs = list(nlp.pipe((c.text for c in clauses), disable=["sentencizer"]))
        words = matcher.word_index(docs)
        terms: list[tuple[list[Hit], list[tuple[int, int]] | None]] = []
        for i, (clause, sdoc) in enumerate(zip(clauses, docs, strict=True)):
            docs[i] = None  # type: ignore[call-overload]  # each clause's tokens are freed once read
            hits = matcher.find(sdoc, words, clause.text, clause.start)
            # Sentence boundaries matter only where a requirement's topic occurs; elsewhere a
            # clause is one unit, which spares the sentencizer most of a long contract.
            spans = _sentence_spans(sdoc, punct, len(clause.text)) if _on_any_topic(hits) else None
            terms.append((hits, spans))
        live = matcher.live_patterns(doc.text)  # a pattern whose words the text lacks is never run
        eager = {k: v for k, v in live.items() if _eager(k)}
        by_pattern = matcher.find_patterns(doc.text, [(c.start, c.end) for c in clauses], eager)
        for clause, (hits, spans), pattern_hits in zip(clauses, terms, by_pattern, strict=True):
            text, base = clause.text, clause.start
            if spans is None:  # a topic that only a pattern found: tokenize this clause again
                sdoc = nlp.make_doc(text) if _on_any_topic(pattern_hits) else None
                spans = _sentence_spans(sdoc, punct, len(text)) if sdoc is not None else [(0, len(text))]
            hits = sorted(hits + pattern_hits, key=_at)
            starts = [h.start - base for h in hits]
            for a_, b_ in spans:
                s = Sentence(clause, base + a_, base + b_, text[a_:b_])
                for h in hits[bisect.bisect_left(starts, a_) : bisect.bisect_left(starts, b_)]:
                    s.hits.setdefault(h.key, []).append(h)
                s.strength, s.strength_hit = _strength(s)
                for key in s.hits:
                    by_key[key].append(s)
                sentences.append(s)
                by_clause[clause.id].append(s)
        children: dict[str, list[str]] = defaultdict(list)
        for c in doc.clauses:
            if c.parent:
                children[c.parent].append(c.id)
        page_starts = [b.start for b in doc.blocks]
        page_of = [b.page for b in doc.blocks]
        lazy = {k: v for k, v in live.items() if not _eager(k)}
        return _Analysed(
            doc,
            sentences,
            by_clause,
            by_key,
            {c.id: c for c in doc.clauses},
            children,
            page_starts,
            page_of,
            lazy_patterns=lazy,
        )

    # --- per requirement ---------------------------------------------------------------------
    def _evaluate_rule(self, rule: Rule, a: _Analysed) -> tuple[Finding, list[Sentence]]:
        lang = a.doc.language if a.doc.language in LANGS else "en"
        finding = Finding(
            requirement=rule.id,
            pack=rule.pack,
            title=rule.title,
            status="missing",
            severity=rule.severity,
            remediation=rule.remediation.get(lang) or rule.remediation.get("en", ""),
            references=list(rule.references),
        )
        stated = _stated_applicability(rule, a.facts)
        if stated is False:
            negated = ", ".join(f"no-{f}" for f in rule.applies_facts)
            return _not_applicable(finding, f"you stated that it does not apply (--assume {negated})"), []
        under = self._under.get(rule.id)
        candidates = a.keys_in_doc.get(f"T:{rule.id}", [])
        if f"Q:{rule.id}" in a.keys_in_doc:
            both = {id(s): s for s in [*candidates, *a.keys_in_doc[f"Q:{rule.id}"]]}
            candidates = sorted(both.values(), key=_at)
        context = self._context.get(rule.id)
        _fill(a, (f"X:{rule.id}", f"C:{rule.id}"), candidates)
        topic = [
            s
            for s in candidates
            if _on_topic(rule, s, lambda s=s: bool(context) and _context_around(rule, context, s, a))
            and not (under and _under_heading(under, s, a))
        ]
        if not topic:
            # A contract that addresses a topic is graded on it whatever its trigger words; one that
            # is silent on it has a gap only where the requirement applies.
            if stated is None and not rule.applies_always and not _triggered(rule, a):
                terms = ", ".join(rule.applies_any.by_lang.get(lang, [])[:6])
                why = f"the contract does not appear to cover this (none of: {terms}…)"
                return _not_applicable(finding, why), []
            finding.missing_elements = [e.id for e in rule.elements if e.core]
            return finding, []
        element_keys = [k for e in rule.elements for k in (f"E:{rule.id}:{e.id}", f"O:{rule.id}:{e.id}")]
        _fill(a, element_keys, topic)
        best = max(topic, key=lambda s: _score(rule, s, a))
        strength, strength_hit = _effective_strength(best, a)
        region = _region(rule, best, topic, a)
        _fill(a, element_keys, region)
        reasons: list[Reason] = []
        missing: list[str] = []
        involves_chain = "V:chain" in a.keys_in_doc or any(a.facts.get(f) for f in self.ruleset.chain_facts)

        linked: list[tuple[str, str, Sentence]] = []  # (element vocab, requirement, its clause)
        for element in rule.elements:
            ok, partial = _element_state(rule, element, strength, region, a)
            if not ok and element.vocab:
                via = self._through_link(rule, element, best, a)
                if via is not None:
                    linked.append((element.vocab, *via))
                    ok = True
            if ok:
                continue
            missing.append(element.id)
            if element.strength:
                continue  # reported below as W1/W7 with the hedge that caused it
            code = element.weak_class
            if code == "W10" and not involves_chain:
                continue
            if element.core or (code and code in rule.weak_if):
                reasons.append(Reason(code or "W8", _element_message(element, partial, lang)))

        strength_element = next((e for e in rule.elements if e.strength), None)
        if strength_element is not None and strength not in strength_element.strength:
            reasons.append(Reason("W1", _strength_message(strength, strength_hit)))
        reasons += _sentence_weaknesses(rule, best, a, strength)
        if strength_element is not None and best.has("V:statutory"):
            reasons.append(Reason("INFO", f"statutory qualifier: '{best.first('V:statutory')}'"))

        reasons = _dedupe(reasons)
        finding.reasons = reasons
        finding.missing_elements = missing
        finding.status = "weak" if any(r.code.startswith("W") for r in reasons) else "met"
        finding.evidence = self._evidence(rule, best, topic, a, lang)
        for vocab, requirement, s in linked:
            where = _cite(s.clause) or "its clause"
            finding.reasons.append(
                Reason("INFO", f"{vocab.replace('_', '-')}: through {requirement} (§{where})")
            )
            finding.evidence.append(_evidence_at(s, a))
        if any(h.fuzzy for h in best.hits.get(f"T:{rule.id}", [])) and not _exact_topic(rule, best):
            hit = best.hits[f"T:{rule.id}"][0]
            finding.reasons.append(Reason("INFO", f"matched a misspelt or damaged word: '{hit.text}'"))
        return finding, topic

    def _evidence(
        self, rule: Rule, best: Sentence, topic: list[Sentence], a: _Analysed, lang: str
    ) -> list[Evidence]:
        chosen = [best]
        for s in sorted(topic, key=lambda s: -_score(rule, s, a)):
            if len(chosen) >= 3:
                break
            if all(s.clause.id != c.clause.id for c in chosen):
                chosen.append(s)
        chosen.sort(key=lambda s: s.start)
        out = []
        model = rule.remediation.get(lang) or rule.remediation.get("en", "")
        for s in chosen:
            similarity = None
            if model:
                score = fuzz.ratio(_squash(s.clause.text), _squash(model)) / 100
                if score >= 0.8:
                    similarity = score
            out.append(_evidence_at(s, a, similarity))
        return out


# --------------------------------------------------------------------------------------------
# Compiling a rule set into matcher keys


def _compile_keys(ruleset: RuleSet) -> tuple[dict[str, list[str]], dict[str, list[str]], dict[str, int]]:
    """Every term list under one key: T topic, X exclude, Q/C contextual topic words and their
    context, A applicability, E/O elements, V vocab."""
    terms: dict[str, list[str]] = {}
    patterns: dict[str, list[str]] = {}
    fuzzy: dict[str, int] = {}

    def add(key: str, words: list[str], pats: list[str]) -> None:
        if words:
            terms[key] = terms.get(key, []) + words
        if pats:
            patterns[key] = patterns.get(key, []) + pats

    for rule in ruleset.rules:
        add(f"T:{rule.id}", rule.topic.all_terms(), rule.topic.patterns)
        if rule.fuzzy is not None:
            fuzzy[f"T:{rule.id}"] = rule.fuzzy
        add(f"X:{rule.id}", rule.exclude.all_terms(), rule.exclude.patterns)
        add(f"Q:{rule.id}", rule.contextual.all_terms(), rule.contextual.patterns)
        add(f"C:{rule.id}", rule.context.all_terms(), rule.context.patterns)
        add(f"A:{rule.id}", rule.applies_any.all_terms(), rule.applies_any.patterns)
        for e in rule.elements:
            add(f"E:{rule.id}:{e.id}", e.terms.all_terms(), e.terms.patterns)
            add(f"O:{rule.id}:{e.id}", e.alternatives.all_terms(), e.alternatives.patterns)
    for lists in ruleset.vocab.values():
        for name, words in lists.items():
            add(f"V:{name}", words, [])
    return terms, patterns, fuzzy


# --------------------------------------------------------------------------------------------
# Sentence analysis


def _strength(s: Sentence) -> tuple[str, str]:
    """Obligation strength of a sentence: prohibition > hedged > binding > permissive > none.

    A hedge wins over a binding modal ("shall endeavour", "ska i möjligaste mån"); "may not" and
    "får inte" prohibit, although "may" and "får" alone only permit. A hedge word that is part of
    a statutory phrase ("ta hänsyn till brukarens behov av att bevara sin kulturella identitet")
    quotes the law and hedges nothing.
    """
    hedges = _hedges(s)
    if hedges:
        return "hedged", hedges[0].text
    if s.has("V:prohibition"):
        return "prohibition", s.first("V:prohibition")
    if s.has("V:binding"):
        return "binding", s.first("V:binding")
    if s.has("V:permissive"):
        return "permissive", s.first("V:permissive")
    return "none", ""


def _hedges(s: Sentence) -> list[Hit]:
    """The sentence's hedge hits, less those inside (overlapping) a statutory-qualifier hit."""
    statutory = s.hits.get("V:statutory", [])
    return [
        h
        for h in s.hits.get("V:hedge", [])
        if not any(h.start < q.end and q.start < h.end for q in statutory)
    ]


def _effective_strength(s: Sentence, a: _Analysed) -> tuple[str, str]:
    """A list item takes its modal from the lead-in it completes: "3.1 The Supplier shall: (b) …"."""
    if _RANK[s.strength] >= 2 or s.clause.parent is None:
        return s.strength, s.strength_hit
    parent = a.clauses.get(s.clause.parent)
    while parent is not None:
        lead = a.by_clause.get(parent.id, [])
        if lead and lead[-1].text.rstrip().endswith((":", "—", "-")) and lead[-1].strength != "none":
            return lead[-1].strength, lead[-1].strength_hit
        if parent.number is None or not parent.text.rstrip().endswith(":"):
            break
        parent = a.clauses.get(parent.parent) if parent.parent else None
    return s.strength, s.strength_hit


def _sentence_spans(doc, punct: frozenset[int], length: int) -> list[tuple[int, int]]:
    """Sentence character spans as spaCy's Sentencizer draws them, from token arrays.

    The Sentencizer starts a sentence at the first ordinary token after a sentence-final mark;
    reading that off arrays avoids building a Token object per word, which cost more than the
    tokenizer itself on a long contract. `punct` holds the hashes of its sentence-final marks.
    """
    arr = doc.to_array([ORTH, IS_PUNCT, IDX])
    if not len(arr):
        return [(0, length)]
    marks = numpy.fromiter(punct, dtype=arr.dtype, count=len(punct))
    final = (arr[:, :1] == marks).any(axis=1)
    plain = ~final & (arr[:, 1] == 0)
    seen = numpy.cumsum(final)
    words = numpy.flatnonzero(plain)
    # An ordinary token opens a sentence when a final mark came after the previous ordinary token.
    before = seen[words] - numpy.concatenate(([0], seen[words[:-1]]))
    opening = words[before > 0]
    starts = [0] + arr[opening[opening > 0], 2].tolist()
    ends = starts[1:] + [length]
    return list(zip(starts, ends, strict=True))


def _evidence_at(s: Sentence, a: _Analysed, similarity: float | None = None) -> Evidence:
    return Evidence(
        clause=_cite(s.clause),
        page=_page_at(a, s.start),
        text=s.text.strip(),
        start=s.start,
        end=s.end,
        similarity=similarity,
    )


def _eager(key: str) -> bool:
    return key.startswith(("T:", "Q:"))


def _on_any_topic(hits: list[Hit]) -> bool:
    return any(_eager(h.key) for h in hits)


def _fill(a: _Analysed, keys: Iterable[str], sentences: Iterable[Sentence]) -> None:
    """Run the patterns of `keys` over sentences not yet scanned for them (once per sentence)."""
    keys = [k for k in keys if k in a.lazy_patterns]
    if not keys:
        return
    sentences = sorted({s.start: s for s in sentences}.values(), key=_at)
    for key in keys:
        todo = [s for s in sentences if (key, s.start) not in a.filled]
        a.filled.update((key, s.start) for s in todo)
        spans = [(s.start, s.end) for s in todo]
        if len(todo) >= 8 and sum(e - b for b, e in spans) * 4 >= spans[-1][1] - spans[0][0]:
            found = pattern_hits_in_spans(key, a.lazy_patterns[key], a.doc.text, spans)
        else:  # a few sentences far apart: scanning between them would cost more
            found = [pattern_hits_in(key, a.lazy_patterns[key], a.doc.text, *span) for span in spans]
        for s, hits in zip(todo, found, strict=True):
            if hits:
                s.hits.setdefault(key, []).extend(hits)
                a.keys_in_doc.setdefault(key, []).append(s)


def _at(x: Sentence | Hit) -> int:
    return x.start


def _context_around(rule: Rule, context: regex.Pattern[str], s: Sentence, a: _Analysed) -> bool:
    """Context for a contextual word from outside its sentence: the heading it sits under, or a
    clause it cites ("audit compliance with clause 9", where clause 9 is on wages)."""
    if _under_heading(context, s, a):
        return True
    key = f"C:{rule.id}"
    cited = [cid for n in _referenced(s.text) for cid in _clauses_numbered(n, a)]
    low = s.text.lower()
    for label, annex_id in _annexes(a):  # "the requirements of Annex 3", "kraven i bilaga 3"
        if label in low:
            cited += _clauses_numbered(annex_id, a, by_id=True)
    _fill(a, (key,), [x for cid in cited for x in a.by_clause.get(cid, [])])
    for cid in cited:
        clause = a.clauses[cid]
        if (clause.heading and context.search(clause.heading)) or any(
            x.has(key) for x in a.by_clause.get(cid, [])
        ):
            return True
    return False


def _annexes(a: _Analysed) -> list[tuple[str, str]]:
    """The document's annexes ("bilaga 3", "schedule 2") with their clause ids, found once."""
    if a.annexes is None:
        labels = (((c.number or c.ref or "").lower(), c.id) for c in a.clauses.values())
        a.annexes = [(label, cid) for label, cid in labels if _PART.match(label)]
    return a.annexes


def _clauses_numbered(n: str, a: _Analysed, *, by_id: bool = False) -> list[str]:
    """The clause numbered `n` (or with id `n`) and the clauses under it (9 -> 9, 9.1, 9.2 …)."""
    if a.by_ref is None:
        a.by_ref = defaultdict(list)
        for c in a.clauses.values():
            if c.ref:
                a.by_ref[_bare(c.ref)].append(c.id)
    out = [n] if by_id else list(a.by_ref.get(n, []))
    stack = list(out)
    while stack:
        for child in a.children.get(stack.pop(), []):
            out.append(child)
            stack.append(child)
    return out


def _heading_regex(terms: Terms) -> regex.Pattern[str]:
    """Terms (`word*` is a prefix) as one case-insensitive regex for matching headings."""
    alts = [
        r"\s+".join(regex.escape(w[:-1]) + r"\w*" if w.endswith("*") else regex.escape(w) for w in t.split())
        for t in terms.all_terms()
    ]
    alts += terms.patterns
    return regex.compile(r"\b(?:" + "|".join(alts) + r")\b", regex.IGNORECASE)


def _under_heading(pattern: regex.Pattern[str], s: Sentence, a: _Analysed) -> bool:
    """Whether the sentence sits under a heading (its clause's or an ancestor's) that `pattern` names."""
    clause: Clause | None = s.clause
    while clause is not None:
        if clause.heading and pattern.search(clause.heading):
            return True
        clause = a.clauses.get(clause.parent) if clause.parent else None
    return False


_PART = regex.compile(r"^(?:bilaga|annex|appendix|schedule|attachment|exhibit)\b", regex.IGNORECASE)


def _part(clause: Clause, a: _Analysed) -> Clause | None:
    """The annex (schedule, bilaga…) a clause sits in, or None for the main terms."""
    c: Clause | None = clause
    while c is not None:
        label = c.number or c.ref or ""
        if _PART.match(label):
            return c
        c = a.clauses.get(c.parent) if c.parent else None
    return None


def _covers(linked: Sentence, best: Sentence, a: _Analysed) -> str:
    """How a general clause (an audit, a sanction, a flow-down) reaches the requirement's clause:
    'names' its annex or clause number, sits in the same 'part' of the contract, or '' not at all."""
    part = _part(best.clause, a)
    if part is not None and (part.number or part.ref or "").lower() in linked.text.lower():
        return "names"
    ref = best.clause.ref or best.clause.number
    if ref and regex.search(rf"(?<![\w.]){regex.escape(ref)}(?![\w]|\.\d)", linked.text):
        return "names"
    return "part" if _part(linked.clause, a) is part else ""


def _triggered(rule: Rule, a: _Analysed) -> bool:
    """Whether the text shows the requirement applies: at least `applies_min` distinct trigger terms."""
    key = f"A:{rule.id}"
    found = {h.term or h.text.lower() for s in a.keys_in_doc.get(key, []) for h in s.hits[key]}
    for pattern in a.lazy_patterns.get(key, []):
        if len(found) >= rule.applies_min:
            break
        if pattern_hits_in(key, [pattern], a.doc.text, 0, len(a.doc.text)):
            found.add(pattern.pattern)
    return len(found) >= rule.applies_min


def _stated_applicability(rule: Rule, facts: dict[str, bool]) -> bool | None:
    """True if the user stated a fact that makes the rule apply, False if they negated all of them."""
    if not rule.applies_facts:
        return None
    said = [facts[f] for f in rule.applies_facts if f in facts]
    if any(said):
        return True
    if len(said) == len(rule.applies_facts):
        return False
    return None


def _not_applicable(finding: Finding, why: str) -> Finding:
    finding.status = "not_applicable"
    finding.reasons.append(Reason("NA", why))
    finding.remediation = ""
    return finding


def _on_topic(rule: Rule, s: Sentence, context_heading: Callable[[], bool] = lambda: False) -> bool:
    """Whether a sentence addresses the rule: a topic word, or a contextual word settled by a context
    word in the sentence or in the heading it sits under ("12 Labour standards: 12.4 … audit …")."""
    if s.has(f"X:{rule.id}"):
        return False
    contextual = s.has(f"Q:{rule.id}") and (s.has(f"C:{rule.id}") or context_heading())
    if not s.has(f"T:{rule.id}") and not contextual:
        return False
    if _heading_only(s) and not _STANDARD_CLAUSE.search(s.text):
        return False  # a heading alone does not count, but a cited standard clause does (as W3)
    if s.has("V:definition"):
        first_topic = (s.hits.get(f"T:{rule.id}") or s.hits[f"Q:{rule.id}"])[0].start
        if first_topic < s.hits["V:definition"][0].start and s.strength == "none":
            return False  # '"Discrimination" means …': a definition is not a requirement
    return True


def _heading_only(s: Sentence) -> bool:
    heading = s.clause.heading
    text = s.text.strip()
    return bool(heading) and text.endswith(heading) and len(text) <= len(heading) + 12


def _exact_topic(rule: Rule, s: Sentence) -> bool:
    return any(not h.fuzzy for h in s.hits.get(f"T:{rule.id}", []))


def _score(rule: Rule, s: Sentence, a: _Analysed) -> float:
    """How good a piece of evidence `s` is for `rule`; asked often for the same pair, so kept."""
    key = (rule.id, s.start)
    if key not in a.scores:
        a.scores[key] = _fresh_score(rule, s, a)
    return a.scores[key]


def _fresh_score(rule: Rule, s: Sentence, a: _Analysed) -> float:
    score = 0.0
    if s.clause.operative:
        score += 4
    score += _RANK[_effective_strength(s, a)[0]] * 1.5
    if rule.id not in a.element_keys:
        a.element_keys[rule.id] = [(f"E:{rule.id}:{e.id}", f"O:{rule.id}:{e.id}") for e in rule.elements]
    score += sum(1 for e_key, o_key in a.element_keys[rule.id] if e_key in s.hits or o_key in s.hits)
    score += len(s.hits.get(f"T:{rule.id}", [])) * 0.1
    if s.has("V:supplier"):
        score += 1
    if s.has("V:reference_only"):
        score -= 1
    return score


def _region(rule: Rule, best: Sentence, topic: list[Sentence], a: _Analysed) -> list[Sentence]:
    """Where elements may be found: every clause on the topic, their list items and lead-ins,
    and the clauses that refer to any of them by number."""
    ids: set[str] = set()
    for s in topic:
        if s.clause.operative or not best.clause.operative:
            ids.add(s.clause.id)
    for cid in list(ids):
        stack = list(a.children.get(cid, []))
        while stack:
            child = stack.pop()
            ids.add(child)
            stack += a.children.get(child, [])
        parent = a.clauses[cid].parent
        if parent and a.clauses[parent].text.rstrip().endswith(":"):
            ids.add(parent)
    refs = {_bare(a.clauses[cid].ref) for cid in ids if a.clauses[cid].ref}
    refs.discard("")
    if refs:
        for clause in a.clauses.values():
            if clause.id in ids:
                continue
            if clause.id not in a.refs_in:
                a.refs_in[clause.id] = _referenced(clause.text)
            for n in a.refs_in[clause.id]:
                if any(r == n or r.startswith(n + ".") or r.startswith(n + "(") for r in refs):
                    ids.add(clause.id)
                    break
    return [s for s in a.sentences if s.clause.id in ids]


def _referenced(text: str) -> set[str]:
    """Clause numbers cited in `text`: "clause 4.3" -> 4.3; "punkterna 4–6 och 9" -> 4, 5, 6, 9."""
    out: set[str] = set()
    for m in _REF_HEAD.finditer(text):
        prev = m.group(1)
        out.add(prev)
        for sep, n in _REF_MORE.findall(m.group(2)):
            if sep.lower() in _RANGE_WORDS:
                out.update(_number_range(prev, n))
            out.add(n)
            prev = n
    return out


def _number_range(first: str, last: str) -> list[str]:
    """The numbers from `first` to `last` when both sit at the same level under the same parent
    ("4", "12" -> 4 … 12; "4.1", "4.3" -> 4.1, 4.2, 4.3); nothing for "4.1"–"5", a backward
    range or one longer than _RANGE_CAP."""
    a, b = first.split("."), last.split(".")
    if len(a) != len(b) or a[:-1] != b[:-1]:
        return []
    lo, hi = int(a[-1]), int(b[-1])
    if lo >= hi or hi - lo + 1 > _RANGE_CAP:
        return []
    prefix = "".join(part + "." for part in a[:-1])
    return [f"{prefix}{i}" for i in range(lo, hi + 1)]


def _bare(ref: str | None) -> str:
    """'12.3(b)' -> '12.3(b)'; 'Bilaga 2 punkt 4' -> '4'; '§ 7' -> '7'; 'Article 5(2)' -> '5(2)'."""
    if not ref:
        return ""
    m = regex.search(r"(\d{1,3}(?:\.\d{1,3})*(?:\(\w+\))*)\s*§?$", ref)
    return m.group(1) if m else ""


def _element_state(
    rule: Rule, e: Element, strength: str, region: list[Sentence], a: _Analysed
) -> tuple[bool, int]:
    """(satisfied, how many distinct terms were found)."""
    if e.strength:
        return strength in e.strength, 0
    inside = {id(s) for s in region}

    def where(key: str) -> list[Sentence]:  # the region's sentences with this key, from the index
        return [s for s in a.keys_in_doc.get(key, ()) if id(s) in inside]

    if where(f"O:{rule.id}:{e.id}"):
        return True, 0
    if e.vocab:
        return bool(where(f"V:{e.vocab}")), 0
    key = f"E:{rule.id}:{e.id}"
    found = {h.term or h.text.lower() for s in where(key) for h in s.hits[key]}
    return len(found) >= e.min, len(found)


def _element_message(e: Element, partial: int, lang: str) -> str:
    what = e.description or e.id.replace("_", " ")
    if e.vocab == "verification":
        return "no verification: no audit, reporting or follow-up reaches this requirement"
    if e.vocab == "remedy":
        return "no remedy: no sanction or corrective action is linked to a breach of this requirement"
    if e.vocab == "flow_down":
        return "no flow-down: the duty covers the supplier only, not its subcontractors or supply chain"
    if partial and e.min > 1:
        return f"limited scope: {partial} of at least {e.min} needed for {what}"
    return f"missing: {what}"


def _strength_message(strength: str, hit: str) -> str:
    if strength == "hedged":
        return f"hedged obligation: '{hit}'"
    if strength == "permissive":
        return f"permissive wording only: '{hit}'"
    return "no binding obligation: the text describes or declares, but obliges nobody"


def _sentence_weaknesses(rule: Rule, s: Sentence, a: _Analysed, strength: str) -> list[Reason]:
    out: list[Reason] = []
    allowed = set(rule.weak_if)
    if "W2" in allowed and s.has("V:scope"):
        out.append(Reason("W2", f"limited scope: '{s.first('V:scope')}'"))
    if "W3" in allowed:
        if not s.clause.operative:
            where = _section_title(s.clause, a)
            out.append(Reason("W3", f"only in a non-operative section{where}"))
        elif s.has("V:reference_only"):
            out.append(
                Reason(
                    "W3", f"a policy or code referred to, not incorporated: '{s.first('V:reference_only')}'"
                )
            )
        elif _standard_listing_only(rule, s):
            out.append(Reason("W3", "a standard clause incorporated by number and title only"))
    if "W6" in allowed and s.has("V:local_law") and not s.has("V:international_floor"):
        out.append(Reason("W6", f"duty capped by local law: '{s.first('V:local_law')}'"))
    if "W7" in allowed and s.has("V:authority") and not s.has("V:supplier"):
        out.append(
            Reason("W7", f"obligation placed on the contracting authority: '{s.first('V:authority')}'")
        )
    if "W8" in allowed and s.has("V:vague") and not _has_element_terms(rule, s):
        out.append(Reason("W8", f"vague object with no named standard: '{s.first('V:vague')}'"))
    if "W9" in allowed and s.has("V:point_in_time"):
        continuing = any(x.has("V:continuing") for x in a.by_clause.get(s.clause.id, []))
        if not continuing:
            out.append(
                Reason("W9", f"a declaration at tender or signature only: '{s.first('V:point_in_time')}'")
            )
    return out


def _standard_listing_only(rule: Rule, s: Sentence) -> bool:
    """Every topic hit sits in the title of a standard clause cited by number."""
    spans = [(m.start(), m.end() + 80) for m in _STANDARD_CLAUSE.finditer(s.text)]
    hits = s.hits.get(f"T:{rule.id}", [])
    return bool(spans) and all(any(a <= h.start - s.start <= b for a, b in spans) for h in hits)


def _has_element_terms(rule: Rule, s: Sentence) -> bool:
    return any(f"E:{rule.id}:{e.id}" in s.hits or f"O:{rule.id}:{e.id}" in s.hits for e in rule.elements)


def _section_title(clause: Clause, a: _Analysed) -> str:
    c: Clause | None = clause
    while c is not None:
        if c.heading and not c.operative:
            return f" ('{c.heading}')"
        c = a.clauses.get(c.parent) if c.parent else None
    return ""


def _dedupe(reasons: list[Reason]) -> list[Reason]:
    seen: set[tuple[str, str]] = set()
    out = []
    for r in reasons:
        if (r.code, r.message) not in seen:
            seen.add((r.code, r.message))
            out.append(r)
    return out


def _cite(clause: Clause) -> str | None:
    return clause.ref or clause.number or clause.heading


def _page_at(a: _Analysed, offset: int) -> int | None:
    i = bisect.bisect_right(a.page_starts, offset) - 1
    return a.page_of[i] if 0 <= i < len(a.page_of) else None


def _squash(text: str) -> str:
    return " ".join(regex.sub(r"^\s*[\d.()a-z§]{1,8}\s+", "", text.lower()).split())
