"""Load: bytes or a path in, a normalised Document out. The format is sniffed from the bytes."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

from ..errors import LoadError
from ..language import detect_language
from ..model import Document
from .base import Limits
from .normalise import join_blocks
from .sniff import sniff

__all__ = ["load", "read_source", "Limits"]


def read_source(source: str | os.PathLike[str] | bytes, limits: Limits) -> tuple[bytes, str | None]:
    """Read the bytes of a path (or take them as given), turning OS errors into LoadErrors."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source), None
    path = Path(source)
    name = str(source)
    try:
        st = path.stat()
        if stat.S_ISDIR(st.st_mode):
            raise LoadError("is a directory, not a document", code="is_directory", path=name)
        if not stat.S_ISREG(st.st_mode):
            raise LoadError("not a regular file (device, pipe or socket)", code="unreadable", path=name)
        size = st.st_size
        if size > limits.max_file_bytes:
            raise LoadError(
                f"file too large ({size // 2**20} MiB; limit {limits.max_file_bytes // 2**20} MiB)",
                code="too_large",
                path=name,
            )
        with path.open("rb") as fh:
            data = fh.read(limits.max_file_bytes + 1)
    except FileNotFoundError as exc:
        raise LoadError("no such file", code="not_found", path=name) from exc
    except IsADirectoryError as exc:
        raise LoadError("is a directory, not a document", code="is_directory", path=name) from exc
    except PermissionError as exc:
        raise LoadError("permission denied", code="unreadable", path=name) from exc
    except OSError as exc:
        raise LoadError(f"cannot read file ({exc.strerror or exc})", code="unreadable", path=name) from exc
    return data, name


def load(
    source: str | os.PathLike[str] | bytes,
    *,
    name: str | None = None,
    lang: str = "auto",
    segment: bool = True,
    limits: Limits | None = None,
) -> Document:
    """Read a contract into a Document: normalised text, blocks with pages, and its clause tree.

    Raises LoadError (with a contract error code) when the input cannot be used.
    """
    limits = limits or Limits()
    data, path = read_source(source, limits)
    path = name or path
    try:
        doc = _load_bytes(data, path, lang, limits)
        if segment:
            from ..segment import segment as build_clauses

            doc.clauses = build_clauses(doc)
    except LoadError as exc:
        exc.path = exc.path or path
        raise
    except MemoryError:
        raise
    except Exception as exc:  # a reader's bug on odd input must still give one clear line, not a traceback
        raise LoadError(
            f"unexpected error while reading ({type(exc).__name__}: {exc}); re-run with --debug",
            code="corrupt",
            path=path,
        ) from exc
    return doc


def _load_bytes(data: bytes, path: str | None, lang: str, limits: Limits) -> Document:
    if not data:
        raise LoadError("empty file", code="empty")
    if len(data) > limits.max_file_bytes:
        raise LoadError(f"file too large (limit {limits.max_file_bytes // 2**20} MiB)", code="too_large")
    fmt = sniff(data)
    extracted = _reader(fmt)(data, limits)
    text, blocks = join_blocks(extracted.blocks)
    if not text.strip():
        if fmt == "pdf":
            raise LoadError("no page has a text layer (scanned PDF?); OCR it first", code="no_text_layer")
        raise LoadError("the document contains no text", code="empty")
    language = lang if lang in ("en", "sv") else detect_language(text)
    return Document(
        path=path,
        sha256=hashlib.sha256(data).hexdigest(),
        format=fmt,
        text=text,
        pages=extracted.pages,
        language=language,
        blocks=blocks,
        headers=extracted.headers,
        warnings=extracted.warnings,
    )


def _reader(fmt: str):
    """Import a reader only when a file needs it, so start-up stays light."""
    if fmt == "pdf":
        from .pdf import read
    elif fmt == "docx":
        from .docx import read
    else:
        from .text import read
    return read
