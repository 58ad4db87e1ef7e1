"""Decide, for every file found, whether its stored result can be reused or it must be checked.

A file whose path, size, mtime, ctime and inode match the store keeps its recorded sha256
without being read (ctime cannot be set back by a user, so a changed file is always re-hashed).
Any other file is opened once: its first bytes tell whether it is a supported format (by
content, never by name) and the rest is hashed. Contents are grouped by sha256, so identical
files are checked once. A content with a stored result for the same settings hash and tool
version is reused; results `timeout` and `worker_crashed` are retried only when asked.
"""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass, field

from ..ingest.sniff import looks_like_text
from .store import RETRYABLE, Cached, StoredDocument
from .walk import Found, Skipped, Walk

HEAD_BYTES = 65536


@dataclass
class Plan:
    todo: dict[str, list[Found]] = field(default_factory=dict)  # sha256 -> every path holding it
    reuse: list[tuple[Found, str, int]] = field(default_factory=list)  # rows to (re)point at a result
    unchanged: int = 0  # paths reused as they were
    skipped: list[Skipped] = field(default_factory=list)
    read_errors: list[tuple[Found, str, str]] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)  # keys of every path taken as a document
    hashed: int = 0  # files opened and hashed this time

    @property
    def reused(self) -> int:
        return self.unchanged + len(self.reuse)


def make_plan(
    found: Walk,
    known: dict[str, StoredDocument],
    cached: dict[str, Cached],
    *,
    retry_errors: bool = False,
) -> Plan:
    plan = Plan(skipped=list(found.skipped))
    for f in found.files:
        row = known.get(f.key)
        if row is not None and row.sha256 and row.error_code is None and _same_stat(row, f):
            sha = row.sha256
        else:
            try:
                sha, reason = sniff_and_hash(f.path, take_any=f.explicit)
            except FileNotFoundError:
                plan.read_errors.append((f, "not_found", "the file disappeared during the audit"))
                plan.seen.add(f.key)
                continue
            except OSError as exc:
                code, msg = "unreadable", f"cannot read file ({exc.strerror or exc})"
                plan.read_errors.append((f, code, msg))
                plan.seen.add(f.key)
                continue
            plan.hashed += 1
            if sha is None:
                plan.skipped.append(Skipped(f.path, f.key, reason or "unsupported format"))
                continue
        plan.seen.add(f.key)
        hit = cached.get(sha)
        if hit is not None and not (retry_errors and hit.error_code in RETRYABLE):
            same = row is not None and row.result_id == hit.result_id and row.path == f.path
            if same and row is not None and _same_stat(row, f):
                plan.unchanged += 1
            else:
                plan.reuse.append((f, sha, hit.result_id))
        else:
            plan.todo.setdefault(sha, []).append(f)
    return plan


def _same_stat(row: StoredDocument, f: Found) -> bool:
    return (row.size, row.mtime_ns, row.ctime_ns, row.inode) == f.fingerprint


def sniff_and_hash(path: str, *, take_any: bool = False) -> tuple[str | None, str | None]:
    """(sha256, None) for a file to check, or (None, reason) for one to skip. One read of the file."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        head = fh.read(HEAD_BYTES)
        reason = None if take_any else skip_reason(head, path)
        if reason is not None:
            return None, reason
        h.update(head)
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest(), None


def skip_reason(head: bytes, path: str) -> str | None:
    """Why a file found in a folder is not a contract to check, judged from its content; None to take it.

    Damaged PDFs and DOCX files are taken (the check reports them as corrupt): only formats that
    contractcheck does not read are skipped.
    """
    if not head or b"%PDF-" in head[:1024]:
        return None
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        try:
            with zipfile.ZipFile(path) as zf:
                names = set(zf.namelist())
                mimetype = zf.read("mimetype")[:100] if "mimetype" in names else b""
        except (zipfile.BadZipFile, EOFError, ValueError, OSError, KeyError, NotImplementedError):
            return None
        if "word/document.xml" in names:
            return None
        if b"opendocument" in mimetype:
            return "unsupported format: OpenDocument file; save as DOCX or PDF to check it"
        if "[Content_Types].xml" in names:
            return "unsupported format: an Office file that is not a Word document"
        return "unsupported format: a zip archive, not a DOCX"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "unsupported format: legacy Word (.doc) or other OLE file; save as DOCX or PDF to check it"
    if head.lstrip(b"\xef\xbb\xbf").startswith(b"{\\rtf"):
        return "unsupported format: RTF; save as DOCX or PDF to check it"
    if looks_like_text(head):
        return None
    return "unsupported format: binary file, not PDF, DOCX or text"
