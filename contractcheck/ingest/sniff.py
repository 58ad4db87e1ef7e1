"""Tell the real format from the bytes, never from the file name."""

from __future__ import annotations

import io
import zipfile

from ..errors import LoadError

_TEXT_CONTROL_OK = {9, 10, 12, 13}


def sniff(data: bytes) -> str:
    """Return 'pdf', 'docx' or 'text'; raise LoadError for anything else."""
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _sniff_zip(data)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise LoadError(
            "unsupported format: legacy Word (.doc) or other OLE file; save as DOCX or PDF",
            code="unsupported_format",
        )
    if head.lstrip(b"\xef\xbb\xbf").startswith(b"{\\rtf"):
        raise LoadError("unsupported format: RTF; save as DOCX or PDF", code="unsupported_format")
    if looks_like_text(data):
        return "text"
    raise LoadError(
        "unsupported format: not a PDF, DOCX or text file (binary content)", code="unsupported_format"
    )


def _sniff_zip(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
            mimetype = zf.read("mimetype")[:100] if "mimetype" in names else b""
    except (zipfile.BadZipFile, EOFError, ValueError, OSError) as exc:
        raise LoadError(
            f"corrupt zip container ({exc}); if this is a DOCX, re-save it", code="corrupt"
        ) from exc
    if "word/document.xml" in names:
        return "docx"
    if b"opendocument" in mimetype:
        raise LoadError(
            "unsupported format: OpenDocument (.odt); save as DOCX or PDF", code="unsupported_format"
        )
    if "[Content_Types].xml" in names:
        raise LoadError(
            "unsupported format: an Office file that is not a Word document; save as DOCX or PDF",
            code="unsupported_format",
        )
    raise LoadError("unsupported format: a zip archive, not a DOCX", code="unsupported_format")


def looks_like_text(data: bytes) -> bool:
    """Text if it has a Unicode BOM, or no NUL bytes and almost no control characters."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        return True
    sample = data[:65536]
    if b"\x00" in sample:
        return False
    controls = sum(1 for b in sample if b < 32 and b not in _TEXT_CONTROL_OK)
    return controls <= max(2, len(sample) // 1000)
