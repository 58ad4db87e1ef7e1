"""Score the checker against gold labels with the rules of DESIGN §2.4, so every reader agrees.

Presence: gold met/weak/present is positive, missing negative, not_applicable left out; a prediction
of met/weak is positive, anything else negative (an unreadable document predicts nothing).
Grade accuracy: over gold met/weak found present, the share graded the same. False presence and
false met: the share of gold `missing` called met-or-weak, or met. Macro-F1: over requirements with
at least `MIN_POSITIVES` gold positives in the set.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import regex
from rapidfuzz import fuzz

from ..findings import DocumentResult
from .gold import GoldDocument, GoldLabel

MIN_POSITIVES = 3
PREDICTED = ("met", "weak", "missing", "not_applicable", "error")
EVIDENCE_MATCH = 85.0  # partial-ratio at which a tool quote counts as the gold quote


@dataclass
class Outcome:
    """One gold label next to what the tool said about the same requirement in the same document."""

    document: GoldDocument
    gold: GoldLabel
    predicted: str  # one of PREDICTED
    reasons: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)  # "p.3 §4.2: text"
    evidence_text: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def requirement(self) -> str:
        return self.gold.requirement

    @property
    def language(self) -> str:
        return self.document.language or "?"

    @property
    def predicted_positive(self) -> bool:
        return self.predicted in ("met", "weak")

    @property
    def kind(self) -> str:
        """Why this outcome is a disagreement ('' when it is not one)."""
        gold = self.gold.positive
        if gold is None:
            return "flagged_not_applicable" if self.predicted in ("met", "weak", "missing") else ""
        if gold and not self.predicted_positive:
            return "missed"
        if not gold and self.predicted_positive:
            return "false_presence"
        if gold and self.gold.status != "present" and self.predicted != self.gold.status:
            return "grade"
        return ""

    @property
    def evidence_located(self) -> bool:
        """Whether one of the tool's quotes is one of the gold quotes (or contains it)."""
        for g in self.gold.evidence:
            gn = _norm(g)
            for t in self.evidence_text:
                if fuzz.partial_ratio(gn, _norm(t)) >= EVIDENCE_MATCH:
                    return True
        return False


_SPACE = regex.compile(r"\s+")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u00ad": ""})


def _norm(text: str) -> str:
    return _SPACE.sub(" ", text.translate(_QUOTES)).strip().lower()


def outcomes_for(doc: GoldDocument, result: DocumentResult, scored: set[str]) -> list[Outcome]:
    """Pair each gold label of `doc` whose requirement the checker ran with the tool's finding."""
    findings = {f.requirement: f for f in result.findings}
    out: list[Outcome] = []
    for req, label in doc.labels.items():
        if req not in scored:
            continue
        if result.error is not None:
            out.append(Outcome(doc, label, "error", error=f"{result.error.code}: {result.error.message}"))
            continue
        f = findings.get(req)
        if f is None:
            continue
        quotes = [
            (f"p.{e.page} " if e.page else "") + (f"§{e.clause}: " if e.clause else "") + e.text
            for e in f.evidence
        ]
        out.append(
            Outcome(
                doc,
                label,
                f.status,
                reasons=[r.code for r in f.reasons],
                evidence=quotes,
                evidence_text=[e.text for e in f.evidence],
            )
        )
    return out


