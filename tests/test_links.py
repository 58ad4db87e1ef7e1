"""Cross-requirement links: one audit clause serves every requirement it reaches, judged once."""

from __future__ import annotations

from pathlib import Path

import pytest

from contractcheck import Checker
from contractcheck.rulepack import RulePackError, load_ruleset

PACK = """\
name: widgets
version: '1'
links:
  verification: WIDGET-AUDIT
"""
SAFETY = """\
id: WIDGET-SAFETY
title: Widget safety
severity: medium
topic:
  en: ["widget safety"]
elements:
  - id: duty
    core: true
    strength: [binding]
  - id: checked
    core: true
    vocab: verification
    weak_class: W4
remediation:
  en: The Supplier shall ensure widget safety and the Authority may audit it.
"""
AUDIT = """\
id: WIDGET-AUDIT
title: Audits of widget work
severity: medium
topic:
  en: ["audit", "audits"]
elements:
  - id: duty
    core: true
    strength: [binding, permissive]
remediation:
  en: The Authority may audit the Supplier.
"""

DUTY = "The Supplier shall ensure widget safety at all times."
AUDITS = (
    "The Authority may audit the Supplier's compliance and the Supplier shall keep records for inspection."
)


@pytest.fixture()
def checker(tmp_path: Path) -> Checker:
    pack = tmp_path / "widgets"
    pack.mkdir()
    (pack / "pack.yaml").write_text(PACK)
    (pack / "WIDGET-SAFETY.yaml").write_text(SAFETY)
    (pack / "WIDGET-AUDIT.yaml").write_text(AUDIT)
    return Checker([str(pack)], default_rules=False, only=["WIDGET-SAFETY"])


def _finding(checker: Checker, text: str):
    [f] = checker.check_one(text.encode(), name="c.txt").findings
    return f


def test_without_an_audit_clause_the_duty_lacks_verification(checker: Checker) -> None:
    f = _finding(checker, f"1. Terms\n\n1.1 {DUTY}\n\n1.2 Payment is due in 30 days.\n")
    assert f.status == "weak" and [r.code for r in f.reasons] == ["W4"]


def test_an_audit_clause_in_the_same_part_serves_the_duty(checker: Checker) -> None:
    f = _finding(checker, f"1. Terms\n\n1.1 {DUTY}\n\n1.2 Payment is due in 30 days.\n\n1.3 {AUDITS}\n")
    assert f.status == "met"
    assert any(r.code == "INFO" and "through WIDGET-AUDIT (§1.3)" in r.message for r in f.reasons)
    assert any(e.clause == "1.3" for e in f.evidence), "the audit clause is cited as evidence"


def test_an_audit_clause_elsewhere_serves_it_only_if_it_names_the_annex(checker: Checker) -> None:
    annex = f"Annex 2 Widget requirements\n\n1. {DUTY}\n"
    unrelated = f"1. Terms\n\n1.1 {AUDITS}\n\n{annex}"
    naming = f"1. Terms\n\n1.1 {AUDITS.replace('compliance', 'compliance with Annex 2')}\n\n{annex}"
    assert _finding(checker, unrelated).status == "weak"
    assert _finding(checker, naming).status == "met"


def test_links_must_name_a_vocabulary_list(tmp_path: Path) -> None:
    pack = tmp_path / "widgets"
    pack.mkdir()
    (pack / "pack.yaml").write_text(PACK.replace("verification:", "checking:"))
    with pytest.raises(RulePackError, match=r"pack.yaml:4: links: 'checking' is not a vocabulary list"):
        load_ruleset([str(pack)], default=False)
