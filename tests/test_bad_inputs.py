"""Bad input gets one clear line naming the file, exit code 2, no traceback, and never hangs."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest

from contractcheck.errors import LoadError
from contractcheck.ingest import load


def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


GENERIC_BAD = {
    "empty.pdf": (b"", "empty"),
    "garbage.pdf": (bytes(range(256)) * 40, "unsupported_format"),
    "legacy.doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "unsupported_format"),
    "letter.rtf": (b"{\\rtf1\\ansi Hello}", "unsupported_format"),
    "terms.odt": (
        _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"}),
        "unsupported_format",
    ),
    "sheet.docx": (_zip({"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<x/>"}), "unsupported_format"),
    "archive.docx": (_zip({"readme.txt": b"hello"}), "unsupported_format"),
    "broken.docx": (b"PK\x03\x04" + b"\x00" * 50, "corrupt"),
    "blank.txt": (b"   \n\n\t\n", "empty"),
}


@pytest.mark.parametrize("name", sorted(GENERIC_BAD))
def test_bad_bytes_get_a_code(tmp_path: Path, name: str) -> None:
    data, code = GENERIC_BAD[name]
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(LoadError) as info:
        load(path)
    assert info.value.code == code
    assert info.value.path == str(path)
    assert "\n" not in info.value.one_line()
    assert path.read_bytes() == data  # inputs are never modified


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(LoadError) as info:
        load(tmp_path / "nope.pdf")
    assert info.value.code == "not_found"
    with pytest.raises(LoadError) as info:
        load(tmp_path)
    assert info.value.code == "is_directory"


def test_path_through_a_file_is_unreadable(tmp_path: Path) -> None:
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(LoadError) as info:
        load(tmp_path / "file.txt" / "inner.pdf")
    assert info.value.code == "unreadable"


def test_a_pipe_is_refused_instead_of_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.pdf"
    os.mkfifo(fifo)
    with pytest.raises(LoadError) as info:
        load(fifo)
    assert info.value.code == "unreadable"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_permission_denied(tmp_path: Path) -> None:  # pragma: no cover - CI runs as root
    path = tmp_path / "secret.txt"
    path.write_text("1. Terms")
    path.chmod(0)
    with pytest.raises(LoadError) as info:
        load(path)
    assert info.value.code == "unreadable"


def test_file_size_limit(tmp_path: Path) -> None:
    from contractcheck.ingest import Limits

    path = tmp_path / "big.txt"
    path.write_bytes(b"1. Terms apply.\n" * 1000)
    with pytest.raises(LoadError) as info:
        load(path, limits=Limits(max_file_bytes=1000))
    assert info.value.code == "too_large"


def test_an_internal_failure_while_reading_is_still_one_clear_error(tmp_path: Path, monkeypatch) -> None:
    import contractcheck.segment

    def broken(doc):
        raise RuntimeError("boom")

    monkeypatch.setattr(contractcheck.segment, "segment", broken)
    path = tmp_path / "c.txt"
    path.write_text("1. Terms apply.\n")
    with pytest.raises(LoadError) as info:
        load(path)
    assert info.value.code == "corrupt" and info.value.path == str(path)
    assert "RuntimeError: boom" in info.value.message and isinstance(info.value.__cause__, RuntimeError)
    from contractcheck.api import Checker

    result = Checker(only=["NONDISC"]).check_one(str(path))
    assert result.error is not None and result.error.code == "corrupt"
