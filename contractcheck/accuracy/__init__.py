"""Accuracy measured on labelled corpora: gold labels in, figures per requirement and language out."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable

from ..api import Checker
from .gold import GoldDocument, GoldError, find_gold_files, load_gold
from .score import Outcome, SetScore, outcomes_for

__all__ = ["GoldError", "Outcome", "SetScore", "score_set"]


def score_set(
    path: str | os.PathLike[str],
    checker: Checker,
    *,
    progress: Callable[[GoldDocument], None] | None = None,
) -> SetScore:
    """Check every document labelled under `path` once and pair its findings with the gold labels."""
    docs: list[GoldDocument] = []
    for gold_file in find_gold_files([path]):
        docs.extend(load_gold(gold_file))
    scored = {r.id for r in checker.rules}
    result = SetScore(str(path), docs, [], [r.id for r in checker.rules], Counter())
    for doc in docs:
        if progress:
            progress(doc)
        for req in doc.labels:
            if req not in scored:
                result.unscored[req] += 1
        checked = checker.check_one(doc.path, name=doc.name)
        if checked.error is None and doc.language and checked.language != doc.language:
            result.language_mismatches.append((doc.name, doc.language, str(checked.language)))
        result.outcomes.extend(outcomes_for(doc, checked, scored))
    return result
