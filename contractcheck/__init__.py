"""contractcheck: read procurement contracts and check them against human-rights requirements.

Heavy dependencies (spaCy, the PDF and DOCX libraries) load only when a document is read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "load", "segment", "check", "Checker", "Config",
    "Report", "DocumentResult", "Finding", "Evidence", "Reason",
    "Document", "Clause", "Block", "Notice", "LoadError", "ContractcheckError",
]  # fmt: skip

if TYPE_CHECKING:
    from .api import Checker, check
    from .config import Config
    from .errors import ContractcheckError, LoadError
    from .findings import DocumentResult, Evidence, Finding, Reason, Report
    from .ingest import load
    from .model import Block, Clause, Document, Notice
    from .segment import segment


def __getattr__(name: str) -> Any:
    if name == "load":
        from .ingest import load

        return load
    if name == "segment":
        from .segment import segment

        return segment
    if name in ("check", "Checker"):
        from . import api

        return getattr(api, name)
    if name == "Config":
        from .config import Config

        return Config
    if name in ("Report", "Finding", "Evidence", "Reason", "DocumentResult"):
        from . import findings

        return getattr(findings, name)
    if name in ("Document", "Clause", "Block", "Notice"):
        from . import model

        return getattr(model, name)
    if name in ("LoadError", "ContractcheckError"):
        from . import errors

        return getattr(errors, name)
    raise AttributeError(f"module 'contractcheck' has no attribute {name!r}")
