"""The library surface: `check()` for one document, `Checker` to compile once and check many.

The CLI is a thin layer over this module; nothing here reads a configuration file unless given one.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from .config import Config
from .engine import Engine
from .errors import ContractcheckError, LoadError
from .findings import DocumentResult, Finding, Reason, Report
from .ingest import load
from .ingest.base import Limits
from .model import Document
from .rulepack import Rule, RuleSet, load_ruleset, parse_assumptions

Source = str | os.PathLike[str] | bytes


@dataclass
class Selection:
    """Which requirements to report: --only / --skip, already split into ids."""

    only: set[str] = field(default_factory=set)
    skip: set[str] = field(default_factory=set)

    def pick(self, rules: list[Rule]) -> list[Rule]:
        known = {r.id for r in rules}
        unknown = (self.only | self.skip) - known
        if unknown:
            raise ContractcheckError(
                f"unknown requirement id(s): {', '.join(sorted(unknown))} (see `contractcheck rules list`)",
                code="usage",
            )
        return [r for r in rules if (not self.only or r.id in self.only) and r.id not in self.skip]


class Checker:
    """Compiles the rule packs once; `check()` then grades any number of documents."""

    def __init__(
        self,
        rules: Iterable[str] | None = None,
        *,
        lang: str = "auto",
        config: Config | None = None,
        default_rules: bool = True,
        only: Iterable[str] = (),
        skip: Iterable[str] = (),
        assume: Iterable[str] = (),
        limits: Limits | None = None,
    ) -> None:
        config = config or Config()
        self.limits = limits or Limits()
        packs = list(config.rules) + list(rules or [])
        self.ruleset: RuleSet = load_ruleset(packs, default=default_rules and config.default_rules)
        self.lang = lang if lang != "auto" else (config.lang or "auto")
        self.severity = dict(config.severity)
        selection = Selection(set(only) | set(config.only), set(skip) | set(config.skip))
        self.rules = selection.pick(self.ruleset.rules)
        # Facts the text cannot show (--assume); the configuration's come first, the caller's win.
        self.facts = {
            **parse_assumptions(config.assume, self.ruleset.facts),
            **parse_assumptions(assume, self.ruleset.facts),
        }
        self.engine = Engine(self.ruleset)

    @property
    def rulepacks(self) -> list[dict[str, str]]:
        return [{"name": p.name, "version": p.version} for p in self.ruleset.packs]

    def check_document(self, doc: Document) -> DocumentResult:
        findings = self.engine.evaluate(doc, self.rules, self.facts)
        for f in findings:
            f.severity = self.severity.get(f.requirement, f.severity)
        return DocumentResult(
            path=doc.path,
            sha256=doc.sha256,
            format=doc.format,
            language=doc.language,
            pages=doc.pages,
            warnings=[Reason(w.code, w.message) for w in doc.warnings],
            findings=_ordered(findings),
        )

    def check(self, source: Source, *, name: str | None = None) -> Report:
        """Check one file or byte string; an unreadable input gives a report with its error."""
        return Report([self.check_one(source, name=name)], self.rulepacks, assumptions=dict(self.facts))

    def check_one(self, source: Source, *, name: str | None = None) -> DocumentResult:
        path = name or (None if isinstance(source, (bytes, bytearray)) else str(source))
        with _collector_paused():
            try:
                doc = load(source, name=name, lang=self.lang, limits=self.limits)
            except LoadError as exc:
                return DocumentResult(path=exc.path or path, error=Reason(exc.code, exc.message))
            return self.check_document(doc)


def check(
    source: Source,
    *,
    rules: Iterable[str] | None = None,
    lang: str = "auto",
    config: Config | None = None,
) -> Report:
    """Check one contract against the built-in pack (plus `rules`), returning the §2.2 report."""
    return Checker(rules, lang=lang, config=config).check(source)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off while one document is read and judged, on again after.

    A long contract allocates hundreds of thousands of small objects that live until the report is
    made, and the collector kept re-scanning them: a quarter of the time of a 600-page check. The
    objects form no garbage cycles, so nothing is lost by letting it run after the document instead.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


_STATUS_ORDER = {"missing": 0, "weak": 1, "met": 2, "not_applicable": 3}
_SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}


def _ordered(findings: list[Finding]) -> list[Finding]:
    """Gaps first, the most severe first; the rule pack's order otherwise."""
    return sorted(findings, key=lambda f: (_STATUS_ORDER[f.status], _SEVERITY_ORDER.get(f.severity, 3)))
