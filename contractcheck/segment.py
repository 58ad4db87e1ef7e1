"""Segment: turn a Document's blocks into the clause tree a lawyer would cite from.

Numbering styles form *families* (decimal outline, "(a)" letters, "(i)" romans, "§ 4", "Article 5",
annexes, unnumbered headings). A new number closes open clauses until it meets its own family at a
shallower depth (its parent) or a family it nests inside. This handles "12.3" → "(b)" → "(i)" and a
return to "13" without knowing a document's house style in advance.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from .model import Block, Clause, Document
from .numbering import Number, parse_number

_ROMAN_RE = re.compile(r"^(?=[ivxlc]+$)c{0,3}(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})$", re.IGNORECASE)

# Location cues (requirements.md §1.5): a heading matching one of these makes its clause and
# everything below it non-operative.
_NON_OPERATIVE_HEADING = re.compile(
    r"^(?:whereas|recitals?|preamble|background|introduction|purpose|vision|values|policy statement|"
    r"guidance|for information(?: purposes)?(?: only)?|bakgrund|inledning|ingress|syfte|målsättning|"
    r"övergripande|för (?:information|kännedom)|beskrivning av uppdraget|vägledning|"
    r"läsanvisning(?:ar)?)\b"
    # "Information" alone marks an informative section; "Information till brukare" is a duty.
    r"|^(?:information|informative)(?: only| endast)?\W*$",
    re.IGNORECASE,
)
_RECITAL_START = re.compile(r"^(?:whereas\b|recitals?\b|preamble\b)", re.IGNORECASE)
_RECITALS_END = re.compile(
    r"(?:now,? therefore|agree as follows|agreed as follows|hereby agree|avtalat följande|"
    r"överenskommit följande|träffat följande avtal|kommit överens om följande)",
    re.IGNORECASE,
)
# "1. Definitions. In this Agreement …": a short title closed by a full stop, then the text.
_RUN_IN_HEADING = re.compile(r"^([A-ZÅÄÖ][\w’'&/,-]*(?: [\w’'&/,-]+){0,7})\. (?=[A-ZÅÄÖ“\"(])")
_AUTO_LABEL = re.compile(r"^\(?([A-Za-z]{1,4}|\d{1,3})[.)]?$")
_SENTENCE_END = (".", ";", ":", ",", "?", "!")


@dataclass
class _Open:
    """A clause still open on the stack while we read on."""

    family: str
    depth: int
    num: str | None
    clause: Clause
    blocks: list[Block] = field(default_factory=list)
    parent: _Open | None = None


def segment(doc: Document) -> list[Clause]:
    """Build the clause list (parents before children) from `doc.blocks`."""
    return _Segmenter(doc).run()


class _Segmenter:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.clauses: list[Clause] = []
        self.stack: list[_Open] = []
        self.current: _Open | None = None  # the clause that receives unnumbered text
        self.in_recitals = False
        self.last_top: int | None = None  # the last top-level outline number seen
        self.prev: Block | None = None
        self.absorbed: Block | None = None
        self.last_of: dict[str, _Open] = {}  # the latest clause of each numbering family
        self.next: Block | None = None

    # --- driving -----------------------------------------------------------------------------
    def run(self) -> list[Clause]:
        blocks = self.doc.blocks
        for i, block in enumerate(blocks):
            self.prev = blocks[i - 1] if i else None
            self._feed(block, blocks[i + 1] if i + 1 < len(blocks) else None)
        self._close_all()
        return self.clauses

    def _in_annex_list(self, number: Number) -> bool:
        """An annex line next to another annex line of the same word is a list, not an annex."""
        for other in (self.prev, self.next):
            if other is None or other.kind == "table":
                continue
            n = self._number_of(other)
            if n is not None and n.style == "annex" and (n.word or "").lower() == (number.word or "").lower():
                return True
        return False

    def _title_below(self, block: Block) -> bool:
        return block.kind != "table" and self._number_of(block) is None and _looks_like_heading(block, block)

    def _feed(self, block: Block, nxt: Block | None) -> None:
        self.next = nxt
        if block is self.absorbed:  # already taken as the heading of the clause above
            self._append(block)
            return
        if block.kind == "footnote":
            if self.current is None or self.current.clause.heading != "Footnotes":
                self._start_unnumbered(block, heading="Footnotes", operative=True, with_text=False)
            self.current.blocks.append(block)  # type: ignore[union-attr]
            return
        if block.kind == "table":
            self._append(block)
            return
        number = self._number_of(block)
        if number is not None and number.style == "annex" and self._in_annex_list(number):
            number = None  # "Annex A – Price list" in a list of the contract's annexes
        if number is not None:
            self._start_numbered(block, number)
            return
        text = block.text
        if self.in_recitals and _RECITALS_END.search(text):
            self.in_recitals = False
            self._start_unnumbered(block, heading=None, operative=True)
            return
        if not self.in_recitals and _RECITAL_START.match(text):
            self.in_recitals = True
            self._start_unnumbered(block, heading=None, operative=False)
            return
        list_item = block.kind != "heading" and block.level is not None  # a bulleted Word list item
        if block.kind == "heading" or not list_item and _looks_like_heading(block, nxt):
            caps = block.text.isupper() and sum(c.isalpha() for c in block.text) >= 4
            strong = (block.kind == "heading" and block.level is not None) or caps
            if strong or not any(o.family not in ("annex", "heading") for o in self.stack):
                self._start_heading(block)
            else:  # a sub-heading inside a numbered clause ("Year 1: [***]", a bold run-in title)
                self._start_subheading(block)
            return
        self._append(block)

    def _start_subheading(self, block: Block) -> None:
        self._close_unnumbered()
        parent = self.stack[-1]
        clause = self._new_clause(
            None, parent.clause.ref, block.text, block, parent.clause, self._operative(block.text, parent)
        )
        self.current = _Open("unnumbered", 99, None, clause, [block])

    def _number_of(self, block: Block) -> Number | None:
        number = self._parse_block_number(block)
        if number is not None and number.style == "decimal" and number.num.endswith(".0"):
            # "1.0", "2.0": an outline's top level written as a decimal
            return replace(number, num=number.num[:-2])
        return number

    def _parse_block_number(self, block: Block) -> Number | None:
        if block.number:
            parsed = parse_number(block.number + " X")
            if parsed is not None:
                return Number(parsed.style, parsed.label, parsed.num, parsed.word, block.text, True)
            m = _AUTO_LABEL.match(block.number.strip())
            if m:  # Word labels such as "a." or "iv." that nobody types at a line start
                return Number("paren", f"({m.group(1)})", m.group(1), None, block.text, True)
            return None
        return parse_number(block.text)

    # --- starting clauses --------------------------------------------------------------------
    def _start_numbered(self, block: Block, number: Number) -> None:
        family, depth = self._family(number)
        heading = None
        if block.kind == "heading" or _heading_like(number.rest):
            heading = number.rest or None
        elif not number.rest and self.next is not None and self._title_below(self.next):
            heading = self.next.text  # "ARTICLE II" over "NATURAL GAS TRANSPORTATION SERVICE"
            self.absorbed = self.next
        else:
            run_in = _RUN_IN_HEADING.match(number.rest)
            heading = run_in.group(1) if run_in and _title_like(run_in.group(1)) else None
        if family == "annex":
            self.in_recitals = False
            self.last_top = None
            self.last_of.clear()
            self._pop_to(lambda o: False)
        elif family != "heading":
            self._pop_for(family, depth, number.num)
        parent = self.stack[-1] if self.stack else None
        ref = self._ref(number, family, parent)
        operative = self._operative(heading, parent) and not (
            self.in_recitals and family in ("paren-upper", "paren-letter", "letter")
        )
        self._push(family, depth, number.num, block, number.label, ref, heading, operative, parent)

    def _start_heading(self, block: Block) -> None:
        level = block.level or 1
        self._pop_to(lambda o: o.family == "annex" or (o.family == "heading" and o.depth < level))
        self.in_recitals = False
        parent = self.stack[-1] if self.stack else None
        heading = block.text
        operative = self._operative(heading, parent)
        ref = _short(heading)
        if parent is not None and parent.family == "annex":
            ref = f"{parent.clause.ref}, {_short(heading)}"
        self._push("heading", level, None, block, None, ref, heading, operative, parent)

    def _start_unnumbered(
        self, block: Block, *, heading: str | None, operative: bool, with_text: bool = True
    ) -> None:
        self._close_unnumbered()
        # Recitals and the words that end them live beside the clauses, under any annex.
        while self.stack and self.stack[-1].family not in ("annex", "heading"):
            self._close(self.stack.pop())
        parent_open = self.stack[-1] if self.stack else None
        parent = parent_open.clause if parent_open else None
        clause = self._new_clause(None, None, heading, block, parent, operative)
        # Unnumbered clauses never go on the stack; the next clause to start closes them.
        self.current = _Open("unnumbered", 99, None, clause, [block] if with_text else [])

    def _push(
        self,
        family: str,
        depth: int,
        num: str | None,
        block: Block,
        label: str | None,
        ref: str | None,
        heading: str | None,
        operative: bool,
        parent: _Open | None,
    ) -> None:
        self._close_unnumbered()
        clause = self._new_clause(label, ref, heading, block, parent.clause if parent else None, operative)
        entry = _Open(family, depth, num, clause, [block], parent)
        self.stack.append(entry)
        self.last_of[family] = entry
        self.current = entry

    def _new_clause(
        self,
        label: str | None,
        ref: str | None,
        heading: str | None,
        block: Block,
        parent: Clause | None,
        operative: bool,
    ) -> Clause:
        clause = Clause(
            id=f"c{len(self.clauses) + 1}",
            number=label,
            ref=ref,
            heading=heading,
            text="",
            page_start=block.page,
            page_end=block.page_end or block.page,
            start=block.start,
            end=block.end,
            parent=parent.id if parent else None,
            operative=operative,
        )
        self.clauses.append(clause)
        return clause

    def _append(self, block: Block) -> None:
        if self.current is None:
            self._start_unnumbered(block, heading=None, operative=not self.in_recitals, with_text=True)
            return
        self.current.blocks.append(block)

    # --- closing -----------------------------------------------------------------------------
    def _pop_for(self, family: str, depth: int, num: str) -> None:
        """Close clauses until the top of the stack can be the parent of (family, depth)."""
        last = self.last_of.get(family)
        if last is not None and last.depth == depth and _is_successor(last.num, num):
            # "2.2" after "2.1", "(c)" after "(b)": a sibling, whatever opened in between
            if any(o is last for o in self.stack):
                self._pop_to(lambda o: o is last)
                self._close(self.stack.pop())
                return
            if last.parent is None or any(o is last.parent for o in self.stack):
                self._pop_to(lambda o: o is last.parent)
                return
        while self.stack:
            top = self.stack[-1]
            if top.family == family:
                if top.depth < depth:
                    return
            elif top.family in ("annex", "heading"):
                return
            elif family not in {o.family for o in self.stack} and _rank(family) >= _rank(top.family):
                return
            self._close(self.stack.pop())

    def _pop_to(self, keep) -> None:
        while self.stack and not keep(self.stack[-1]):
            self._close(self.stack.pop())

    def _close_unnumbered(self) -> None:
        if self.current is not None and self.current.family == "unnumbered":
            entry, self.current = self.current, None
            self._close(entry)

    def _close_all(self) -> None:
        self._close_unnumbered()
        while self.stack:
            self._close(self.stack.pop())

    def _close(self, entry: _Open) -> None:
        if self.current is entry:
            self.current = self.stack[-1] if self.stack and self.stack[-1] is not entry else None
        blocks = entry.blocks
        clause = entry.clause
        if not blocks:
            return
        text = self.doc.text
        clause.start = blocks[0].start
        clause.end = blocks[-1].end
        clause.text = text[clause.start : clause.end]
        pages = [p for b in blocks for p in (b.page, b.page_end) if p is not None]
        clause.page_start = min(pages) if pages else None
        clause.page_end = max(pages) if pages else None
        entry.blocks = []

    # --- numbering families and references ---------------------------------------------------
    def _family(self, number: Number) -> tuple[str, int]:
        style, num = number.style, number.num
        if style == "annex":
            return "annex", 0
        if style in ("section_sign", "section_sign_after"):
            return "section", 1
        if style == "word":
            return f"word:{(number.word or '').lower().rstrip('.')}", num.count(".") + 1
        if style == "decimal":
            return self._decimal_family(num, number.rest)
        if style == "letter":
            return "letter", 1
        # parenthesised: tell letters from romans by what is open
        if num.isdigit():
            return "paren-digit", 1
        lower = num.islower()
        if _ROMAN_RE.match(num) and not self._continues_letters(num, lower):
            return ("paren-roman" if lower else "paren-ROMAN"), 1
        return ("paren-letter" if lower else "paren-upper"), 1

    def _decimal_family(self, num: str, rest: str) -> tuple[str, int]:
        """Tell an outline number from a numbered list restarting inside a clause ("1.", "2." under 3.2)."""
        first = int(num.split(".")[0])
        if "." not in num:
            lst = next((o for o in reversed(self.stack) if o.family == "list"), None)
            if lst is not None and lst.num is not None and int(lst.num) + 1 == first:
                outline_next = self.last_top is not None and self.last_top + 1 == first
                if not (outline_next and _heading_like(rest)):
                    return "list", 1
            if self.last_top is not None and first <= self.last_top and first == 1:
                return "list", 1
        self.last_top = first
        return "decimal", num.count(".") + 1

    def _continues_letters(self, num: str, lower: bool) -> bool:
        family = "paren-letter" if lower else "paren-upper"
        if len(num) != 1:
            return False
        for entry in reversed(self.stack):
            if entry.family == family and entry.num and len(entry.num) == 1:
                return ord(entry.num.lower()) + 1 == ord(num.lower())
        return num.lower() not in ("i", "v", "x")

    def _ref(self, number: Number, family: str, parent: _Open | None) -> str:
        own = number.label
        if family == "annex":
            return own
        annex = next((o for o in reversed(self.stack) if o.family == "annex"), None)
        base = self._relative_ref(number, family, parent)
        if annex is not None and parent is not None:
            joiner = " punkt " if self.doc.language == "sv" else ", paragraph "
            if parent is annex:
                return f"{annex.clause.ref}{joiner}{base}"
            if base.startswith(annex.clause.ref or "\0"):
                return base
            return f"{annex.clause.ref}{joiner}{base}" if not base.startswith("(") else base
        return base

    def _relative_ref(self, number: Number, family: str, parent: _Open | None) -> str:
        own = number.label
        if parent is None or parent.family in ("annex", "heading", "unnumbered"):
            if family.startswith("paren") and parent is not None and parent.family == "heading":
                return f"{parent.clause.ref} {own}"
            return own
        pref = parent.clause.ref or ""
        if family.startswith("paren"):
            return f"{pref}{own}"
        if family == "list":
            return f"{pref}({number.num})"
        if (
            family == "decimal"
            and "." not in number.num
            and (parent.family.startswith("word:") or parent.family == "section")
        ):
            return f"{pref}({number.num})"
        return own

    def _operative(self, heading: str | None, parent: _Open | None) -> bool:
        if heading and _NON_OPERATIVE_HEADING.match(heading.strip()):
            return False
        if parent is not None and not parent.clause.operative:
            return False
        return not self.in_recitals


def _is_successor(prev: str | None, num: str) -> bool:
    """Whether `num` is the number after `prev` at the same level: 2.1→2.2, b→c, iv→v, 9→10."""
    if prev is None:
        return False
    if "." in prev or "." in num:
        a, b = prev.split("."), num.split(".")
        return len(a) == len(b) and a[:-1] == b[:-1] and _is_successor(a[-1], b[-1])
    if prev.isdigit() and num.isdigit():
        return int(num) == int(prev) + 1
    if _ROMAN_RE.match(prev) and _ROMAN_RE.match(num) and (len(prev) > 1 or len(num) > 1):
        return _roman_value(num) == _roman_value(prev) + 1
    if len(prev) == 1 and len(num) == 1 and prev.isalpha() and num.isalpha():
        return ord(num.lower()) == ord(prev.lower()) + 1 and prev.islower() == num.islower()
    return False


def _roman_value(text: str) -> int:
    values = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}
    total = 0
    digits = [values[c] for c in text.lower()]
    for i, v in enumerate(digits):
        total += -v if i + 1 < len(digits) and digits[i + 1] > v else v
    return total


def _rank(family: str) -> int:
    """How deep a family sits by convention: "Article 5" holds "5.1", which holds "(a)"."""
    if family.startswith("paren") or family == "list":
        return 3
    if family == "decimal":
        return 2
    return 1


def _title_like(phrase: str) -> bool:
    """A run-in title is short or in title case; "Avtalet består av följande handlingar" is a sentence."""
    words = phrase.split()
    return len(words) <= 3 or all(w[0].isupper() or len(w) <= 3 for w in words)


def _heading_like(rest: str) -> bool:
    """A number followed by a short capitalised title ("1. Definitions", "§ 4 Pris och betalning")."""
    rest = rest.strip()
    if not rest or len(rest) > 90 or rest.endswith(_SENTENCE_END):
        return False
    words = rest.split()
    if len(words) > 10:
        return False
    first = rest[0]
    return first.isupper() or first.isdigit()


def _looks_like_heading(block: Block, nxt: Block | None) -> bool:
    """An unnumbered line that titles what follows: short, no sentence end, capitalised."""
    text = block.text.strip()
    if nxt is None or "\n" in text or len(text) > 70 or text.endswith(_SENTENCE_END):
        return False
    words = text.split()
    if len(words) > 8 or not text[0].isupper():
        return False
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return False
    if text.isupper() and len(letters) >= 3:
        return True
    capitals = sum(1 for w in words if w[0].isupper() or not w[0].isalpha())
    small = {
        "and",
        "or",
        "of",
        "the",
        "for",
        "to",
        "in",
        "on",
        "a",
        "an",
        "och",
        "eller",
        "av",
        "för",
        "i",
        "till",
        "med",
        "om",
        "vid",
        "på",
    }
    return all(w[0].isupper() or w.lower() in small or not w[0].isalpha() for w in words) and capitals >= 1


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
