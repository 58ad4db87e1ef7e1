"""Literal words a regex cannot match without, so a document lacking them is never scanned for it.

Most rule patterns name words ("\\b(?:repay|reimburs)\\w*.{0,40}?\\bfees?") and most documents hold
none of some pattern's words; finding that out from the document's distinct words costs far less
than running the pattern over a 600-page text. The analysis is conservative: a pattern it cannot
read (syntax of the `regex` module only) or without a literal of three characters is always run.
"""

from __future__ import annotations

import re

try:
    from re import _parser as _sre  # Python >= 3.11
except ImportError:  # pragma: no cover - Python 3.10
    import sre_parse as _sre  # type: ignore[no-redef]

_PROPERTY = re.compile(r"\\[pP]\{[^}]*\}")
_MIN_LEN = 3  # shorter literals ("of", "i") say nothing useful about a document


# A condition every match satisfies: a literal it contains, or alternatives (one per branch of an
# alternation), each a tuple of conditions that all hold when that branch matched.
Condition = str | tuple[tuple["Condition", ...], ...]


def required_literals(pattern: str) -> tuple[Condition, ...]:
    """Conditions on case-folded literals that hold for every match of `pattern`."""
    try:
        # Unicode properties (\p{L}) are the `regex` module's; any class stands in for them here.
        tree = _sre.parse(_PROPERTY.sub(r"\\w", pattern))
    except Exception:  # noqa: BLE001 - any syntax the stdlib parser does not know: no prefilter
        return ()
    return tuple(_required(list(tree)))


def _required(items: list) -> list[Condition]:
    out: list[Condition] = []
    run: list[str] = []

    def flush() -> None:
        if len(run) >= _MIN_LEN:
            out.append("".join(run).casefold())
        run.clear()

    for op, arg in items:
        name = op.name if hasattr(op, "name") else str(op)
        if name == "LITERAL":
            run.append(chr(arg))
            continue
        flush()
        if name == "BRANCH":
            branches = tuple(tuple(_required(list(b))) for b in arg[1])
            if branches and all(branches):  # a branch that requires nothing makes the whole true
                out.append(branches)
        elif name == "SUBPATTERN":
            out += _required(list(arg[-1]))
        elif name == "ATOMIC_GROUP":
            out += _required(list(arg))
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT") and arg[0] >= 1:
            out += _required(list(arg[2]))
        # anything else (classes, anchors, lookarounds, optional parts) requires nothing
    flush()
    return out


class TextProbe:
    """Answers "does this literal occur (ignoring case)?" for one text, from its distinct words."""

    def __init__(self, text: str) -> None:
        self._folded = text.casefold()
        self._words = "\n".join(set(self._folded.split()))  # a literal without spaces lies in one word
        self._seen: dict[str, bool] = {}

    def has(self, literal: str) -> bool:
        if literal not in self._seen:
            where = self._folded if any(ch.isspace() for ch in literal) else self._words
            self._seen[literal] = literal in where
        return self._seen[literal]

    def may_match(self, needs: tuple[Condition, ...]) -> bool:
        """False only when some condition cannot hold in this text, so the pattern cannot match."""
        return all(
            self.has(c) if isinstance(c, str) else any(self.may_match(branch) for branch in c) for c in needs
        )
