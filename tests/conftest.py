"""Shared fixtures: real PDF and DOCX files built from text at test time (tests/fixtures/)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


def fixture_module(name: str) -> ModuleType:
    """Import a fixture builder by file, so tests need no package layout."""
    spec = importlib.util.spec_from_file_location(name, FIXTURES / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def pdf_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return fixture_module("pdf_fixtures").build_all(tmp_path_factory.mktemp("pdf_files"))


@pytest.fixture(scope="session")
def docx_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return fixture_module("docx_fixtures").build_all(tmp_path_factory.mktemp("docx_files"))


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real `contractcheck` command line in a fresh interpreter, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "contractcheck.cli", *args],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=cwd,
    )


# Libraries the light commands (help, an unchanged re-audit) must never import.
HEAVY = ("spacy", "pdfplumber", "pypdfium2", "docx", "lxml", "rapidfuzz", "distributed", "sqlite3")


def heavy_imports(
    args: list[str], heavy: tuple[str, ...] = HEAVY, cwd: Path | None = None
) -> tuple[int | None, list[str], str, str]:
    """Run `contractcheck ARGS` in a fresh interpreter: (exit code, which of `heavy` it imported,
    its stdout, its stderr)."""
    code = (
        "import json, sys\n"
        "from contractcheck.cli import main\n"
        "status = 0\n"
        "try:\n"
        f"    main({args!r})\n"
        "except SystemExit as exc:\n"
        "    status = exc.code\n"
        f"print(json.dumps([status, [m for m in {heavy!r} if m in sys.modules]]))\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=cwd)
    output, _, probe = res.stdout.rstrip("\n").rpartition("\n")
    status, imported = json.loads(probe)
    return status, imported, output, res.stderr
