"""Render `eval` figures for a terminal: one table per set, the counts beside every ratio."""

from __future__ import annotations

from ..accuracy.score import MIN_POSITIVES, PREDICTED, Counts, SetScore

GAP_LIMIT = 0.05  # dev→test macro-F1 drop above which the rules are overfitted (issue 4)
_QUOTE = 160


def _fmt(value: float | None) -> str:
    return "  –  " if value is None else f"{value:5.2f}"


def _with(value: float | None, num: int, den: int) -> str:
    return f"{_fmt(value)} ({num}/{den})" if den else "  –"


def _row(name: str, lang: str, c: Counts) -> str:
    return (
        f"{name:<16} {lang:<4} {c.positives:>4} {c.negatives:>4} {c.not_applicable:>4} "
        f"{_fmt(c.precision)} {_fmt(c.recall)} {_fmt(c.f1)}  "
        f"{_with(c.grade_accuracy, c.grade_ok, c.graded):<16}"
        f"{_with(c.false_presence_rate, c.false_presence, c.negatives):<16}"
        f"{_with(c.false_met_rate, c.false_met, c.negatives)}"
    )


def render_set(s: SetScore, *, disagreements: bool = True) -> str:
    langs = s.languages
    by_lang = ", ".join(f"{k} {sum(1 for d in s.documents if (d.language or '?') == k)}" for k in langs)
    lines = [f"== {s.name}: {len(s.documents)} documents ({by_lang}), {len(s.outcomes)} labels scored"]
    header = (
        f"{'requirement':<16} {'lang':<4} {'pos':>4} {'neg':>4} {'n/a':>4} {'  P  '} {'  R  '} {' F1  '}  "
        f"{'grade acc.':<16}{'false presence':<16}false met"
    )
    lines += [header, "-" * len(header)]
    overall = s.overall
    for req, counts in overall.by_requirement.items():
        lines.append(_row(req, "all", counts))
        for lang, scope in langs.items():
            if len(langs) > 1 and req in scope.by_requirement:
                lines.append(_row("", lang, scope.by_requirement[req]))
    lines.append(_row("pooled", "all", overall.pooled))
    for lang, scope in langs.items():
        if len(langs) > 1:
            lines.append(_row("", lang, scope.pooled))
    lines.append("")
    macro = [f"all {_fmt(overall.macro_f1).strip()} over {len(overall.eligible)}"]
    macro += [f"{lang} {_fmt(sc.macro_f1).strip()} over {len(sc.eligible)}" for lang, sc in langs.items()]
    lines.append(
        f"presence macro-F1 (requirements with ≥{MIN_POSITIVES} gold positives): " + " · ".join(macro)
    )
    p = overall.pooled
    lines.append(
        f"evidence: tool quote matches gold quote for {p.located}/{p.with_gold_evidence} true positives; "
        f"weakness classes named: {p.classes_named}/{p.classes_gold} of the gold ones on labels graded weak"
    )
    if s.unscored:
        lines.append(
            "not scored (requirement not in the checked packs): "
            + ", ".join(f"{r} ×{n}" for r, n in sorted(s.unscored.items()))
        )
    for o in s.unreadable:
        lines.append(f"unreadable: {o.document.name}: {o.error}")
    for doc, gold, got in s.language_mismatches:
        lines.append(f"language: {doc}: labelled {gold}, detected {got}")
    lines += ["", "statuses (rows gold, columns predicted):"]
    lines.append(f"{'':<16}" + "".join(f"{p:>15}" for p in PREDICTED))
    for gold, row in s.confusion.items():
        if any(row.values()):
            lines.append(f"{gold:<16}" + "".join(f"{row[p]:>15}" for p in PREDICTED))
    if disagreements:
        lines += ["", f"disagreements ({len(s.disagreements)}):"]
        for o in s.disagreements:
            reasons = f" [{', '.join(o.gold.reasons)}]" if o.gold.reasons else ""
            got = f" [{', '.join(o.reasons)}]" if o.reasons and o.predicted == "weak" else ""
            lines.append(
                f"  {o.document.name}  {o.requirement}  {o.kind}: gold {o.gold.status}{reasons}"
                f" → predicted {o.predicted}{got}"
            )
            for q in o.gold.evidence[:1]:
                lines.append(f"      gold: {_short(q)}")
            for q in o.evidence[:1]:
                lines.append(f"      tool: {_short(q)}")
    return "\n".join(lines)


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _QUOTE else text[: _QUOTE - 1] + "…"


def render_gap(sets: list[SetScore]) -> str:
    """Compare each later set's macro-F1 with the first's (dev → test), per language too."""
    base = sets[0]
    lines = []
    for other in sets[1:]:
        pairs = [("all", base.overall, other.overall)]
        pairs += [
            (lang, sc, other.languages[lang])
            for lang, sc in base.languages.items()
            if lang in other.languages
        ]
        parts = []
        for lang, a, b in pairs:
            if a.macro_f1 is None or b.macro_f1 is None:
                continue
            gap = a.macro_f1 - b.macro_f1
            flag = "  ← above 0.05: overfitted" if gap > GAP_LIMIT else ""
            parts.append(f"{lang} {a.macro_f1:.2f} → {b.macro_f1:.2f} (gap {gap:+.2f}){flag}")
        lines.append(f"macro-F1 {base.name} → {other.name}: " + "; ".join(parts))
    return "\n".join(lines)


def render(sets: list[SetScore], *, disagreements: bool = True) -> str:
    out = [render_set(s, disagreements=disagreements) for s in sets]
    if len(sets) > 1:
        out.append(render_gap(sets))
    return "\n\n".join(out) + "\n"
