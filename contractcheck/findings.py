"""Evaluate's output: the report data model of the JSON contract (DESIGN §2.2), as plain dataclasses."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from . import __version__

SCHEMA_VERSION = 1


@dataclass
class Reason:
    code: str  # W1–W10, NA or INFO
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


@dataclass
class Evidence:
    clause: str | None
    page: int | None
    text: str
    start: int
    end: int
    similarity: float | None = None
    file: str | None = None  # the part of a bundle the evidence comes from

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "clause": self.clause,
            "page": self.page,
            "text": self.text,
            "start": self.start,
            "end": self.end,
        }
        if self.similarity is not None:
            d["similarity"] = round(self.similarity, 3)
        if self.file is not None:
            d["file"] = self.file
        return d


@dataclass
class Finding:
    requirement: str
    pack: str
    title: str
    status: str  # met | weak | missing | not_applicable
    severity: str
    reasons: list[Reason] = field(default_factory=list)
    missing_elements: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    remediation: str = ""
    references: list[str] = field(default_factory=list)

    @property
    def is_gap(self) -> bool:
        return self.status in ("weak", "missing")

    def to_dict(self) -> dict[str, Any]:
        return {
            "requirement": self.requirement,
            "pack": self.pack,
            "title": self.title,
            "status": self.status,
            "severity": self.severity,
            "reasons": [r.to_dict() for r in self.reasons],
            "missing_elements": list(self.missing_elements),
            "evidence": [e.to_dict() for e in self.evidence],
            "remediation": self.remediation,
            "references": list(self.references),
        }


@dataclass
class DocumentResult:
    path: str | None
    sha256: str | None = None
    format: str | None = None
    language: str | None = None
    pages: int | None = None
    error: Reason | None = None
    warnings: list[Reason] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    parts: list[dict[str, Any]] | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "path": self.path,
            "sha256": self.sha256,
            "format": self.format,
            "language": self.language,
            "pages": self.pages,
            "error": self.error.to_dict() if self.error else None,
            "warnings": [w.to_dict() for w in self.warnings],
            "findings": [f.to_dict() for f in self.findings],
        }
        if self.parts is not None:
            d["parts"] = self.parts
        return d


@dataclass
class Report:
    """The §2.2 envelope: one object whether one file or many were checked."""

    documents: list[DocumentResult]
    rulepacks: list[dict[str, str]]
    tool: dict[str, str] = field(default_factory=lambda: {"name": "contractcheck", "version": __version__})
    schema_version: int = SCHEMA_VERSION
    assumptions: dict[str, bool] = field(default_factory=dict)  # facts stated with --assume

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "schema_version": self.schema_version,
            "tool": dict(self.tool),
            "rulepacks": [dict(p) for p in self.rulepacks],
        }
        if self.assumptions:
            d["assumptions"] = dict(self.assumptions)
        d["documents"] = [doc.to_dict() for doc in self.documents]
        return d

    def to_json(self, *, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)
