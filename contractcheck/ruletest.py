"""`contractcheck rules test`: every rule ships examples that must be graded as labelled."""

from __future__ import annotations

from dataclasses import dataclass

from .engine import Engine
from .ingest import load
from .rulepack import Example, Rule, load_ruleset


@dataclass
class ExampleResult:
    rule: Rule
    example: Example
    status: str
    reasons: list[str]

    @property
    def passed(self) -> bool:
        return self.status == self.example.status and set(self.example.reasons) <= set(self.reasons)

    def describe(self) -> str:
        mark = "ok  " if self.passed else "FAIL"
        want = self.example.status + (f" {self.example.reasons}" if self.example.reasons else "")
        got = self.status + (f" {self.reasons}" if self.reasons else "")
        text = " ".join(self.example.text.split())
        text = text if len(text) <= 90 else text[:89] + "…"
        where = f"{self.rule.source}:{self.example.line}"
        head = f"{mark} {self.rule.id} ({self.example.lang}) {where}: expected {want}, got {got}"
        return f"{head}\n       «{text}»"


def run_examples(paths: list[str]) -> list[ExampleResult]:
    """Grade each example of the given packs (default: the built-in pack) in isolation."""
    ruleset = load_ruleset(paths, default=False) if paths else load_ruleset()
    engine = Engine(ruleset)
    results = []
    for rule in ruleset.rules:
        for example in rule.examples:
            doc = load(example.text.encode("utf-8"), name=f"{rule.id}-example", lang=example.lang)
            finding = engine.evaluate(doc, [rule])[0]
            codes = [r.code for r in finding.reasons if r.code.startswith("W")]
            results.append(ExampleResult(rule, example, finding.status, codes))
    return results
