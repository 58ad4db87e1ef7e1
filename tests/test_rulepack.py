"""Rule packs are data: validated on load, with FILE:LINE messages and exit code 2."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import run_cli as _cli

from contractcheck.rulepack import RulePackError, builtin_rules_dir, load_pack, load_ruleset

GOOD_RULE = """\
id: INTERNSHIPS
title: Internships for long-term unemployed people
severity: medium
topic:
  en: [internship*, "long-term unemployed"]
  sv: [praktikplats*, långtidsarbetslös*]
elements:
  - id: duty
    core: true
    strength: [binding, prohibition]
  - id: number
    core: true
    terms: {en: [internship*], sv: [praktikplats*]}
    weak_class: W8
weak_if: [W1, W3]
remediation:
  en: The Supplier shall offer at least two internships a year to long-term unemployed people.
  sv: Leverantören ska erbjuda minst två praktikplatser per år till långtidsarbetslösa.
examples:
  - status: met
    lang: en
    text: "5.1 The Supplier shall offer two internships a year to long-term unemployed people."
  - status: weak
    lang: sv
    text: "5.1 Leverantören bör erbjuda praktikplatser till långtidsarbetslösa."
    reasons: [W1]
  - status: missing
    lang: en
    text: "5.1 The Supplier shall clean the windows."
"""


def make_pack(tmp_path: Path, rule_text: str, name: str = "RULE.yaml") -> Path:
    pack = tmp_path / "our-rules"
    pack.mkdir(exist_ok=True)
    (pack / "pack.yaml").write_text("name: our-rules\nversion: '1.0'\nlanguages: [en, sv]\n")
    (pack / name).write_text(rule_text)
    return pack


def test_builtin_pack_loads() -> None:
    rs = load_ruleset()
    assert rs.get("NONDISC") is not None
    assert {"en", "sv"} <= set(rs.vocab)
    assert (builtin_rules_dir() / "human-rights" / "pack.yaml").is_file()


def test_user_pack_adds_a_rule_and_can_override_a_builtin(tmp_path: Path) -> None:
    pack = make_pack(tmp_path, GOOD_RULE)
    override = GOOD_RULE.replace("id: INTERNSHIPS", "id: NONDISC").replace(
        "severity: medium", "severity: low"
    )
    (pack / "NONDISC.yaml").write_text(override)
    rs = load_ruleset([str(pack)])
    assert rs.get("INTERNSHIPS") is not None
    assert rs.get("NONDISC").severity == "low" and rs.get("NONDISC").pack == "our-rules"
    assert sum(1 for r in rs.rules if r.id == "NONDISC") == 1


@pytest.mark.parametrize(
    "change,line,message",
    [
        (("severity: medium", "severity: medium\ncolour: red"), 4, "unknown key 'colour'"),
        (("severity: medium", "severity: urgent"), 3, "severity must be one of"),
        (
            ("  - id: number\n    core: true", "  - id: number\n    core: yes please"),
            12,
            "'core' must be true or false",
        ),
        (("topic:\n", "topic:\n  patterns: ['(unclosed']\n"), 5, "bad regular expression"),
        (("weak_if: [W1, W3]", "weak_if: [W1, W42]"), 15, "unknown weakness class 'W42'"),
        (("  - id: number", "  - id: duty"), 11, "duplicate element id 'duty'"),
        (("title: Internships", "title: [Internships"), 3, "invalid YAML"),
        (("    strength: [binding, prohibition]", "    strength: [mandatory]"), 10, "unknown strength"),
        (("id: INTERNSHIPS", "id: internships"), 1, "must be upper-case"),
    ],
    ids=[
        "unknown-key",
        "bad-severity",
        "wrong-type",
        "bad-regex",
        "bad-class",
        "dup-element",
        "yaml",
        "strength",
        "id-case",
    ],
)
def test_bad_rules_are_reported_with_file_and_line(tmp_path: Path, change, line: int, message: str) -> None:
    old, new = change
    assert old in GOOD_RULE
    pack = make_pack(tmp_path, GOOD_RULE.replace(old, new, 1))
    with pytest.raises(RulePackError) as info:
        load_pack(pack)
    text = info.value.message
    assert text.startswith(f"{pack / 'RULE.yaml'}:{line}: "), text
    assert message in text


def test_duplicate_rule_id_in_one_pack(tmp_path: Path) -> None:
    pack = make_pack(tmp_path, GOOD_RULE)
    (pack / "COPY.yaml").write_text(GOOD_RULE)
    with pytest.raises(RulePackError, match="duplicate rule id INTERNSHIPS"):
        load_pack(pack)


def test_rules_validate_and_test_through_the_cli(tmp_path: Path) -> None:
    pack = make_pack(tmp_path, GOOD_RULE)
    res = _cli("rules", "validate", str(pack))
    assert res.returncode == 0 and "ok (1 rules)" in res.stdout
    res = _cli("rules", "test", str(pack))
    assert res.returncode == 0, res.stdout
    assert "3 passed, 0 failed" in res.stdout
    (tmp_path / "b").mkdir()
    bad = make_pack(tmp_path / "b", GOOD_RULE.replace("severity: medium", "severity: urgent"))
    res = _cli("rules", "validate", str(bad))
    assert res.returncode == 2
    assert res.stderr.strip().splitlines()[0].startswith(f"{bad / 'RULE.yaml'}:3: severity must be")
    res = _cli("check", "--rules", str(bad), str(tmp_path))
    assert res.returncode == 2 and "Traceback" not in res.stderr


def test_a_failing_example_fails_rules_test(tmp_path: Path) -> None:
    pack = make_pack(tmp_path, GOOD_RULE.replace("- status: missing", "- status: met", 1))
    res = _cli("rules", "test", str(pack))
    assert res.returncode == 1
    assert "FAIL INTERNSHIPS" in res.stdout and "expected met, got missing" in res.stdout


def test_builtin_examples_pass() -> None:
    res = _cli("rules", "test")
    assert res.returncode == 0, res.stdout[-3000:]
    assert ", 0 failed" in res.stdout


def test_rules_list_and_show() -> None:
    res = _cli("rules", "list")
    assert res.returncode == 0 and "NONDISC" in res.stdout and "en,sv" in res.stdout
    res = _cli("rules", "show", "nondisc")
    assert res.returncode == 0 and "suggested clause (sv)" in res.stdout
    res = _cli("rules", "show", "NOPE")
    assert res.returncode == 2


def test_a_hanging_user_regex_is_cut_off(tmp_path: Path) -> None:
    evil = GOOD_RULE.replace("topic:\n", "topic:\n  patterns: ['(a+)+$']\n")
    pack = make_pack(tmp_path, evil)
    doc = tmp_path / "c.txt"
    doc.write_text("5.1 The Supplier shall " + "a" * 40 + "!\n")
    shutil.copy(doc, tmp_path / "d.txt")
    res = _cli("check", "--no-default-rules", "--rules", str(pack), "--fail-on", "never", str(doc))
    assert res.returncode == 0, res.stderr


CONTEXT_RULE = """\
id: STEP-FREE
title: Step-free venues
severity: low
topic:
  en: ["step-free access"]
  contextual:
    patterns: ['\\baccessible\\b']
  context:
    en: [wheelchair*, "persons with disabilities"]
