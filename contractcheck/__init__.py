"""contractcheck: read procurement contracts and check them against human-rights requirements.

Heavy dependencies (spaCy, the PDF and DOCX libraries) load only when a document is read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["load", "segment", "Document", "Clause", "Block", "Notice", "LoadError", "ContractcheckError"]

if TYPE_CHECKING:
    from .errors import ContractcheckError, LoadError
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
    if name in ("Document", "Clause", "Block", "Notice"):
        from . import model

        return getattr(model, name)
    if name in ("LoadError", "ContractcheckError"):
        from . import errors

        return getattr(errors, name)
    raise AttributeError(f"module 'contractcheck' has no attribute {name!r}")
