"""The engine on the cases of requirements.md §1.2–1.5 and §2: modals, negation, hedges, scope, location."""

from __future__ import annotations

from pathlib import Path

import pytest

from contractcheck.api import Checker
from contractcheck.findings import Finding


@pytest.fixture(scope="module")
def checker() -> Checker:
    return Checker(only=["NONDISC"])


def grade(checker: Checker, text: str, lang: str = "auto") -> Finding:
    checker.lang = lang
    result = checker.check_one(text.encode("utf-8"), name="t.txt")
    assert result.error is None
    return result.findings[0]


GROUNDS_EN = (
    "sex, transgender identity or expression, ethnicity, religion or other belief, disability, "
    "sexual orientation or age, directly or indirectly"
)
GROUNDS_SV = (
    "kön, könsöverskridande identitet eller uttryck, etnisk tillhörighet, religion eller annan "
    "trosuppfattning, funktionsnedsättning, sexuell läggning eller ålder, direkt eller indirekt"
)


@pytest.mark.parametrize(
    "text",
    [
        f"7.2 The Supplier shall not discriminate against any worker on grounds of {GROUNDS_EN}.",
        f"7.2 The Supplier may not discriminate against any worker on grounds of {GROUNDS_EN}.",
        f"7.2 The Supplier must ensure that no worker is discriminated against on grounds of {GROUNDS_EN}.",
        f"4.3 Leverantören får inte diskriminera någon arbetstagare på grund av {GROUNDS_SV}.",
        f"4.3 Leverantören ska säkerställa att ingen diskrimineras på grund av {GROUNDS_SV}.",
    ],
    ids=["shall-not", "may-not-prohibits", "must-ensure", "far-inte-prohibits", "ska-sakerstalla"],
)
def test_binding_and_prohibitive_wording_is_met(checker: Checker, text: str) -> None:
    f = grade(checker, text)
    assert f.status == "met", f.reasons
    assert f.evidence and f.evidence[0].clause in ("7.2", "4.3")


@pytest.mark.parametrize(
    "text,hedge",
    [
        (f"7.2 The Supplier should not discriminate on grounds of {GROUNDS_EN}.", "should"),
        (f"7.2 The Supplier shall endeavour not to discriminate on grounds of {GROUNDS_EN}.", "endeavour"),
        (
            f"7.2 The Supplier shall, where possible, avoid discrimination on grounds of {GROUNDS_EN}.",
            "where possible",
        ),
        (f"7.2 The Supplier will strive to prevent discrimination on grounds of {GROUNDS_EN}.", "strive"),
        (f"4.3 Leverantören bör inte diskriminera på grund av {GROUNDS_SV}.", "bör"),
        (
            f"4.3 Leverantören ska i möjligaste mån motverka diskriminering på grund av {GROUNDS_SV}.",
            "i möjligaste mån",
        ),
        (f"4.3 Leverantören ska sträva efter att ingen diskrimineras på grund av {GROUNDS_SV}.", "sträva"),
    ],
)
def test_hedged_wording_is_weak_w1(checker: Checker, text: str, hedge: str) -> None:
    f = grade(checker, text)
    assert f.status == "weak"
    w1 = [r.message for r in f.reasons if r.code == "W1"]
    assert w1 and hedge in w1[0].lower()


def test_permissive_may_is_not_binding(checker: Checker) -> None:
    f = grade(
        checker, f"7.2 The Supplier may adopt a policy against discrimination on grounds of {GROUNDS_EN}."
    )
    assert f.status == "weak"
    assert any(r.code == "W1" and "permissive" in r.message for r in f.reasons)


def test_some_grounds_only_is_limited_scope(checker: Checker) -> None:
    f = grade(checker, "7.2 The Supplier shall not discriminate on grounds of gender, race or religion.")
    assert f.status == "weak"
    assert {r.code for r in f.reasons} == {"W2"}
    assert "grounds" in f.missing_elements


def test_a_reference_to_the_act_covers_all_grounds(checker: Checker) -> None:
    f = grade(
        checker, "4.3 Leverantören får inte diskriminera någon i strid med diskrimineringslagen (2008:567)."
    )
    assert f.status == "met"


def test_scope_limiter_is_w2(checker: Checker) -> None:
    f = grade(
        checker,
        f"7.2 The Supplier shall not discriminate against its own employees only on grounds of {GROUNDS_EN}.",
    )
    assert any(r.code == "W2" for r in f.reasons)


def test_recital_location_is_w3(checker: Checker) -> None:
    text = (
        "SERVICES AGREEMENT\n"
        f"WHEREAS the Supplier shall not discriminate on grounds of {GROUNDS_EN};\n"
        "NOW, THEREFORE, the parties agree as follows:\n"
        "1. Services\n1.1 The Supplier shall clean the premises.\n"
    )
    f = grade(checker, text)
    assert f.status == "weak"
    assert any(r.code == "W3" for r in f.reasons)


def test_background_heading_is_w3_and_names_the_section(checker: Checker) -> None:
    f = grade(
        checker,
        f"1. Bakgrund\nLeverantören får inte diskriminera på grund av {GROUNDS_SV}.\n2. Pris\nFast pris.",
    )
    assert any(r.code == "W3" and "Bakgrund" in r.message for r in f.reasons)


def test_policy_only_referred_to_is_w3(checker: Checker) -> None:
    f = grade(
        checker,
        "7.2 The Supplier's equal opportunities policy against discrimination on grounds of "
        f"{GROUNDS_EN} is available on request.",
    )
    assert any(r.code == "W3" for r in f.reasons)


