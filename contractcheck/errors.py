"""Errors a user can act on. Each carries a code from the JSON contract (DESIGN §2.2)."""

from __future__ import annotations

from .model import Notice

# Exit codes, the same for every command (DESIGN §2.3).
EXIT_OK = 0
EXIT_GAPS = 1
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130  # Ctrl-C, as shells report it


class ContractcheckError(Exception):
    """Base class: something the user gave us cannot be used. Never a bug in contractcheck."""

    code = "error"

    def __init__(self, message: str, *, code: str | None = None, path: str | None = None):
        super().__init__(message)
        if code is not None:
            self.code = code
        self.message = message
        self.path = path

    def notice(self) -> Notice:
        return Notice(self.code, self.message)

    def one_line(self) -> str:
        where = f"{self.path}: " if self.path else ""
        return f"{where}{self.message}".replace("\n", " ")


class LoadError(ContractcheckError):
    """A document could not be read. `code` is one of the error codes of the JSON contract."""
