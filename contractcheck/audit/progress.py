"""A one-line progress bar with counts and ETA, drawn on a terminal only (never into a pipe or file)."""

from __future__ import annotations

import time
from typing import TextIO


class Progress:
    """Redrawn at most ten times a second; `clear()` removes it before anything else is printed."""

    def __init__(self, total: int, stream: TextIO, *, enabled: bool, reused: int = 0, width: int = 28):
        self.total = total
        self.stream = stream
        self.enabled = enabled and total > 0
        self.reused = reused
        self.width = width
        self.done = 0
        self.errors = 0
        self.started = time.monotonic()
        self._drawn = 0.0
        self._shown = False

    def advance(self, *, error: bool = False) -> None:
        self.done += 1
        self.errors += int(error)
        now = time.monotonic()
        if self.enabled and (now - self._drawn >= 0.1 or self.done == self.total):
            self._drawn = now
            self.draw(now)

    def line(self, now: float | None = None) -> str:
        now = time.monotonic() if now is None else now
        elapsed = now - self.started
        share = self.done / self.total if self.total else 1.0
        filled = int(self.width * share)
        bar = "#" * filled + "-" * (self.width - filled)
        eta = "--:--"
        if self.done:
            eta = _clock(elapsed / self.done * (self.total - self.done))
        text = f"[{bar}] {self.done}/{self.total} checked"
        if self.errors:
            text += f", {self.errors} unreadable"
        if self.reused:
            text += f", {self.reused} unchanged"
        return f"{text}  {_clock(elapsed)} elapsed, ETA {eta}"

    def draw(self, now: float | None = None) -> None:
        self.stream.write("\r" + self.line(now) + "\x1b[K")
        self.stream.flush()
        self._shown = True

    def clear(self) -> None:
        if self._shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._shown = False

    def note(self, text: str) -> None:
        """Print a line (an error) above the bar without mangling it."""
        self.clear()
        self.stream.write(text + "\n")
        self.stream.flush()
        if self.enabled and self.done:
            self.draw()


def _clock(seconds: float) -> str:
    seconds = int(round(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"
