"""`--assume`: facts the text cannot show decide applicability and whether a supply chain exists."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_cli

from contractcheck import Checker
from contractcheck.errors import ContractcheckError
from contractcheck.rulepack import RulePackError, load_ruleset

CLEANING = "Contract for office cleaning\n\n1. The Supplier shall clean the offices every weekday.\n"
WEBSITE = (
    "Contract for a new municipal website\n\n1. The Supplier shall design, build and host the "
    "municipality's public website and e-services.\n"
)

PACK = """\
name: widgets
version: '1'
facts:
  subcontracting: the supplier uses subcontractors
  outdoor: work is done outdoors
chain_facts: [subcontracting]
"""
RULE = """\
id: WIDGET-SAFETY
title: Widget safety
severity: medium
applies_when:
  facts: [outdoor]
  any: {en: [outdoors, "outdoor work"]}
topic:
  en: ["widget safety"]
elements:
  - id: duty
    core: true
    strength: [binding, prohibition]
  - id: chain
    core: true
    vocab: flow_down
    weak_class: W10
remediation:
  en: The Supplier shall ensure widget safety, and so shall its subcontractors.
"""


def _status(checker: Checker, text: str, rule: str) -> tuple[str, list[str]]:
    f = next(f for f in checker.check_one(text.encode(), name="x.txt").findings if f.requirement == rule)
    return f.status, [f"{r.code}: {r.message}" for r in f.reasons]


def _pack(tmp_path: Path) -> Path:
    pack = tmp_path / "widgets"
    pack.mkdir()
    (pack / "pack.yaml").write_text(PACK)
    (pack / "WIDGET-SAFETY.yaml").write_text(RULE)
    return pack


def test_a_stated_fact_makes_a_requirement_apply() -> None:
    assert _status(Checker(only=["ACCESS-ICT"]), CLEANING, "ACCESS-ICT")[0] == "not_applicable"
    assert _status(Checker(only=["ACCESS-ICT"], assume=["ict"]), CLEANING, "ACCESS-ICT")[0] == "missing"


def test_a_negated_fact_makes_it_not_applicable_with_the_reason() -> None:
    assert _status(Checker(only=["ACCESS-ICT"]), WEBSITE, "ACCESS-ICT")[0] == "missing"
    status, reasons = _status(Checker(only=["ACCESS-ICT"], assume=["no-ict"]), WEBSITE, "ACCESS-ICT")
    assert status == "not_applicable"
    assert reasons and reasons[0].startswith("NA:") and "no-ict" in reasons[0]


def test_a_topic_the_contract_addresses_is_graded_even_without_its_trigger(tmp_path: Path) -> None:
    checker = Checker([str(_pack(tmp_path))], default_rules=False)
    assert (
        _status(checker, "1. The Supplier shall deliver widgets.\n", "WIDGET-SAFETY")[0] == "not_applicable"
    )
    text = "1. The Supplier shall ensure widget safety at all times.\n"
    assert _status(checker, text, "WIDGET-SAFETY")[0] in ("met", "weak")


def test_chain_facts_make_missing_flow_down_a_weakness(tmp_path: Path) -> None:
    text = "1. The Supplier shall ensure widget safety at all times.\n"
    pack = str(_pack(tmp_path))
    assert _status(Checker([pack], default_rules=False), text, "WIDGET-SAFETY")[0] == "met"
    status, reasons = _status(
        Checker([pack], default_rules=False, assume=["subcontracting"]), text, "WIDGET-SAFETY"
    )
    assert status == "weak" and any(r.startswith("W10") for r in reasons)


def test_the_callers_facts_override_the_configuration(tmp_path: Path) -> None:
    (tmp_path / "contractcheck.toml").write_text('assume = ["no-ict"]\n')
    (tmp_path / "web.txt").write_text(WEBSITE)
    base = ["check", "web.txt", "--only", "ACCESS-ICT", "--format", "json", "--fail-on", "never"]
    from_config = json.loads(run_cli(*base, cwd=tmp_path).stdout)
    assert from_config["assumptions"] == {"ict": False}
    assert from_config["documents"][0]["findings"][0]["status"] == "not_applicable"
    overridden = json.loads(run_cli(*base, "--assume", "ict", cwd=tmp_path).stdout)
    assert overridden["assumptions"] == {"ict": True}
    assert overridden["documents"][0]["findings"][0]["status"] == "missing"


@pytest.mark.parametrize(
    ("facts", "message"),
    [("icts", "unknown fact 'icts'"), ("ict,no-ict", "states both 'ict' and 'no-ict'")],
)
def test_bad_facts_are_usage_errors(tmp_path: Path, facts: str, message: str) -> None:
    with pytest.raises(ContractcheckError, match=message):
        Checker(assume=[facts])
    (tmp_path / "c.txt").write_text(CLEANING)
    proc = run_cli("check", str(tmp_path / "c.txt"), "--assume", facts)
    assert proc.returncode == 2
    assert message in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_a_rule_naming_an_undeclared_fact_is_reported_with_file_and_line(tmp_path: Path) -> None:
    pack = _pack(tmp_path)
    (pack / "WIDGET-SAFETY.yaml").write_text(RULE.replace("facts: [outdoor]", "facts: [indoors]"))
    with pytest.raises(RulePackError, match=r"WIDGET-SAFETY.yaml:5: unknown fact 'indoors'"):
        load_ruleset([str(pack)], default=False)


def test_facts_are_listed_with_the_requirements_they_decide() -> None:
    proc = run_cli("rules", "facts")
    assert proc.returncode == 0
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("ict "))
    assert "ICT" in line
    assert "decides: ACCESS-ICT" in proc.stdout


def test_audit_takes_facts_and_rejects_unknown_ones(tmp_path: Path) -> None:
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "web.txt").write_text(WEBSITE)
    base = ["audit", "c", "--jobs", "1", "--only", "ACCESS-ICT", "--format", "json", "--fail-on", "never"]

    def status(*extra: str) -> tuple[str, str]:
        proc = run_cli(*base, *extra, cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        doc = json.loads(proc.stdout)["documents"][0]
        return doc["findings"][0]["status"], proc.stderr

    assert status()[0] == "missing"
    assert status("--assume", "no-ict")[0] == "not_applicable"
    bad = run_cli(*base, "--assume", "icts", cwd=tmp_path)
    assert bad.returncode == 2 and "unknown fact 'icts'" in bad.stderr