elements:
  - id: duty
    core: true
    strength: [binding]
remediation:
  en: The venue shall have step-free access.
"""


def test_contextual_topic_words_count_only_beside_their_context(tmp_path: Path) -> None:
    from contractcheck import Checker

    checker = Checker([str(make_pack(tmp_path, CONTEXT_RULE))], default_rules=False)

    def status(text: str) -> str:
        return checker.check_one(text.encode(), name="x.txt").findings[0].status

    assert status("1. The venue shall be accessible to delivery vans from 06:00.\n") == "missing"
    assert status("1. The venue shall be accessible to wheelchair users.\n") == "met"
    assert status("1. The venue shall offer step-free access.\n") == "met"


def test_contextual_without_context_is_rejected(tmp_path: Path) -> None:
    broken = CONTEXT_RULE.replace('  context:\n    en: [wheelchair*, "persons with disabilities"]\n', "")
    with pytest.raises(
        RulePackError, match=r"STEP-FREE.yaml:5: topic.contextual and topic.context go together"
    ):
        load_pack(make_pack(tmp_path, broken, "STEP-FREE.yaml"))


def test_applicability_can_ask_for_several_distinct_trigger_words(tmp_path: Path) -> None:
    from contractcheck import Checker

    rule = GOOD_RULE.replace(
        "topic:\n", "applies_when:\n  min: 2\n  any: {en: [cleaning, premises, windows]}\ntopic:\n", 1
    )
    checker = Checker([str(make_pack(tmp_path, rule))], default_rules=False)

    def status(text: str) -> str:
        return checker.check_one(text.encode(), name="x.txt").findings[0].status

    assert status("1. The Supplier shall clean the windows twice a year.\n") == "not_applicable"
    assert status("1. The Supplier shall clean the windows of the premises twice a year.\n") == "missing"


def test_a_vocabulary_term_can_name_other_lists(tmp_path: Path) -> None:
    """ "{supplier} {supplier_verbs}" is every supplier word followed by every such verb; a user
    pack's supplier words join the grid, and the grid binds a present-tense sentence."""
    pack = make_pack(tmp_path, GOOD_RULE)
    (pack / "vocab").mkdir()
    (pack / "vocab" / "sv.yaml").write_text(
        "language: sv\nlists:\n  supplier: [bemanningsföretaget]\n"
        "  supplier_verbs: [erbjuder]\n  binding: ['{supplier} {supplier_verbs}']\n"
    )
    rs = load_ruleset([str(pack)])
    binding = rs.vocab["sv"]["binding"]
    assert "bemanningsföretaget erbjuder" in binding
    assert "leverantören erbjuder" in binding  # the built-in supplier list, extended, not replaced
    assert not any("{" in t for t in binding)
    from contractcheck.api import Checker

    text = "5.1 Bemanningsföretaget erbjuder två praktikplatser per år till långtidsarbetslösa.\n".encode()
    finding = Checker([str(pack)], lang="sv", only=["INTERNSHIPS"]).check(text, name="a.txt")
    assert finding.documents[0].findings[0].status == "met"


def test_an_unknown_list_in_braces_is_reported_with_file_and_line(tmp_path: Path) -> None:
    pack = make_pack(tmp_path, GOOD_RULE)
    (pack / "vocab").mkdir()
    (pack / "vocab" / "en.yaml").write_text("language: en\nlists:\n  binding: ['{suppliers} agrees']\n")
    with pytest.raises(
        RulePackError, match=r"en\.yaml:3: '\{suppliers\}' in 'binding' names no vocabulary list"
    ):
        load_ruleset([str(pack)])
