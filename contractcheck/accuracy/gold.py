"""Gold labels (DESIGN §2.4): what a careful reader concludes about each labelled document.

Gold files are written by hand, so every problem is reported as `FILE:LINE: message`; a folder is
scored by finding every `gold.yaml` under it, so `eval` can score documents it has never seen.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import regex
import yaml

from ..errors import ContractcheckError
from ..yamlspec import SpecMapping, compose, line_of

GOLD_STATUSES = ("met", "weak", "present", "missing", "not_applicable")
POSITIVE = frozenset({"met", "weak", "present"})
GOLD_NAME = "gold.yaml"
_REASON = regex.compile(r"^(?:W(?:[1-9]|10)|[A-Z][A-Z0-9-]*\.E\d+)$")


class GoldError(ContractcheckError):
    """A gold file is malformed or names a document that is not there. Message starts FILE:LINE."""

    code = "bad_gold"


@dataclass
class GoldLabel:
    requirement: str
    status: str
    reasons: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)

    @property
    def positive(self) -> bool | None:
        """Presence as scored: True/False, or None when the label is left out (not applicable)."""
        if self.status == "not_applicable":
            return None
        return self.status in POSITIVE


@dataclass
class GoldDocument:
    path: Path  # the document, resolved against its gold file
    name: str  # as written in the gold file, for reports
    language: str
    labels: dict[str, GoldLabel]
    gold_file: Path
    line: int
    notes: str = ""


def find_gold_files(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Each argument is a gold file or a folder searched recursively; no gold at all is an error."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files = sorted(p for p in path.rglob(GOLD_NAME) if p.is_file())
            if not files:
                raise GoldError(f"{path}: no {GOLD_NAME} under this folder")
            found.extend(files)
        elif path.is_file():
            found.append(path)
        else:
            raise GoldError(f"{path}: no such file or folder")
    return found


class _GoldMapping(SpecMapping):
    error = GoldError


_FILE_SPEC = {"version": int, "documents": list}
_DOC_SPEC = {
    "file": str, "language": str, "labels": dict, "reasons": dict, "evidence": dict, "notes": str,
}  # fmt: skip


def load_gold(path: Path) -> list[GoldDocument]:
    """Read and check one gold file; document paths are resolved relative to it."""
    top = _GoldMapping(path, compose(path, GoldError), _FILE_SPEC)
    top.require("version", "documents")
    if top.get("version") != 1:
        top.fail(top.node_of("version"), f"unsupported gold version {top.get('version')} (this tool reads 1)")
    docs: list[GoldDocument] = []
    seen: set[str] = set()
    for node in top.node_of("documents").value:
        docs.append(_document(path, node, seen))
    return docs


def _document(path: Path, node: yaml.Node, seen: set[str]) -> GoldDocument:
    m = _GoldMapping(path, node, _DOC_SPEC, "a document entry")
    m.require("file", "labels")
    name = str(m.get("file"))
    if name in seen:
        m.fail(m.node_of("file"), f"document '{name}' is listed twice")
    seen.add(name)
    target = (path.parent / name).resolve()
    if not target.is_file():
        m.fail(m.node_of("file"), f"document '{name}' not found next to the gold file")
    language = str(m.get("language", "")) or ""
    if language and language not in ("en", "sv"):
        m.fail(m.node_of("language"), f"language must be en or sv, not '{language}'")
    labels: dict[str, GoldLabel] = {}
    for key_node, value_node in m.node_of("labels").value:
        status = value_node.value if isinstance(value_node, yaml.ScalarNode) else None
        if status not in GOLD_STATUSES:
            m.fail(value_node, f"label for {key_node.value} must be one of {', '.join(GOLD_STATUSES)}")
        labels[str(key_node.value)] = GoldLabel(str(key_node.value), str(status))
    for key_node, value_node in _pairs(m, "reasons"):
        label = _label_for(m, labels, key_node)
        codes = _strings(m, value_node, "reasons")
        for code in codes:
            if not _REASON.match(code):
                m.fail(value_node, f"reason '{code}' is neither a weakness class W1–W10 nor an element id")
        if label.status not in ("weak", "present"):
            m.fail(
                key_node, f"reasons given for {label.requirement}, whose label is {label.status}, not weak"
            )
        label.reasons = codes
    for key_node, value_node in _pairs(m, "evidence"):
        _label_for(m, labels, key_node).evidence = _strings(m, value_node, "evidence")
    return GoldDocument(
        path=target,
        name=name,
        language=language,
        labels=labels,
        gold_file=path,
        line=line_of(node),
        notes=str(m.get("notes", "")),
    )


def _pairs(m: _GoldMapping, key: str) -> list[tuple[yaml.Node, yaml.Node]]:
    return list(m.node_of(key).value) if key in m.values else []


def _label_for(m: _GoldMapping, labels: dict[str, GoldLabel], key_node: yaml.Node) -> GoldLabel:
    if key_node.value not in labels:
        m.fail(key_node, f"{key_node.value} has no label in this entry")
    return labels[key_node.value]


def _strings(m: _GoldMapping, node: yaml.Node, what: str) -> list[str]:
    if isinstance(node, yaml.ScalarNode):
        return [str(node.value)]
    if isinstance(node, yaml.SequenceNode) and all(isinstance(n, yaml.ScalarNode) for n in node.value):
        return [str(n.value) for n in node.value]
    m.fail(node, f"{what} must be a string or a list of strings")
    return []
