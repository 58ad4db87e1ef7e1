"""A contract in several files (main agreement, general terms, annexes) checked as one."""

from __future__ import annotations

from dataclasses import replace

from .api import Checker
from .errors import LoadError
from .findings import DocumentResult, Reason
from .ingest import load
from .model import Document


def merge(documents: list[Document]) -> tuple[Document, list[tuple[int, int, str]]]:
    """Join parts into one Document; return it with (start, end, path) spans of each part."""
    texts: list[str] = []
    blocks = []
    clauses = []
    spans: list[tuple[int, int, str]] = []
    pos = 0
    for n, doc in enumerate(documents, start=1):
        shift = pos
        texts.append(doc.text)
        for b in doc.blocks:
            blocks.append(replace(b, start=b.start + shift, end=b.end + shift))
        ids = {c.id: f"p{n}.{c.id}" for c in doc.clauses}
        for c in doc.clauses:
            clauses.append(
                replace(
                    c,
                    id=ids[c.id],
                    parent=ids.get(c.parent) if c.parent else None,
                    start=c.start + shift,
                    end=c.end + shift,
                )
            )
        spans.append((shift, shift + len(doc.text), doc.path or f"part {n}"))
        pos += len(doc.text) + 1
    languages = [d.language for d in documents]
    merged = Document(
        path=" + ".join(d.path or "?" for d in documents),
        sha256=documents[0].sha256 if len(documents) == 1 else "",
        format=documents[0].format if len({d.format for d in documents}) == 1 else "bundle",
        text="\n".join(texts),
        pages=sum(d.pages or 0 for d in documents) or None,
        language=max(set(languages), key=languages.count),
        blocks=blocks,
        warnings=[w for d in documents for w in d.warnings],
        clauses=clauses,
    )
    return merged, spans


def check_bundle(checker: Checker, paths: list[str]) -> DocumentResult:
    """One result for the whole bundle; an unreadable part makes the bundle an error."""
    documents = []
    for path in paths:
        try:
            documents.append(load(path, lang=checker.lang))
        except LoadError as exc:
            return DocumentResult(path=" + ".join(paths), error=Reason(exc.code, f"{path}: {exc.message}"))
    merged, spans = merge(documents)
    result = checker.check_document(merged)
    result.format = merged.format if merged.format != "bundle" else None
    result.sha256 = None if len(documents) > 1 else merged.sha256
    result.parts = [
        {"path": d.path, "sha256": d.sha256, "format": d.format, "pages": d.pages, "language": d.language}
        for d in documents
    ]
    for finding in result.findings:
        for e in finding.evidence:
            e.file = next((p for s, end, p in spans if s <= e.start <= end), None)
    return result
