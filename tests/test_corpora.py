"""The labelled corpora keep the promises of issue 4 and corpora/LABELLING.md.

These tests read the committed documents with the real readers: every gold file must load, every
quote must be in the text the tool extracts, and the test split must hold enough positives and
negatives per requirement and language that no figure rests on one or two examples.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import regex

from contractcheck.accuracy.gold import GoldDocument, find_gold_files, load_gold
from contractcheck.ingest import load
from contractcheck.rulepack import load_ruleset

CORPORA = Path(__file__).resolve().parent.parent / "corpora"
SPLITS = ("dev", "test", "holdout")  # holdout: real documents kept aside, labelled blind
_SPACE = regex.compile(r"[\s\u00ad]+")


def _docs(split: str) -> list[GoldDocument]:
    folder = CORPORA / split
    if not folder.is_dir():
        return []
    return [d for f in find_gold_files([folder]) for d in load_gold(f)]


@pytest.fixture(scope="module")
def corpus() -> dict[str, list[GoldDocument]]:
    return {split: _docs(split) for split in SPLITS}


def _every(corpus: dict[str, list[GoldDocument]]) -> list[GoldDocument]:
    return [d for split in SPLITS for d in corpus[split]]


def _norm(text: str) -> str:
    text = text.translate(str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"}))
    return _SPACE.sub("", text).lower()


def test_corpus_size_and_mix(corpus: dict[str, list[GoldDocument]]) -> None:
    docs = corpus["dev"] + corpus["test"]
    assert len(docs) >= 60
    langs = Counter(d.language for d in docs)
    assert min(langs["en"], langs["sv"]) >= 0.4 * len(docs), langs
    formats = Counter(d.path.suffix.lower() for d in docs)
    assert formats[".pdf"] and formats[".docx"] and (formats[".txt"] + formats[".md"]), formats
    real = [d for d in docs if d.path.parent.name == "real"]
    assert len(real) >= 12
    names = [str(d.path) for d in docs]
    assert len(names) == len(set(names)), "a document is labelled twice"


def test_every_implemented_requirement_is_labelled_everywhere(corpus: dict[str, list[GoldDocument]]) -> None:
    implemented = {r.id for r in load_ruleset().rules}
    for d in _every(corpus):
        assert implemented <= set(d.labels), (
            f"{d.gold_file}:{d.line}: {d.name} lacks {implemented - set(d.labels)}"
        )


def test_labels_carry_evidence_and_reasons(corpus: dict[str, list[GoldDocument]]) -> None:
    problems = []
    for d in _every(corpus):
        for req, label in d.labels.items():
            if label.status in ("met", "weak", "present") and not label.evidence:
                problems.append(f"{d.gold_file}:{d.line}: {d.name} {req} {label.status} has no evidence")
            if label.status == "weak" and not label.reasons:
                problems.append(f"{d.gold_file}:{d.line}: {d.name} {req} weak without reasons")
    assert not problems, "\n".join(problems)


def test_weakness_classes_each_appear_at_least_twice(corpus: dict[str, list[GoldDocument]]) -> None:
    seen = Counter(
        code
        for d in corpus["dev"] + corpus["test"]
        for label in d.labels.values()
        for code in label.reasons
        if code.startswith("W")
    )
    assert all(seen[f"W{i}"] >= 2 for i in range(1, 11)), seen


def test_test_split_has_three_positives_and_negatives_per_requirement_and_language(
    corpus: dict[str, list[GoldDocument]],
) -> None:
    short = []
    for req in (r.id for r in load_ruleset().rules):
        for lang in ("en", "sv"):
            labels = [
                d.labels[req].positive for d in corpus["test"] if d.language == lang and req in d.labels
            ]
            pos, neg = labels.count(True), labels.count(False)
            if pos < 3 or neg < 3:
                short.append(f"{req} {lang}: {pos} positives, {neg} negatives")
    assert not short, "\n".join(short)


def test_every_quote_is_in_the_extracted_text(corpus: dict[str, list[GoldDocument]]) -> None:
    missing = []
    for d in _every(corpus):
        quotes = [(req, q) for req, label in d.labels.items() for q in label.evidence]
        if not quotes:
            continue
        text = _norm(load(d.path, segment=False).text)
        for req, q in quotes:
            if _norm(q) not in text:
                missing.append(f"{d.gold_file}:{d.line}: {d.name} {req}: «{q[:80]}»")
    assert not missing, "quotes not found in the extracted text:\n" + "\n".join(missing)
