"""Outputs of an audit, all rendered from stored document objects (DESIGN §2.2 shape).

- `text`: the archive summary for a person;
- `csv`: one row per document × requirement (an unreadable document gets one row with its error),
  UTF-8 with a byte-order mark and CRLF line ends so that Excel and LibreOffice open it with
  Swedish characters intact; a text cell that a spreadsheet would run as a formula (=, +, -, @)
  gets a leading apostrophe;
- `jsonl`: one document object per line;
- `json`: the §2.2 envelope with a `summary` added.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from typing import Any

from .. import __version__
from ..findings import SCHEMA_VERSION, DocumentResult, Evidence, Finding, Reason, Report

STATUSES = ("met", "weak", "missing", "not_applicable")
_SEVERITY_RANK = {"high": 0, "medium": 1, "low": 2}
TOP_GAPS = 10
TEXT_LIST_LIMIT = 20

CSV_COLUMNS = [
    "path", "sha256", "format", "language", "pages", "requirement", "pack", "title", "status",
    "severity", "reasons", "reason_messages", "missing_elements", "evidence_clause", "evidence_page",
    "evidence_text", "remediation", "references", "warnings", "error_code", "error_message",
]  # fmt: skip


def summarize(docs: list[dict[str, Any]], skipped: list[dict[str, str]]) -> dict[str, Any]:
    """Per requirement: status counts and the share of applicable contracts that meet it; the
    contracts with the most high-severity gaps; the documents that could not be read; the skips."""
    counts: dict[str, Counter[str]] = {}
    meta: dict[str, tuple[str, str]] = {}
    gaps = []
    unreadable = []
    for d in docs:
        if d.get("error"):
            unreadable.append({"path": d["path"], **d["error"]})
            continue
        high = []
        for f in d["findings"]:
            counts.setdefault(f["requirement"], Counter())[f["status"]] += 1
            meta.setdefault(f["requirement"], (f.get("title") or "", f.get("severity") or ""))
            if f.get("severity") == "high" and f["status"] in ("weak", "missing"):
                high.append(f["requirement"])
        if high:
            gaps.append({"path": d["path"], "high_gaps": len(high), "requirements": high})
    requirements = []
    for rid in sorted(counts, key=lambda r: (_SEVERITY_RANK.get(meta[r][1], 3), r)):
        c = counts[rid]
        applicable = c["met"] + c["weak"] + c["missing"]
        requirements.append(
            {
                "requirement": rid,
                "title": meta[rid][0],
                "severity": meta[rid][1],
                **{s: c[s] for s in STATUSES},
                "applicable": applicable,
                "met_share": round(c["met"] / applicable, 4) if applicable else None,
            }
        )
    gaps.sort(key=lambda g: (-g["high_gaps"], g["path"]))
    return {
        "documents": len(docs),
        "readable": len(docs) - len(unreadable),
        "unreadable": len(unreadable),
        "skipped": len(skipped),
        "requirements": requirements,
        "most_high_gaps": gaps[:TOP_GAPS],
        "unreadable_documents": unreadable,
        "skipped_files": skipped,
    }


def render_text(summary: dict[str, Any], *, header: str = "") -> str:
    s = summary
    lines = []
    if header:
        lines.append(header)
    lines.append(
        f"{s['documents']} documents: {s['readable']} read and checked, {s['unreadable']} could not be read; "
        f"{s['skipped']} files skipped"
    )
    if s["requirements"]:
        lines.append("")
        head = f"{'requirement':<22} {'severity':<8} {'met':>5} {'weak':>5} {'missing':>7} {'n/a':>5}"
        lines.append(head + "  meets it")
        for r in s["requirements"]:
            share = "–" if r["met_share"] is None else f"{r['met_share']:.0%} of {r['applicable']} applicable"
            lines.append(
                f"{r['requirement']:<22} {r['severity']:<8} {r['met']:>5} {r['weak']:>5} {r['missing']:>7} "
                f"{r['not_applicable']:>5}  {share}"
            )
    if s["most_high_gaps"]:
        lines.append("")
        lines.append("Most high-severity gaps:")
        for g in s["most_high_gaps"]:
            lines.append(f"  {g['high_gaps']:>3}  {g['path']}  ({', '.join(g['requirements'])})")
    sections = (
        ("Could not be read", s["unreadable_documents"], _unreadable_line),
        ("Skipped", s["skipped_files"], lambda k: f"{k['path']}: {k['reason']}"),
    )
    for title, items, fmt in sections:
        if items:
            lines.append("")
            lines.append(f"{title} ({len(items)}):")
            for item in items[:TEXT_LIST_LIMIT]:
                lines.append(f"  {fmt(item)}")
            if len(items) > TEXT_LIST_LIMIT:
                lines.append(f"  … and {len(items) - TEXT_LIST_LIMIT} more (all of them in --format json)")
    return "\n".join(lines) + "\n"


def _unreadable_line(u: dict[str, str]) -> str:
    return f"{u['path']}: {u['message']} ({u['code']})"


def jsonl_line(doc: dict[str, Any]) -> str:
    return json.dumps(_public(doc), ensure_ascii=False) + "\n"


def render_jsonl(docs: list[dict[str, Any]]) -> str:
    return "".join(jsonl_line(d) for d in docs)


def render_json(docs: list[dict[str, Any]], rulepacks: list[dict[str, str]], summary: dict[str, Any]) -> str:
    envelope = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "contractcheck", "version": __version__},
        "rulepacks": rulepacks,
        "documents": [_public(d) for d in docs],
        "summary": summary,
    }
    return json.dumps(envelope, ensure_ascii=False, indent=2) + "\n"


def render_csv(docs: list[dict[str, Any]]) -> str:
    buf = io.StringIO()
    buf.write("\ufeff")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(CSV_COLUMNS)
    for d in docs:
        base = [d["path"], d.get("sha256"), d.get("format"), d.get("language"), d.get("pages")]
        warnings = "; ".join(f"{x['code']}: {x['message']}" for x in d.get("warnings") or [])
        if d.get("error"):
            err = d["error"]
            w.writerow(_cells([*base, *[""] * 13, warnings, err["code"], err["message"]]))
            continue
        for f in d["findings"]:
            ev = (f.get("evidence") or [{}])[0]
            w.writerow(
                _cells(
                    [
                        *base, f["requirement"], f.get("pack"), f.get("title"), f["status"],
                        f.get("severity"),
                        " ".join(r["code"] for r in f.get("reasons") or []),
                        " | ".join(f"{r['code']}: {r['message']}" for r in f.get("reasons") or []),
                        "; ".join(f.get("missing_elements") or []),
                        ev.get("clause"), ev.get("page"), ev.get("text"), f.get("remediation"),
                        "; ".join(f.get("references") or []), warnings, "", "",
                    ]
                )
            )  # fmt: skip
    return buf.getvalue()


def _cells(values: list[Any]) -> list[str]:
    out = []
    for v in values:
        if v is None:
            out.append("")
        elif isinstance(v, str):
            text = v.replace("\r\n", "\n").replace("\r", "\n")
            out.append("'" + text if text[:1] in ("=", "+", "-", "@", "\t") else text)
        else:
            out.append(str(v))
    return out


def _public(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if not k.startswith("_")}


def to_report(docs: list[dict[str, Any]], rulepacks: list[dict[str, str]]) -> Report:
    """The library's Report for stored documents (for exit codes computed as `check` computes them)."""
    results = []
    for d in docs:
        err = d.get("error")
        results.append(
            DocumentResult(
                path=d["path"],
                sha256=d.get("sha256"),
                format=d.get("format"),
                language=d.get("language"),
                pages=d.get("pages"),
                error=Reason(err["code"], err["message"]) if err else None,
                warnings=[Reason(w["code"], w["message"]) for w in d.get("warnings") or []],
                findings=[_finding(f) for f in d.get("findings") or []],
            )
        )
    return Report(results, rulepacks)


def _finding(f: dict[str, Any]) -> Finding:
    return Finding(
        requirement=f["requirement"],
        pack=f.get("pack") or "",
        title=f.get("title") or "",
        status=f["status"],
        severity=f.get("severity") or "low",
        reasons=[Reason(r["code"], r["message"]) for r in f.get("reasons") or []],
        missing_elements=list(f.get("missing_elements") or []),
        evidence=[
            Evidence(
                e.get("clause"),
                e.get("page"),
                e.get("text", ""),
                e.get("start", 0),
                e.get("end", 0),
                e.get("similarity"),
                e.get("file"),
            )
            for e in f.get("evidence") or []
        ],  # fmt: skip
        remediation=f.get("remediation") or "",
        references=list(f.get("references") or []),
    )