def test_duty_on_the_authority_is_w7(checker: Checker) -> None:
    f = grade(checker, f"7.2 The Authority shall not discriminate on grounds of {GROUNDS_EN}.")
    assert any(r.code == "W7" for r in f.reasons)


def test_tender_stage_declaration_is_w9(checker: Checker) -> None:
    f = grade(
        checker,
        "7.2 The Supplier represents that it has not discriminated against any worker on grounds of "
        f"{GROUNDS_EN}.",
    )
    assert any(r.code == "W9" for r in f.reasons)


@pytest.mark.parametrize(
    "text",
    [
        "7.2 The Authority shall evaluate tenders in accordance with the principle of equal treatment.",
        "7.3 The Supplier shall indemnify the Authority against all claims under anti-discrimination laws.",
        "3.1 Upphandlingen genomförs med iakttagande av principen om likabehandling av leverantörer.",
        "1. Non-discrimination\n2. Price\nThe price is fixed.",  # a heading alone
        '1.4 "Discrimination" means any distinction, exclusion or preference.',  # a definition
        "5.1 The Supplier shall clean the premises every working day.",
    ],
    ids=["procurement-principle", "indemnity", "likabehandling", "heading-only", "definition", "unrelated"],
)
def test_hard_negatives_are_missing(checker: Checker, text: str) -> None:
    assert grade(checker, text).status == "missing"


def test_list_item_takes_the_modal_of_its_lead_in(checker: Checker) -> None:
    text = f"3.1 Leverantören ska:\n(a) följa gällande lag;\n(b) inte diskriminera någon på grund av {GROUNDS_SV}.\n"
    f = grade(checker, text)
    assert f.status == "met", f.reasons
    assert f.evidence[0].clause == "3.1(b)"


def test_remedy_and_verification_must_reach_the_requirement(checker: Checker) -> None:
    linked = (
        f"4.3 Leverantören får inte diskriminera på grund av {GROUNDS_SV}.\n"
        "4.4 Leverantören ska föra vidare kraven till underleverantörer.\n"
        "7.1 Om Leverantören bryter mot punkt 4.3 utgör det ett väsentligt avtalsbrott.\n"
        "8.1 Leverantören ska på begäran redovisa hur kraven i punkt 4 uppfylls.\n"
    )
    unlinked = (
        f"4.3 Leverantören får inte diskriminera på grund av {GROUNDS_SV}.\n"
        "7.1 Beställaren får häva avtalet vid väsentligt avtalsbrott.\n"
    )
    f = grade(checker, linked)
    assert "remedy" not in f.missing_elements and "verification" not in f.missing_elements
    f = grade(checker, unlinked)
    assert "remedy" in f.missing_elements


def test_typos_still_match_and_are_reported(checker: Checker) -> None:
    f = grade(
        checker, f"7.2 The Supplier shall not dlscriminate against any worker on grounds of {GROUNDS_EN}."
    )
    assert f.status == "met"
    assert any(r.code == "INFO" and "dlscriminate" in r.message for r in f.reasons)


def test_swedish_contract_with_english_passage_matches(checker: Checker) -> None:
    text = (
        "1. Allmänt\nLeverantören ska utföra tjänsten enligt avtalet och beställarens instruktioner.\n"
        f"2. Equality\nThe Supplier shall not discriminate on grounds of {GROUNDS_EN}.\n"
    )
    f = grade(checker, text)
    assert f.status == "met"


def test_evidence_offsets_point_into_the_document_text(checker: Checker, tmp_path: Path) -> None:
    from contractcheck.ingest import load

    text = f"Intro.\n7.2 The Supplier shall not discriminate on grounds of {GROUNDS_EN}.\n"
    path = tmp_path / "c.txt"
    path.write_text(text)
    f = checker.check_one(str(path)).findings[0]
    doc_text = load(path).text
    e = f.evidence[0]
    assert doc_text[e.start : e.end].strip() == e.text


def test_near_verbatim_model_clause_is_recognised(checker: Checker) -> None:
    rule = checker.ruleset.get("NONDISC")
    f = grade(checker, "7.2 " + rule.remediation["en"])
    assert f.status == "met"
    assert f.evidence[0].similarity is not None and f.evidence[0].similarity > 0.9


@pytest.mark.parametrize(
    "text",
    [
        "12. Clauses incorporated by reference\n12.4 52.222-50 Combating Trafficking in Persons (MAR 2015)\n12.5 52.222-54 Employment Eligibility Verification\n",
        "12.1 The following FAR clauses apply to this order: 52.222-50 Combating Trafficking in Persons; 52.204-21 Basic Safeguarding.\n",
    ],
    ids=["listing-line", "listing-in-sentence"],
)
def test_standard_clause_by_number_and_title_is_present_but_w3(text: str) -> None:
    f = Checker(only=["FORCED-LABOUR"]).check_one(text.encode(), name="far.txt").findings[0]
    assert f.status == "weak"
    assert any(r.code == "W3" and "standard clause" in r.message for r in f.reasons)


def test_counting_distinct_terms_not_inflections(checker: Checker) -> None:
    # "gender" twice and "genders" must not count as three grounds
    f = grade(
        checker, "7.2 The Supplier shall not discriminate on grounds of gender, genders, gender or age."
    )
    assert f.status == "weak" and "grounds" in f.missing_elements