@dataclass
class Counts:
    """The counts behind every figure, so a reader can see what a ratio rests on."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    graded: int = 0  # gold met/weak found present
    grade_ok: int = 0
    negatives: int = 0  # gold missing
    false_presence: int = 0
    false_met: int = 0
    not_applicable: int = 0  # gold not_applicable (left out of presence)
    flagged_not_applicable: int = 0  # ... that the tool still reported met, weak or missing
    located: int = 0  # true positives whose evidence matches a gold quote
    with_gold_evidence: int = 0
    classes_gold: int = 0  # weakness classes on gold weak labels the tool graded weak
    classes_named: int = 0  # ... that the tool also named

    def add(self, o: Outcome) -> None:
        gold = o.gold.positive
        if gold is None:
            self.not_applicable += 1
            self.flagged_not_applicable += o.predicted in ("met", "weak", "missing")
            return
        pred = o.predicted_positive
        if gold and pred:
            self.tp += 1
            if o.gold.evidence:
                self.with_gold_evidence += 1
                self.located += o.evidence_located
            if o.gold.status in ("met", "weak"):
                self.graded += 1
                self.grade_ok += o.predicted == o.gold.status
            if o.gold.status == "weak" and o.predicted == "weak":
                wanted = {c for c in o.gold.reasons if c.startswith("W")}
                self.classes_gold += len(wanted)
                self.classes_named += len(wanted & set(o.reasons))
        elif gold:
            self.fn += 1
        elif pred:
            self.fp += 1
        else:
            self.tn += 1
        if not gold:
            self.negatives += 1
            self.false_presence += pred
            self.false_met += o.predicted == "met"

    @property
    def positives(self) -> int:
        return self.tp + self.fn

    @property
    def precision(self) -> float | None:
        return _ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float | None:
        return _ratio(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> float | None:
        return _ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn)

    @property
    def grade_accuracy(self) -> float | None:
        return _ratio(self.grade_ok, self.graded)

    @property
    def false_presence_rate(self) -> float | None:
        return _ratio(self.false_presence, self.negatives)

    @property
    def false_met_rate(self) -> float | None:
        return _ratio(self.false_met, self.negatives)

    def to_dict(self) -> dict[str, object]:
        d: dict[str, object] = {k: v for k, v in vars(self).items()}
        for name in ("precision", "recall", "f1", "grade_accuracy", "false_presence_rate", "false_met_rate"):
            value = getattr(self, name)
            d[name] = None if value is None else round(value, 4)
        return d


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def tally(outcomes: Iterable[Outcome]) -> Counts:
    counts = Counts()
    for o in outcomes:
        counts.add(o)
    return counts


@dataclass
class Scope:
    """Figures for one slice of a set (all languages, or one): per requirement, pooled, and macro."""

    by_requirement: dict[str, Counts]
    pooled: Counts

    @property
    def eligible(self) -> list[str]:
        return [r for r, c in self.by_requirement.items() if c.positives >= MIN_POSITIVES]

    @property
    def macro_f1(self) -> float | None:
        values = [self.by_requirement[r].f1 or 0.0 for r in self.eligible]
        return sum(values) / len(values) if values else None

    def to_dict(self) -> dict[str, object]:
        return {
            "macro_f1": None if self.macro_f1 is None else round(self.macro_f1, 4),
            "macro_f1_requirements": self.eligible,
            "pooled": self.pooled.to_dict(),
            "requirements": {r: c.to_dict() for r, c in self.by_requirement.items()},
        }


def scope_of(outcomes: list[Outcome], order: list[str]) -> Scope:
    by_req = {r: tally(o for o in outcomes if o.requirement == r) for r in order}
    return Scope(
        {r: c for r, c in by_req.items() if c.positives or c.negatives or c.not_applicable}, tally(outcomes)
    )


@dataclass
class SetScore:
    """One scored set (a folder or gold file given to `eval`)."""

    name: str
    documents: list[GoldDocument]
    outcomes: list[Outcome]
    requirements: list[str]  # in rule-pack order
    unscored: Counter[str] = field(default_factory=Counter)  # labelled but not checked: id -> labels
    language_mismatches: list[tuple[str, str, str]] = field(default_factory=list)  # doc, gold, detected

    @property
    def overall(self) -> Scope:
        return scope_of(self.outcomes, self.requirements)

    @property
    def languages(self) -> dict[str, Scope]:
        langs = sorted({o.language for o in self.outcomes})
        return {
            lang: scope_of([o for o in self.outcomes if o.language == lang], self.requirements)
            for lang in langs
        }

    @property
    def confusion(self) -> dict[str, dict[str, int]]:
        table = {
            g: dict.fromkeys(PREDICTED, 0) for g in ("met", "weak", "present", "missing", "not_applicable")
        }
        for o in self.outcomes:
            table[o.gold.status][o.predicted] += 1
        return table

    @property
    def disagreements(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.kind]

    @property
    def unreadable(self) -> list[Outcome]:
        seen: dict[str, Outcome] = {}
        for o in self.outcomes:
            if o.predicted == "error":
                seen.setdefault(o.document.name, o)
        return list(seen.values())

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "documents": len(self.documents),
            "documents_by_language": dict(Counter(d.language or "?" for d in self.documents)),
            "labels_scored": len(self.outcomes),
            "labels_not_scored": dict(self.unscored),
            "min_positives_for_macro": MIN_POSITIVES,
            "overall": self.overall.to_dict(),
            "languages": {k: v.to_dict() for k, v in self.languages.items()},
            "confusion": self.confusion,
            "unreadable": [{"document": o.document.name, "error": o.error} for o in self.unreadable],
            "language_mismatches": [
                {"document": d, "gold": g, "detected": t} for d, g, t in self.language_mismatches
            ],
            "disagreements": [
                {
                    "document": o.document.name,
                    "gold_file": str(o.document.gold_file),
                    "language": o.language,
                    "requirement": o.requirement,
                    "kind": o.kind,
                    "gold": o.gold.status,
                    "gold_reasons": o.gold.reasons,
                    "gold_evidence": o.gold.evidence,
                    "predicted": o.predicted,
                    "predicted_reasons": o.reasons,
                    "predicted_evidence": o.evidence,
                }
                for o in self.disagreements
            ],
        }
