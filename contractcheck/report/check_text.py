"""Render a check Report for a person at a terminal: gaps first, one line per requirement."""

from __future__ import annotations

import textwrap

from ..findings import DocumentResult, Finding, Report

_MARK = {"met": "✓", "weak": "~", "missing": "✗", "not_applicable": "–"}
_WORD = {"met": "met", "weak": "WEAK", "missing": "MISSING", "not_applicable": "n/a"}
_COLOUR = {"met": "green", "weak": "yellow", "missing": "red", "not_applicable": "bright_black"}


def render_text(report: Report, *, explain: bool = False, colour: bool = False, width: int = 100) -> str:
    out: list[str] = []
    for doc in report.documents:
        out += _document(doc, explain, colour, width)
        out.append("")
    return "\n".join(out)


def _style(text: str, status: str, colour: bool) -> str:
    if not colour:
        return text
    import click

    return click.style(text, fg=_COLOUR[status], bold=status in ("missing", "weak"))


def _document(doc: DocumentResult, explain: bool, colour: bool, width: int) -> list[str]:
    if doc.error is not None:
        return [f"{doc.path}: error: {doc.error.message} ({doc.error.code})"]
    pages = f"{doc.pages} pages, " if doc.pages is not None else ""
    counts = {s: sum(1 for f in doc.findings if f.status == s) for s in _MARK}
    summary = ", ".join(f"{n} {_WORD[s].lower()}" for s, n in counts.items() if n)
    lines = [f"{doc.path}  ({doc.format}, {pages}{doc.language})  {summary}"]
    for w in doc.warnings:
        lines.append(f"  warning: {w.message} ({w.code})")
    for f in doc.findings:
        lines += _finding(f, explain, colour, width)
    return lines


def _finding(f: Finding, explain: bool, colour: bool, width: int) -> list[str]:
    mark = _style(f"{_MARK[f.status]} {_WORD[f.status]:<7}", f.status, colour)
    where = ""
    if f.evidence:
        e = f.evidence[0]
        where = f"  {e.clause or '?'}" + (f", p.{e.page}" if e.page is not None else "")
    lines = [f"  {mark} {f.requirement:<18} {f.severity:<6} {f.title}{where}"]
    indent = " " * 14
    for r in f.reasons:
        if r.code == "NA" or r.code.startswith("W") or explain:
            lines.append(f"{indent}{r.code}: {r.message}")
    if f.status in ("weak", "met") and f.missing_elements and explain:
        lines.append(f"{indent}missing elements: {', '.join(f.missing_elements)}")
    if f.status == "missing" and f.missing_elements:
        lines.append(f"{indent}not found: {', '.join(f.missing_elements)}")
    if explain:
        for e in f.evidence:
            quote = e.text if len(e.text) <= 300 else e.text[:299] + "…"
            where = f"{e.clause or '?'}" + (f", p.{e.page}" if e.page is not None else "")
            sim = f" (similarity to model clause {e.similarity:.0%})" if e.similarity is not None else ""
            lines += textwrap.wrap(
                f"«{quote}» — {where}{sim}", width, initial_indent=indent, subsequent_indent=indent
            )
        if f.is_gap and f.remediation:
            lines.append(f"{indent}suggested clause:")
            lines += textwrap.wrap(
                f.remediation, width, initial_indent=indent + "  ", subsequent_indent=indent + "  "
            )
    return lines
