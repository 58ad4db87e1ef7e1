"""Cross-references with number ranges, and hedge words that are part of a statutory phrase."""

from __future__ import annotations

import pytest

from contractcheck.api import Checker
from contractcheck.engine import Sentence, _hedges, _number_range, _referenced, _strength
from contractcheck.model import Clause
from contractcheck.nlp import Hit


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Brister mot punkterna 4–12 medför vite.", [str(i) for i in range(4, 13)]),
        ("Breach of clauses 4 to 12 is a material breach.", [str(i) for i in range(4, 13)]),
        ("as set out in sections 5-8", ["5", "6", "7", "8"]),
        ("enligt avsnitt 3 till 5", ["3", "4", "5"]),
        ("compliance with clauses 4.1-4.3", ["4.1", "4.2", "4.3"]),
        ("avvikelser från punkterna 5.2.2–5.2.4", ["5.2.2", "5.2.3", "5.2.4"]),
        ("clauses 4–6 and 9", ["4", "5", "6", "9"]),
        ("punkterna 4 och 12", ["4", "12"]),
        ("clause 7", ["7"]),
        # Not one level under one parent, backwards, or too long: the two ends only.
        ("punkt 4.1–5", ["4.1", "5"]),
        ("clauses 4.1-5.3", ["4.1", "5.3"]),
        ("sections 12-4", ["12", "4"]),
        ("avsnitt 3 till 40", ["3", "40"]),
    ],
)
def test_referenced_expands_number_ranges(text: str, expected: list[str]) -> None:
    assert _referenced(text) == set(expected)


def test_number_range_cap_and_levels() -> None:
    assert _number_range("1", "30") == [str(i) for i in range(1, 31)]
    assert _number_range("1", "31") == []
    assert _number_range("4.1", "4.3") == ["4.1", "4.2", "4.3"]
    assert _number_range("4.1", "5.3") == []
    assert _number_range("4", "4") == []


RANGE_SV = (
    "4. Arbetsvillkor\n4.1 Leverantören ska tillämpa kollektivavtalsenliga villkor.\n"
    "5. Likabehandling\n5.1 Leverantören får inte diskriminera någon arbetstagare på grund av kön, "
    "könsöverskridande identitet eller uttryck, etnisk tillhörighet, religion eller annan "
    "trosuppfattning, funktionsnedsättning, sexuell läggning eller ålder, direkt eller indirekt.\n"
    "6. Arbetsmiljö\n6.1 Leverantören ska bedriva ett systematiskt arbetsmiljöarbete.\n"
    "7. Uppföljning och vite\n7.1 Beställaren har rätt att genomföra revision av att kraven i "
    "punkterna 4–6 uppfylls. Brister mot punkterna 4–6 medför vite om 50 000 kronor.\n"
)


