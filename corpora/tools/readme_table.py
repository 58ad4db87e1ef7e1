"""Print the README's accuracy table from `contractcheck eval --format json` output.

    contractcheck eval corpora/dev corpora/test corpora/holdout --format json --no-disagreements \\
        | python corpora/tools/readme_table.py

Why: the README's figures are regenerated from one eval run, never typed by hand. The first set is
taken as dev, the second as test, any further sets get a summary line each.
"""

from __future__ import annotations

import json
import sys


def _f(x: float | None) -> str:
    return "–" if x is None else f"{x:.2f}"


def _ratio(num: int, den: int) -> str:
    return f"{num / den:.2f} ({num}/{den})" if den else "–"


def _summary(s: dict) -> str:
    o, langs = s["overall"], s["languages"]
    p = o["pooled"]
    per_lang = " · ".join(f"{lang} {_f(langs[lang]['macro_f1'])}" for lang in sorted(langs))
    grades = " · ".join(
        f"{lang} {_ratio(langs[lang]['pooled']['grade_ok'], langs[lang]['pooled']['graded'])}"
        for lang in sorted(langs)
    )
    by_lang = ", ".join(f"{lang} {n}" for lang, n in sorted(s["documents_by_language"].items()))
    return (
        f"**{s['name']}** ({s['documents']} documents: {by_lang}; {s['labels_scored']} labels): "
        f"presence macro-F1 {_f(o['macro_f1'])} ({per_lang}); pooled precision {_f(p['precision'])}, "
        f"recall {_f(p['recall'])}; grade accuracy {_ratio(p['grade_ok'], p['graded'])} ({grades}); "
        f"false presence {_ratio(p['false_presence'], p['negatives'])}; "
        f"false met {_ratio(p['false_met'], p['negatives'])}; "
        f"gold not-applicable flagged as a gap {_ratio(p['flagged_not_applicable'], p['not_applicable'])}"
    )


def main() -> int:
    sets = json.load(sys.stdin)["sets"]
    dev, test = sets[0], sets[1]
    print(
        "| requirement | dev F1 | test F1 (en / sv) | test precision | test recall "
        "| test grade accuracy | test false presence | test false met |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for req, r in test["overall"]["requirements"].items():
        d = dev["overall"]["requirements"].get(req, {})
        en = test["languages"]["en"]["requirements"].get(req, {})
        sv = test["languages"]["sv"]["requirements"].get(req, {})
        print(
            f"| {req} | {_f(d.get('f1'))} | {_f(r['f1'])} ({_f(en.get('f1'))} / {_f(sv.get('f1'))}) "
            f"| {_f(r['precision'])} | {_f(r['recall'])} | {_ratio(r['grade_ok'], r['graded'])} "
            f"| {_ratio(r['false_presence'], r['negatives'])} | {_ratio(r['false_met'], r['negatives'])} |"
        )
    print()
    for s in sets:
        print(_summary(s))
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
