"""A pattern is skipped only when a document lacks words every match needs (contractcheck/literals.py)."""

from __future__ import annotations

import regex

from contractcheck.literals import TextProbe, required_literals
from contractcheck.rulepack import load_ruleset


def test_words_every_match_needs() -> None:
    needs = required_literals(r"\b(?:repay\w*|reimburs\w*)\b.{0,40}?\b(?:recruitment|rekrytering)\s+fees?")
    assert len(needs) == 3  # one of the verbs, one of the nouns, and "fee"
    assert TextProbe("The Supplier shall reimburse recruitment fees.").may_match(needs)
    assert TextProbe("Leverantören ska återbetala rekryteringsavgifter (repay rekrytering fee).").may_match(
        needs
    )
    assert not TextProbe("The Supplier shall reimburse recruitment costs.").may_match(needs)
    assert not TextProbe("The Supplier shall pay the fees of the recruiter.").may_match(needs)
    assert required_literals(r"\bILO\b") == ("ilo",)


def test_what_says_nothing_gives_no_requirement() -> None:
    assert required_literals(r"(?:of|an)\s+\d+") == ()  # literals too short to tell
    assert required_literals(r"(?:abc)?def") == ("def",)  # an optional part requires nothing
    assert required_literals(r"(?:abcd|x)") == ()  # one branch without a literal: no requirement
    assert required_literals(r"(?V1)abc") == ()  # syntax only the regex module reads: always run
    assert required_literals(r"\p{L}+ verkar") == (" verkar",)


def test_the_probe_ignores_case_and_finds_words_inside_words() -> None:
    probe = TextProbe("The Supplier shall REIMBURSE all Recruitment fees.\nLeverantören ska")
    assert probe.may_match(("reimburs", "recruitment"))
    assert probe.may_match(("leverantören ska",))  # across a space: the text itself
    assert not probe.may_match(("reimburs", "anonym"))
    # "shall mean" needs both words of its branch: "shall" alone does not open it
    assert not probe.may_match(((("means",), ("shall", "mean")),))
    assert probe.may_match(((("means",), ("shall", "reimburse")),))


def test_no_builtin_pattern_is_skipped_where_it_matches() -> None:
    """Soundness on real wording: each pattern of the pack against every example of every rule."""
    rules = load_ruleset().rules
    texts = [ex.text for rule in rules for ex in rule.examples]
    patterns = {
        p
        for rule in rules
        for terms in (rule.topic, rule.exclude, rule.contextual, rule.context, rule.applies_any)
        for p in terms.patterns
    } | {p for rule in rules for e in rule.elements for p in e.terms.patterns + e.alternatives.patterns}
    assert len(texts) > 200 and len(patterns) > 50
    matched = 0
    for pattern in patterns:
        compiled, needs = regex.compile(pattern, regex.IGNORECASE | regex.V0), required_literals(pattern)
        for text in texts:
            if compiled.search(text):
                matched += 1
                assert TextProbe(text).may_match(needs), (pattern, text)
    assert matched > 100  # the check above was exercised
