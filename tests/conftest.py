"""Shared fixtures: real PDF and DOCX files built from text at test time (tests/fixtures/)."""

from __future__ import annotations

import importlib.util
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