def test_a_range_of_clauses_cited_reaches_the_clauses_inside_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Audit and sanction cite "punkterna 4–6"; the non-discrimination duty sits in 5.1."""
    checker = Checker(only=["NONDISC"])
    checker.lang = "sv"

    def unreached(finding) -> set[str]:
        return {"remedy", "verification"} & set(finding.missing_elements)

    finding = checker.check_one(RANGE_SV.encode("utf-8"), name="t.txt").findings[0]
    assert finding.status == "met" and not unreached(finding), finding.missing_elements
    # Without the range (4 and 6 only) clause 5 is not reached: the test does test the range.
    monkeypatch.setattr("contractcheck.engine._number_range", lambda first, last: [])
    finding = (
        Checker(only=["NONDISC"], lang="sv").check_one(RANGE_SV.encode("utf-8"), name="t.txt").findings[0]
    )
    assert unreached(finding) == {"remedy", "verification"}, finding.missing_elements


def _sentence(text: str, hits: dict[str, list[tuple[str, str]]]) -> Sentence:
    clause = Clause("c1", "1", "1", None, text, None, None, 0, len(text), None, True)
    s = Sentence(clause, 0, len(text), text)
    for key, found in hits.items():
        for word, _ in found:
            i = text.index(word)
            s.hits.setdefault(key, []).append(Hit(key, i, i + len(word), word))
    return s


def test_hedge_inside_a_statutory_phrase_does_not_count() -> None:
    text = "Utföraren ska ta hänsyn till brukarens behov av att bevara sin kulturella identitet."
    statutory = "hänsyn till brukarens behov av att bevara sin kulturella identitet"
    s = _sentence(
        text,
        {"V:binding": [("ska", "")], "V:hedge": [("ta hänsyn till", "")], "V:statutory": [(statutory, "")]},
    )
    assert _hedges(s) == []
    assert _strength(s) == ("binding", "ska")


def test_hedge_outside_the_statutory_phrase_still_counts() -> None:
    text = "Utföraren ska i möjligaste mån så långt det är rimligt ordna tolk."
    s = _sentence(
        text,
        {
            "V:binding": [("ska", "")],
            "V:hedge": [("i möjligaste mån", "")],
            "V:statutory": [("så långt det är rimligt", "")],
        },
    )
    assert [h.text for h in _hedges(s)] == ["i möjligaste mån"]
    assert _strength(s) == ("hedged", "i möjligaste mån")


@pytest.fixture(scope="module")
def minority() -> Checker:
    return Checker(only=["MINORITY-LANG"])


def _grade(checker: Checker, text: str, lang: str):
    checker.lang = lang
    result = checker.check_one(text.encode("utf-8"), name="t.txt")
    assert result.error is None
    return result.findings[0]


@pytest.mark.parametrize(
    "lang,text",
    [
        (
            "sv",
            "1.1 Kommunen ingår i förvaltningsområdet för finska, och utföraren ska därför, när brukaren "
            "begär det, erbjuda hela eller en väsentlig del av insatserna av personal som behärskar finska, "
            "ta hänsyn till brukarens behov av att behålla sin kulturella identitet och kvartalsvis "
            "redovisa bemanning med finskspråkig personal till kommunen.\n",
        ),
        (
            "sv",
            "1.1 Kommunen ingår i förvaltningsområdet för finska, och leverantören ska därför, när den "
            "enskilde begär det, erbjuda hela eller en väsentlig del av omvårdnaden av personal som behärskar "
            "finska, beakta den äldres behov av att bevara sin kulturella identitet och kvartalsvis redovisa "
            "bemanning med finskspråkig personal.\n",
        ),
        (
            "en",
            "1.1 As the municipality is in the administrative area for Finnish, the Supplier shall, at the "
            "user's request, provide all or a substantial part of care through staff who speak Finnish, "
            "take into account the user's need to maintain their cultural identity and report each quarter "
            "the number of Finnish-speaking staff.\n",
        ),
    ],
    ids=["sv-ta-hansyn", "sv-beakta", "en-take-into-account"],
)
def test_statutory_minority_wording_is_not_a_hedge(minority: Checker, lang: str, text: str) -> None:
    f = _grade(minority, text, lang)
    assert not [r for r in f.reasons if r.code == "W1"], f.reasons
    assert any(r.code == "INFO" and "statutory qualifier" in r.message for r in f.reasons), f.reasons


@pytest.mark.parametrize(
    "lang,text,hedge",
    [
        (
            "sv",
            "1.1 Kommunen ingår i förvaltningsområdet för finska, och utföraren ska därför, när brukaren "
            "begär det, ta hänsyn till brukarens önskemål om personal som behärskar finska och kvartalsvis "
            "redovisa bemanning med finskspråkig personal till kommunen.\n",
            "ta hänsyn till",
        ),
        (
            "en",
            "1.1 As the municipality is in the administrative area for Finnish, the Supplier shall take into "
            "account users' wishes for staff who speak Finnish and report each quarter the number of "
            "Finnish-speaking staff.\n",
            "take into account",
        ),
    ],
    ids=["sv", "en"],
)
def test_the_same_hedge_outside_the_statute_is_still_w1(
    minority: Checker, lang: str, text: str, hedge: str
) -> None:
    f = _grade(minority, text, lang)
    w1 = [r.message for r in f.reasons if r.code == "W1"]
    assert w1 and hedge in w1[0].lower(), f.reasons
