"""Render what `extract` read: for a person (text) or for a program (JSON, schema_version 1)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ..errors import LoadError
from ..model import Clause, Document

SCHEMA_VERSION = 1


@dataclass
class Outcome:
    """One input and what became of it: a Document, or the error that stopped it."""

    path: str
    document: Document | None = None
    error: LoadError | None = None


def to_dict(outcomes: list[Outcome]) -> dict[str, Any]:
    docs: list[dict[str, Any]] = []
    for o in outcomes:
        if o.document is not None:
            docs.append(o.document.to_dict())
        else:
            assert o.error is not None
            docs.append(
                {
                    "path": o.path,
                    "sha256": None,
                    "format": None,
                    "pages": None,
                    "language": None,
                    "text": None,
                    "warnings": [],
                    "error": o.error.notice().to_dict(),
                    "clauses": [],
                }
            )
    return {"schema_version": SCHEMA_VERSION, "documents": docs}


def render_json(outcomes: list[Outcome]) -> str:
    return json.dumps(to_dict(outcomes), ensure_ascii=False, indent=2) + "\n"


def render_text(outcomes: list[Outcome], *, width: int = 100) -> str:
    out: list[str] = []
    for o in outcomes:
        doc = o.document
        if doc is None:
            assert o.error is not None
            out.append(f"{o.path}: error: {o.error.message} ({o.error.code})")
            out.append("")
            continue
        pages = f"{doc.pages} pages, " if doc.pages is not None else ""
        out.append(f"{o.path}  ({doc.format}, {pages}{doc.language}, {len(doc.clauses)} clauses)")
        for w in doc.warnings:
            out.append(f"  warning: {w.message} ({w.code})")
        depth = _depths(doc.clauses)
        for c in doc.clauses:
            out.append(_clause_line(c, depth[c.id], width))
        out.append("")
    return "\n".join(out)


def _depths(clauses: list[Clause]) -> dict[str, int]:
    depth: dict[str, int] = {}
    for c in clauses:
        depth[c.id] = depth.get(c.parent, -1) + 1 if c.parent else 0
    return depth


def _clause_line(c: Clause, depth: int, width: int) -> str:
    ref = c.ref or c.number or "·"
    label = c.heading or _first_words(c.text, c.number)
    if c.page_start is None:
        where = ""
    elif c.page_end and c.page_end != c.page_start:
        where = f"p.{c.page_start}-{c.page_end}"
    else:
        where = f"p.{c.page_start}"
    flag = "  [non-operative]" if not c.operative else ""
    indent = "  " * (depth + 1)
    head = f"{indent}{ref}"
    if c.heading and not c.number:
        head, label = indent, c.heading
    room = max(20, width - len(head) - len(where) - len(flag) - 4)
    label = label if len(label) <= room else label[: room - 1] + "…"
    line = f"{head}  {label}".rstrip() if head.strip() else f"{head}{label}"
    pad = max(1, width - len(line) - len(where) - len(flag))
    return f"{line}{' ' * pad}{where}{flag}".rstrip()


def _first_words(text: str, number: str | None) -> str:
    first = text.split("\n", 1)[0]
    if number:
        bare = number.strip("()")
        for prefix in (number, f"({bare})", f"{bare}.", bare):
            if first.startswith(prefix):
                first = first[len(prefix) :].lstrip(" .)")
                break
    return first
